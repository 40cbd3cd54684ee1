/** no-bus-reset: PCI_DEV_FLAGS_NO_BUS_RESET, quirks.c's quirk_no_bus_reset(). */
import { flagAction } from './flag.js';

export default flagAction({
  type: 'no-bus-reset',
  cliKey: 'busReset',
  cliText: 'never reset it with a secondary bus reset (PCI_DEV_FLAGS_NO_BUS_RESET)',
  explain: 'Never reset it with a secondary bus reset (PCI_DEV_FLAGS_NO_BUS_RESET).',
  cFlag: 'PCI_DEV_FLAGS_NO_BUS_RESET',
  resetMethods: ['bus', 'cxl_bus'],
  fixup: { pass: 'HEADER', helper: 'quirk_no_bus_reset', marker: 'PCI_DEV_FLAGS_NO_BUS_RESET' },
  subject: (device) => `PCI: Mark ${device} to avoid bus reset`,
  summary: (device) => `Mark ${device} with PCI_DEV_FLAGS_NO_BUS_RESET so that it is never reset with a secondary bus reset.`,
  helpText: 'quirk_no_bus_reset',
});
