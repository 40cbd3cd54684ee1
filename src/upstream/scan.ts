/**
 * The incremental index behind `quirkctl upstream`. One walk over the commit log answers
 * "which commits carry this Message-ID / this subject and author" for every patch at once,
 * and a path-limited walk gives patch-ids only for commits touching the files our patches
 * touch. Results and the last scanned commit are kept in the workspace cache, so the next
 * run walks only what is new.
 */
import { createHash } from 'node:crypto';
import { readJsonCache, writeJsonCache } from '../workspace/fs.js';
import { cacheFile } from './cache-file.js';
import { git, isAncestor, patchIds, streamRecords } from './git.js';
import { firstTagsOf, tagsFingerprint } from './tags.js';
import { looseSubject } from './tracked.js';

/** What is looked up in the log: `m:<message-id>` or `s:<subject>\0<author email>`. */
export type LogKey = string;

export function messageIdKey(msgid: string): LogKey {
  return `m:${msgid.replace(/^<|>$/g, '').toLowerCase()}`;
}

export function subjectKey(subject: string, email: string): LogKey {
  return `s:${looseSubject(subject)}\0${email.toLowerCase()}`;
}

interface IndexFile {
  version: 1;
  /** The commit the index was last brought up to. */
  tip: string;
  /** Every key ever asked for, with the commits found for it up to `tip`. */
  keys: Record<LogKey, string[]>;
  /** File paths whose commits are in `patchIds`, each up to the commit it was indexed to. */
  paths: Record<string, string>;
  /** Patch-ids of the commits touching any indexed path. */
  patchIds: Record<string, string>;
  /** Hash of every tag's name and target when `firstTag` was computed. */
  tagsKey: string;
  /** The first release tag containing a commit; '' when none did. */
  firstTag: Record<string, string>;
}

export interface ScanStats {
  commitsRead: number;
  fullScan: boolean;
  pathsIndexed: string[];
}

/** Message-IDs in Link:/Message-Id: trailer values: lore and patch.msgid.link URLs, or <id>. */
export function messageIdsIn(trailerValues: string): string[] {
  const out: string[] = [];
  for (const raw of trailerValues.split('\x01')) {
    const v = raw.trim();
    if (!v) continue;
    const url = /^https?:\/\/(?:lore\.kernel\.org|patch\.msgid\.link|lkml\.kernel\.org)\/(?:[^\s]*\/)?([^/\s]+)\/?$/.exec(v);
    if (url) {
      let id: string;
      try {
        id = decodeURIComponent(url[1] as string);
      } catch {
        continue;
      }
      if (/^[^@\s]+@[^@\s]+$/.test(id)) out.push(id);
      continue;
    }
    const bare = /^<([^<>\s]+@[^<>\s]+)>$/.exec(v);
    if (bare) out.push(bare[1] as string);
  }
  return out;
}

export class MainlineIndex {
  private constructor(
    private readonly repo: string,
    private readonly file: string,
    private data: IndexFile,
  ) {}

  static open(repo: string, cacheDir: string): MainlineIndex {
    const file = cacheFile(cacheDir, 'mainline', repo);
    const empty: IndexFile = { version: 1, tip: '', keys: {}, paths: {}, patchIds: {}, tagsKey: '', firstTag: {} };
    return new MainlineIndex(repo, file, readJsonCache(file, empty, (d) => d.version === 1 && !!d.firstTag && !!d.patchIds));
  }

  /** Brings the index up to `head` for `keys` and `paths`; returns what it had to read. */
  async update(head: string, keys: LogKey[], paths: string[]): Promise<ScanStats> {
    // The message walk and the path walk read the same history independently: run both at once.
    const [log, pathsIndexed] = await Promise.all([this.updateKeys(head, keys), this.updatePaths(head, paths)]);
    this.data.tip = head;
    return { ...log, pathsIndexed };
  }

