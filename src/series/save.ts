/**
 * Writing a series together with its patch files: `quirkctl patch` and `series import`
 * both produce a set of patches and a series/<slug>.md that lists them. Everything is
 * validated before the first byte is written, written atomically under the workspace
 * lock, and patch files the series no longer lists are removed last.
 */
import { existsSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { isSeq } from 'yaml';
import { ValidationError } from '../errors.js';
import { serializeFrontMatterDocument } from '../lib/fmdoc.js';
import { joinFrontMatter } from '../lib/frontmatter.js';
import { newYamlDocument, yamlToString } from '../lib/yaml.js';
import { withWorkspaceLock, writeAtomic } from '../workspace/fs.js';
import { displayPath, type Workspace } from '../workspace/workspace.js';
import type { SeriesData } from './model.js';
import type { PatchText } from '../kernel/git-patches.js';
import { parseSeriesText, patchesDir, readSeries, seriesPath, type SeriesDocument } from './store.js';

export interface SeriesWrite {
  slug: string;
  patches: PatchText[];
  /** The new series, when series/<slug>.md does not exist yet. */
  create: () => { data: SeriesData; body: string };
  /** Changes to the series that exists (setValue keeps the user's comments). */
  update: (doc: SeriesDocument) => void;
}

export interface SeriesWritten {
  created: boolean;
  file: string;
  patches: string[];
  removed: string[];
}

/** A new series file's text: keys in schema order, short lists on one line. */
export function newSeriesText(data: SeriesData, body: string): string {
  const doc = newYamlDocument(data);
  for (const key of ['prefixes', 'to', 'cc']) {
    const node = doc.get(key, true);
    if (isSeq(node)) node.flow = node.items.length <= 2;
  }
  return joinFrontMatter(doc.toString(yamlToString), body);
}

export async function saveSeries(ws: Workspace, w: SeriesWrite): Promise<SeriesWritten> {
  return withWorkspaceLock(ws, async () => {
    const file = seriesPath(ws, w.slug);
    const shown = displayPath(ws, file);
    const created = !existsSync(file);
    let text: string;
    let before: string[] = [];
    if (created) {
      const { data, body } = w.create();
      text = newSeriesText(data, body);
    } else {
      const doc = readSeries(ws, w.slug);
      before = [...doc.data.patches];
      w.update(doc);
      text = serializeFrontMatterDocument(doc);
    }
    const check = parseSeriesText(text, shown);
    if (!check.ok) throw new ValidationError(check.problems);

    const dir = patchesDir(ws, w.slug);
    for (const p of w.patches) await writeAtomic(path.join(dir, p.name), p.text);
    await writeAtomic(file, text);
    const keep = new Set(w.patches.map((p) => p.name));
    const removed = before.filter((n) => !keep.has(n) && existsSync(path.join(dir, n)));
    for (const n of removed) unlinkSync(path.join(dir, n));
    return { created, file: shown, patches: w.patches.map((p) => displayPath(ws, path.join(dir, p.name))), removed };
  });
}
