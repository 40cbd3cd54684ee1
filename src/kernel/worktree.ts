/**
 * A temporary `git worktree` of the user's kernel tree, on a detached HEAD: quirkctl
 * commits and runs `git am` there, so the user's checkout, branch and index are never
 * touched and no branch is created. The worktree is removed when the work ends, on
 * errors too, and on Ctrl-C.
 *
 * Only the files the work touches are checked out (a sparse checkout whose patterns live
 * in the worktree's own git directory and whose switch is a `-c` option): a full kernel
 * is some 80,000 files, 10-20 s and 1.5 GB of checkout for a one-file patch.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SimpleGit } from 'simple-git';
import type { Identity } from './commit-message.js';
import { gitConfigArgs, gitEnv, gitIn } from '../lib/git.js';
import type { KernelTree } from './tree.js';

export interface Worktree {
  dir: string;
  git: SimpleGit;
}

/** The files a patch touches, from its `diff --git` (and plain ---/+++) lines. */
export function touchedPaths(patchText: string): string[] {
  const out = new Set<string>();
  for (const m of patchText.matchAll(/^diff --git a\/(\S+) b\/(\S+)$/gm)) out.add(m[1] as string).add(m[2] as string);
  for (const m of patchText.matchAll(/^(?:---|\+\+\+) [ab]\/(\S+)$/gm)) out.add(m[1] as string);
  return [...out];
}

function removeNow(root: string, dir: string): void {
  try {
    execFileSync('git', [...gitConfigArgs(), '-C', root, 'worktree', 'remove', '--force', dir], { stdio: 'ignore', env: gitEnv() });
  } catch {
    // Already gone, or half made: remove the directory and let git forget it.
  }
  rmSync(dir, { recursive: true, force: true });
  try {
    execFileSync('git', [...gitConfigArgs(), '-C', root, 'worktree', 'prune'], { stdio: 'ignore', env: gitEnv() });
  } catch {
    // nothing more to do
  }
}

/** A gitignore-style pattern that matches exactly one path from the top. */
function exactPattern(file: string): string {
  return `/${file.replace(/[\\*?[\]!# ]/g, (c) => `\\${c}`)}`;
}

/**
 * `identity` commits (and `git am`s) in the worktree; `paths` are the files to check out
 * (patches can only be applied to files that are there), or 'all' for a whole tree that
 * kbuild can compile.
 */
export async function withWorktree<T>(tree: KernelTree, commit: string, identity: Identity, paths: string[] | 'all', fn: (wt: Worktree) => Promise<T>): Promise<T> {
  const parent = mkdtempSync(path.join(tmpdir(), 'quirkctl-wt-'));
  const dir = path.join(parent, 'tree');
  const onSignal = (signal: NodeJS.Signals) => {
    removeNow(tree.root, dir);
    rmSync(parent, { recursive: true, force: true });
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await tree.git.raw(['worktree', 'add', '--detach', '--no-checkout', '--quiet', dir, commit]);
    const sparse = paths !== 'all';
    const git = gitIn(dir, { identity, sparse });
    if (sparse) {
      const patterns = path.resolve(dir, (await git.raw(['rev-parse', '--git-path', 'info/sparse-checkout'])).trim());
      mkdirSync(path.dirname(patterns), { recursive: true });
      writeFileSync(patterns, [...new Set(paths)].map((p) => `${exactPattern(p)}\n`).join(''));
    }
    await git.raw(['read-tree', '-mu', 'HEAD']);
    return await fn({ dir, git });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    removeNow(tree.root, dir);
    rmSync(parent, { recursive: true, force: true });
  }
}
