/**
 * vm-test's output: the step table for a terminal, JSON, and the Markdown page of what
 * is proven on which kernel (docs/proven.md). Pure: a result in, text or data out.
 */
import { moduleOf } from '../actions/registry.js';
import type { PlannedQuirk } from '../dkms/model.js';
import type { StepResult } from './evaluate.js';
import { hexIds } from './devices.js';
import type { VmTestResult } from './run.js';

const MARK = { pass: 'pass', fail: 'FAIL', skip: 'skip' } as const;

function headline(r: VmTestResult): string {
  const stand = r.retarget ? `, standing in for ${[...new Set(Object.values(r.quirkDevices))].join(', ')}` : '';
  return `${r.module}.ko on ${r.kernel.release} under qemu (${r.accel}): ${r.device.qemu} ${hexIds(r.device)}${r.bdf ? ` at ${r.bdf}` : ''}${stand}`;
}

function counts(steps: readonly StepResult[]): string {
  const n = (s: StepResult['status']) => steps.filter((x) => x.status === s).length;
  return `${n('pass')} passed, ${n('fail')} failed${n('skip') ? `, ${n('skip')} skipped` : ''}`;
}

/** The table people read: one line per step, its checks and the kernel lines under it. */
export function formatText(r: VmTestResult): string {
  const out: string[] = [headline(r)];
  if (r.accelNote) out.push(`note: ${r.accelNote}`);
  if (r.kernel.version) out.push(`kernel: ${r.kernel.vmlinuz} (${r.kernel.version})`);
  out.push('');
  const width = Math.max(...r.steps.map((s) => stepName(s).length));
  for (const s of r.steps) {
    out.push(`${MARK[s.status]}  ${stepName(s).padEnd(width)}`.trimEnd());
    for (const c of s.checks) out.push(`        ${c.ok === null ? '-' : c.ok ? 'ok' : 'NOT OK'}  ${c.text}`);
    for (const l of s.log) out.push(`          | ${l}`);
  }
  out.push('', `${r.passed ? 'PASS' : 'FAIL'}: ${counts(r.steps)} (${r.seconds.toFixed(0)} s)`);
  if (!r.passed) {
    const first = r.steps.find((s) => s.status === 'fail');
    if (first) out.push(`first failure: ${stepName(first)}: ${first.checks.find((c) => c.ok === false)?.text ?? ''}`);
  }
  if (r.workDir) out.push(`work files kept in ${r.workDir} (qemu.sh runs the guest again)`);
  return `${out.join('\n')}\n`;
}

function stepName(s: StepResult): string {
  return s.quirk ? `${s.quirk}: ${s.title}` : s.title;
}

export function toJson(r: VmTestResult): object {
  return {
    passed: r.passed,
    kernel: { release: r.kernel.release, version: r.kernel.version ?? null, vmlinuz: r.kernel.vmlinuz, headers: r.kernel.headersDir, modules: r.kernel.modulesDir },
    accel: r.accel,
    accelNote: r.accelNote ?? null,
    device: { ids: hexIds(r.device), qemu: r.device.qemu, driver: r.device.driver, bdf: r.bdf ?? null, retargeted: r.retarget },
    module: r.module,
    quirks: r.plan.quirks.map((q) => ({ id: q.id, device: r.quirkDevices[q.id] ?? null })),
    build: { command: r.build.command, warnings: r.build.warnings },
    steps: r.steps.map((s) => ({ id: s.id, quirk: s.quirk ?? null, title: s.title, status: s.status, checks: s.checks, log: s.log })),
    seconds: Math.round(r.seconds),
    workDir: r.workDir ?? null,
  };
}

