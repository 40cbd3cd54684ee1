/**
 * `quirkctl series build-test`: does the series compile for a target? The series is
 * applied with `git am` on its base in a temporary worktree of the kernel tree (all of
 * it: kbuild needs the whole tree), and the objects of the C files it touches are built
 * inside the target with the target's compiler (src/build/kernel-tree.ts).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { compileObjects, type CompileResult } from './kernel-tree.js';
import { buildDir, readyTarget } from './workspace-targets.js';
import type { RunnerChoice } from './targets.js';
import { am } from '../kernel/git-patches.js';
import { gitIdentity, type Base } from '../kernel/tree.js';
import { withWorktree } from '../kernel/worktree.js';
import type { Workspace } from '../workspace/workspace.js';
import { seriesBase, seriesTree } from '../series/apply.js';

export interface BuildTestRequest {
  slug: string;
  target: string;
  tree?: string;
  base?: string;
  /** Objects to build instead of those of the touched C files (drivers/pci/quirks.o). */
  objects?: string[];
  /** A .config to start from; else the tree's defaults (olddefconfig). */
  config?: string;
  jobs?: number;
  refresh?: boolean;
  runner?: RunnerChoice;
}

export interface BuildTestOutcome extends CompileResult {
  slug: string;
  target: string;
  base: Base;
}

/** The kbuild objects of the C files a series touches: drivers/pci/quirks.c -> drivers/pci/quirks.o. */
export function objectsOf(paths: string[]): string[] {
  return [...new Set(paths.filter((p) => p.endsWith('.c')).map((p) => `${p.slice(0, -2)}.o`))].sort();
}

export async function buildTestSeries(ws: Workspace, req: BuildTestRequest, progress: (line: string) => void = () => {}): Promise<BuildTestOutcome> {
  const st = await seriesTree(ws, req.slug, req.tree);
  const objects = req.objects?.length ? req.objects : objectsOf(st.paths);
  if (objects.length === 0) {
    throw new InputError(`series '${req.slug}' touches no C file (${st.paths.join(', ')}); name the objects to build with --object, e.g. --object drivers/pci/quirks.o`);
  }
  const base = await seriesBase(ws, st, req.base);
  const me = await gitIdentity(st.kt);
  const ready = await readyTarget(ws, req.target, { progress, ...(req.refresh ? { refresh: true } : {}), ...(req.runner ? { runner: req.runner } : {}) });
  const dir = path.join(buildDir(ws), req.target, `series-${req.slug}`);
  // A fresh build each time: every run compiles a new worktree, which kbuild would not match to old objects.
  rmSync(dir, { recursive: true, force: true });
  progress(`applying ${st.files.length} patch(es) on ${base.name ?? base.sha.slice(0, 12)} in a worktree of ${st.kt.root}`);
  const result = await withWorktree(st.kt, base.sha, me, 'all', async (wt) => {
    const r = await am(wt, st.files, true);
    if (!r.ok) throw new Error(`series '${req.slug}' does not apply to ${base.name ?? base.sha.slice(0, 12)}: ${r.message.split('\n')[0]}`);
    progress(`building ${objects.join(' ')} in target ${req.target} (${ready.env.runner})`);
    return compileObjects(ready, {
      tree: wt.dir,
      objects,
      buildDir: path.join(dir, 'out'),
      ...(req.config !== undefined ? { config: req.config } : {}),
      ...(req.jobs !== undefined ? { jobs: req.jobs } : {}),
      log: path.join(dir, 'build.log'),
    });
  });
  return { ...result, slug: req.slug, target: req.target, base };
}
