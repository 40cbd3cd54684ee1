/**
 * The incremental index behind `quirkctl upstream`. One walk over the commit log answers
 * "which commits carry this Message-ID / this subject and author" for every patch at once,
 * and a path-limited walk gives patch-ids only for commits touching the files our patches
 * touch. Results and the last scanned commit are kept in the workspace cache, so the next
 * run walks only what is new.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeAtomic } from '../workspace/fs.js';
import { git, isAncestor, patchIds, streamRecords } from './git.js';
import { normalizeSubject } from './targets.js';

/** What is looked up in the log: `m:<message-id>` or `s:<subject>\0<author email>`. */
export type LogKey = string;

export function messageIdKey(msgid: string): LogKey {
  return `m:${msgid.replace(/^<|>$/g, '').toLowerCase()}`;
}

export function subjectKey(subject: string, email: string): LogKey {
  return `s:${normalizeSubject(subject)}\0${email.toLowerCase()}`;
}

interface IndexFile {
  version: 1;
  /** The commit the index was last brought up to. */
  tip: string;
  /** Every key ever asked for, with the commits found for it up to `tip`. */
  keys: Record<LogKey, string[]>;
  /** Per file path: patch-ids of the commits touching it, up to the path's tip. */
  paths: Record<string, { tip: string; ids: Record<string, string> }>;
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
    const file = path.join(cacheDir, 'upstream', `mainline-${createHash('sha256').update(path.resolve(repo)).digest('hex').slice(0, 16)}.json`);
    let data: IndexFile = { version: 1, tip: '', keys: {}, paths: {} };
    try {
      const read = JSON.parse(readFileSync(file, 'utf8')) as IndexFile;
      if (read.version === 1) data = read;
    } catch {
      // no index yet
    }
    return new MainlineIndex(repo, file, data);
  }

  /** Brings the index up to `head` for `keys` and `paths`; returns what it had to read. */
  async update(head: string, keys: LogKey[], paths: string[]): Promise<ScanStats> {
    const stats: ScanStats = { commitsRead: 0, fullScan: false, pathsIndexed: [] };
    const known = this.data.tip !== '' && (await isAncestor(this.repo, this.data.tip, head));
    const newKeys = keys.filter((k) => !(k in this.data.keys));
    // A key asked for the first time needs the whole history; known keys only what is new.
    if (!known || newKeys.length > 0) {
      stats.fullScan = true;
      for (const k of keys) this.data.keys[k] = [];
      stats.commitsRead += await this.scanLog(head, undefined, new Set(keys));
    } else if (this.data.tip !== head) {
      stats.commitsRead += await this.scanLog(head, this.data.tip, new Set(Object.keys(this.data.keys)));
    }
    this.data.tip = head;

    for (const p of paths) {
      const entry = this.data.paths[p];
      const fresh = entry && (entry.tip === head || (await isAncestor(this.repo, entry.tip, head)));
      if (fresh && entry.tip === head) continue;
      const range = fresh ? [`${entry.tip}..${head}`] : [head];
      const ids = await patchIds(this.repo, [...range, '--', p]);
      this.data.paths[p] = { tip: head, ids: { ...(fresh ? entry.ids : {}), ...Object.fromEntries(ids) } };
      stats.pathsIndexed.push(p);
    }
    return stats;
  }

  private async scanLog(head: string, since: string | undefined, wanted: Set<LogKey>): Promise<number> {
    let n = 0;
    const range = since ? [`${since}..${head}`] : [head];
    const format = '--format=%H%x00%ae%x00%s%x00%(trailers:key=Link,key=Message-Id,key=Message-ID,valueonly,separator=%x01)%x1e';
    await streamRecords(this.repo, ['log', '--no-merges', format, ...range], '\x1e', (rec) => {
      const r = rec.replace(/^\n/, '');
      if (!r) return;
      n++;
      const [commit, email, subject, trailers] = r.split('\0') as [string, string, string, string | undefined];
      const hit = (k: LogKey) => {
        if (wanted.has(k)) (this.data.keys[k] ??= []).push(commit);
      };
      hit(subjectKey(subject, email));
      for (const id of messageIdsIn(trailers ?? '')) hit(messageIdKey(id));
    });
    return n;
  }

  commitsFor(key: LogKey): string[] {
    return this.data.keys[key] ?? [];
  }

  /** Commits touching any of `paths` whose patch-id equals `id`. */
  commitsWithPatchId(paths: string[], id: string): string[] {
    const out = new Set<string>();
    for (const p of paths) {
      for (const [commit, pid] of Object.entries(this.data.paths[p]?.ids ?? {})) if (pid === id) out.add(commit);
    }
    return [...out];
  }

  async save(): Promise<void> {
    mkdirSync(path.dirname(this.file), { recursive: true });
    await writeAtomic(this.file, JSON.stringify(this.data));
  }
}

export async function headOf(repo: string): Promise<string> {
  return (await git(repo).revparse(['HEAD'])).trim();
}
