/** no-flr: PCI_DEV_FLAGS_NO_FLR_RESET, quirks.c's quirk_no_flr() (an EARLY fixup). */
import { flagAction } from './flag.js';

export default flagAction({
  type: 'no-flr',
  cliKey: 'flr',
  cliText: 'never use Function Level Reset on it (PCI_DEV_FLAGS_NO_FLR_RESET)',
  explain: 'Never use Function Level Reset on it (PCI_DEV_FLAGS_NO_FLR_RESET).',
  cFlag: 'PCI_DEV_FLAGS_NO_FLR_RESET',
  resetMethods: ['flr', 'af_flr'],
  fixup: { pass: 'EARLY', helper: 'quirk_no_flr', marker: 'PCI_DEV_FLAGS_NO_FLR_RESET' },
  subject: (device) => `PCI: Avoid FLR for ${device}`,
  summary: (device) => `Mark ${device} with PCI_DEV_FLAGS_NO_FLR_RESET so that Function Level Reset is not used to reset it.`,
  helpText: 'quirk_no_flr, EARLY',
});
