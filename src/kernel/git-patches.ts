/**
 * Patches in and out of a worktree with git's own tools: `git format-patch` writes the
 * files of a series (byte for byte what a kernel developer's git writes), `git am`
 * applies them. Options that a user's format.* or am.* configuration could turn on
 * (threading, To/Cc headers, attachments, base-commit trailers, cover letters) are
 * turned off, so a series file always holds plain patches; the series' prefixes,
 * recipients and threading are added when it is formatted for sending.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Worktree } from './worktree.js';

const FORMAT_PATCH = [
  '-c', 'diff.noprefix=false',
  '-c', 'diff.mnemonicPrefix=false',
  'format-patch', '--no-to', '--no-cc', '--no-add-header', '--no-thread', '--no-attach', '--no-base', '--no-from', '--no-cover-letter',
  '--subject-prefix=PATCH', '--filename-max-length=64', '--quiet',
];

/** A patch file's name and its text, as git format-patch wrote them. */
export interface PatchText {
  name: string;
  text: string;
}

/** `git format-patch base..HEAD` of the worktree, as files. */
export async function formatPatches(wt: Worktree, base: string): Promise<PatchText[]> {
  const out = mkdtempSync(path.join(tmpdir(), 'quirkctl-fp-'));
  try {
    await wt.git.raw([...FORMAT_PATCH, '-o', out, `${base}..HEAD`]);
    return readdirSync(out)
      .filter((n) => n.endsWith('.patch'))
      .sort()
      .map((name) => ({ name, text: readFileSync(path.join(out, name), 'utf8') }));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export interface AmResult {
  ok: boolean;
  /** Paths left in conflict by a failed 3-way merge. */
  conflicts: string[];
  /** git's own explanation of a failure. */
  message: string;
}

/**
 * `git am` of one or more patch files; on failure the conflicting paths are read and
 * the half-applied state is aborted, so the worktree is back where it was.
 */
export async function am(wt: Worktree, files: string[], threeWay: boolean): Promise<AmResult> {
  try {
    await wt.git.raw(['am', '--quiet', threeWay ? '--3way' : '--no-3way', '--no-message-id', ...files]);
    return { ok: true, conflicts: [], message: '' };
  } catch (e) {
    const unmerged = threeWay ? await wt.git.raw(['diff', '--name-only', '--diff-filter=U']).catch(() => '') : '';
    await wt.git.raw(['am', '--abort']).catch(() => undefined);
    return { ok: false, conflicts: unmerged.split('\n').filter(Boolean), message: (e as Error).message.trim() };
  }
}
