/** Series on disk: series/<slug>.md (front matter + cover letter) and patches/<slug>/. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError, ValidationError } from '../errors.js';
import { parseFrontMatterDocument, serializeFrontMatterDocument, type FrontMatterDocument, type FrontMatterParse } from '../lib/fmdoc.js';
import { withWorkspaceLock, writeAtomic } from '../workspace/fs.js';
import { displayPath, type Workspace } from '../workspace/workspace.js';
import type { SeriesData } from './model.js';

export type SeriesDocument = FrontMatterDocument<SeriesData> & { slug: string };

export function seriesPath(ws: Workspace, slug: string): string {
  return path.join(ws.seriesDir, `${slug}.md`);
}

export function patchesDir(ws: Workspace, slug: string): string {
  return path.join(ws.patchesDir, slug);
}

/** Refuses a slug that is not one, before it is used in a path. */
export function checkSlug(slug: string, what = 'series'): void {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(slug) || slug.length > 64) {
    throw new InputError(`${what} '${slug}': expected a slug of lowercase letters, digits and '-', starting with a letter or digit, at most 64 characters`);
  }
}

export function parseSeriesText(text: string, file: string): FrontMatterParse<SeriesData> {
  return parseFrontMatterDocument<SeriesData>(text, file, { schema: 'series', keys: 'subject, change-id, revision, patches, state' });
}

/** One series, validated; exit-2 errors name the file and line. */
export function readSeries(ws: Workspace, slug: string): SeriesDocument {
  checkSlug(slug);
  const file = seriesPath(ws, slug);
  if (!existsSync(file)) throw new InputError(`series '${slug}': no ${displayPath(ws, file)}; 'quirkctl series list' shows the series`);
  const r = parseSeriesText(readFileSync(file, 'utf8'), displayPath(ws, file));
  if (!r.ok) throw new ValidationError(r.problems);
  return { ...r.doc, slug };
}

export function listSeriesSlugs(ws: Workspace): string[] {
  try {
    return readdirSync(ws.seriesDir)
      .filter((n) => n.endsWith('.md') && !n.startsWith('.'))
      .map((n) => n.slice(0, -3))
      .sort();
  } catch {
    return [];
  }
}

/** Writes a series document back, after checking that what would be written validates. */
export async function writeSeries(ws: Workspace, doc: SeriesDocument): Promise<void> {
  const text = serializeFrontMatterDocument(doc);
  const check = parseSeriesText(text, doc.file);
  if (!check.ok) throw new ValidationError(check.problems);
  await writeAtomic(seriesPath(ws, doc.slug), text);
}

/**
 * Reads, changes and writes a series under the workspace lock, so concurrent commands
 * (a send and a track, say) do not undo each other's changes. `change` edits the
 * document with setValue() (lib/fmdoc.ts), which keeps the user's comments.
 */
export async function updateSeries<T>(ws: Workspace, slug: string, change: (doc: SeriesDocument) => T | Promise<T>): Promise<T> {
  return withWorkspaceLock(ws, async () => {
    const doc = readSeries(ws, slug);
    const result = await change(doc);
    await writeSeries(ws, doc);
    return result;
  });
}

/** The series' patch files, read in order. */
export function readPatches(ws: Workspace, doc: SeriesDocument): { name: string; text: string }[] {
  const dir = patchesDir(ws, doc.slug);
  return doc.data.patches.map((name) => {
    const file = path.join(dir, name);
    if (!existsSync(file)) throw new InputError(`${doc.file}: patch ${name} is listed but ${displayPath(ws, file)} does not exist`);
    return { name, text: readFileSync(file, 'utf8') };
  });
}

