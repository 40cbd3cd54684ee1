/**
 * The exact cover diffstat, from git itself: when the kernel tree holding the series'
 * base commit is at hand, the patches are applied to a throwaway index (the user's
 * checkout, index and branches are not touched) and git prints the net diffstat, as
 * `git format-patch --cover-letter` does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gitIn } from '../lib/git.js';

/** The diffstat and summary lines, or undefined when the tree lacks the base or a patch does not apply. */
export async function gitDiffstat(tree: string, base: string, patchFiles: string[]): Promise<string | undefined> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'quirkctl-index-'));
  try {
    const git = gitIn(tree, { env: { GIT_INDEX_FILE: path.join(tmp, 'index') } });
    try {
      await git.raw(['cat-file', '-e', `${base}^{commit}`]);
      await git.raw(['read-tree', base]);
      for (const f of patchFiles) await git.raw(['apply', '--cached', f]);
    } catch (e) {
      if (process.env.QUIRKCTL_DEBUG) process.stderr.write(`${(e as Error).message}\n`);
      return undefined;
    }
    const result = (await git.raw(['write-tree'])).trim();
    return await git.raw(['diff', '--no-color', '--stat=72', '--summary', base, result]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
