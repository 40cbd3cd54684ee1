/** Release tags of mainline (v6.14, v6.14-rc1) and stable (v6.12.9), and which contains a commit. */
import { compareKernels } from '../kernel/version.js';
import { git, isAncestor, streamRecords } from './git.js';

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

/**
 * The first tag containing each of `commits`, for tags that form a chain (mainline: each
 * release and -rc contains the ones before). Walks each range prev..tag once, so the cost
 * is one walk over the tagged history however many commits are asked about, and needs no
 * commit-graph.
 */
export async function firstTagsOf(repo: string, commits: Set<string>, tags: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let i = 0; i < tags.length && found.size < commits.size; i++) {
    const tag = tags[i] as string;
    const range = i === 0 ? [tag] : [`${tags[i - 1]}..${tag}`];
    await streamRecords(repo, ['rev-list', ...range], '\n', (commit) => {
      if (commits.has(commit) && !found.has(commit)) found.set(commit, tag);
    });
  }
  return found;
}

/** Names and targets of every tag: when this changes, tag answers must be recomputed. */
export async function tagsFingerprint(repo: string): Promise<string> {
  return (await git(repo).raw(['for-each-ref', '--format=%(refname) %(objectname)', 'refs/tags'])).trim();
}
