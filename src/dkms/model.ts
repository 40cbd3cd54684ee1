/**
 * What a DKMS workaround package must do, per quirk, worked out from the quirk model
 * before anything is rendered: the module's match table, flags, reset methods to drop,
 * config writes by stage, rebind, and the kernels each quirk (and so the package) is
 * needed on. Pure: quirks and options in, a plan out; templates turn it into files.
 */
import { InputError } from '../errors.js';
import { checkValue } from '../lib/schema.js';
import { spansToMinMax, spansToRange, spansToRegex, intersect, isEmpty, neededSpans, subtract, union, type Span, type Triple } from '../kernel/version-regex.js';
import type { DeviceIds } from '../quirks/ids.js';
import type { WriteStage } from '../actions/config-write.js';
import type { RebindMethod, SleepKind } from '../actions/rebind.js';
import type { ModuleCode } from '../actions/action.js';
import { MODULES, actionModule, moduleOf, type Action, type ActionType } from '../actions/registry.js';
import { formatConfigWrite, type ConfigWidth } from '../actions/setpci.js';
import type { Match, Quirk } from '../quirks/model.js';

/** The type of an action that sets a PCI_DEV_FLAGS_* bit (its module has devFlag). */
export type FlagAction = ActionType;

const isFlag = (t: ActionType): boolean => actionModule(t).devFlag !== undefined;

/** The oldest kernel the generated module is written for (LINUX_VERSION_CODE guards start here). */
const MODULE_MIN_KERNEL: Triple = [5, 4, 0];
const MODULE_MIN_TEXT = `>=${MODULE_MIN_KERNEL[0]}.${MODULE_MIN_KERNEL[1]}`;
const SUPPORTED: Span[] = [{ from: MODULE_MIN_KERNEL, to: null }];

export const DEFAULT_NAME = 'quirkctl-workarounds';

/** The PCI_DEV_FLAGS_* bit of a flag action, and the reset methods (reset_method names) it rules out. */
export function flagEffects(flag: FlagAction): { cFlag: string; resetMethods: string[] } {
  const f = actionModule(flag).devFlag;
  if (!f) throw new Error(`internal: '${flag}' sets no PCI_DEV_FLAGS_* bit`);
  return f;
}

/** Action modules whose code the package carries: those of the quirks' actions, and those always carried. */
export function moduleCode(plan: { quirks: { actions: Action[] }[] }): { type: ActionType; used: Action[][]; code: ModuleCode<Action> }[] {
  return MODULES.flatMap((m) => {
    const used = plan.quirks.map((q) => q.actions.filter((a) => a.type === m.type));
    const code = m.module;
    return code && (code.always || used.some((u) => u.length)) ? [{ type: m.type, used, code }] : [];
  });
}

export interface PlannedWrite {
  offset: number;
  width: ConfigWidth;
  value: number;
  stage: WriteStage;
  /** setpci's spelling, `7c.l=39d5e86b`, as logs and docs show it. */
  setpci: string;
}

export interface PlannedQuirk {
  /** Position in the module's tables. */
  index: number;
  id: string;
  title: string;
  driver?: string;
  match: Match;
  /** Every action of the quirk, for the actions whose code is their own (module, hook, vm-test). */
  actions: Action[];
  flags: FlagAction[];
  /** reset_method names the flags rule out (the kernel would not offer them with the flags set). */
  resetMethods: string[];
  rebind?: { around: SleepKind[]; method: RebindMethod; settleMs: number };
  writes: PlannedWrite[];
  /** Kernels this quirk is needed on, when narrower than the package's; null: all of them. */
  kernels: { spans: Span[]; range: string } | null;
}

export interface KernelSet {
  spans: Span[];
  /** In kernel spelling, `>=5.14 <6.12.9 || >=6.13 <6.14`. */
  range: string;
  /** BUILD_EXCLUSIVE_KERNEL */
  regex: string;
  /** BUILD_EXCLUSIVE_KERNEL_MIN/_MAX, for dkms >= 3.0.11. */
  min?: string;
  max?: string;
}

export interface PackagePlan {
  /** DKMS PACKAGE_NAME, and the stem of the Debian and Arch package names. */
  name: string;
  version: string;
  /** The kernel module: the name with '_' for '-', as lsmod and the log prefix show it. */
  module: string;
  /** `<name>-dkms`, for apt and pacman. */
  packageName: string;
  maintainer?: string;
  /** For changelogs: SOURCE_DATE_EPOCH or now. */
  date: Date;
  quirks: PlannedQuirk[];
  kernels: KernelSet;
  /** Quirks left out because no kernel the module supports needs them. */
  skipped: { id: string; reason: string }[];
  /** Set when the match table was re-targeted (vm-test): every quirk matches this device. */
  matchOverride?: DeviceIds;
}

export interface PlanOptions {
  name: string;
  version: string;
  maintainer?: string;
  date: Date;
  /** Re-target every quirk at one vendor:device, for proving the module on emulated hardware. */
  matchOverride?: { vendor: number; device: number };
}

/**
 * Checks a package setting (from the command line or a library caller) with the words of
 * the `dkms` section of the config schema, where the same settings can be written.
 */
