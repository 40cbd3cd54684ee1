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

/** What preparing targets in one run shares: where the cache is, and what was made in it. */
export interface PrepareContext {
  cacheDir: string;
  templatesDir: string;
  /** Make images and root file systems again, once per run. */
  refresh: boolean;
  /** Images and root file systems made or found in this run, by recipe: each is dealt with once. */
  once: Map<string, Promise<string>>;
  /** The log of this target's preparation. */
  log: string;
  progress: (message: string) => void;
}

/** The first caller for `key` in this run does `make`; the others share its result. */
export function once(ctx: Pick<PrepareContext, 'once'>, key: string, make: () => Promise<string>): Promise<string> {
  let p = ctx.once.get(key);
  if (!p) {
    p = make();
    ctx.once.set(key, p);
  }
  return p;
}
