/**
 * Files of a DKMS workaround package, rendered from templates/dkms/ (a workspace's
 * templates/dkms/ overrides any of them). Pure: a plan in, paths and contents out.
 */
import { createHash } from 'node:crypto';
import { renderTemplate } from '../lib/templates.js';
import { formatDeviceIds } from '../quirks/ids.js';
import { hexN, type Match, type Quirk } from '../quirks/model.js';
import type { DeviceIds } from '../quirks/ids.js';
import { cComment } from '../lib/c.js';
import { printfBytes, rfc2822, shComment, wrapText } from './escape.js';
import { MODULES } from '../actions/registry.js';
import { coverageNotes, DEFAULT_NAME, defaultVersion, flagEffects, moduleCode, planPackage, type FlagAction, type PackagePlan, type PlannedQuirk } from './model.js';

export const FORMATS = ['src', 'deb', 'arch', 'hook'] as const;
export type Format = (typeof FORMATS)[number];

export interface OutFile {
  /** Relative to the output directory, '/'-separated. */
  path: string;
  content: string;
  mode: number;
}

const STAGE_ENUM = { 'on-load': 'QK_ON_LOAD', 'after-resume': 'QK_AFTER_RESUME', 'before-rebind': 'QK_BEFORE_REBIND', 'before-reset': 'QK_BEFORE_RESET' } as const;

function matchText(m: Match | DeviceIds): string {
  const parts = [formatDeviceIds(m)];
  if ('class' in m && m.class) parts.push(`class ${hexN(m.class.value, 6)}/${hexN(m.class.mask, 6)}`);
  if ('revision' in m && m.revision !== undefined) parts.push(`rev ${hexN(m.revision, 2)}`);
  return parts.join(' ');
}

/** Helpers the templates call; everything they print is validated or escaped here. */
const helpers = {
  hex: hexN,
  matchText,
  cComment,
  shComment,
  wrapText,
  printfBytes,
  rfc2822,
  stageEnum: (stage: keyof typeof STAGE_ENUM) => STAGE_ENUM[stage],
  cFlag: (flag: FlagAction) => flagEffects(flag).cFlag,
  /** Every PCI_DEV_FLAGS_* action, for the module's table of flag names. */
  flags: MODULES.flatMap((m) => (m.devFlag ? [{ type: m.type, cFlag: m.devFlag.cFlag }] : [])),
  maintainerName: (maintainer: string) => maintainer.replace(/\s*<[^>]*>$/, ''),
};

function render(name: string, data: object, templatesDir?: string): string {
  return renderTemplate(`dkms/${name}`, { ...data, x: helpers }, templatesDir);
}

/** dkms.conf; Debian's copy keeps #MODULE_VERSION# for dh_dkms and leaves out MIN/MAX (dkms 3.0.10). */
function dkmsConf(plan: PackagePlan, target: 'debian' | 'current', templatesDir?: string): string {
  return render('dkms.conf', { plan, version: target === 'debian' ? '#MODULE_VERSION#' : plan.version, minMax: target === 'current' }, templatesDir);
}

/**
 * The module's sources as DKMS takes them: dkms.conf, Makefile and <module>.c. What
 * vm-test builds, and what every package format ships.
 */
export function renderModuleSources(plan: PackagePlan, templatesDir?: string): OutFile[] {
  return [
    { path: 'dkms.conf', content: dkmsConf(plan, 'current', templatesDir), mode: 0o644 },
    ...buildSources(plan, templatesDir),
  ];
}

function buildSources(plan: PackagePlan, templatesDir?: string): OutFile[] {
  return [
    { path: 'Makefile', content: render('Makefile', { plan }, templatesDir), mode: 0o644 },
    { path: `${plan.module}.c`, content: render('module.c', { plan, code: moduleCode(plan) }, templatesDir), mode: 0o644 },
  ];
}

export interface ModuleSourceOptions {
  name?: string;
  version?: string;
  /** Re-target every quirk at this device (an emulated one, in a VM). */
  matchOverride?: DeviceIds;
  templatesDir?: string;
  date?: Date;
}

/** Plans and renders the module for `quirks` in one call (for vm-test and tests). */
export function moduleSources(quirks: Quirk[], opts: ModuleSourceOptions = {}): { plan: PackagePlan; files: OutFile[] } {
  const date = opts.date ?? new Date();
  const plan = planPackage(quirks, {
    name: opts.name ?? DEFAULT_NAME,
    version: opts.version ?? defaultVersion(date),
    date,
    ...(opts.matchOverride ? { matchOverride: opts.matchOverride } : {}),
  });
  return { plan, files: renderModuleSources(plan, opts.templatesDir) };
}

