import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openKernelTree, resolveBase } from '../../src/kernel/tree.js';
import { touchedPaths, withWorktree } from '../../src/kernel/worktree.js';
import { tempDir } from '../helpers/cli.js';

const me = { name: 'Jane Developer', email: 'jane@example.org' };

function repo(): string {
  const dir = path.join(tempDir(), 'r');
  execFileSync('git', ['init', '--quiet', '-b', 'master', dir]);
  writeFileSync(path.join(dir, 'f'), 'a\n');
  mkdirSync(path.join(dir, 'sub'));
  writeFileSync(path.join(dir, 'sub', 'g'), 'g\n');
  const env = { ...process.env, GIT_AUTHOR_NAME: 'A', GIT_AUTHOR_EMAIL: 'a@example.org', GIT_COMMITTER_NAME: 'A', GIT_COMMITTER_EMAIL: 'a@example.org' };
  execFileSync('git', ['-C', dir, 'add', 'f', 'sub/g'], { env });
  execFileSync('git', ['-C', dir, 'commit', '--quiet', '-m', 'one'], { env });
  execFileSync('git', ['-C', dir, 'tag', 'v1'], { env });
  return dir;
}

const worktrees = (dir: string) => execFileSync('git', ['-C', dir, 'worktree', 'list', '--porcelain'], { encoding: 'utf8' });

describe('temporary worktrees', () => {
  it('knows which files a patch touches', () => {
    expect(touchedPaths('diff --git a/x/y.c b/x/y.c\n--- a/x/y.c\n+++ b/x/y.c\ndiff --git a/old b/new\nrename from old\n')).toEqual(['x/y.c', 'old', 'new']);
  });

  it('checks out only the files asked for, commits on a detached HEAD, and leaves no worktree or branch behind', async () => {
    const dir = repo();
    const before = worktrees(dir) + execFileSync('git', ['-C', dir, 'branch'], { encoding: 'utf8' });
    const tree = await openKernelTree(dir, '--tree');
    const base = await resolveBase(tree, undefined);
    expect(base.name).toBe('v1');
    let seen = '';
    const sha = await withWorktree(tree, base.sha, me, ['f'], async (wt) => {
      seen = wt.dir;
      expect(existsSync(path.join(wt.dir, 'sub'))).toBe(false);
      expect(await wt.git.raw(['status', '--porcelain'])).toBe('');
      writeFileSync(path.join(wt.dir, 'f'), 'b\n');
      await wt.git.add(['f']);
      await wt.git.raw(['commit', '--quiet', '-m', 'two']);
      return (await wt.git.revparse(['HEAD'])).trim();
    });
    expect(execFileSync('git', ['-C', dir, 'log', '-1', '--format=%cn <%ce>', sha], { encoding: 'utf8' })).toBe('Jane Developer <jane@example.org>\n');
    // The commit is of the whole tree: what was not checked out is still in it.
    expect(execFileSync('git', ['-C', dir, 'diff', '--name-status', 'v1', sha], { encoding: 'utf8' })).toBe('M\tf\n');
    expect(existsSync(seen)).toBe(false);
    expect(worktrees(dir) + execFileSync('git', ['-C', dir, 'branch'], { encoding: 'utf8' })).toBe(before);
  });

  it('removes the worktree when the work fails', async () => {
    const dir = repo();
    const before = worktrees(dir);
    const tree = await openKernelTree(dir, '--tree');
    let seen = '';
    await expect(
      withWorktree(tree, (await resolveBase(tree, 'v1')).sha, me, ['f'], async (wt) => {
        seen = wt.dir;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(seen).not.toBe('');
    expect(existsSync(seen)).toBe(false);
    expect(worktrees(dir)).toBe(before);
  });

  it('names a base by tag, branch or what the user typed; refuses one that does not exist', async () => {
    const dir = repo();
    const tree = await openKernelTree(dir, '--tree');
    expect(await resolveBase(tree, 'master')).toMatchObject({ name: 'master' });
    await expect(resolveBase(tree, 'nope')).rejects.toThrow(/--base 'nope': no such commit in /);
    await expect(resolveBase(tree, '--output=x')).rejects.toThrow(/--base '--output=x': no such commit/);
    await expect(openKernelTree(path.join(dir, 'missing'), '--tree x')).rejects.toThrow(/--tree x: no such directory/);
  });
});
