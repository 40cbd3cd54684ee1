/**
 * no-msi: no driver may enable MSI or MSI-X on the device, as quirks.c's quirk_no_msi()
 * marks it (pci_dev's no_msi); its drivers fall back to INTx. sysfs shows the mark as
 * msi_bus (0: no MSI), which the hook writes and vm-test reads.
 */
import { bareAction, defineAction } from './action.js';

const { read, ...bare } = bareAction('no-msi', 'msi');

export default defineAction<{ type: 'no-msi' }>({
  ...bare,
  explain: () => 'Never let a driver enable MSI or MSI-X on it, so that its drivers use INTx (`no_msi`, as `quirk_no_msi()` sets it).',
  cli: {
    options: [{ flags: '--no-msi', description: 'never let a driver enable MSI or MSI-X on it; drivers use INTx (pci_dev no_msi)' }],
    read,
    names: ['--no-msi'],
  },
  kernel: {
    place: { fixup: { pass: 'FINAL', helper: 'quirk_no_msi', marker: 'no_msi = 1' } },
    subject: (device) => `PCI: Disable MSI for ${device}`,
    summary: (device) => `Mark ${device} with no_msi so that no driver enables MSI or MSI-X on it; its drivers fall back to INTx.`,
    helpText: 'quirk_no_msi, FINAL',
  },
  module: {
    quirkFields: '\tbool no_msi;\t\t\t/* no driver may enable MSI/MSI-X */',
    quirkInit: (actions) => `\t\t.no_msi = ${actions.length > 0},`,
    devFields: '\tbool no_msi_set;',
    // A driver bound now keeps the interrupts it has; it uses INTx from its next probe.
    apply: `\tif (q->no_msi) {
\t\td->no_msi_set = !pdev->no_msi;
\t\tpdev->no_msi = 1;
\t\tpr_info("no-msi %s quirk=%s result=%s\\n", pci_name(pdev), q->id,
\t\t\td->no_msi_set ? "set" : "already-set");
\t}`,
    undo: `\tif (d->no_msi_set) {
\t\tpdev->no_msi = 0;
\t\tpr_info("undo %s quirk=%s no-msi=cleared\\n", pci_name(pdev), q->id);
\t}`,
  },
  hook: {
    onAdd: '\t\tlog "no-msi $2 quirk=$3 result=$(sysfs_write "$1/msi_bus" 0)"',
  },
  vm: {
    step: () => ({ name: 'no-msi', title: 'no-msi (msi_bus)', check: {} }),
    evidence: () => ({ log: { step: 'no-msi', want: {}, show: ['result'] }, sysfs: { attr: 'msi_bus', loaded: '0' } }),
  },
});