export function debSourceDir(plan: PackagePlan): string {
  return `deb/${plan.packageName}-${plan.version}`;
}

function renderDeb(plan: PackagePlan, templatesDir?: string): OutFile[] {
  if (!plan.maintainer) throw new Error('internal: a Debian package needs a maintainer');
  const dir = debSourceDir(plan);
  const debian = (name: string, mode = 0o644): OutFile => ({ path: `${dir}/debian/${name}`, content: render(`debian/${name}`, { plan }, templatesDir), mode });
  return [
    debian('control'),
    debian('rules', 0o755),
    debian('changelog'),
    debian('copyright'),
    debian('source/format'),
    { path: `${dir}/debian/${plan.packageName}.dkms`, content: dkmsConf(plan, 'debian', templatesDir), mode: 0o644 },
    ...buildSources(plan, templatesDir).map((f) => ({ ...f, path: `${dir}/src/${f.path}` })),
  ];
}

function renderArch(plan: PackagePlan, templatesDir?: string): OutFile[] {
  const sources = renderModuleSources(plan, templatesDir);
  const data = {
    plan,
    pkgdesc: `PCI quirk workarounds for ${plan.quirks.length === 1 ? 'one device' : `${plan.quirks.length} devices`} (DKMS)`,
    sources: sources.map((f) => ({ name: f.path, sha256: createHash('sha256').update(f.content).digest('hex') })),
  };
  return [
    { path: 'arch/PKGBUILD', content: render('arch/PKGBUILD', data, templatesDir), mode: 0o644 },
    { path: 'arch/.SRCINFO', content: render('arch/SRCINFO', data, templatesDir), mode: 0o644 },
    ...sources.map((f) => ({ ...f, path: `arch/${f.path}` })),
  ];
}

/** The hook code of the actions that have some, with the quirks that use each. */
function hookOnAdd(plan: PackagePlan): { type: string; ids: string[]; shell: string }[] {
  return MODULES.flatMap((m) => {
    const ids = plan.quirks.filter((q) => q.actions.some((a) => a.type === m.type)).map((q) => q.id);
    return m.hook?.onAdd && ids.length ? [{ type: m.type, ids, shell: m.hook.onAdd }] : [];
  });
}

/** Quirks the udev rule is for: those with work to do when a device appears. */
function udevQuirks(plan: PackagePlan): PlannedQuirk[] {
  const own = new Set(hookOnAdd(plan).flatMap((h) => h.ids));
  return plan.quirks.filter((q) => q.resetMethods.length || q.flags.includes('no-d3') || q.writes.some((w) => w.stage === 'on-load') || own.has(q.id));
}

function udevRulesName(plan: PackagePlan): string {
  return `90-${plan.name}.rules`;
}

function renderHook(plan: PackagePlan, templatesDir?: string): OutFile[] {
  const quirks = udevQuirks(plan);
  const rules = quirks.length ? udevRulesName(plan) : undefined;
  const files: OutFile[] = [{ path: `hook/${plan.name}`, content: render('hook/sleep-hook', { plan, onAdd: hookOnAdd(plan) }, templatesDir), mode: 0o755 }];
  if (rules) files.push({ path: `hook/${rules}`, content: render('hook/udev.rules', { plan, quirks }, templatesDir), mode: 0o644 });
  files.push({ path: 'hook/README', content: render('hook/README', { plan, rules, moduleOnly: coverageNotes(plan).hook }, templatesDir), mode: 0o644 });
  return files;
}

/** Every file of the requested formats, in a stable order. */
export function renderPackage(plan: PackagePlan, formats: readonly Format[], templatesDir?: string): OutFile[] {
  const files: OutFile[] = [];
  if (formats.includes('src')) files.push(...renderModuleSources(plan, templatesDir).map((f) => ({ ...f, path: `src/${f.path}` })));
  if (formats.includes('deb')) files.push(...renderDeb(plan, templatesDir));
  if (formats.includes('arch')) files.push(...renderArch(plan, templatesDir));
  if (formats.includes('hook')) files.push(...renderHook(plan, templatesDir));
  return files;
}

