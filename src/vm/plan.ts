/**
 * What vm-test does in the guest, and what each step must show: pure, from the module's
 * plan (src/dkms/model.ts) and the kernel's release. The guest script runs the ops in
 * order; evaluate.ts holds the observations against each step's check.
 *
 * Every quirk gets its own pass with the module loaded as `disable=<the others>`, so
 * quirks re-targeted at the one emulated device do not act on it together.
 */
import type { SleepKind } from '../actions/rebind.js';
import { moduleOf, type ActionType } from '../actions/registry.js';
import type { FlagAction, PackagePlan, PlannedQuirk } from '../dkms/model.js';
import { contains, releaseTriple } from '../kernel/version-regex.js';

/** What `echo STATE > /sys/power/state` takes. */
export type SleepState = 'freeze' | 'mem' | 'disk';

export type Op =
  | { op: 'insmod'; disable: string[] }
  | { op: 'rmmod' }
  | { op: 'unbind' }
  | { op: 'bind' }
  /** One transition with /sys/power/pm_test = devices. */
  | { op: 'sleep'; state: SleepState }
  /** One transition per pm_test mode the guest lists (freezer, devices, platform, ...). */
  | { op: 'sleep-each'; state: SleepState };

export type Check =
  | { kind: 'load' }
  | { kind: 'not-needed'; range: string }
  | { kind: 'flag'; flag: FlagAction }
  /** An action proven by what the module logged (and sysfs showed) at load: its module's vm part. */
  | ActionCheck
  | { kind: 'writes'; stage: 'on-load' | 'before-reset' }
  /** `bound`: whether the device has its driver when the transition starts. */
  | { kind: 'sleep'; state: SleepState; bound: boolean }
  | { kind: 'reload'; bound: boolean }
  | { kind: 'unload' };

export type ActionCheck = { kind: ActionType } & Record<string, unknown>;

export interface StepSpec {
  /** Unique, `<quirk>:<name>`; only [a-z0-9:.-], so the guest script can carry it unquoted. */
  id: string;
  quirk: string;
  title: string;
  check: Check;
  ops: Op[];
}

export interface VmPlan {
  module: string;
  steps: StepSpec[];
  /** sysfs attributes of the device (paths below its directory) that steps read; absent when none. */
  attrs?: string[];
}

/** Rounds of rmmod/insmod, each with the device bound and then unbound. */
const RELOAD_ROUNDS = 2;

export function sleepKind(state: SleepState): SleepKind {
  return state === 'disk' ? 'hibernate' : 'suspend';
}

/** Whether the module turns the quirk on for `release`, read as the module reads it. */
function neededOn(q: PlannedQuirk, release: string): boolean {
  if (q.kernels === null) return true;
  const t = releaseTriple(release);
  return t !== null && contains(q.kernels.spans, t);
}

function sleepTitle(state: SleepState, each: boolean): string {
  return `${state === 'disk' ? 'hibernate' : 'suspend'} ${state} (pm_test=${each ? 'each mode' : 'devices'})`;
}

function quirkSteps(q: PlannedQuirk, plan: PackagePlan, release: string): StepSpec[] {
  const others = plan.quirks.filter((o) => o !== q).map((o) => o.id);
  const step = (name: string, title: string, check: Check, ops: Op[] = []): StepSpec => ({ id: `${q.id}:${name}`, quirk: q.id, title, check, ops });
  const insmod: Op = { op: 'insmod', disable: others };
  if (!neededOn(q, release)) {
    return [
      step('load', `load: left off on ${release} (needed: ${q.kernels?.range ?? 'all'})`, { kind: 'not-needed', range: q.kernels?.range ?? '' }, [insmod]),
      step('unload', 'unload (rmmod)', { kind: 'unload' }, [{ op: 'rmmod' }]),
    ];
  }
  const steps: StepSpec[] = [step('load', `load (insmod${others.length ? `, the other ${others.length} quirk${others.length === 1 ? '' : 's'} disabled` : ''})`, { kind: 'load' }, [insmod])];
  for (const f of q.flags) steps.push(step(`flag-${f}`, `flag ${f}`, { kind: 'flag', flag: f }));
  for (const a of q.actions) {
    const proof = moduleOf(a).vm?.step(a);
    if (proof) steps.push(step(proof.name, proof.title, { kind: a.type, ...proof.check }));
  }
  for (const stage of ['on-load', 'before-reset'] as const) {
    if (q.writes.some((w) => w.stage === stage)) steps.push(step(`writes-${stage}`, `config-write ${stage}`, { kind: 'writes', stage }));
  }
  const sleep = (name: string, title: string, state: SleepState, each = false) =>
    step(name, title, { kind: 'sleep', state, bound: true }, [{ op: each ? 'sleep-each' : 'sleep', state }]);
  steps.push(sleep('freeze', sleepTitle('freeze', false), 'freeze'));
  steps.push(sleep('mem', sleepTitle('mem', false), 'mem'));
  steps.push(sleep('disk', sleepTitle('disk', true), 'disk', true));
  for (let round = 1; round <= RELOAD_ROUNDS; round++) {
    steps.push(step(`reload${round}-bound`, `rmmod/insmod ${round}, device bound`, { kind: 'reload', bound: true }, [{ op: 'rmmod' }, insmod]));
    steps.push(
      step(`reload${round}-unbound`, `rmmod/insmod ${round}, device unbound (suspend freeze, then bind)`, { kind: 'reload', bound: false }, [
        { op: 'unbind' },
        { op: 'rmmod' },
        insmod,
        { op: 'sleep', state: 'freeze' },
        { op: 'bind' },
      ]),
    );
  }
  steps.push(sleep('final', `final ${sleepTitle('freeze', false)}`, 'freeze'));
  steps.push(step('unload', 'unload (rmmod)', { kind: 'unload' }, [{ op: 'rmmod' }]));
  return steps;
}

export function planVm(plan: PackagePlan, release: string): VmPlan {
  const attrs = [...new Set(plan.quirks.flatMap((q) => q.actions.flatMap((a) => moduleOf(a).vm?.evidence(a).sysfs?.attr ?? [])))];
  return { module: plan.module, steps: plan.quirks.flatMap((q) => quirkSteps(q, plan, release)), ...(attrs.length ? { attrs } : {}) };
}
