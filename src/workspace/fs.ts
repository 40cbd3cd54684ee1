/**
 * Writing to the workspace: every file is written to a temporary name and renamed into
 * place, so a crash or a concurrent reader never sees half a file; and commands that
 * read-modify-write the database hold one workspace lock while they do.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import writeFileAtomic from 'write-file-atomic';
import { CONFIG_FILE, type Workspace } from './workspace.js';

export async function writeAtomic(file: string, content: string | Buffer, mode?: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, content, mode === undefined ? { fsync: true } : { fsync: true, mode });
}

/**
 * Runs `fn` while holding the workspace lock. Waits for other quirkctl processes
 * (up to ~30 s) instead of failing, because parallel `add`s are a normal thing to do.
 */
export async function withWorkspaceLock<T>(ws: Workspace, fn: () => Promise<T>): Promise<T> {
  mkdirSync(ws.stateDir, { recursive: true });
  const release = await lockfile.lock(path.join(ws.root, CONFIG_FILE), {
    lockfilePath: path.join(ws.stateDir, 'lock'),
    stale: 15_000,
    retries: { retries: 200, factor: 1.1, minTimeout: 10, maxTimeout: 200 },
  });
  try {
    return await fn();
  } finally {
    await release();
  }
}

/**
 * Puts a directory made aside (`made`, on the same file system) in place of `dest`: the
 * old one is renamed out of the way first and removed only once the new one is there,
 * so a crash leaves one whole directory or the other, never a mix.
 */
export function replaceDir(made: string, dest: string): void {
  if (!existsSync(dest)) {
    renameSync(made, dest);
    return;
  }
  const old = `${made}.old`;
  rmSync(old, { recursive: true, force: true });
  renameSync(dest, old);
  renameSync(made, dest);
  rmSync(old, { recursive: true, force: true });
}

/**
 * A JSON file of the workspace's cache (.quirkctl/): its data when it reads and `valid`
 * accepts it (one written by older code may not), else `empty`. A cache that cannot be
 * read is one that is not there yet.
 */
export function readJsonCache<T>(file: string, empty: T, valid: (data: T) => boolean = () => true): T {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as T;
    return valid(data) ? data : empty;
  } catch {
    return empty;
  }
}

export async function writeJsonCache(file: string, data: unknown): Promise<void> {
  await writeAtomic(file, JSON.stringify(data));
}