export function checkSetting(key: 'name' | 'version' | 'maintainer', value: string, what = `--${key}`): string {
  const bad = checkValue('config', `/properties/dkms/properties/${key}`, value);
  if (bad) throw new InputError(`${what} '${value}': ${bad}`);
  return value;
}

/** A date-based version for when none is given: 2026.11.21. */
export function defaultVersion(date: Date): string {
  return `${date.getUTCFullYear()}.${date.getUTCMonth() + 1}.${date.getUTCDate()}`;
}

function planQuirk(q: Quirk, index: number, packageSpans: Span[], needed: Span[], override?: DeviceIds): PlannedQuirk {
  const flags: FlagAction[] = [];
  const writes: PlannedWrite[] = [];
  let rebind: PlannedQuirk['rebind'];
  for (const a of q.actions) {
    switch (a.type) {
      case 'rebind': {
        // Two rebind entries merge: every transition either names, the first method.
        const around = new Set([...(rebind?.around ?? []), ...a.around]);
        rebind = {
          around: (['suspend', 'hibernate'] as const).filter((k) => around.has(k)),
          method: rebind?.method ?? a.method,
          settleMs: Math.max(rebind?.settleMs ?? 0, a.settleMs ?? 0),
        };
        break;
      }
      case 'config-write':
        writes.push({ offset: a.offset, width: a.width, value: a.value, stage: a.when, setpci: formatConfigWrite(a) });
        break;
      default:
        if (isFlag(a.type) && !flags.includes(a.type)) flags.push(a.type);
    }
  }
  const match: Match = override ? { vendor: override.vendor, device: override.device } : q.match;
  const p: PlannedQuirk = {
    index,
    id: q.id,
    title: q.title,
    match,
    actions: q.actions,
    flags,
    resetMethods: flags.flatMap((f) => flagEffects(f).resetMethods),
    writes,
    kernels: isEmpty(subtract(packageSpans, needed)) ? null : { spans: needed, range: spansToRange(needed) },
  };
  if (q.driver !== undefined) p.driver = q.driver;
  if (rebind) p.rebind = rebind;
  return p;
}

function kernelSet(spans: Span[]): KernelSet {
  return { spans, range: spansToRange(spans), regex: spansToRegex(spans), ...spansToMinMax(spans) };
}

/**
 * The package for `quirks`. Quirks that no supported kernel needs (every kernel in their
 * range carries the fix) are left out and listed in `skipped`; none left is an input error.
 */
export function planPackage(quirks: Quirk[], opts: PlanOptions): PackagePlan {
  if (quirks.length === 0) throw new InputError('no quirks selected: name quirks by id or vvvv:dddd, or pass --all');
  checkSetting('name', opts.name);
  checkSetting('version', opts.version);
  if (opts.maintainer !== undefined) checkSetting('maintainer', opts.maintainer);
  const needed = new Map(quirks.map((q) => [q.id, intersect(neededSpans(q.kernels, q.upstream.fixedIn), SUPPORTED)]));
  const kept = quirks.filter((q) => !isEmpty(needed.get(q.id) ?? []));
  const skipped = quirks
    .filter((q) => !kept.includes(q))
    .map((q) => ({
      id: q.id,
      reason: q.upstream.fixedIn.length
        ? `every kernel in its range${q.kernels ? ` (${q.kernels})` : ''} that the module supports (${MODULE_MIN_TEXT}) carries the fix (fixed in ${q.upstream.fixedIn.join(', ')})`
        : `its range (${q.kernels ?? 'all'}) has no kernel the module supports (${MODULE_MIN_TEXT})`,
    }));
  if (kept.length === 0) {
    throw new InputError(`no kernel needs the selected quirks, nothing to package:\n${skipped.map((s) => `  ${s.id}: ${s.reason}`).join('\n')}`);
  }
  const packageSpans = union(...kept.map((q) => needed.get(q.id) ?? []));
  const plan: PackagePlan = {
    name: opts.name,
    version: opts.version,
    module: opts.name.replace(/-/g, '_'),
    packageName: `${opts.name}-dkms`,
    date: opts.date,
    quirks: kept.map((q, i) => planQuirk(q, i, packageSpans, needed.get(q.id) ?? [], opts.matchOverride)),
    kernels: kernelSet(packageSpans),
    skipped,
  };
  if (opts.maintainer !== undefined) plan.maintainer = opts.maintainer;
  if (opts.matchOverride) plan.matchOverride = opts.matchOverride;
  return plan;
}

/**
 * What each package format cannot do, in words for the CLI and the hook's README: the
 * module leaves before-reset writes to the hook; the hook cannot set kernel flags.
 */
export function coverageNotes(plan: PackagePlan): { module: string[]; hook: string[] } {
  const module: string[] = [];
  const hook: string[] = [];
  for (const q of plan.quirks) {
    for (const w of q.writes.filter((x) => x.stage === 'before-reset')) {
      module.push(`${q.id}: config-write ${w.setpci} before-reset: a module cannot hook the reset of a device another driver owns; run the hook's before-reset command before you reset the device`);
    }
    for (const a of q.actions) {
      const note = moduleOf(a).hook?.moduleOnly?.(q.id, a);
      if (note) hook.push(note);
    }
  }
  return { module, hook };
}
