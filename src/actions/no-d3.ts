/** no-d3: PCI_DEV_FLAGS_NO_D3; quirks.c has no helper for it, so the fixup is a hook of its own. */
import { flagAction } from './flag.js';

export default flagAction({
  type: 'no-d3',
  cliKey: 'd3',
  cliText: 'never put it into D3 (PCI_DEV_FLAGS_NO_D3)',
  explain: 'Never put it into D3 (PCI_DEV_FLAGS_NO_D3).',
  cFlag: 'PCI_DEV_FLAGS_NO_D3',
  resetMethods: [],
  fixup: { pass: 'HEADER', marker: 'PCI_DEV_FLAGS_NO_D3', body: () => ['dev->dev_flags |= PCI_DEV_FLAGS_NO_D3;'] },
  subject: (device) => `PCI: Avoid D3 for ${device}`,
  summary: (device) => `Mark ${device} with PCI_DEV_FLAGS_NO_D3 so that it is never put into D3.`,
  helpText: 'PCI_DEV_FLAGS_NO_D3',
  moduleOnly: (id) => `${id}: no-d3: the hook keeps the device out of runtime D3 (power/control=on), but only the module keeps system sleep from putting it into D3`,
});
