/** The JSON files under .quirkctl/upstream/ that make later runs cheap. */
import { createHash } from 'node:crypto';
import path from 'node:path';

/** `.quirkctl/upstream/<kind>-<hash of the clone's path>.json`, or `<kind>.json` for no clone. */
export function cacheFile(cacheDir: string, kind: string, repo?: string): string {
  const suffix = repo ? `-${createHash('sha256').update(path.resolve(repo)).digest('hex').slice(0, 16)}` : '';
  return path.join(cacheDir, 'upstream', `${kind}${suffix}.json`);
}
