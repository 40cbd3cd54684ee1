/**
 * `quirkctl patch`: a quirk becomes kernel patches. In a temporary worktree of the
 * user's kernel tree at the base commit, each kind of fix is written into
 * drivers/pci/quirks.c and committed with the user's identity; `git format-patch`
 * output goes to patches/<slug>/ and series/<slug>.md is created or updated.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InputError, ValidationError } from '../errors.js';
import { setValue } from '../lib/fmdoc.js';
import { checkValue } from '../lib/schema.js';
import { renderTemplate } from '../lib/templates.js';
import { parseQuirkDocument, serializeQuirkDocument, type QuirkDocument } from '../quirks/document.js';
import { formatDeviceIds } from '../quirks/ids.js';
import { readEntries } from '../quirks/index-cache.js';
import { describeAction, type Quirk } from '../quirks/model.js';
import { loadPciIds } from '../quirks/pci-ids.js';
import { findQuirk, quirkPath, readQuirkFile } from '../quirks/store.js';
import { newChangeId, type SeriesData } from './model.js';
import { saveSeries, type SeriesWritten } from './save.js';
import { checkSlug, patchesDir, readPatches, readSeries, seriesPath, type SeriesDocument } from './store.js';
import { withWorkspaceLock, writeAtomic } from '../workspace/fs.js';
import { pciIdsPaths, type Workspace } from '../workspace/workspace.js';
import { aboutDevice, asSentence, commitMessage, commitSubject } from '../kernel/commit-message.js';
import { am, formatPatches, type PatchText } from '../kernel/git-patches.js';
import { parseIdMacros } from '../kernel/pci-ids-h.js';
import { applyChange, findExisting, planChanges, PCI_IDS_H, QUIRKS_C, shortDeviceName, type ExistingFix, type PlannedChange } from '../kernel/quirk-code.js';
import { parseQuirksC } from '../kernel/quirks-c.js';
import { gitIdentity, openKernelTree, readAt, refuseDirtyBase, resolveBase, treePath, type Base } from '../kernel/tree.js';
import { kernelSatisfies, makefileRelease } from '../kernel/version.js';
import { touchedPaths, withWorktree } from '../kernel/worktree.js';

export interface PatchRequest {
  quirk: string;
  tree?: string;
  base?: string;
  stable: boolean;
  series?: string;
  name?: string;
  dryRun: boolean;
}

export interface ChangeReport {
  kind: PlannedChange['kind'];
  subject: string;
  /** Where the tree already has this fix; nothing was made for it. */
  present?: ExistingFix[];
  /** Fixes in the tree that may already cover the device (PCI_ANY_ID, class matches). */
  overlaps: ExistingFix[];
}

export interface PatchOutcome {
  slug: string;
  base: Base;
  changes: ChangeReport[];
  skipped: { action: string; reason: string }[];
  /** Patches made (empty when the tree already has every fix). */
  patches: PatchText[];
  written?: SeriesWritten;
  quirkFile: string;
  /** The series whose patches were applied first (--series naming other patches). */
  onTopOf?: string;
}

type Mode = 'create' | 'regenerate' | 'append';

const NAME_RE = /^[^\u0000-\u001f\u007f]{1,60}$/;

function quirkDocument(ws: Workspace, ref: string): QuirkDocument {
  const db = readEntries(ws);
  let entry;
  try {
    entry = findQuirk(db.docs, ref);
  } catch (e) {
    // An unknown id may be a quirk whose file does not validate: say that instead.
    if (db.problems.length) throw new ValidationError(db.problems);
    throw e;
  }
  const r = readQuirkFile(ws, `${entry.quirk.id}.md`);
  if (!r.ok) throw new ValidationError(r.problems);
  return r.doc;
}

function refuseNarrowMatch(q: Quirk, file: string): void {
  const m = q.match;
  const narrow = [m.subvendor !== undefined ? 'subsystem IDs' : '', m.class ? 'a class' : '', m.revision !== undefined ? 'a revision' : ''].filter(Boolean);
  if (narrow.length) {
    throw new InputError(`${file}: the quirk matches ${narrow.join(' and ')} as well as ${formatDeviceIds({ vendor: m.vendor, device: m.device })}; quirkctl patch writes fixups for a vendor and device ID only`);
  }
}

function deviceName(ws: Workspace, q: Quirk, name?: string): string {
  if (name !== undefined) {
    if (!NAME_RE.test(name.trim())) throw new InputError(`--name '${name}': expected the device's name on one line, at most 60 characters (e.g. 'AMD Polaris 10')`);
    return name.trim();
  }
  const ids = loadPciIds(pciIdsPaths(ws));
  const { vendor, device } = q.match;
  return shortDeviceName(ids.vendor(vendor), ids.device(vendor, device), formatDeviceIds({ vendor, device }));
}

