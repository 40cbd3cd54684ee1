/**
 * `quirkctl series recipients`: To and Cc of a series from the kernel tree's MAINTAINERS,
 * through get_maintainer.pl, split as b4's --auto-to-cc splits them (maintainers and
 * reviewers to To, lists to Cc) and added to what the series has. No mail is sent.
 */
import path from 'node:path';
import { InputError } from '../errors.js';
import { setValue } from '../lib/fmdoc.js';
import { checkValue } from '../lib/schema.js';
import { addressKey, mergeRecipients, recipientsFor, type Recipients } from '../kernel/get-maintainer.js';
import { openKernelTree, treePath } from '../kernel/tree.js';
import type { Workspace } from '../workspace/workspace.js';
import { patchesDir, readPatches, readSeries, updateSeries } from './store.js';

export interface RecipientsOutcome {
  /** What get_maintainer.pl named. */
  found: Recipients;
  /** The series' lists afterwards (or as they would be, with dryRun). */
  to: string[];
  cc: string[];
  added: string[];
}

export async function seriesRecipients(ws: Workspace, req: { slug: string; tree?: string; dryRun: boolean }): Promise<RecipientsOutcome> {
  const doc = readSeries(ws, req.slug);
  if (doc.data.patches.length === 0) throw new InputError(`series '${req.slug}' has no patches`);
  readPatches(ws, doc);
  const { dir, label } = treePath(ws, req.tree);
  const tree = await openKernelTree(dir, label);
  const raw = await recipientsFor(
    tree.root,
    doc.data.patches.map((n) => path.join(patchesDir(ws, req.slug), n)),
  );
  // Only what the series schema accepts as one address goes into the file.
  const valid = (a: string) => checkValue('series', '/definitions/address', a) === null;
  const found = { to: raw.to.filter(valid), cc: raw.cc.filter(valid) };
  const apply = (have: Recipients) => {
    const merged = mergeRecipients(have, found);
    const before = new Set([...have.to, ...have.cc].map(addressKey));
    return { merged, added: [...merged.to, ...merged.cc].filter((a) => !before.has(addressKey(a))) };
  };
  if (req.dryRun) {
    const { merged, added } = apply({ to: doc.data.to ?? [], cc: doc.data.cc ?? [] });
    return { found, ...merged, added };
  }
  return updateSeries(ws, req.slug, (d) => {
    const { merged, added } = apply({ to: d.data.to ?? [], cc: d.data.cc ?? [] });
    // Short lists on one line, long ones one address a line, as new series files have them.
    setValue(d, ['to'], merged.to, { flow: merged.to.length <= 2 });
    setValue(d, ['cc'], merged.cc, { flow: merged.cc.length <= 2 });
    return { found, ...merged, added };
  });
}