  private async updateKeys(head: string, keys: LogKey[]): Promise<{ commitsRead: number; fullScan: boolean }> {
    const known = this.data.tip !== '' && (await isAncestor(this.repo, this.data.tip, head));
    const newKeys = keys.filter((k) => !(k in this.data.keys));
    // A key asked for the first time needs the whole history; known keys only what is new.
    if (!known || newKeys.length > 0) {
      for (const k of keys) this.data.keys[k] = [];
      return { commitsRead: await this.scanLog(head, undefined, new Set(keys)), fullScan: true };
    }
    if (this.data.tip === head) return { commitsRead: 0, fullScan: false };
    return { commitsRead: await this.scanLog(head, this.data.tip, new Set(Object.keys(this.data.keys))), fullScan: false };
  }

  /** One path-limited walk per starting point, not per path: on a long history the walk is the cost. */
  private async updatePaths(head: string, paths: string[]): Promise<string[]> {
    const from = new Map<string, string[]>();
    for (const p of paths) {
      const tip = this.data.paths[p];
      if (tip === head) continue;
      const start = tip !== undefined && (await isAncestor(this.repo, tip, head)) ? tip : '';
      from.set(start, [...(from.get(start) ?? []), p]);
    }
    const indexed: string[] = [];
    for (const [start, group] of from) {
      const ids = await patchIds(this.repo, [start ? `${start}..${head}` : head, '--', ...group]);
      for (const [commit, id] of ids) this.data.patchIds[commit] = id;
      for (const p of group) this.data.paths[p] = head;
      indexed.push(...group);
    }
    return indexed.sort();
  }

  private async scanLog(head: string, since: string | undefined, wanted: Set<LogKey>): Promise<number> {
    let n = 0;
    const range = since ? [`${since}..${head}`] : [head];
    const format = '--format=%H%x00%ae%x00%s%x00%(trailers:key=Link,key=Message-Id,key=Message-ID,valueonly,separator=%x01)%x1e';
    // Subject keys end in the author's address: most commits are ruled out by a set lookup
    // before their subject is normalized.
    const emails = new Set([...wanted].filter((k) => k.startsWith('s:')).map((k) => k.slice(k.indexOf('\0') + 1)));
    const hit = (k: LogKey, commit: string) => {
      if (wanted.has(k)) (this.data.keys[k] ??= []).push(commit);
    };
    await streamRecords(this.repo, ['log', '--no-merges', format, ...range], '\x1e', (rec) => {
      const r = rec.charCodeAt(0) === 10 ? rec.slice(1) : rec;
      if (!r) return;
      n++;
      const [commit, email, subject, trailers] = r.split('\0') as [string, string, string, string | undefined];
      if (emails.has(email.toLowerCase())) hit(subjectKey(subject, email), commit);
      if (trailers) for (const id of messageIdsIn(trailers)) hit(messageIdKey(id), commit);
    });
    return n;
  }

  /**
   * The first of `tags` containing each commit, remembered across runs: a commit's first
   * tag changes only when tags do, and a commit in no tag yet is looked at again then.
   */
  async firstTags(commits: string[], tags: string[]): Promise<Map<string, string | undefined>> {
    const key = createHash('sha256').update(await tagsFingerprint(this.repo)).digest('hex');
    if (key !== this.data.tagsKey) {
      this.data.tagsKey = key;
      this.data.firstTag = {};
    }
    const unknown = new Set(commits.filter((c) => !(c in this.data.firstTag)));
    if (unknown.size) {
      const found = await firstTagsOf(this.repo, unknown, tags);
      for (const c of unknown) this.data.firstTag[c] = found.get(c) ?? '';
    }
    return new Map(commits.map((c) => [c, this.data.firstTag[c] || undefined]));
  }

  commitsFor(key: LogKey): string[] {
    return this.data.keys[key] ?? [];
  }

  /**
   * Indexed commits whose patch-id equals `id`. Equal patch-ids mean equal diffs, file
   * names included, so a match always touches the patch's own files.
   */
  commitsWithPatchId(id: string): string[] {
    return Object.entries(this.data.patchIds)
      .filter(([, pid]) => pid === id)
      .map(([commit]) => commit);
  }

  async save(): Promise<void> {
    await writeJsonCache(this.file, this.data);
  }
}

export async function headOf(repo: string): Promise<string> {
  return (await git(repo).revparse(['HEAD'])).trim();
}