function seriesMode(ws: Workspace, slug: string, quirkId: string, explicit: boolean): { mode: Mode; doc?: SeriesDocument } {
  if (!existsSync(seriesPath(ws, slug))) return { mode: 'create' };
  const doc = readSeries(ws, slug);
  if (doc.data.quirk === quirkId) return { mode: 'regenerate', doc };
  if (!explicit) {
    throw new InputError(`series '${slug}' already exists for ${doc.data.quirk ? `quirk '${doc.data.quirk}'` : 'other patches'}; pass --series SLUG to add this quirk's patches to it, or another slug`);
  }
  return { mode: 'append', doc };
}

export async function makeQuirkPatch(ws: Workspace, req: PatchRequest, progress: (line: string) => void): Promise<PatchOutcome> {
  const qdoc = quirkDocument(ws, req.quirk);
  const q = qdoc.quirk;
  refuseNarrowMatch(q, qdoc.file);
  const plan = planChanges(q);
  const skipped = plan.skipped.map((s) => ({ action: describeAction(s.action), reason: s.reason }));
  if (plan.changes.length === 0) {
    throw new InputError(`quirk '${q.id}': nothing to patch in the kernel: ${skipped.map((s) => `${s.action}: ${s.reason}`).join('; ')}`);
  }
  const device = deviceName(ws, q, req.name);

  const slug = req.series ?? q.id;
  checkSlug(slug, req.series !== undefined ? '--series' : 'series');
  const { mode, doc: existing } = seriesMode(ws, slug, q.id, req.series !== undefined);
  // The series the patches go on top of (every listed file must be there).
  const earlier = mode === 'append' ? readPatches(ws, existing as SeriesDocument) : [];

  const { dir, label } = treePath(ws, req.tree);
  const tree = await openKernelTree(dir, label);
  // Appended patches go on the base the series has; otherwise --base, kernel.base, HEAD.
  const seriesBase = mode === 'append' ? existing?.data['base-commit'] : undefined;
  const baseRef = req.base ?? seriesBase ?? ws.config.kernel?.base;
  const what = req.base !== undefined ? '--base' : seriesBase !== undefined ? `base-commit of series '${slug}' (pass --base)` : 'kernel.base';
  const base = await resolveBase(tree, baseRef, what);
  if (mode === 'append' && req.base === undefined && existing?.data.base && base.sha === existing.data['base-commit']) base.name = existing.data.base;
  await refuseDirtyBase(tree, base);
  const signer = await gitIdentity(tree);
  const quirksText = await readAt(tree, base.sha, QUIRKS_C);
  if (quirksText === undefined) throw new InputError(`${label}: ${base.name ?? base.sha.slice(0, 12)} has no ${QUIRKS_C}; expected a Linux kernel tree`);
  const macros = parseIdMacros((await readAt(tree, base.sha, PCI_IDS_H)) ?? '');
  parseIdMacros(quirksText, macros);

  const prose = { body: qdoc.body, file: qdoc.file, bodyLine: qdoc.bodyLine };
  // Read when there is something to write: a fix the tree has needs no description.
  let about: string[] | undefined;
  const reports: ChangeReport[] = [];
  const release = makefileRelease((await readAt(tree, base.sha, 'Makefile')) ?? '');
  progress(`making ${q.id} against ${base.name ?? base.sha.slice(0, 12)} (${release ? `Linux ${release}, ` : ''}${base.sha.slice(0, 12)}) in a temporary worktree of ${tree.root}`);
  if (release && q.kernels && !kernelSatisfies(release, q.kernels)) {
    progress(`note: ${qdoc.file} says the quirk is needed on kernels ${q.kernels}; the base is ${release}`);
  }
  const paths = [QUIRKS_C, ...earlier.flatMap((p) => touchedPaths(p.text))];
  const patches = await withWorktree(tree, base.sha, signer, paths, async (wt) => {
    if (mode === 'append') {
      const files = (existing as SeriesDocument).data.patches.map((n) => path.join(patchesDir(ws, slug), n));
      const r = await am(wt, files, false);
      if (!r.ok) throw new InputError(`series '${slug}' does not apply to ${base.name ?? base.sha.slice(0, 12)}: ${r.message.split('\n')[0]}`);
    }
    const file = path.join(wt.dir, QUIRKS_C);
    let text = readFileSync(file, 'utf8');
    let made = 0;
    for (const change of plan.changes) {
      const qc = parseQuirksC(text);
      const subject = commitSubject(change.kind, device);
      const found = findExisting(qc, macros, change.kind, q.match.vendor, q.match.device);
      const report: ChangeReport = { kind: change.kind, subject, overlaps: found.broad.map((f) => ({ ...f })) };
      reports.push(report);
      if (found.exact.length) {
        report.present = found.exact;
        continue;
      }
      about ??= aboutDevice(q.title, prose);
      text = applyChange(text, qc, change, { quirk: q, deviceName: device, about, macros, templatesDir: ws.templatesDir });
      writeFileSync(file, text);
      const message = commitMessage({
        kind: change.kind,
        actions: change.actions,
        device,
        prose,
        references: q.references,
        stable: req.stable,
        signer,
        templatesDir: ws.templatesDir,
      });
      const msgFile = path.join(path.dirname(wt.dir), `message-${made}.txt`);
      writeFileSync(msgFile, message);
      // -f: Debian's linux-source tree ignores everything at its top level (/* in .gitignore).
      await wt.git.raw(['add', '-f', '--', QUIRKS_C]);
      await wt.git.raw(['commit', '--quiet', '--no-verify', '--cleanup=verbatim', `--author=${signer.name} <${signer.email}>`, '-F', msgFile]);
      made++;
    }
    if (made === 0) return [];
    return formatPatches(wt, base.sha);
  });

  const outcome: PatchOutcome = { slug, base, changes: reports, skipped, patches, quirkFile: qdoc.file, ...(mode === 'append' ? { onTopOf: slug } : {}) };
  if (existing && existing.data.state !== 'drafted' && patches.length) {
    progress(`series '${slug}' was posted as v${existing.data.revision}: these patches are its next revision ('quirkctl series reroll ${slug}')`);
  }
  if (patches.length === 0 || req.dryRun) return outcome;
  outcome.written = await saveSeries(ws, {
    slug,
    patches,
    create: () => newSeries(ws, slug, q, device, base, patches),
    update: (doc) => setSeriesPatches(ws, doc, q, device, base, patches, mode),
  });
  await markDrafted(ws, q.id);
  return outcome;
}

