import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openKernelTree, resolveBase } from '../../src/kernel/tree.js';
import { withWorktree } from '../../src/kernel/worktree.js';
import { tempDir } from '../helpers/cli.js';

const me = { name: 'Jane Developer', email: 'jane@example.org' };

function repo(): string {
  const dir = path.join(tempDir(), 'r');
  execFileSync('git', ['init', '--quiet', '-b', 'master', dir]);
  writeFileSync(path.join(dir, 'f'), 'a\n');
  const env = { ...process.env, GIT_AUTHOR_NAME: 'A', GIT_AUTHOR_EMAIL: 'a@example.org', GIT_COMMITTER_NAME: 'A', GIT_COMMITTER_EMAIL: 'a@example.org' };
  execFileSync('git', ['-C', dir, 'add', 'f'], { env });
  execFileSync('git', ['-C', dir, 'commit', '--quiet', '-m', 'one'], { env });
  execFileSync('git', ['-C', dir, 'tag', 'v1'], { env });
  return dir;
}

const worktrees = (dir: string) => execFileSync('git', ['-C', dir, 'worktree', 'list', '--porcelain'], { encoding: 'utf8' });

describe('temporary worktrees', () => {
  it('commits on a detached HEAD and leaves no worktree or branch behind', async () => {
    const dir = repo();
    const before = worktrees(dir) + execFileSync('git', ['-C', dir, 'branch'], { encoding: 'utf8' });
    const tree = await openKernelTree(dir, '--tree');
    const base = await resolveBase(tree, undefined);
    expect(base.name).toBe('v1');
    let seen = '';
    const sha = await withWorktree(tree, base.sha, me, async (wt) => {
      seen = wt.dir;
      writeFileSync(path.join(wt.dir, 'f'), 'b\n');
      await wt.git.add(['f']);
      await wt.git.raw(['commit', '--quiet', '-m', 'two']);
      return (await wt.git.revparse(['HEAD'])).trim();
    });
    expect(execFileSync('git', ['-C', dir, 'log', '-1', '--format=%cn <%ce>', sha], { encoding: 'utf8' })).toBe('Jane Developer <jane@example.org>\n');
    expect(existsSync(seen)).toBe(false);
    expect(worktrees(dir) + execFileSync('git', ['-C', dir, 'branch'], { encoding: 'utf8' })).toBe(before);
  });

  it('removes the worktree when the work fails', async () => {
    const dir = repo();
    const before = worktrees(dir);
    const tree = await openKernelTree(dir, '--tree');
    let seen = '';
    await expect(
      withWorktree(tree, (await resolveBase(tree, 'v1')).sha, me, async (wt) => {
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
