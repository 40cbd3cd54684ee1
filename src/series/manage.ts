/**
 * The series commands' work: `series new`, `show`, `edit`, `reroll` and `format`. Files
 * are written atomically and under the workspace lock; a failed command leaves
 * nothing behind.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InputError, formatProblem } from '../errors.js';
import { checkValue } from '../lib/schema.js';
import { renderTemplate } from '../lib/templates.js';
import { parseMailbox, showMailbox } from '../mail/address.js';
import { newPostingToken } from '../mail/message-id.js';
import { senderIdentity } from '../mail/smtp.js';
import { loadEntries } from '../quirks/index-cache.js';
import { findQuirk } from '../quirks/store.js';
import { withWorkspaceLock, writeAtomic } from '../workspace/fs.js';
import { displayPath, type Workspace } from '../workspace/workspace.js';
import { renderCoverText } from '../lib/markdown-text.js';
import { renderMailFile } from './format.js';
import { coverDiffstat, loadSeries, postingIds, requirePatches, seriesMails } from './mails.js';
import { newChangeId, type SeriesData } from './model.js';
import { advanceRevision, loreLink, draftSeriesText, postingId } from './revisions.js';
import { checkSlug, parseSeriesText, readSeries, seriesPath, updateSeries } from './store.js';

export interface NewSeriesOptions {
  fromQuirk?: string;
  subject?: string;
  to: string[];
  cc: string[];
  prefixes: string[];
}

function checkField(option: string, fragment: string, value: unknown): void {
  const bad = checkValue('series', fragment, value);
  if (bad) throw new InputError(`${option} ${JSON.stringify(value)}: ${bad}`);
}

/** `series new`: a drafted series with an EDITME cover letter, optionally drafted from a quirk. */
export async function createSeries(ws: Workspace, slug: string, o: NewSeriesOptions): Promise<string> {
  checkSlug(slug);
  const file = seriesPath(ws, slug);
  if (existsSync(file)) throw new InputError(`series '${slug}' exists already (${displayPath(ws, file)}); 'quirkctl series edit ${slug}' changes it`);
  const listed = (option: string, a: string) => {
    const text = showMailbox(parseMailbox(a, option));
    checkField(option, '/definitions/address', text);
    return text;
  };
  const to = o.to.map((a) => listed('--to', a));
  const cc = o.cc.map((a) => listed('--cc', a));
  o.prefixes.forEach((p) => checkField('--prefix', '/properties/prefixes/items', p));
  if (o.subject !== undefined) checkField('--subject', '/properties/subject', o.subject);
  let quirkData: { file: string; body: string; references: string[] } | undefined;
  let subject = o.subject;
  let quirk: string | undefined;
  if (o.fromQuirk !== undefined) {
    const entry = findQuirk(loadEntries(ws), o.fromQuirk);
    quirk = entry.quirk.id;
    subject ??= entry.quirk.title;
    quirkData = { file: entry.file, body: entry.body.trim(), references: entry.quirk.references };
  }
  const text = draftSeriesText({
    subject: subject ?? 'EDITME: one line saying what the series does',
    changeId: newChangeId(slug),
    prefixes: o.prefixes.length ? o.prefixes : ['PATCH'],
    to,
    cc,
    ...(quirk ? { quirk } : {}),
    cover: renderTemplate('cover-letter.md', { quirk: quirkData }, ws.templatesDir),
  });
  const check = parseSeriesText(text, displayPath(ws, file));
  if (!check.ok) throw new InputError(check.problems.map(formatProblem).join('\n'));
  await withWorkspaceLock(ws, async () => {
    if (existsSync(file)) throw new InputError(`series '${slug}' exists already (${displayPath(ws, file)})`);
    await writeAtomic(file, text);
  });
  return displayPath(ws, file);
}

/** `series reroll`: the next revision of a posted series. */
export async function rerollSeries(ws: Workspace, slug: string): Promise<{ from: number; to: number; file: string }> {
  let from = 0;
  await updateSeries(ws, slug, (doc) => {
    const d = doc.data;
    if (d.journal) throw new InputError(`series '${slug}': a send of v${d.journal.revision} was interrupted; 'quirkctl send ${slug} --resume' or '--abandon' first`);
    const posted = (d.history ?? []).find((h) => h.revision === d.revision);
    if (!posted) {
      throw new InputError(`series '${slug}' is at v${d.revision}, which has not been posted (no history entry for it): it is the next revision already; 'quirkctl send' moves the revision on after a posting`);
    }
    from = d.revision;
    advanceRevision(doc, posted, ws.config.lore?.url);
  });
  return { from, to: from + 1, file: displayPath(ws, seriesPath(ws, slug)) };
}

export interface EditResult {
  changed: boolean;
  file: string;
}

