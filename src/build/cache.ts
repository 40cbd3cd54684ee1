/**
 * The user's cache for what bwrap targets run in: root file systems and the .debs they
 * were made from, under ${QUIRKCTL_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/quirkctl},
 * shared by every workspace (podman and docker keep images in their own stores); and a
 * lock so that two quirkctl processes that need the same one make it once.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.QUIRKCTL_CACHE_DIR) return path.resolve(env.QUIRKCTL_CACHE_DIR);
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'quirkctl');
}

/**
 * Runs `fn` holding the lock `file`, waiting up to `waitMs` for another process that
 * holds it (making a root file system takes minutes). A holder that died leaves a
 * lock that goes stale after a minute.
 */
export async function withFileLock<T>(file: string, what: string, waitMs: number, fn: () => Promise<T>): Promise<T> {
  mkdirSync(path.dirname(file), { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(path.dirname(file), {
      lockfilePath: file,
      realpath: false,
      stale: 60_000,
      retries: waitMs > 0 ? { retries: Math.ceil(waitMs / 500), factor: 1, minTimeout: 500, maxTimeout: 500 } : 0,
    });
  } catch (e) {
    if ((e as { code?: string }).code === 'ELOCKED') throw new Error(`${what} is busy: another quirkctl holds ${file}`);
    throw e;
  }
  try {
    return await fn();
  } finally {
    await release();
  }
}
