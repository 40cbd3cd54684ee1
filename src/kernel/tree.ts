/**
 * The user's kernel tree, through simple-git: found from --tree or kernel.tree in
 * quirkctl.yaml, its base commit resolved, files read at that commit. Nothing here
 * writes to the tree; changes happen in a temporary worktree (worktree.ts).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { SimpleGit } from 'simple-git';
import { gitIn } from '../lib/git.js';
import { InputError } from '../errors.js';
import { configPath, type Workspace } from '../workspace/workspace.js';
import type { Identity } from './commit-message.js';

export interface KernelTree {
  /** Top of the work tree. */
  root: string;
  git: SimpleGit;
  /** How the user named it, for messages. */
  label: string;
}

export interface Base {
  sha: string;
  /** A ref name for people (v6.1.192, master), when there is one. */
  name?: string;
}

/** --tree, else kernel.tree from quirkctl.yaml; refuses when neither names a directory. */
export function treePath(ws: Workspace, option?: string): { dir: string; label: string } {
  if (option !== undefined) return { dir: path.resolve(option), label: `--tree '${option}'` };
  const fromConfig = configPath(ws, ws.config.kernel?.tree);
  if (fromConfig === undefined) throw new InputError("no kernel tree: pass --tree PATH or set kernel.tree in quirkctl.yaml to a git clone of the kernel");
  return { dir: fromConfig, label: `kernel.tree '${ws.config.kernel?.tree}' (quirkctl.yaml)` };
}

export async function openKernelTree(dir: string, label: string): Promise<KernelTree> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`${label}: no such directory`);
  const git = gitIn(dir);
  let root: string;
  try {
    root = (await git.revparse(['--show-toplevel'])).trim();
  } catch {
    throw new InputError(`${label}: not a git work tree; expected a git clone of the Linux kernel`);
  }
  return { root, git: root === dir ? git : gitIn(root), label };
}

/** The commit `ref` names (default: kernel.base, else HEAD), with a name for it. */
export async function resolveBase(tree: KernelTree, ref: string | undefined, what = '--base'): Promise<Base> {
  const want = ref ?? 'HEAD';
  let sha: string;
  try {
    sha = (await tree.git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${want}^{commit}`])).trim();
  } catch {
    sha = '';
  }
  if (!/^[0-9a-f]{40}$/.test(sha)) {
    if (ref === undefined) throw new InputError(`${tree.label}: has no commits`);
    throw new InputError(`${what} '${ref}': no such commit in ${tree.root}`);
  }
  if (ref !== undefined && ref !== 'HEAD') return { sha, name: ref };
  // HEAD: the tag it sits on says more than a branch name.
  const tag = await tree.git.raw(['describe', '--tags', '--exact-match', sha]).catch(() => '');
  if (tag.trim()) return { sha, name: tag.trim() };
  const branch = await tree.git.raw(['symbolic-ref', '--short', '-q', 'HEAD']).catch(() => '');
  return branch.trim() ? { sha, name: branch.trim() } : { sha };
}

/** A file at a commit; undefined when the commit has no such file. */
export async function readAt(tree: KernelTree, sha: string, file: string): Promise<string | undefined> {
  try {
    return await tree.git.show([`${sha}:${file}`]);
  } catch {
    return undefined;
  }
}

/**
 * The checked-out commit is only a safe base when it is what the user sees: with
 * uncommitted changes to tracked files, a patch made against HEAD would not be made
 * against the code in front of them.
 */
export async function refuseDirtyBase(tree: KernelTree, base: Base): Promise<void> {
  const head = (await tree.git.revparse(['HEAD']).catch(() => '')).trim();
  if (head !== base.sha) return;
  const status = await tree.git.raw(['status', '--porcelain', '--untracked-files=no']);
  // Porcelain lines are "XY path": two status letters (either may be a space), a space.
  const changed = status.split('\n').filter(Boolean).map((l) => l.slice(3));
  if (changed.length === 0) return;
  const shown = changed.slice(0, 5).join(', ') + (changed.length > 5 ? ', ...' : '');
  throw new InputError(`${tree.label}: the base ${base.name ?? base.sha.slice(0, 12)} is checked out with uncommitted changes (${shown}); commit or stash them, or name another base with --base`);
}

/** user.name and user.email as git would use them for a commit in the tree. */
export async function gitIdentity(tree: KernelTree): Promise<Identity> {
  const get = async (key: string, env: string) => process.env[env] ?? (await tree.git.raw(['config', '--get', key]).catch(() => '')).trim();
  const name = await get('user.name', 'GIT_AUTHOR_NAME');
  const email = await get('user.email', 'GIT_AUTHOR_EMAIL');
  if (!name || !email) {
    throw new InputError(
      `no git identity for ${tree.root}: ${!name ? 'user.name' : 'user.email'} is not set; the commit's author and Signed-off-by come from it (git config --global user.name 'Your Name'; git config --global user.email you@example.org)`,
    );
  }
  if (/[<>\n]/.test(name) || !/^[^\s<>@]+@[^\s<>@]+$/.test(email)) {
    throw new InputError(`git identity '${name} <${email}>' of ${tree.root} is not a name and a mail address`);
  }
  return { name, email };
}