/** `series edit`: the file in $VISUAL/$EDITOR, taken back only when it still validates. */
export async function editSeries(ws: Workspace, slug: string, env: NodeJS.ProcessEnv): Promise<EditResult> {
  checkSlug(slug);
  const file = seriesPath(ws, slug);
  const shown = displayPath(ws, file);
  if (!existsSync(file)) throw new InputError(`series '${slug}': no ${shown}; 'quirkctl series new ${slug}' makes one`);
  const kept = path.join(ws.stateDir, 'edit', `${slug}.md`);
  const keptBase = `${kept}.orig`;
  const keptNote = `your edit is kept in ${displayPath(ws, kept)}; 'quirkctl series edit ${slug}' opens it again`;
  const original = readFileSync(file, 'utf8');
  if (existsSync(kept)) {
    if (!existsSync(keptBase) || readFileSync(keptBase, 'utf8') !== original) {
      throw new InputError(`${shown} changed after the edit kept in ${displayPath(ws, kept)} began; carry your changes over by hand and delete that file`);
    }
  } else {
    mkdirSync(path.dirname(kept), { recursive: true });
    writeFileSync(keptBase, original);
    writeFileSync(kept, original);
  }
  const editor = env.VISUAL || env.EDITOR || 'vi';
  // Through the shell, as git runs editors: $EDITOR may carry arguments ("code --wait").
  const r = spawnSync('sh', ['-c', `${editor} "$1"`, editor, kept], { stdio: 'inherit', env });
  if (r.status !== 0) throw new Error(`the editor (${editor}) exited with ${r.status === null ? `signal ${r.signal}` : `status ${r.status}`}; ${keptNote}`);
  const edited = readFileSync(kept, 'utf8');
  const parsed = parseSeriesText(edited, shown);
  if (!parsed.ok) throw new InputError(`${parsed.problems.map(formatProblem).join('\n')}\n${shown} not changed: ${keptNote}`);
  return withWorkspaceLock(ws, async () => {
    if (readFileSync(file, 'utf8') !== original) throw new Error(`${shown} changed while you were editing it (another quirkctl command); ${keptNote}`);
    const changed = edited !== original;
    if (changed) await writeAtomic(file, edited);
    rmSync(kept, { force: true });
    rmSync(keptBase, { force: true });
    if (changed && parsed.doc.data.journal) {
      process.stderr.write(`warning: ${shown} has an interrupted send; 'send --resume' refuses if the cover letter or patches changed\n`);
    }
    return { changed, file: shown };
  });
}

export interface SeriesView {
  slug: string;
  file: string;
  data: SeriesData;
  patches: { name: string; subject?: string; problem?: string }[];
  links: { revision: number; link: string }[];
  cover: string;
}

/** `series show`: the series with each patch's subject and lore links for posted revisions. */
export function viewSeries(ws: Workspace, slug: string): SeriesView {
  const doc = readSeries(ws, slug);
  const patches = doc.data.patches.map((name) => {
    try {
      const text = readFileSync(path.join(ws.patchesDir, slug, name), 'utf8');
      const subject = /^Subject: (.*(?:\n[ \t].*)*)/m.exec(text)?.[1];
      return subject ? { name, subject: subject.replace(/\n[ \t]/g, ' ') } : { name, problem: 'no Subject: header' };
    } catch (e) {
      return { name, problem: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (e as Error).message };
    }
  });
  const links = (doc.data.history ?? []).flatMap((h) => {
    const id = postingId(h);
    return id ? [{ revision: h.revision, link: loreLink(id, ws.config.lore?.url) }] : [];
  });
  return { slug, file: doc.file, data: doc.data, patches, links, cover: renderCoverText(doc.body) };
}

export interface FormatResult {
  written: string[];
  mbox?: string;
}

/** `series format`: the mails as git format-patch files in `outDir`, or one mbox. */
export async function formatSeriesFiles(ws: Workspace, slug: string, o: { outDir?: string; mbox: boolean; tree?: string; warn: (m: string) => void }): Promise<FormatResult> {
  const s = await loadSeries(ws, slug);
  requirePatches(s);
  const from = senderIdentity(s.git);
  const ids = postingIds(s, newPostingToken(), from.address.slice(from.address.lastIndexOf('@') + 1));
  const mails = seriesMails(s, { from, date: new Date(), messageIds: ids, diffstat: await coverDiffstat(ws, s, o.tree, o.warn) });
  if (o.mbox) {
    const text = mails.map(renderMailFile).join('');
    if (!o.outDir) return { written: [], mbox: text };
    const target = path.join(o.outDir, `${slug}-v${s.doc.data.revision}.mbox`);
    await writeAtomic(target, text);
    return { written: [target] };
  }
  const dir = o.outDir ?? '.';
  const written: string[] = [];
  for (const m of mails) {
    const target = path.join(dir, m.fileName);
    await writeAtomic(target, renderMailFile(m));
    written.push(target);
  }
  return { written };
}
