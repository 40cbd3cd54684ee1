/** no-pm-reset: PCI_DEV_FLAGS_NO_PM_RESET, quirks.c's quirk_no_pm_reset(). */
import { flagAction } from './flag.js';

export default flagAction({
  type: 'no-pm-reset',
  cliKey: 'pmReset',
  cliText: 'never reset it by a D3hot->D0 transition (PCI_DEV_FLAGS_NO_PM_RESET)',
  explain: 'Never reset it through a D3hot to D0 transition (PCI_DEV_FLAGS_NO_PM_RESET).',
  cFlag: 'PCI_DEV_FLAGS_NO_PM_RESET',
  resetMethods: ['pm'],
  fixup: { pass: 'HEADER', helper: 'quirk_no_pm_reset', marker: 'PCI_DEV_FLAGS_NO_PM_RESET' },
  subject: (device) => `PCI: Avoid PM reset for ${device}`,
  summary: (device) => `Mark ${device} with PCI_DEV_FLAGS_NO_PM_RESET so that a D3hot to D0 transition is not used to reset it.`,
  helpText: 'quirk_no_pm_reset',
});
