/**
 * A series read for mailing: its file, its patch files parsed, git's configuration,
 * and the cover diffstat (from git when the kernel tree holding the base commit is at
 * hand, else counted from the patches). Shared by `series format`, `series show` and
 * `send`, so all three render the same mails.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { Mailbox } from '../mail/address.js';
import { readGitConfig } from '../lib/git.js';
import { seriesMessageId } from '../mail/message-id.js';
import { configPath, displayPath, type Workspace } from '../workspace/workspace.js';
import { patchesDigest } from './checks.js';
import { seriesDiffstat } from './diffstat.js';
import { gitDiffstat } from './diffstat-git.js';
import { formatSeries, type SeriesMail } from './format.js';
import { parsePatchFile, type PatchFile } from './patch-file.js';
import { patchesDir, readPatches, readSeries, type SeriesDocument } from './store.js';

export interface LoadedSeries {
  doc: SeriesDocument;
  texts: { name: string; text: string }[];
  patches: PatchFile[];
  git: Map<string, string>;
}

export async function loadSeries(ws: Workspace, slug: string): Promise<LoadedSeries> {
  const doc = readSeries(ws, slug);
  const texts = readPatches(ws, doc);
  const patches = texts.map((t) => parsePatchFile(t.name, displayPath(ws, path.join(patchesDir(ws, slug), t.name)), t.text));
  return { doc, texts, patches, git: await readGitConfig(ws.root) };
}

export function requirePatches(s: LoadedSeries): void {
  if (s.patches.length === 0) {
    throw new InputError(`series '${s.doc.slug}' has no patches yet (patches: [] in ${s.doc.file}); 'quirkctl patch <quirk> --series ${s.doc.slug}' or git format-patch into patches/${s.doc.slug}/ adds them`);
  }
}

/** sha256 of everything the mails are made of: a resumed send must send the same mails. */
export function seriesDigest(s: LoadedSeries): string {
  const d = s.doc.data;
  const h = createHash('sha256');
  h.update(JSON.stringify([d.subject, d.prefixes ?? [], d.revision, d['base-commit'] ?? '', d['change-id'], s.doc.body]));
  h.update(patchesDigest(s.texts));
  return h.digest('hex');
}

/**
 * The cover's diffstat. `warn` hears about files changed by several patches when git
 * could not be asked, since the summed counts may then differ from git's.
 */
export async function coverDiffstat(ws: Workspace, s: LoadedSeries, tree: string | undefined, warn: (msg: string) => void): Promise<string> {
  const base = s.doc.data['base-commit'];
  const dir = tree ?? configPath(ws, ws.config.kernel?.tree);
  if (base && dir && existsSync(dir)) {
    const files = s.texts.map((t) => path.join(patchesDir(ws, s.doc.slug), t.name));
    const exact = await gitDiffstat(dir, base, files);
    if (exact !== undefined) return exact;
    warn(`${dir} does not have base-commit ${base.slice(0, 12)} or the patches do not apply to it; counting the diffstat from the patches`);
  }
  const counted = seriesDiffstat(s.patches.map((p) => p.diff));
  if (counted.summed.length) {
    warn(`${counted.summed.join(', ')} ${counted.summed.length === 1 ? 'is' : 'are'} changed by more than one patch; the cover's diffstat adds their counts up (set kernel.tree in quirkctl.yaml or pass --tree for git's net count)`);
  }
  return counted.text;
}

/** Bare Message-IDs for a posting: the cover's (n = 0) when there is one, then the patches'. */
export function postingIds(s: LoadedSeries, token: string, domain: string): string[] {
  const d = s.doc.data;
  const n = s.patches.length;
  const numbers = n > 1 ? Array.from({ length: n + 1 }, (_, i) => i) : [1];
  return numbers.map((i) => seriesMessageId(d['change-id'], d.revision, i, token, domain));
}

export interface FormatOptions {
  from: Mailbox;
  date: Date;
  messageIds: string[];
  diffstat: string;
}

export function seriesMails(s: LoadedSeries, o: FormatOptions): SeriesMail[] {
  return formatSeries({ data: s.doc.data, coverMarkdown: s.doc.body, patches: s.patches, from: o.from, date: o.date, messageIds: o.messageIds, diffstat: o.diffstat });
}