/** The actions of a quirk, each with the steps that prove it. */
function actions(q: PlannedQuirk): { action: string; steps: string[] }[] {
  const out: { action: string; steps: string[] }[] = [];
  if (q.rebind) {
    const sleeps = q.rebind.around.flatMap((k) => (k === 'suspend' ? ['freeze', 'mem', 'final'] : ['disk']));
    out.push({ action: `rebind ${q.rebind.method} around ${q.rebind.around.join(', ')}${q.rebind.settleMs ? `, settle ${q.rebind.settleMs} ms` : ''}`, steps: [...sleeps, 'reload1-unbound', 'reload2-unbound'] });
  }
  for (const f of q.flags) out.push({ action: f, steps: [`flag-${f}`, 'reload1-bound', 'unload'] });
  for (const a of q.actions) {
    const m = moduleOf(a);
    const proof = m.vm?.step(a);
    if (proof) out.push({ action: m.describe(a), steps: [proof.name, ...(m.vm?.evidence(a).sysfs ? ['reload1-bound', 'unload'] : [])] });
  }
  for (const w of q.writes) {
    const steps = w.stage === 'on-load' || w.stage === 'before-reset' ? [`writes-${w.stage}`] : ['freeze', 'mem', 'disk', 'final'];
    out.push({ action: `config-write ${w.setpci} ${w.stage}`, steps });
  }
  return out;
}

function verdict(steps: StepResult[]): string {
  if (steps.length === 0) return 'not run';
  if (steps.some((s) => s.status === 'fail')) return 'FAILED';
  if (!steps.some((s) => s.status === 'pass')) return 'not shown';
  // Where the kernel shows nothing of what the module did, say what the evidence is.
  const logOnly = steps.some((s) => s.checks.some((c) => c.ok === null && c.text.endsWith('the log line is the evidence')));
  return logOnly ? "proven by the module's log (sysfs does not show it)" : 'proven';
}

/** The page of which action is proven on which kernel (docs/proven.md), from one run. */
export function formatMarkdown(r: VmTestResult, command: string): string {
  const byId = new Map(r.steps.map((s) => [s.id, s]));
  const kernel = `${r.kernel.release}${r.kernel.version ? ` (${r.kernel.version})` : ''}`;
  const out = [
    '# Workarounds proven in a VM',
    '',
    `Generated by \`${command}\`: the module that \`quirkctl dkms\` makes, built for the kernel`,
    'and run under qemu with an emulated device standing in for each quirk\'s device',
    '(docs/vm-test.md says how). Do not edit by hand; run the command again.',
    '',
    `- kernel: ${kernel}`,
    `- device: ${r.device.qemu} ${hexIds(r.device)} behind a PCIe root port on q35 (${r.device.description})${r.retarget ? '; every quirk re-targeted at it (--as)' : ''}`,
    `- qemu: ${r.accel}; result: ${r.passed ? 'every step passed' : 'FAILED'} (${counts(r.steps)})`,
    '',
    '| action | quirk | kernel | result | shown by |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const q of r.plan.quirks) {
    const notNeeded = byId.get(`${q.id}:load`)?.title.startsWith('load: left off');
    for (const a of actions(q)) {
      const steps = a.steps.map((s) => byId.get(`${q.id}:${s}`)).filter((s): s is StepResult => s !== undefined);
      const result = notNeeded ? 'not needed on this kernel: left off' : a.action.endsWith('before-reset') ? (verdict(steps) === 'proven' ? 'left to the hook, as it must be (logged at load)' : verdict(steps)) : verdict(steps);
      out.push(`| ${a.action} | ${q.id} | ${r.kernel.release} | ${result} | ${notNeeded ? 'load' : steps.map((s) => s.title).join('; ')} |`);
    }
  }
  out.push('', '## Steps', '');
  for (const q of r.plan.quirks) {
    out.push(`### ${q.id}`, '', '| step | result |', '| --- | --- |');
    for (const s of r.steps.filter((x) => x.quirk === q.id)) out.push(`| ${s.title} | ${s.status} |`);
    out.push('');
  }
  const general = r.steps.filter((s) => !s.quirk);
  out.push('### the whole run', '', '| step | result |', '| --- | --- |', ...general.map((s) => `| ${s.title} | ${s.status} |`), '');
  return out.join('\n');
}
