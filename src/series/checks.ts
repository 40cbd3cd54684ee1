/**
 * The last checkpatch run of a series, kept in the workspace cache so that `send` can
 * tell whether the patches were checked, and passed, since they last changed.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { readJsonCache, writeAtomic } from '../workspace/fs.js';
import type { Workspace } from '../workspace/workspace.js';

export interface CheckRecord {
  /** Digest of the patch files' bytes, in series order, when they were checked. */
  digest: string;
  date: string;
  errors: number;
  warnings: number;
  checks: number;
}

/** sha256 over the patch texts in order: any edit, reorder or added patch changes it. */
export function patchesDigest(patches: { name: string; text: string }[]): string {
  const h = createHash('sha256');
  for (const p of patches) h.update(`${p.name}\0${p.text}\0`);
  return h.digest('hex');
}

function recordPath(ws: Workspace, slug: string): string {
  return path.join(ws.stateDir, 'checks', `${slug}.json`);
}

export async function recordCheck(ws: Workspace, slug: string, record: CheckRecord): Promise<void> {
  await writeAtomic(recordPath(ws, slug), `${JSON.stringify(record, null, 2)}\n`);
}

export function lastCheck(ws: Workspace, slug: string): CheckRecord | undefined {
  return readJsonCache<CheckRecord | undefined>(recordPath(ws, slug), undefined);
}
