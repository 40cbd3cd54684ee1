/**
 * `quirkctl dkms`: select quirks, plan, render, write the output directory and build the
 * packages. Everything is made in a temporary sibling directory that replaces the output
 * directory only when all of it succeeded, so a failure leaves nothing half-written.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { loadEntries } from '../quirks/index-cache.js';
import { findQuirk } from '../quirks/store.js';
import { replaceDir, writeAtomic } from '../workspace/fs.js';
import type { Workspace } from '../workspace/workspace.js';
import { onPath } from '../lib/tools.js';
import { buildArch, buildDeb, gitUser } from './build.js';
import { checkSetting, coverageNotes, DEFAULT_NAME, defaultVersion, planPackage, type PackagePlan } from './model.js';
import { debSourceDir, FORMATS, renderPackage, type Format, type OutFile } from './render.js';

/** Marks a directory as quirkctl dkms output, which a later run may replace. */
const MARKER = '.quirkctl-dkms';

export interface GenerateOptions {
  quirks: string[];
  all: boolean;
  name?: string;
  version?: string;
  maintainer?: string;
  /** Default: ./<name>-<version> in `cwd`. */
  out?: string;
  cwd: string;
  formats: Format[];
  build: boolean;
  dryRun: boolean;
  progress?: (message: string) => void;
}

export interface GenerateResult {
  plan: PackagePlan;
  out: string;
  files: string[];
  built: { format: 'deb' | 'arch'; file: string }[];
  notBuilt: { format: 'deb' | 'arch'; reason: string }[];
  notes: string[];
}

/** `src,deb` or `all` as typed after --format. */
export function parseFormats(text: string): Format[] {
  const words = text.split(',').map((w) => w.trim());
  if (words.includes('all')) return [...FORMATS];
  for (const w of words) {
    if (!(FORMATS as readonly string[]).includes(w)) throw new InputError(`--format '${text}': '${w}' is not one of ${FORMATS.join(', ')}, all`);
  }
  return FORMATS.filter((f) => words.includes(f));
}

/** SOURCE_DATE_EPOCH, as reproducible builds set it, else now. */
function buildDate(): Date {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  return epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
}

/** Refuses to replace a directory that is not ours, before anything is made. */
function checkOut(out: string): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new InputError(`--out '${out}': exists and is not a directory`);
  if (readdirSync(out).length > 0 && !existsSync(path.join(out, MARKER))) {
    throw new InputError(`--out '${out}': not empty and not made by 'quirkctl dkms'; choose another directory`);
  }
}

async function resolveMaintainer(ws: Workspace, opts: GenerateOptions): Promise<string | undefined> {
  if (opts.maintainer !== undefined) return checkSetting('maintainer', opts.maintainer);
  const configured = ws.config.dkms?.maintainer;
  if (configured !== undefined) return configured;
  const git = await gitUser(ws.root);
  if (git === undefined) {
    if (opts.formats.includes('deb')) {
      throw new InputError("a Debian package needs a maintainer: pass --maintainer 'Name <email>', set dkms.maintainer in quirkctl.yaml, or set git's user.name and user.email");
    }
    return undefined;
  }
  return checkSetting('maintainer', git, "git's user.name and user.email");
}

async function writeTree(dir: string, files: OutFile[]): Promise<void> {
  for (const f of files) await writeAtomic(path.join(dir, f.path), f.content, f.mode);
  await writeAtomic(path.join(dir, MARKER), 'made by quirkctl dkms; a later run replaces this directory\n');
}

export async function generateDkms(ws: Workspace, opts: GenerateOptions): Promise<GenerateResult> {
  const progress = opts.progress ?? (() => {});
  const name = opts.name !== undefined ? checkSetting('name', opts.name) : (ws.config.dkms?.name ?? DEFAULT_NAME);
  const date = buildDate();
  const version = opts.version !== undefined ? checkSetting('version', opts.version) : (ws.config.dkms?.version ?? defaultVersion(date));
  if (opts.all === (opts.quirks.length > 0)) throw new InputError('name the quirks to package (ids or vvvv:dddd), or pass --all; not both');
  const out = path.resolve(opts.cwd, opts.out ?? `${name}-${version}`);
  checkOut(out);

  const entries = loadEntries(ws);
  const selected = opts.all ? entries : opts.quirks.map((ref) => findQuirk(entries, ref));
  const quirks = [...new Map(selected.map((e) => [e.quirk.id, e.quirk])).values()];
  const plan = planPackage(quirks, { name, version, date });
  const maintainer = await resolveMaintainer(ws, opts);
  if (maintainer !== undefined) plan.maintainer = maintainer;
  const files = renderPackage(plan, opts.formats, ws.templatesDir);
  const notes = opts.formats.some((f) => f !== 'hook') ? coverageNotes(plan).module : [];
  const result: GenerateResult = { plan, out, files: files.map((f) => f.path), built: [], notBuilt: [], notes };
  if (opts.dryRun) return result;

  mkdirSync(path.dirname(out), { recursive: true });
  const tmp = mkdtempSync(path.join(path.dirname(out), `.${path.basename(out)}.tmp-`));
  try {
    chmodSync(tmp, 0o755); // mkdtemp makes it private
    await writeTree(tmp, files);
    if (opts.build) await buildPackages(plan, tmp, opts.formats, result, progress);
    replaceDir(tmp, out);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return result;
}

async function buildPackages(plan: PackagePlan, dir: string, formats: Format[], result: GenerateResult, progress: (m: string) => void): Promise<void> {
  if (formats.includes('deb')) {
    if (await onPath('dpkg-buildpackage')) {
      progress(`building the .deb with dpkg-buildpackage`);
      const deb = await buildDeb(path.join(dir, debSourceDir(plan)), path.join(dir, 'deb'));
      result.built.push({ format: 'deb', file: `deb/${deb}` });
    } else {
      result.notBuilt.push({ format: 'deb', reason: 'dpkg-buildpackage is not installed (package dpkg-dev)' });
    }
  }
  if (formats.includes('arch')) {
    if (await onPath('makepkg')) {
      progress(`building the Arch package with makepkg${process.getuid?.() === 0 ? ' (as nobody: makepkg refuses root)' : ''}`);
      const pkg = await buildArch(path.join(dir, 'arch'), path.join(dir, 'arch'));
      result.built.push({ format: 'arch', file: `arch/${pkg}` });
    } else {
      result.notBuilt.push({ format: 'arch', reason: 'makepkg is not installed' });
    }
  }
}
