/** Release tags of mainline (v6.14, v6.14-rc1) and stable (v6.12.9), and which contains a commit. */
import { compareKernels } from '../kernel/version.js';
import { git, isAncestor } from './git.js';

const MAINLINE_TAG = /^v\d+\.\d+(-rc\d+)?$/;
const STABLE_TAG = /^v(\d+\.\d+)\.\d+$/;

async function tagNames(repo: string): Promise<string[]> {
  const out = await git(repo).raw(['tag', '--list', 'v*']);
  return out.split('\n').filter(Boolean);
}

/** Mainline release and -rc tags, oldest first. Each contains all before it. */
export async function mainlineTags(repo: string): Promise<string[]> {
  return (await tagNames(repo)).filter((t) => MAINLINE_TAG.test(t)).sort(compareKernels);
}

/** Stable tags by line (`6.12` -> [v6.12.1, v6.12.2, ...]), oldest first. */
export async function stableTags(repo: string): Promise<Map<string, string[]>> {
  const lines = new Map<string, string[]>();
  for (const t of await tagNames(repo)) {
    const m = STABLE_TAG.exec(t);
    if (!m) continue;
    const line = m[1] as string;
    lines.set(line, [...(lines.get(line) ?? []), t]);
  }
  for (const tags of lines.values()) tags.sort(compareKernels);
  return lines;
}

/**
 * The first of `tags` (oldest first, each containing the ones before) that contains
 * `commit`: a binary search with `git merge-base --is-ancestor`, a few graph walks
 * instead of `git tag --contains` over every tag.
 */
export async function firstTagContaining(repo: string, commit: string, tags: string[]): Promise<string | undefined> {
  if (tags.length === 0 || !(await isAncestor(repo, commit, tags[tags.length - 1] as string))) return undefined;
  let lo = 0;
  let hi = tags.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (await isAncestor(repo, commit, tags[mid] as string)) hi = mid;
    else lo = mid + 1;
  }
  return tags[lo];
}

/** `v6.14-rc1` -> `6.14`, `v6.12.9` -> `6.12.9`: the release a tag leads to. */
export function releaseOf(tag: string): string {
  return tag.replace(/^v/, '').replace(/-rc\d+$/, '');
}
