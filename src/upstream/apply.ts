/**
 * Writing what `quirkctl upstream` found: the series' `merged` record and state, and the
 * linked quirk's `upstream` (state, commit, fixed-in), so that DKMS packages stop building
 * for kernels that carry the fix. Everything is validated before anything is written.
 */
import { isoSeconds } from '../lib/format.js';
import { ValidationError } from '../errors.js';
import { serializeFrontMatterDocument, setValue } from '../lib/fmdoc.js';
import { compareKernels } from '../kernel/version.js';
import { readQuirkFile, writeQuirkText } from '../quirks/store.js';
import type { MergedUpstream } from '../series/model.js';
import { parseSeriesText, readSeries, seriesPath, type SeriesDocument } from '../series/store.js';
import { writeAtomic } from '../workspace/fs.js';
import type { Workspace } from '../workspace/workspace.js';
import type { SeriesStatus } from './detect.js';

export interface Applied {
  slug: string;
  state?: string;
  quirk?: { id: string; fixedIn: string[]; skipped?: string };
}

export function mergedRecord(s: SeriesStatus, now: Date): MergedUpstream {
  const rec: MergedUpstream = {
    checked: isoSeconds(now),
    patches: s.patches.map((p) => {
      const entry: MergedUpstream['patches'][number] = { file: p.file };
      if (p.mainline) {
        entry.commit = p.mainline.commit;
        entry.how = p.mainline.how;
        if (p.mainline.tag) entry.tag = p.mainline.tag;
      }
      if (p.stable.length) entry.stable = p.stable.map((b) => b.tag ?? b.commit);
      return entry;
    }),
  };
  if (s.merged) {
    rec.release = s.merged.release;
    rec.tag = s.merged.tag;
    if (s.merged.fuzzy) rec.fuzzy = true;
  }
  if (s.stable.length) rec.stable = s.stable;
  return rec;
}

/** The releases that carry the fix: the mainline release, then each stable line's first. */
export function fixedInOf(s: SeriesStatus): string[] {
  return [...(s.merged ? [s.merged.release] : []), ...s.stable];
}

/**
 * Records the results. A fuzzy match (subject and author only) is recorded in the series
 * but retires no workaround unless `acceptFuzzy`: a wrong guess there would stop a DKMS
 * package from building on kernels that still need it.
 */
export async function applyResults(ws: Workspace, results: SeriesStatus[], opts: { acceptFuzzy: boolean; now?: Date }): Promise<Applied[]> {
  const now = opts.now ?? new Date();
  const writes: { file: string; text: string }[] = [];
  const quirkWrites: { id: string; text: string }[] = [];
  const applied: Applied[] = [];
  for (const s of results) {
    const doc: SeriesDocument = readSeries(ws, s.slug);
    const out: Applied = { slug: s.slug };
    setValue(doc, ['merged'], mergedRecord(s, now));
    const trusted = s.merged !== undefined && (!s.merged.fuzzy || opts.acceptFuzzy);
    if (trusted) {
      setValue(doc, ['state'], 'merged');
      out.state = 'merged';
    }
    const text = serializeFrontMatterDocument(doc);
    const check = parseSeriesText(text, doc.file);
    if (!check.ok) throw new ValidationError(check.problems);
    writes.push({ file: seriesPath(ws, s.slug), text });

    const quirkId = doc.data.quirk;
    const fixedIn = fixedInOf(s);
    if (quirkId && fixedIn.length) {
      if (!trusted && s.merged) {
        out.quirk = { id: quirkId, fixedIn, skipped: 'matched by subject and author only; rerun with --accept-fuzzy to retire the workaround' };
      } else {
        const q = readQuirkFile(ws, `${quirkId}.md`);
        if (!q.ok) throw new ValidationError(q.problems);
        const all = [...new Set([...q.doc.quirk.upstream.fixedIn, ...fixedIn])].sort(compareKernels);
        const y = q.doc.yaml.doc;
        const landed = s.patches.map((p) => p.mainline?.commit).filter((c): c is string => !!c);
        if (s.merged) y.setIn(['upstream', 'state'], 'merged');
        if (s.merged && landed.length === 1) y.setIn(['upstream', 'commit'], landed[0]);
        y.setIn(['upstream', 'fixed-in'], y.createNode(all, { flow: true }));
        quirkWrites.push({ id: quirkId, text: serializeFrontMatterDocument(q.doc) });
        out.quirk = { id: quirkId, fixedIn: all };
      }
    }
    applied.push(out);
  }
  // Only now, with every result computed and validated, touch the files.
  for (const w of writes) await writeAtomic(w.file, w.text);
  for (const q of quirkWrites) await writeQuirkText(ws, q.id, q.text);
  return applied;
}
