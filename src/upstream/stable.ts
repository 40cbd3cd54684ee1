/**
 * Backports in a stable clone: commits whose message says `commit <sha> upstream.` or
 * `[ Upstream commit <sha> ]`, as the stable maintainers' tools write them. Indexed for the
 * upstream commits asked about, and extended from the branch tips seen last time.
 */
import { readJsonCache, writeJsonCache } from '../workspace/fs.js';
import { cacheFile } from './cache-file.js';
import { git, streamRecords } from './git.js';

const UPSTREAM_LINE = /^(?:commit ([0-9a-f]{40}) upstream\.?|\[ ?Upstream commit ([0-9a-f]{40}) ?\])\s*$/gim;

/** The upstream commits a stable commit message names. */
export function upstreamCommitsIn(message: string): string[] {
  return [...message.matchAll(UPSTREAM_LINE)].map((m) => (m[1] ?? m[2]) as string);
}

interface StableIndexFile {
  version: 1;
  /** Tips of every ref when last scanned: the next scan starts where these end. */
  tips: string[];
  /** Upstream commit -> the stable commits that backport it. */
  backports: Record<string, string[]>;
}

export class StableIndex {
  private constructor(
    private readonly repo: string,
    private readonly file: string,
    private data: StableIndexFile,
  ) {}

  static open(repo: string, cacheDir: string): StableIndex {
    const file = cacheFile(cacheDir, 'stable', repo);
    const empty: StableIndexFile = { version: 1, tips: [], backports: {} };
    return new StableIndex(repo, file, readJsonCache(file, empty, (d) => d.version === 1));
  }

  /** Finds the backports of `upstream` commits; only new history when all were asked before. */
  async update(upstream: string[]): Promise<number> {
    const tips = (await git(this.repo).raw(['for-each-ref', '--format=%(objectname)', 'refs/heads', 'refs/remotes', 'refs/tags']))
      .split('\n')
      .filter(Boolean)
      .sort();
    const fresh = upstream.filter((c) => !(c in this.data.backports));
    const since = fresh.length === 0 ? this.data.tips : [];
    for (const c of fresh) this.data.backports[c] = [];
    const wanted = new Set(Object.keys(this.data.backports));
    let n = 0;
    // --stdin takes the revisions: a stable clone has thousands of tags, too many for argv.
    const revs = [...new Set(tips), ...since.map((t) => `^${t}`)].join('\n') + '\n';
    await streamRecords(
      this.repo,
      ['log', '--no-merges', '--stdin', '-E', '--grep=^(commit [0-9a-f]{40} upstream|\\[ ?Upstream commit [0-9a-f]{40})', '--format=%H%x00%B%x1e'],
      '\x1e',
      (rec) => {
        const r = rec.replace(/^\n/, '');
        if (!r) return;
        n++;
        const [commit, message] = r.split('\0') as [string, string];
        for (const up of upstreamCommitsIn(message ?? '')) {
          const list = this.data.backports[up];
          if (wanted.has(up) && list && !list.includes(commit)) list.push(commit);
        }
      },
      revs,
    );
    this.data.tips = tips;
    return n;
  }

  backportsOf(upstream: string): string[] {
    return this.data.backports[upstream] ?? [];
  }

  async save(): Promise<void> {
    await writeJsonCache(this.file, this.data);
  }
}