/** The base's ref name when the series schema takes it as one. */
function baseName(base: Base): string | undefined {
  return base.name && checkValue('series', '/properties/base', base.name) === null ? base.name : undefined;
}

function subjectOf(p: PatchText): string {
  const m = /^Subject: (?:\[[^\]]*\] )?(.*(?:\n .*)*)/m.exec(p.text);
  return (m?.[1] ?? p.name).replace(/\n /g, ' ');
}

/** The cover letter a new multi-patch series starts with; EDITME keeps it from being sent as is. */
function coverLetter(ws: Workspace, q: Quirk, device: string, patches: PatchText[]): string {
  return renderTemplate('kernel/cover-letter.md', { device, ids: formatDeviceIds(q.match), title: asSentence(q.title), subjects: patches.map(subjectOf) }, ws.templatesDir);
}

function newSeries(ws: Workspace, slug: string, q: Quirk, device: string, base: Base, patches: PatchText[]): { data: SeriesData; body: string } {
  const single = patches.length === 1;
  const data: SeriesData = {
    subject: single ? subjectOf(patches[0] as PatchText) : `PCI: Quirks for ${device}`,
    'change-id': newChangeId(slug),
    revision: 1,
    prefixes: ['PATCH'],
    'base-commit': base.sha,
    ...(baseName(base) ? { base: baseName(base) } : {}),
    quirk: q.id,
    patches: patches.map((p) => p.name),
    state: 'drafted',
  };
  return { data, body: single ? '' : `\n${coverLetter(ws, q, device, patches)}` };
}

function setSeriesPatches(ws: Workspace, doc: SeriesDocument, q: Quirk, device: string, base: Base, patches: PatchText[], mode: Mode): void {
  setValue(doc, ['base-commit'], base.sha);
  if (baseName(base)) setValue(doc, ['base'], baseName(base));
  else if (doc.data.base !== undefined) {
    // A base without a usable name: an old name would now be wrong.
    doc.yaml.doc.deleteIn(['base']);
    delete doc.data.base;
  }
  setValue(doc, ['patches'], patches.map((p) => p.name));
  if (mode === 'regenerate' && patches.length === 1) setValue(doc, ['subject'], subjectOf(patches[0] as PatchText));
  // A series that grows past one patch needs a cover letter; a blank body gets the template.
  if (patches.length > 1 && doc.body.trim() === '') doc.body = `\n${coverLetter(ws, q, device, patches)}`;
}

/** upstream.state none -> drafted: there is a patch now. Comments in the quirk are kept. */
async function markDrafted(ws: Workspace, id: string): Promise<void> {
  await withWorkspaceLock(ws, async () => {
    const r = readQuirkFile(ws, `${id}.md`);
    if (!r.ok || r.doc.quirk.upstream.state !== 'none') return;
    setValue(r.doc, ['upstream', 'state'], 'drafted');
    const text = serializeQuirkDocument(r.doc);
    const check = parseQuirkDocument(text, r.doc.file, id);
    if (check.ok) await writeAtomic(quirkPath(ws, id), text);
  });
}
