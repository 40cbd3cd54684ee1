/**
 * A temporary `git worktree` of the user's kernel tree, on a detached HEAD: quirkctl
 * commits and runs `git am` there, so the user's checkout, branch and index are never
 * touched and no branch is created. The worktree is removed when the work ends, on
 * errors too, and on Ctrl-C.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SimpleGit } from 'simple-git';
import type { Identity } from './commit-message.js';
import { gitAt, type KernelTree } from './tree.js';

export interface Worktree {
  dir: string;
  git: SimpleGit;
}

function removeNow(root: string, dir: string): void {
  try {
    execFileSync('git', ['-C', root, 'worktree', 'remove', '--force', dir], { stdio: 'ignore' });
  } catch {
    // Already gone, or half made: remove the directory and let git forget it.
  }
  rmSync(dir, { recursive: true, force: true });
  try {
    execFileSync('git', ['-C', root, 'worktree', 'prune'], { stdio: 'ignore' });
  } catch {
    // nothing more to do
  }
}

/** `identity` commits (and `git am`s) in the worktree; the user's own when it is kept. */
export async function withWorktree<T>(tree: KernelTree, commit: string, identity: Identity, fn: (wt: Worktree) => Promise<T>): Promise<T> {
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
    await tree.git.raw(['worktree', 'add', '--detach', '--quiet', dir, commit]);
    return await fn({ dir, git: gitAt(dir, identity) });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    removeNow(tree.root, dir);
    rmSync(parent, { recursive: true, force: true });
  }
}
