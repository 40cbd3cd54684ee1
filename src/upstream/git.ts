/**
 * The git plumbing upstream detection runs. Small questions go through simple-git; the
 * walks over a whole history stream through execa, because a mainline log does not fit
 * in a string.
 */
import type { SimpleGit } from 'simple-git';
import { gitIn, gitProcess } from '../lib/git.js';

export function git(repo: string): SimpleGit {
  return gitIn(repo, { maxConcurrentProcesses: 4 });
}

/**
 * Runs git and calls `onRecord` for each record of its output, records being separated by
 * `sep`. Memory stays flat however long the history is.
 */
export async function streamRecords(repo: string, args: string[], sep: string, onRecord: (record: string) => void, input?: string): Promise<void> {
  const child = gitProcess(args, { cwd: repo, buffer: false, stdin: input === undefined ? 'ignore' : 'pipe', stderr: 'pipe', encoding: 'utf8' });
  if (input !== undefined) {
    child.stdin?.end(input);
  }
  let rest = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    rest += chunk;
    let i = rest.indexOf(sep);
    while (i >= 0) {
      onRecord(rest.slice(0, i));
      rest = rest.slice(i + sep.length);
      i = rest.indexOf(sep);
    }
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await child;
  } catch (e) {
    throw new Error(`git ${args[0]} in ${repo} failed: ${stderr.trim() || (e as Error).message}`);
  }
  if (rest.length) onRecord(rest);
}

/** `git log -p --full-diff ... | git patch-id --stable`: the patch-id of every listed commit. */
export async function patchIds(repo: string, logArgs: string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const log = gitProcess(['log', '--no-merges', '-p', '--full-diff', '--format=commit %H', ...logArgs], { cwd: repo, buffer: false, stdin: 'ignore' });
  const pid = gitProcess(['patch-id', '--stable'], { cwd: repo, stdin: 'pipe', lines: true });
  log.stdout?.pipe(pid.stdin!);
  const [, out] = await Promise.all([log, pid]);
  for (const line of out.stdout as unknown as string[]) {
    const [id, commit] = line.split(' ');
    if (id && commit) ids.set(commit, id);
  }
  return ids;
}

/** The stable patch-id of a patch file's diff (git patch-id reads mail text too). */
export async function patchIdOfText(text: string): Promise<string | undefined> {
  const r = await gitProcess(['patch-id', '--stable'], { input: text });
  return r.stdout.split(' ')[0] || undefined;
}

export interface MailInfo {
  author: string;
  email: string;
  subject: string;
}

/** Author and subject of a patch mail, decoded the way `git am` decodes them. */
export async function mailInfo(text: string): Promise<MailInfo> {
  const r = await gitProcess(['mailinfo', '/dev/null', '/dev/null'], { input: text });
  const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(r.stdout)?.[1]?.trim() ?? '';
  return { author: field('Author'), email: field('Email').toLowerCase(), subject: field('Subject') };
}

export async function isAncestor(repo: string, commit: string, ref: string): Promise<boolean> {
  const r = await gitProcess(['merge-base', '--is-ancestor', commit, ref], { cwd: repo, reject: false });
  if (r.exitCode === 0) return true;
  if (r.exitCode === 1) return false;
  throw new Error(`git merge-base --is-ancestor ${commit} ${ref} in ${repo}: ${r.stderr.trim()}`);
}
