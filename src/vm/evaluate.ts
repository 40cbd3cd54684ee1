/**
 * Holds what the guest saw against what each step must show, and makes the step table.
 * Pure: the module's plan, the steps and the guest's report in, results out.
 *
 * Evidence comes from three places, and a step trusts none alone where another can
 * speak: sysfs (the `driver` link, `reset_method`), the kernel's own log (the PM core's
 * freeze and thaw lines, the driver core's "driver_bound" lines, splats), and the
 * module's log lines (docs/dkms.md, "The log").
 */
import type { Evidence } from '../actions/action.js';
import { ACTION_TYPES, moduleOf, type Action } from '../actions/registry.js';
import { flagEffects, type FlagAction, type PackagePlan, type PlannedQuirk } from '../dkms/model.js';
import { hexIds, type EmulatedDevice } from './devices.js';
import { sleepKind, type ActionCheck, type Check, type StepSpec, type VmPlan } from './plan.js';
import type { DeviceState, GuestReport, OpRecord } from './protocol.js';
import { findSplats } from './splat.js';

export type StepStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  /** null: a note, not a check. */
  ok: boolean | null;
  text: string;
}

export interface StepResult {
  id: string;
  quirk?: string;
  title: string;
  status: StepStatus;
  checks: CheckResult[];
  /** The kernel log lines that bear on the step. */
  log: string[];
}

export interface EvalContext {
  plan: PackagePlan;
  vm: VmPlan;
  device: EmulatedDevice;
  /** The release vm-test booted, to hold `uname -r` in the guest against. */
  release: string;
  report: GuestReport;
  /** Why the guest stopped early, when it did ("timed out after ...", "qemu exited ..."). */
  stopped?: string;
  /** Console lines (ttyS0) to show when the guest stopped early. */
  consoleTail: string[];
  /** Console lines in full, scanned for splats the results port never carried. */
  console: string[];
}

const check = (ok: boolean, text: string): CheckResult => ({ ok, text });
const note = (text: string): CheckResult => ({ ok: null, text });

/** One line of the module's log: `[  t] <module>: STEP DEVICE key=value...`. */
interface ModuleLine {
  index: number;
  step: string;
  device: string;
  kv: Record<string, string>;
}

