/**
 * `quirkctl check`: checkpatch.pl of the kernel tree over a series' patches (or any patch
 * files). A series' result is recorded so that `send` can tell whether the patches it is
 * about to send are the ones that passed.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { checkValue } from '../lib/schema.js';
import { patchesDigest, recordCheck } from './checks.js';
import { patchesDir, readPatches, readSeries, seriesPath } from './store.js';
import type { Workspace } from '../workspace/workspace.js';
import { checkpatchArgs, checkpatchOptions, runCheckpatch, type CheckpatchOptions, type CheckResult } from '../kernel/checkpatch.js';
import { openKernelTree, treePath } from '../kernel/tree.js';

export interface CheckRequest {
  /** A series slug, or patch files. */
  patches: string[];
  tree?: string;
  /** checkpatch.pl options instead of kernel.checkpatch-args (default --strict). */
  args?: string[];
  cwd: string;
  /** Run checkpatch.pl inside this build target (its perl), not on the host. */
  inTarget?: { name: string; run: CheckpatchRunner };
}

/** Runs checkpatch.pl of the tree at `root` over `files` somewhere other than the host. */
export type CheckpatchRunner = (root: string, files: string[], opts: CheckpatchOptions) => Promise<CheckResult[]>;

export interface CheckOutcome {
  series?: string;
  /** The build target checkpatch ran in, when not on the host. */
  target?: string;
  args: string[];
  results: CheckResult[];
  errors: number;
  warnings: number;
  checks: number;
}

/** A series slug, or patch files: which patches to check and how to show their names. */
function resolveTargets(ws: Workspace, req: CheckRequest): { series?: string; digest?: string; files: string[] } {
  const [first] = req.patches;
  if (req.patches.length === 1 && first !== undefined && /^[a-z0-9][a-z0-9-]*$/.test(first) && existsSync(seriesPath(ws, first))) {
    const doc = readSeries(ws, first);
    if (doc.data.patches.length === 0) throw new InputError(`series '${first}' has no patches to check`);
    // The digest of what is checked, read before checkpatch runs.
    const digest = patchesDigest(readPatches(ws, doc));
    return { series: first, digest, files: doc.data.patches.map((n) => path.join(patchesDir(ws, first), n)) };
  }
  const files = req.patches.map((t) => {
    const f = path.resolve(req.cwd, t);
    if (!existsSync(f) || !statSync(f).isFile()) throw new InputError(`'${t}': no series of that name and no such patch file`);
    return f;
  });
  return { files };
}

export async function checkPatches(ws: Workspace, req: CheckRequest): Promise<CheckOutcome> {
  for (const a of req.args ?? []) {
    const problem = checkValue('config', '/properties/kernel/properties/checkpatch-args/items', a);
    if (problem) throw new InputError(`--checkpatch-arg '${a}': ${problem}`);
  }
  const { series, digest, files } = resolveTargets(ws, req);
  const { dir, label } = treePath(ws, req.tree);
  const tree = await openKernelTree(dir, label);
  const opts = await checkpatchOptions(req.args ?? ws.config.kernel?.['checkpatch-args']);
  const results = req.inTarget ? await req.inTarget.run(tree.root, files, opts) : await runCheckpatch(tree.root, files, opts);
  const sum = (k: 'errors' | 'warnings' | 'checks') => results.reduce((n, r) => n + r[k], 0);
  const outcome: CheckOutcome = { args: checkpatchArgs(opts), results, errors: sum('errors'), warnings: sum('warnings'), checks: sum('checks') };
  if (req.inTarget) outcome.target = req.inTarget.name;
  if (series && digest) {
    outcome.series = series;
    await recordCheck(ws, series, { digest, date: new Date().toISOString(), errors: outcome.errors, warnings: outcome.warnings, checks: outcome.checks });
  }
  return outcome;
}
