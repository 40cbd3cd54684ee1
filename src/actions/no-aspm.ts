/**
 * no-aspm: the link of the device never enters ASPM L0s or L1, as quirks.c's
 * quirk_disable_aspm_l0s_l1() asks with pci_disable_link_state(). The kernel has no
 * call that gives back exactly the states that were on, so the module leaves ASPM off
 * when it is unloaded (and says so); the hook writes the link's l0s_aspm and l1_aspm.
 */
import { bareAction, defineAction } from './action.js';

const { read, ...bare } = bareAction('no-aspm', 'aspm');

export default defineAction<{ type: 'no-aspm' }>({
  ...bare,
  explain: () => "Keep its PCIe link out of the ASPM L0s and L1 power states (`pci_disable_link_state()`, as `quirk_disable_aspm_l0s_l1()` does).",
  cli: {
    options: [{ flags: '--no-aspm', description: 'keep its PCIe link out of ASPM L0s and L1 (pci_disable_link_state)' }],
    read,
    names: ['--no-aspm'],
  },
  kernel: {
    place: { fixup: { pass: 'FINAL', helper: 'quirk_disable_aspm_l0s_l1', marker: 'PCIE_LINK_STATE_L0S | PCIE_LINK_STATE_L1' } },
    subject: (device) => `PCI: Disable ASPM L0s/L1 for ${device}`,
    summary: (device) => `Disable ASPM L0s and L1 on the link of ${device} so that it never enters those power states.`,
    helpText: 'quirk_disable_aspm_l0s_l1, FINAL',
  },
  module: {
    quirkFields: '\tbool no_aspm;\t\t\t/* keep the link out of ASPM L0s/L1 */',
    quirkInit: (actions) => `\t\t.no_aspm = ${actions.length > 0},`,
    apply: `\tif (q->no_aspm)
\t\tpr_info("no-aspm %s quirk=%s states=l0s,l1 result=%d\\n", pci_name(pdev), q->id,
\t\t\tpci_disable_link_state(pdev, PCIE_LINK_STATE_L0S | PCIE_LINK_STATE_L1));`,
    // No kernel call restores exactly what was enabled before.
    undo: `\tif (q->no_aspm)
\t\tpr_info("undo %s quirk=%s no-aspm=kept\\n", pci_name(pdev), q->id);`,
  },
  hook: {
    onAdd: `\t\tfor state in l0s l1; do
\t\t\t[ -e "$1/link/\${state}_aspm" ] && log "no-aspm $2 quirk=$3 state=$state result=$(sysfs_write "$1/link/\${state}_aspm" 0)"
\t\tdone`,
    moduleOnly: (id) => `${id}: no-aspm: the hook turns ASPM off through link/l0s_aspm and link/l1_aspm (kernels >= 5.5 with CONFIG_PCIEASPM); the module also keeps the kernel from turning it on again`,
  },
  vm: {
    step: () => ({ name: 'no-aspm', title: 'no-aspm (pci_disable_link_state)', check: {} }),
    evidence: () => ({
      log: { step: 'no-aspm', want: { states: 'l0s,l1', result: '0' } },
      note: "pci_disable_link_state() returned 0; sysfs shows a link's ASPM states only where both ends support them: the log line is the evidence",
    }),
  },
});
