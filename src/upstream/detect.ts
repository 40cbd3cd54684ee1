/**
 * Where did each patch land? For every patch of every series: its mainline commit (by
 * Message-ID in Link: trailers, then by patch-id, then by subject and author, the last
 * marked fuzzy), the first release tag that contains it, and its stable backports with
 * their first stable tags.
 */
import { existsSync } from 'node:fs';
import { InputError } from '../errors.js';
import { compareKernels } from '../kernel/version.js';
import { git } from './git.js';
import { headOf, MainlineIndex, messageIdKey, subjectKey, type ScanStats } from './scan.js';
import { StableIndex } from './stable.js';
import { firstTagContaining, mainlineTags, releaseOf, stableTags } from './tags.js';
import type { TrackedPatch } from './tracked.js';

export type MatchHow = 'message-id' | 'patch-id' | 'subject';

export interface Landed {
  commit: string;
  tag?: string;
  release?: string;
}

export interface PatchStatus {
  file: string;
  subject: string;
  mainline?: Landed & { how: MatchHow; fuzzy: boolean };
  stable: (Landed & { line: string })[];
}

export interface SeriesTargets {
  slug: string;
  patches: TrackedPatch[];
}

export interface SeriesStatus {
  slug: string;
  patches: PatchStatus[];
  /** Set when every patch is in a mainline release: the latest of their first releases. */
  merged?: { release: string; tag: string; fuzzy: boolean };
  /** Per stable line where every patch was backported: the first release carrying all. */
  stable: string[];
}

export interface DetectStats {
  mainline: ScanStats;
  stableCommitsRead: number;
}

/** Refuses, with exit 2, a path that cannot answer: missing, not git, shallow, no release tags. */
export async function checkRepo(repo: string, what: string): Promise<string[]> {
  if (!existsSync(repo)) throw new InputError(`${what} '${repo}': no such directory`);
  const g = git(repo);
  let top: string;
  try {
    top = (await g.revparse(['--show-toplevel'])).trim();
  } catch {
    throw new InputError(`${what} '${repo}': not a git repository; expected a clone of ${what === '--stable' ? 'linux-stable' : 'the mainline kernel'}`);
  }
  if ((await g.revparse(['--is-shallow-repository'])).trim() === 'true') {
    throw new InputError(`${what} '${top}': a shallow clone cannot tell where commits landed; run 'git fetch --unshallow --tags' in it`);
  }
  const tags = await mainlineTags(repo);
  if (tags.length === 0) {
    throw new InputError(`${what} '${top}': no release tags (v6.1, v6.2-rc1, ...); run 'git fetch --tags' in it`);
  }
  return tags;
}

/** Of several candidate commits, the one that reached a release first. */
function earliest(commits: string[], firstTag: Map<string, string | undefined>, tags: string[]): Landed | undefined {
  let best: Landed | undefined;
  let bestIndex = Infinity;
  for (const commit of [...new Set(commits)].sort()) {
    const tag = firstTag.get(commit);
    const i = tag === undefined ? tags.length : tags.indexOf(tag);
    if (i < bestIndex) {
      bestIndex = i;
      best = tag ? { commit, tag, release: releaseOf(tag) } : { commit };
    }
  }
  return best;
}

export async function detect(
  opts: { mainline: string; stable?: string; cacheDir: string; series: SeriesTargets[] },
  progress: (line: string) => void = () => {},
): Promise<{ results: SeriesStatus[]; stats: DetectStats }> {
  const tags = await checkRepo(opts.mainline, '--mainline');
  if (opts.stable) await checkRepo(opts.stable, '--stable');

  const all = opts.series.flatMap((s) => s.patches);
  const keys = all.flatMap((p) => [...p.messageIds.map(messageIdKey), subjectKey(p.subject, p.email)]);
  const paths = [...new Set(all.flatMap((p) => p.files))].sort();

  progress(`indexing ${opts.mainline} (${all.length} patches, ${paths.length} paths)`);
  const index = MainlineIndex.open(opts.mainline, opts.cacheDir);
  const mainlineStats = await index.update(await headOf(opts.mainline), keys, paths);

  const candidates = all.map((p): [MatchHow, string[]] => {
    const byId = p.messageIds.flatMap((m) => index.commitsFor(messageIdKey(m)));
    if (byId.length) return ['message-id', byId];
    const byPatchId = p.patchId ? index.commitsWithPatchId(p.patchId) : [];
    if (byPatchId.length) return ['patch-id', byPatchId];
    return ['subject', index.commitsFor(subjectKey(p.subject, p.email))];
  });
  const firstTag = await index.firstTags([...new Set(candidates.flatMap(([, c]) => c))], tags);
  const found = new Map<TrackedPatch, PatchStatus>();
  all.forEach((p, i) => {
    const [how, commits] = candidates[i] as [MatchHow, string[]];
    const status: PatchStatus = { file: p.file, subject: p.subject, stable: [] };
    const landed = earliest(commits, firstTag, tags);
    if (landed) status.mainline = { ...landed, how, fuzzy: how === 'subject' };
    found.set(p, status);
  });

  let stableCommitsRead = 0;
  if (opts.stable) {
    progress(`indexing backports in ${opts.stable}`);
    const stableIndex = StableIndex.open(opts.stable, opts.cacheDir);
    const upstream = [...found.values()].flatMap((s) => (s.mainline ? [s.mainline.commit] : []));
    stableCommitsRead = await stableIndex.update(upstream);
    const lines = await stableTags(opts.stable);
    for (const status of found.values()) {
      if (!status.mainline) continue;
      for (const commit of stableIndex.backportsOf(status.mainline.commit)) {
        for (const [line, lineTags] of lines) {
          const tag = await firstTagContaining(opts.stable, commit, lineTags);
          if (tag) status.stable.push({ line, commit, tag, release: releaseOf(tag) });
        }
      }
      status.stable.sort((a, b) => compareKernels(a.line, b.line));
    }
    await stableIndex.save();
  }
  await index.save();

  const results = opts.series.map((s) => summarize(s.slug, s.patches.map((p) => found.get(p) as PatchStatus)));
  return { results, stats: { mainline: mainlineStats, stableCommitsRead } };
}

/** A series is merged in the release that has all its patches; likewise per stable line. */
export function summarize(slug: string, patches: PatchStatus[]): SeriesStatus {
  const out: SeriesStatus = { slug, patches, stable: [] };
  if (patches.length && patches.every((p) => p.mainline?.tag)) {
    const tags = patches.map((p) => p.mainline?.tag as string).sort(compareKernels);
    const tag = tags[tags.length - 1] as string;
    out.merged = { release: releaseOf(tag), tag, fuzzy: patches.some((p) => p.mainline?.fuzzy) };
  }
  const lines = new Set(patches.flatMap((p) => p.stable.map((s) => s.line)));
  for (const line of [...lines].sort(compareKernels)) {
    const releases = patches.map((p) => p.stable.filter((s) => s.line === line && s.release).map((s) => s.release as string).sort(compareKernels)[0]);
    if (releases.every((r) => r !== undefined)) out.stable.push((releases as string[]).sort(compareKernels).pop() as string);
  }
  // A backport into a line that mainline already covers says nothing new.
  if (out.merged) out.stable = out.stable.filter((r) => compareKernels(r, out.merged?.release as string) < 0);
  return out;
}
