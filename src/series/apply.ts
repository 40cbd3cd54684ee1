/**
 * A series against a kernel tree, in a temporary worktree: `series apply` runs `git am`
 * on its base and hands the result over as FETCH_HEAD (as `b4 shazam -H` does) or as a
 * new branch; `series rebase-check` tries each patch on other refs and says whether it
 * applies cleanly, only with a 3-way merge, or not at all.
 */
import path from 'node:path';
import { InputError } from '../errors.js';
import { am } from '../kernel/git-patches.js';
import { gitIdentity, openKernelTree, resolveBase, treePath, type Base, type KernelTree } from '../kernel/tree.js';
import { touchedPaths, withWorktree, type Worktree } from '../kernel/worktree.js';
import type { Workspace } from '../workspace/workspace.js';
import { patchesDir, readPatches, readSeries, type SeriesDocument } from './store.js';

export interface SeriesInTree {
  doc: SeriesDocument;
  files: string[];
  /** What the patches touch: the files the worktree checks out. */
  paths: string[];
  kt: KernelTree;
}

export async function seriesTree(ws: Workspace, slug: string, tree?: string): Promise<SeriesInTree> {
  const doc = readSeries(ws, slug);
  if (doc.data.patches.length === 0) throw new InputError(`series '${doc.slug}' has no patches`);
  const texts = readPatches(ws, doc);
  const files = doc.data.patches.map((n) => path.join(patchesDir(ws, doc.slug), n));
  const { dir, label } = treePath(ws, tree);
  return { doc, files, paths: texts.flatMap((p) => touchedPaths(p.text)), kt: await openKernelTree(dir, label) };
}

/** Where a series goes: --base, else its recorded base-commit, else kernel.base. */
export async function seriesBase(ws: Workspace, { doc, kt }: Pick<SeriesInTree, 'doc' | 'kt'>, requested?: string): Promise<Base> {
  const ref = requested ?? doc.data['base-commit'] ?? ws.config.kernel?.base;
  const base = await resolveBase(kt, ref, requested !== undefined ? '--base' : doc.data['base-commit'] ? `base-commit of series '${doc.slug}' (pass --base)` : 'kernel.base');
  if (ref === doc.data['base-commit'] && doc.data.base && base.sha === ref) base.name = doc.data.base;
  return base;
}

export interface ApplyRequest {
  slug: string;
  tree?: string;
  base?: string;
  branch?: string;
}

export interface ApplyOutcome {
  base: Base;
  head: string;
  patches: number;
  branch?: string;
}

export async function applySeries(ws: Workspace, req: ApplyRequest): Promise<ApplyOutcome> {
  const { doc, files, paths, kt } = await seriesTree(ws, req.slug, req.tree);
  if (req.branch !== undefined) {
    const ok = await kt.git.raw(['check-ref-format', '--branch', req.branch]).then(() => true, () => false);
    if (!ok || req.branch.startsWith('-')) throw new InputError(`--branch '${req.branch}': not a valid branch name`);
    const exists = await kt.git.raw(['rev-parse', '--verify', '--quiet', `refs/heads/${req.branch}`]).then((s) => s.trim() !== '', () => false);
    if (exists) throw new InputError(`--branch '${req.branch}': the branch exists already in ${kt.root}`);
  }
  const base = await seriesBase(ws, { doc, kt }, req.base);
  const me = await gitIdentity(kt);
  const head = await withWorktree(kt, base.sha, me, paths, async (wt) => {
    const r = await am(wt, files, true);
    if (!r.ok) {
      throw new Error(`series '${req.slug}' does not apply to ${base.name ?? base.sha.slice(0, 12)}${r.conflicts.length ? ` (conflicts in ${r.conflicts.join(', ')})` : ''}: ${r.message.split('\n')[0]}`);
    }
    const sha = (await wt.git.revparse(['HEAD'])).trim();
    if (req.branch !== undefined) await kt.git.raw(['branch', '--no-track', req.branch, sha]);
    // FETCH_HEAD in the user's tree: `git merge FETCH_HEAD` or `git checkout -b x FETCH_HEAD` takes it from there.
    else await kt.git.raw(['fetch', '--quiet', '--no-tags', '--no-write-commit-graph', wt.dir, 'HEAD']);
    return sha;
  });
  const out: ApplyOutcome = { base, head, patches: files.length };
  if (req.branch !== undefined) out.branch = req.branch;
  return out;
}

export type ApplyResult = 'clean' | '3way' | 'conflict';

export interface RefCheck {
  ref: string;
  sha: string;
  patches: { name: string; result: ApplyResult; conflicts: string[] }[];
}

/** Each patch in turn on `ref`; a patch that does not apply is skipped and the next tried. */
async function checkRef(wt: Worktree, sha: string, files: string[]): Promise<RefCheck['patches']> {
  await wt.git.raw(['checkout', '--quiet', '--force', '--detach', sha]);
  const out: RefCheck['patches'] = [];
  for (const f of files) {
    const name = path.basename(f);
    if ((await am(wt, [f], false)).ok) {
      out.push({ name, result: 'clean', conflicts: [] });
      continue;
    }
    const merged = await am(wt, [f], true);
    out.push({ name, result: merged.ok ? '3way' : 'conflict', conflicts: merged.conflicts });
  }
  return out;
}

export async function rebaseCheck(ws: Workspace, req: { slug: string; tree?: string; refs: string[] }, progress: (line: string) => void): Promise<RefCheck[]> {
  if (req.refs.length === 0) throw new InputError('--refs: expected one or more refs, e.g. --refs v6.1,v6.6');
  const { files, paths, kt } = await seriesTree(ws, req.slug, req.tree);
  const bases: { ref: string; sha: string }[] = [];
  for (const ref of req.refs) bases.push({ ref, sha: (await resolveBase(kt, ref, '--refs')).sha });
  // Throw-away commits: a fixed committer, so that a tree without user.name works too.
  return withWorktree(kt, (bases[0] as { sha: string }).sha, { name: 'quirkctl rebase-check', email: 'quirkctl@localhost' }, paths, async (wt) => {
    const out: RefCheck[] = [];
    for (const b of bases) {
      progress(`checking ${files.length} patch${files.length === 1 ? '' : 'es'} on ${b.ref} (${b.sha.slice(0, 12)})`);
      out.push({ ...b, patches: await checkRef(wt, b.sha, files) });
    }
    return out;
  });
}
