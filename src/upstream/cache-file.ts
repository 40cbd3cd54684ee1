/** The JSON files under .quirkctl/upstream/ that make later runs cheap. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeAtomic } from '../workspace/fs.js';

/** `.quirkctl/upstream/<kind>-<hash of the clone's path>.json`, or `<kind>.json` for no clone. */
export function cacheFile(cacheDir: string, kind: string, repo?: string): string {
  const suffix = repo ? `-${createHash('sha256').update(path.resolve(repo)).digest('hex').slice(0, 16)}` : '';
  return path.join(cacheDir, 'upstream', `${kind}${suffix}.json`);
}

/** The file's data when it reads and `valid` accepts it (an index from older code does not), else `empty`. */
export function readCache<T>(file: string, empty: T, valid: (data: T) => boolean): T {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as T;
    return valid(data) ? data : empty;
  } catch {
    return empty;
  }
}

export async function writeCache(file: string, data: unknown): Promise<void> {
  await writeAtomic(file, JSON.stringify(data));
}
