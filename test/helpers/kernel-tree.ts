/**
 * The real kernel tree of the kernel-patch tests: a git repository built from Debian's
 * linux-source-6.1 tarball by scripts/make-kernel-tree.sh, once, and cached under
 * ${XDG_CACHE_HOME:-~/.cache}/quirkctl-test/ (the script holds a lock, so test files
 * that ask at the same time wait for one build). Tests work on clones of it, never on
 * the cache itself.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { REPO, tempDir } from './cli.js';
import { realComponent } from './real.js';

export const TARBALL = process.env.KERNEL_TARBALL ?? '/usr/src/linux-source-6.1.tar.xz';

/** True when the tarball is there; under CI=true its absence fails the run. */
export const hasKernelSource = realComponent('linux-source-6.1 (/usr/src/linux-source-6.1.tar.xz)', existsSync(TARBALL));

let cached: string | undefined;

/** The cached tree, built on first use. */
export function kernelTreeCache(): string {
  cached ??= execFileSync('bash', [path.join(REPO, 'scripts', 'make-kernel-tree.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  return cached;
}

const scratch: string[] = [];

/** A temporary directory removed by removeScratch(): kernel clones and builds are big. */
export function scratchDir(prefix: string): string {
  const dir = tempDir(prefix);
  scratch.push(dir);
  return dir;
}

export function removeScratch(): void {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A clone of the cached tree that a test may change: the user's checkout, as it were. */
export function cloneKernelTree(): string {
  const dir = path.join(scratchDir('quirkctl-linux-'), 'linux');
  execFileSync('git', ['clone', '--quiet', kernelTreeCache(), dir]);
  return dir;
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'Test Maintainer', GIT_AUTHOR_EMAIL: 'maint@example.org', GIT_COMMITTER_NAME: 'Test Maintainer', GIT_COMMITTER_EMAIL: 'maint@example.org' } });
}

/** The tag of the cached tree: v6.1.<SUBLEVEL> from its Makefile. */
export function treeTag(dir: string): string {
  return git(dir, 'describe', '--tags', '--exact-match', 'HEAD').trim();
}
