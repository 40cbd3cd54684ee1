/**
 * d3hot-delay: the time a device needs after D3hot to D0, as quirks.c's
 * quirk_d3hot_delay() sets it. The module lengthens pci_dev's delay (never shortens it)
 * and puts it back on unload; the hook cannot reach it.
 */
import { ACTION_PROPS, defineAction, wholeNumber } from './action.js';

export interface D3hotDelay {
  type: 'd3hot-delay';
  ms: number;
}

const msOf = (actions: readonly unknown[]) => Math.max(...(actions as D3hotDelay[]).map((a) => a.ms));

export default defineAction<D3hotDelay>({
  type: 'd3hot-delay',
  schema: {
    description: "Time the device needs after a D3hot to D0 transition (the kernel's quirk_d3hot_delay).",
    type: 'object',
    additionalProperties: false,
    required: ['ms'],
    properties: { ms: { type: 'integer', minimum: 0, maximum: 10000, 'x-expected': 'milliseconds from 0 to 10000' } },
  },
  fromData: (d: { ms: number }) => ({ type: 'd3hot-delay', ms: d.ms }),
  toData: (a) => ({ ms: a.ms }),
  describe: (a) => `d3hot-delay ${a.ms} ms`,
  explain: (a) => `Wait ${a.ms} ms after each D3hot to D0 transition (d3hot_delay).`,
  merge: (cur, want) => (want.ms !== cur.ms ? [{ path: ['ms'], value: want.ms, change: `d3hot-delay: ${cur.ms} -> ${want.ms} ms` }] : []),
  cli: {
    options: [{ flags: '--d3hot-delay <ms>', description: 'time the device needs after D3hot->D0' }],
    read: (o, check) => {
      if (o.d3hotDelay === undefined) return [];
      const ms = wholeNumber('--d3hot-delay', o.d3hotDelay as string);
      check('--d3hot-delay', ms, `${ACTION_PROPS}/d3hot-delay/properties/ms`);
      return [{ type: 'd3hot-delay', ms }];
    },
    names: ['--d3hot-delay'],
  },
  kernel: {
    place: { fixup: { pass: 'FINAL', helper: 'quirk_d3hot_delay', marker: 'quirk_d3hot_delay(', body: (actions) => [`quirk_d3hot_delay(dev, ${msOf(actions)});`] } },
    subject: (device) => `PCI: Extend D3hot delay for ${device}`,
    summary: (device, actions) => `Extend the delay after a D3hot to D0 transition of ${device} to ${msOf(actions)} ms.`,
    helpText: 'quirk_d3hot_delay',
  },
  module: {
    always: true,
    compat: `/* struct pci_dev's d3_delay was renamed d3hot_delay in v5.10. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 10, 0)
#define QK_D3HOT_DELAY(pdev) ((pdev)->d3hot_delay)
#else
#define QK_D3HOT_DELAY(pdev) ((pdev)->d3_delay)
#endif`,
    quirkFields: '\tint d3hot_ms;\t\t\t/* -1: leave d3hot_delay alone */',
    quirkInit: (actions) => `\t\t.d3hot_ms = ${actions.length ? msOf(actions) : -1},`,
    devFields: '\tbool d3hot_changed;\n\tunsigned int d3hot_saved;',
    apply: `\t/* Like quirk_d3hot_delay(): only ever longer. */
\tif (q->d3hot_ms >= 0 && QK_D3HOT_DELAY(pdev) < q->d3hot_ms) {
\t\td->d3hot_saved = QK_D3HOT_DELAY(pdev);
\t\tQK_D3HOT_DELAY(pdev) = q->d3hot_ms;
\t\td->d3hot_changed = true;
\t\tpr_info("d3hot-delay %s quirk=%s ms=%d was=%u\\n", pci_name(pdev), q->id,
\t\t\tq->d3hot_ms, d->d3hot_saved);
\t}`,
    undo: `\tif (d->d3hot_changed && QK_D3HOT_DELAY(pdev) == q->d3hot_ms) {
\t\tQK_D3HOT_DELAY(pdev) = d->d3hot_saved;
\t\tpr_info("undo %s quirk=%s d3hot-delay=%u\\n", pci_name(pdev), q->id, d->d3hot_saved);
\t}`,
  },
  hook: { moduleOnly: (id, a) => `${id}: d3hot-delay ${a.ms} ms: only the module can lengthen the kernel's D3hot delay` },
  vm: {
    step: (a) => ({ name: 'd3hot-delay', title: `d3hot-delay ${a.ms} ms`, check: { ms: a.ms } }),
    evidence: (a) => ({
      log: { step: 'd3hot-delay', want: { ms: String(a.ms) }, show: ['was'], missing: " (the device's delay may already be that long)" },
      note: 'the kernel shows d3hot_delay nowhere in sysfs: the log line is the evidence',
    }),
  },
});