function moduleLines(log: readonly string[], module: string): ModuleLine[] {
  const head = new RegExp(`^(?:\\[[ \\d.]+\\] )?${module}: (\\S+) (\\S+)(.*)$`);
  const out: ModuleLine[] = [];
  log.forEach((line, index) => {
    const m = head.exec(line);
    if (!m) return;
    const kv: Record<string, string> = {};
    for (const p of (m[3] ?? '').matchAll(/([\w-]+)=("[^"]*"|\S+)/g)) kv[p[1]!] = p[2]!.replace(/^"|"$/g, '');
    out.push({ index, step: m[1]!, device: m[2]!, kv });
  });
  return out;
}

/** The first module line of `step` whose keys include all of `want`. */
function find(lines: ModuleLine[], step: string, device: string, want: Record<string, string>): ModuleLine | undefined {
  return lines.find((l) => l.step === step && l.device === device && Object.entries(want).every(([k, v]) => l.kv[k] === v));
}

function show(step: string, device: string, want: Record<string, string>): string {
  return [step, device, ...Object.entries(want).map(([k, v]) => `${k}=${v}`)].join(' ');
}

function firstIndex(log: readonly string[], pattern: RegExp): number {
  return log.findIndex((l) => pattern.test(l));
}

function lastIndex(log: readonly string[], pattern: RegExp): number {
  for (let i = log.length - 1; i >= 0; i--) if (pattern.test(log[i]!)) return i;
  return -1;
}

const FREEZE = /Freezing user space processes/;
const THAW = /Restarting tasks/;

function resetText(reset: string[] | null): string {
  return reset === null ? '(no reset_method)' : reset.length ? reset.join(' ') : '(empty)';
}

function sameReset(a: string[] | null, b: string[] | null): boolean {
  return resetText(a) === resetText(b);
}

function driverText(s: DeviceState): string {
  return !s.present ? 'device gone' : s.driver || 'no driver';
}

/** Everything a step's checks need besides the op records. */
interface Scope {
  ctx: EvalContext;
  q: PlannedQuirk;
  bdf: string;
  module: string;
  /** At boot, before the module. */
  baseline: DeviceState;
  /** The quirk's load op, for the flag and write steps and as the state reloads return to. */
  load?: OpRecord;
}

/** `<module>: ...` lines with the quirk's id or no quirk at all, lines naming the device, PM entry/exit, splats. */
function relevant(s: Scope, log: readonly string[]): string[] {
  const prefix = `${s.module}: `;
  return log.filter((l) => {
    const at = l.indexOf(prefix);
    if (at >= 0) {
      const quirk = /quirk=(\S+)/.exec(l.slice(at))?.[1];
      return quirk === undefined || quirk === s.q.id;
    }
    return l.includes(s.bdf) || /PM: .*(suspend|hibernation) (entry|exit)/.test(l) || findSplats([l]).length > 0;
  });
}

function isActionCheck(c: Check): c is ActionCheck {
  return (ACTION_TYPES as readonly string[]).includes(c.kind);
}

/** The quirk's action an action step proves, and what its module says shows it. */
function actionEvidence(s: Scope, c: ActionCheck): { action: Action; evidence: Evidence } | undefined {
  const action = s.q.actions.find((a) => a.type === c.kind);
  const evidence = action ? moduleOf(action).vm?.evidence(action) : undefined;
  return action && evidence ? { action, evidence } : undefined;
}

/** The module's lines at load that a flag, action or write step rests on. */
function loadLines(s: Scope, load: OpRecord, c: Check): string[] {
  const proof = isActionCheck(c) ? actionEvidence(s, c) : undefined;
  const steps = c.kind === 'flag' ? ['flag', 'reset-method'] : proof ? [proof.evidence.log.step] : ['config-write'];
  const flag = c.kind === 'flag' ? c.flag : undefined;
  const methods = flag ? flagEffects(flag).resetMethods : [];
  return moduleLines(load.log, s.module)
    .filter((l) => steps.includes(l.step) && l.kv.quirk === s.q.id)
    .filter((l) => flag === undefined || l.kv.flag === flag || methods.includes(l.kv.unset ?? ''))
    .filter((l) => c.kind !== 'writes' || l.kv.stage === c.stage)
    .map((l) => load.log[l.index]!);
}

function loadChecks(s: Scope, r: OpRecord): CheckResult[] {
  const ml = moduleLines(r.log, s.module);
  const out = [check(r.rc === 0, `insmod ${s.module}.ko: ${r.rc === 0 ? 'loaded' : `failed (exit ${r.rc})`}`)];
  const load = ml.find((l) => l.step === 'load' && l.device === '-');
  out.push(check(load !== undefined && load.kv.kernel === s.ctx.release, load ? `module log: load - quirks=${load.kv.quirks} active=${load.kv.active} kernel=${load.kv.kernel}` : 'module log: no "load" line'));
  out.push(check(find(ml, 'match', s.bdf, { quirk: s.q.id }) !== undefined, `module log: ${show('match', s.bdf, { quirk: s.q.id })}`));
  const others = s.ctx.plan.quirks.filter((o) => o !== s.q);
  if (others.length) {
    const leaked = others.filter((o) => find(ml, 'match', s.bdf, { quirk: o.id }));
    out.push(check(leaked.length === 0, leaked.length ? `disable= did not keep ${leaked.map((o) => o.id).join(', ')} off the device` : `the other quirks stay off (disable=): ${others.length} "skip" lines, no match`));
  }
  out.push(check(r.driver === s.baseline.driver, `driver after load: ${driverText(r)} (was ${s.baseline.driver || 'none'}; loading binds or unbinds nothing)`));
  return out;
}

function notNeededChecks(s: Scope, r: OpRecord, range: string): CheckResult[] {
  const ml = moduleLines(r.log, s.module);
  return [
    check(r.rc === 0, `insmod ${s.module}.ko: ${r.rc === 0 ? 'loaded' : `failed (exit ${r.rc})`}`),
    check(find(ml, 'skip', '-', { quirk: s.q.id, reason: 'kernel' }) !== undefined, `module log: skip - quirk=${s.q.id} reason=kernel (needed: ${range})`),
    check(find(ml, 'match', s.bdf, { quirk: s.q.id }) === undefined, 'the quirk is not applied to the device'),
  ];
}

function flagChecks(s: Scope, r: OpRecord, flag: FlagAction): CheckResult[] {
  const ml = moduleLines(r.log, s.module);
  const line = ml.find((l) => l.step === 'flag' && l.device === s.bdf && l.kv.quirk === s.q.id && l.kv.flag === flag);
  const out = [check(line !== undefined && (line.kv.result === 'set' || line.kv.result === 'already-set'), line ? `module log: flag ${s.bdf} flag=${flag} result=${line.kv.result}` : `module log: no "flag ${s.bdf} quirk=${s.q.id} flag=${flag}" line`)];
  const { cFlag, resetMethods: methods } = flagEffects(flag);
  if (flag === 'no-d3') {
    out.push(note('the kernel shows PCI_DEV_FLAGS_NO_D3 nowhere in sysfs: the log line is the evidence'));
  } else if (s.baseline.reset === null) {
    out.push(note(`this kernel has no reset_method attribute (before 5.15): the log line is the evidence for ${cFlag}`));
  } else {
    const offered = methods.filter((m) => s.baseline.reset!.includes(m));
    if (offered.length === 0) out.push(note(`the device offers none of ${methods.join(', ')} (reset_method before load: ${resetText(s.baseline.reset)}): nothing to drop`));
    for (const m of offered) {
      out.push(check(r.reset !== null && !r.reset.includes(m), `reset_method: '${m}' ${r.reset?.includes(m) ? 'still offered' : 'gone'} (${resetText(s.baseline.reset)} -> ${resetText(r.reset)})`));
      out.push(check(find(ml, 'reset-method', s.bdf, { quirk: s.q.id, unset: m }) !== undefined, `module log: ${show('reset-method', s.bdf, { unset: m })}`));
    }
  }
  return out;
}

/** An action step: the module's log line at load, the sysfs attribute its module names, its note. */
function actionChecks(s: Scope, r: OpRecord, c: ActionCheck): CheckResult[] {
  const proof = actionEvidence(s, c);
  if (!proof) return [check(false, `the quirk has no ${c.kind} action that vm-test can prove`)];
  const { log, sysfs, note: words } = proof.evidence;
  const line = find(moduleLines(r.log, s.module), log.step, s.bdf, { quirk: s.q.id, ...log.want });
  const want = Object.entries(log.want).map(([k, v]) => `${k}=${v}`);
  const shown = (log.show ?? []).map((k) => `${k}=${line?.kv[k] ?? ''}`);
  const out = [
    check(line !== undefined, line ? `module log: ${[log.step, s.bdf, ...want, ...shown].join(' ')}` : `module log: no "${[log.step, s.bdf, `quirk=${s.q.id}`, ...want].join(' ')}" line${log.missing ?? ''}`),
  ];
  if (sysfs) {
    const before = s.baseline.attrs?.[sysfs.attr];
    const now = r.attrs?.[sysfs.attr];
    out.push(check(now === sysfs.loaded, `${sysfs.attr}: ${before ?? '(absent)'} -> ${now ?? '(absent)'} (expected ${sysfs.loaded} with the module loaded)`));
  }
  if (words) out.push(note(words));
  return out;
}

function writeChecks(s: Scope, r: OpRecord, stage: 'on-load' | 'before-reset'): CheckResult[] {
  const ml = moduleLines(r.log, s.module);
  const writes = s.q.writes.filter((w) => w.stage === stage);
  if (stage === 'before-reset') {
    return [
      ...writes.map((w) => check(find(ml, 'config-write', '-', { quirk: s.q.id, stage, write: w.setpci, result: 'left-to-hook' }) !== undefined, `module log: config-write - stage=before-reset write=${w.setpci} result=left-to-hook`)),
      note("a module cannot hook the reset of a device another driver owns: the sleep hook's before-reset command does these writes (docs/dkms.md)"),
    ];
  }
  return writes.map((w) => check(find(ml, 'config-write', s.bdf, { quirk: s.q.id, stage, event: 'load', write: w.setpci, result: '0' }) !== undefined, `module log: config-write ${s.bdf} stage=on-load write=${w.setpci} result=0`));
}

/** One transition (one record of a sleep op), the device bound or not when it starts. */
function sleepChecks(s: Scope, r: OpRecord, bound: boolean): CheckResult[] {
  const label = `${r.state}${r.mode ? ` pm_test=${r.mode}` : ''}`;
  if (r.offered === false) return [note(`${r.state} is not offered by this kernel (/sys/power/state: ${s.ctx.report.env?.state ?? '?'})`)];
  const kind = sleepKind(r.state as 'freeze' | 'mem' | 'disk');
  const [prep, post] = kind === 'suspend' ? ['suspend-prepare', 'post-suspend'] : ['hibernation-prepare', 'post-hibernation'];
  const ml = moduleLines(r.log, s.module);
  const freezeAt = firstIndex(r.log, FREEZE);
  const thawAt = lastIndex(r.log, THAW);
  const drv = s.ctx.device.driver;
  const out = [check(r.rc === 0, `${label}: echo ${r.state} > /sys/power/state ${r.rc === 0 ? 'returned' : `failed (exit ${r.rc})`}`)];
  out.push(check(freezeAt >= 0 && thawAt > freezeAt, `${label}: the PM core froze and thawed tasks (${freezeAt >= 0 ? '"Freezing user space processes"' : 'no "Freezing user space processes" line'}, ${thawAt >= 0 ? '"Restarting tasks"' : 'no "Restarting tasks" line'})`));
  const rebind = s.q.rebind?.around.includes(kind) ? s.q.rebind : undefined;
  const before = (l: ModuleLine | undefined) => l !== undefined && freezeAt >= 0 && l.index < freezeAt;
  const after = (l: ModuleLine | undefined) => l !== undefined && thawAt >= 0 && l.index > thawAt;
  if (rebind && bound) {
    if (rebind.method === 'remove-rescan') {
      const removed = find(ml, 'remove', s.bdf, { quirk: s.q.id, event: prep, driver: drv });
      out.push(check(before(removed), `${label}: device removed before tasks froze (module log: ${show('remove', s.bdf, { event: prep, driver: drv })})`));
      const rescan = find(ml, 'rescan', s.bdf, { quirk: s.q.id, event: post, result: 'done' });
      out.push(check(after(rescan), `${label}: bus rescanned after tasks thawed (module log: ${show('rescan', s.bdf, { event: post, result: 'done' })})`));
      const again = ml.find((l) => l.step === 'match' && l.device === s.bdf && l.kv.quirk === s.q.id && removed !== undefined && l.index > removed.index);
      out.push(check(again !== undefined, `${label}: the quirk is applied again to the device found by the rescan (module log: match ${s.bdf})`));
      if (s.q.flags.length && s.load) out.push(check(sameReset(r.reset, s.load.reset), `${label}: reset_method as after load: ${resetText(r.reset)}`));
    } else {
      const released = find(ml, 'release', s.bdf, { quirk: s.q.id, event: prep, driver: drv });
      out.push(check(before(released), `${label}: driver released before tasks froze (module log: ${show('release', s.bdf, { event: prep, driver: drv })})`));
      const attached = find(ml, 'attach', s.bdf, { quirk: s.q.id, event: post, result: 'bound' });
      out.push(check(after(attached), `${label}: re-attach after tasks thawed (module log: ${show('attach', s.bdf, { event: post, result: 'bound' })})`));
    }
    if (s.ctx.report.env?.dyndbg) {
      const bound = `driver_bound: bound to device '${s.bdf}'`;
      const at = lastIndex(r.log, new RegExp(bound.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      out.push(check(at > thawAt && thawAt >= 0, `${label}: the driver core bound ${drv} again after the thaw ("${bound}")`));
    }
    out.push(check(r.present && r.driver === drv, `${label}: sysfs driver after: ${driverText(r)}`));
    if (rebind.settleMs > 0) {
      const settle = ml.find((l) => l.step === 'settle' && l.device === '-' && l.kv.event === post && Number(l.kv.ms) >= rebind.settleMs);
      out.push(check(settle !== undefined, `${label}: module log: settle - event=${post} ms>=${rebind.settleMs}`));
    }
    for (const w of s.q.writes.filter((x) => x.stage === 'before-rebind')) {
      out.push(check(find(ml, 'config-write', s.bdf, { quirk: s.q.id, stage: 'before-rebind', event: post, write: w.setpci, result: '0' }) !== undefined, `${label}: module log: config-write ${s.bdf} stage=before-rebind event=${post} write=${w.setpci} result=0`));
    }
  } else if (rebind) {
    out.push(check(find(ml, 'skip', s.bdf, { quirk: s.q.id, event: prep, reason: 'no-driver' }) !== undefined, `${label}: nothing to release (module log: ${show('skip', s.bdf, { event: prep, reason: 'no-driver' })})`));
    const attached = ml.find((l) => (l.step === 'attach' || l.step === 'rescan') && l.device === s.bdf && l.kv.quirk === s.q.id);
    out.push(check(attached === undefined && r.present && r.driver === '', `${label}: left unbound, as it was (sysfs driver after: ${driverText(r)})`));
  } else {
    const touched = ml.find((l) => (l.step === 'release' || l.step === 'remove') && l.device === s.bdf && l.kv.quirk === s.q.id);
    const want = bound ? drv : '';
    out.push(check(touched === undefined && r.present && r.driver === want, `${label}: not a transition the quirk rebinds around: driver left alone (sysfs driver after: ${driverText(r)})`));
  }
  for (const w of s.q.writes.filter((x) => x.stage === 'after-resume')) {
    out.push(check(find(ml, 'config-write', s.bdf, { quirk: s.q.id, stage: 'after-resume', event: post, write: w.setpci, result: '0' }) !== undefined, `${label}: module log: config-write ${s.bdf} stage=after-resume event=${post} write=${w.setpci} result=0`));
  }
  return out;
}

function rmmodChecks(s: Scope, r: OpRecord, driver: string): CheckResult[] {
  const ml = moduleLines(r.log, s.module);
  const out = [check(r.rc === 0, `rmmod: ${r.rc === 0 ? 'unloaded' : `failed (exit ${r.rc})`}`)];
  out.push(check(ml.some((l) => l.step === 'unload' && l.device === '-'), 'module log: unload - done'));
  const atLoad = s.load ? moduleLines(s.load.log, s.module).filter((l) => l.device === s.bdf && l.kv.quirk === s.q.id) : [];
  for (const f of atLoad.filter((l) => l.step === 'flag' && l.kv.result === 'set')) {
    out.push(check(find(ml, 'undo', s.bdf, { quirk: s.q.id, flag: f.kv.flag! }) !== undefined, `module log: undo ${s.bdf} flag=${f.kv.flag}`));
  }
  if (atLoad.some((l) => l.step === 'reset-method' && l.kv.unset !== undefined)) {
    out.push(check(find(ml, 'undo', s.bdf, { quirk: s.q.id, 'reset-method': 'restored' }) !== undefined, `module log: undo ${s.bdf} reset-method=restored`));
  }
  out.push(check(find(ml, 'put', s.bdf, { quirk: s.q.id }) !== undefined, `module log: put ${s.bdf} (device reference dropped)`));
  out.push(check(sameReset(r.reset, s.baseline.reset), `reset_method after rmmod: ${resetText(r.reset)} (before load: ${resetText(s.baseline.reset)})`));
  for (const a of s.q.actions) {
    const sysfs = moduleOf(a).vm?.evidence(a).sysfs;
    if (!sysfs) continue;
    const now = r.attrs?.[sysfs.attr];
    const before = s.baseline.attrs?.[sysfs.attr];
    out.push(check(now === before, `${sysfs.attr} after rmmod: ${now ?? '(absent)'} (before load: ${before ?? '(absent)'})`));
  }
  out.push(check(r.present && r.driver === driver, `driver after rmmod: ${driverText(r)}`));
  return out;
}

function insmodAgainChecks(s: Scope, r: OpRecord, driver: string): CheckResult[] {
  const ml = moduleLines(r.log, s.module);
  const out = [check(r.rc === 0, `insmod: ${r.rc === 0 ? 'loaded' : `failed (exit ${r.rc})`}`)];
  out.push(check(find(ml, 'match', s.bdf, { quirk: s.q.id }) !== undefined, `module log: match ${s.bdf}`));
  if (s.load) out.push(check(sameReset(r.reset, s.load.reset), `reset_method after insmod: ${resetText(r.reset)} (as after the first load)`));
  out.push(check(r.present && r.driver === driver, `driver after insmod: ${driverText(r)}`));
  return out;
}

function opChecks(s: Scope, spec: StepSpec, records: OpRecord[]): CheckResult[] {
  const c: Check = spec.check;
  const out: CheckResult[] = [];
  const drv = s.ctx.device.driver;
  for (const r of records) {
    switch (r.op) {
      case 'insmod':
        out.push(...(c.kind === 'load' ? loadChecks(s, r) : c.kind === 'not-needed' ? notNeededChecks(s, r, c.range) : insmodAgainChecks(s, r, c.kind === 'reload' && !c.bound ? '' : drv)));
        break;
      case 'rmmod':
        out.push(...(c.kind === 'unload' && s.load === undefined ? [check(r.rc === 0, `rmmod: ${r.rc === 0 ? 'unloaded' : `failed (exit ${r.rc})`}`)] : rmmodChecks(s, r, c.kind === 'reload' && !c.bound ? '' : drv)));
        break;
      case 'unbind':
        out.push(check(r.rc === 0 && r.driver === '', `unbind ${drv}: ${r.rc === 0 ? 'done' : `failed (exit ${r.rc})`}, sysfs driver: ${driverText(r)}`));
        break;
      case 'bind':
        out.push(check(r.rc === 0 && r.driver === drv, `bind ${drv}: ${r.rc === 0 ? 'done' : `failed (exit ${r.rc})`}, sysfs driver: ${driverText(r)}`));
        break;
      case 'sleep':
        out.push(...sleepChecks(s, r, c.kind === 'sleep' ? c.bound : false));
        break;
    }
  }
  return out;
}

function status(checks: CheckResult[]): StepStatus {
  if (checks.some((c) => c.ok === false)) return 'fail';
  return checks.some((c) => c.ok === true) ? 'pass' : 'skip';
}

/** The number of records a step's ops make; sleep-each makes one per pm_test mode, at least one. */
function expectedRecords(spec: StepSpec, records: OpRecord[]): boolean {
  const plain = spec.ops.filter((o) => o.op !== 'sleep-each').length;
  const each = spec.ops.length - plain;
  return records.length >= plain + each;
}

function noResult(ctx: EvalContext, spec: StepSpec): CheckResult {
  const running = ctx.report.running;
  const here = running?.step === spec.id;
  return check(false, here ? `no result: the guest stopped during '${running!.op}' (${ctx.stopped ?? 'no reason known'})` : `not run: ${ctx.stopped ?? 'the guest stopped before it'}`);
}

function bootStep(ctx: EvalContext): StepResult {
  const r = ctx.report;
  const d = ctx.device;
  const checks: CheckResult[] = [check(r.hello, r.hello ? 'the guest ran its script' : `the guest never reached its script (${ctx.stopped ?? 'no reason known'})`)];
  if (r.env) checks.push(check(r.env.release === ctx.release, `uname -r: ${r.env.release}${r.env.release === ctx.release ? '' : ` (expected ${ctx.release})`}`));
  for (const f of r.driverLoadFailures) checks.push(check(false, `insmod ${f} failed`));
  if (r.hello) {
    const dev = r.device;
    const ids = hexIds(d);
    checks.push(check(dev !== undefined && dev.bdf !== '', dev?.bdf ? `${ids} (${d.qemu}) at ${dev.bdf}` : `no ${ids} device on the guest's PCI bus`));
    if (dev?.bdf) {
      checks.push(check(dev.driver === d.driver, `driver: ${dev.driver || 'none'}${dev.driver === d.driver ? '' : ` (expected ${d.driver})`}`));
      checks.push(note(`reset_method: ${resetText(dev.reset)}`));
    }
  }
  if (r.env) checks.push(note(`/sys/power/state: ${r.env.state}; pm_test: ${r.env.pmTest}; disk: ${r.env.disk}`));
  const log = [...r.bootLog.filter((l) => (r.device?.bdf && l.includes(r.device.bdf)) || findSplats([l]).length > 0)];
  if (!r.hello) log.push(...ctx.consoleTail);
  return { id: 'boot', title: `boot ${ctx.release}`, status: status(checks), checks, log };
}

function splatStep(ctx: EvalContext): StepResult {
  const r = ctx.report;
  const sources: { step: string; lines: string[] }[] = [
    { step: 'boot', lines: r.bootLog },
    ...r.ops.map((o) => ({ step: o.step, lines: o.log })),
    { step: 'end', lines: r.endLog },
    ...[...r.pending.entries()].map(([step, lines]) => ({ step, lines })),
  ];
  const found = sources.flatMap((s) => findSplats(s.lines).map((x) => ({ ...x, step: s.step })));
  // A guest that died took its last kernel log with it; the console has what it printed.
  if (!r.done) for (const x of findSplats(ctx.console)) if (!found.some((f) => f.line.endsWith(x.line.replace(/^\[[ \d.]+\] /, '')))) found.push({ ...x, step: 'console' });
  const checks = found.length
    ? found.map((f) => check(false, `${f.kind} during ${f.step}: ${f.line.trim()}`))
    : [check(r.hello, r.done ? 'no Oops, BUG, WARNING, lockdep, refcount or hang report from boot to the end' : 'no splat in the kernel log the guest sent before it stopped')];
  return { id: 'splat', title: 'no Oops, BUG, WARNING, lockdep or refcount splat', status: status(checks), checks, log: found.map((f) => f.line) };
}

export function evaluate(ctx: EvalContext): StepResult[] {
  const results: StepResult[] = [bootStep(ctx)];
  const baseline = ctx.report.device;
  const bdf = baseline?.bdf ?? '';
  const loads = new Map<string, OpRecord>();
  for (const spec of ctx.vm.steps) {
    const q = ctx.plan.quirks.find((x) => x.id === spec.quirk)!;
    const s: Scope = { ctx, q, bdf, module: ctx.vm.module, baseline: baseline ?? { present: false, driver: '', reset: null } };
    const load = loads.get(q.id);
    if (load) s.load = load;
    const base = { id: spec.id, quirk: spec.quirk, title: spec.title };
    // Flag, action and write steps read what the load showed.
    const records = spec.ops.length ? ctx.report.ops.filter((o) => o.step === spec.id) : load ? [load] : [];
    if (spec.ops.length && !expectedRecords(spec, records)) {
      const checks = [...opChecks(s, spec, records), noResult(ctx, spec)];
      const log = relevant(s, [...records.flatMap((r) => r.log), ...(ctx.report.pending.get(spec.id) ?? [])]);
      if (ctx.report.running?.step === spec.id) log.push(...ctx.consoleTail);
      results.push({ ...base, status: 'fail', checks, log });
      continue;
    }
    if (spec.check.kind === 'load' && records[0]) loads.set(q.id, records[0]);
    let checks: CheckResult[];
    switch (spec.check.kind) {
      case 'flag':
        checks = load ? flagChecks(s, load, spec.check.flag) : [check(false, 'no load record')];
        break;
      case 'writes':
        checks = load ? writeChecks(s, load, spec.check.stage) : [check(false, 'no load record')];
        break;
      default:
        if (isActionCheck(spec.check)) checks = load ? actionChecks(s, load, spec.check) : [check(false, 'no load record')];
        else checks = opChecks(s, spec, records);
    }
    const log = spec.ops.length ? relevant(s, records.flatMap((r) => r.log)) : load ? loadLines(s, load, spec.check) : [];
    results.push({ ...base, status: status(checks), checks, log });
  }
  results.push(splatStep(ctx));
  return results;
}

export function passed(steps: readonly StepResult[]): boolean {
  return steps.every((s) => s.status !== 'fail');
}
