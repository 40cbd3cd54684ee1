/** The patches of a series as upstream detection looks for them. */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SeriesDocument } from '../series/store.js';
import { writeAtomic } from '../workspace/fs.js';
import { mailInfo, patchIdOfText } from './git.js';

export interface PatchTarget {
  /** The patch file name in patches/<slug>/. */
  file: string;
  subject: string;
  author: string;
  email: string;
  /** Message-IDs the patch was posted under, over all revisions (by position in the series). */
  messageIds: string[];
  patchId?: string;
  files: string[];
}

/** `[PATCH v2 3/5] PCI: Foo.` -> `pci: foo`: case, spacing, prefixes and a final period ignored. */
export function normalizeSubject(subject: string): string {
  return subject
    .replace(/^(\s*\[[^\]]*\]\s*)+/, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/\.$/, '')
    .trim();
}

export function filesTouched(patch: string): string[] {
  return [...new Set([...patch.matchAll(/^diff --git a\/\S+ b\/(\S+)$/gm)].map((m) => m[1] as string))].sort();
}

type Facts = Pick<PatchTarget, 'subject' | 'author' | 'email' | 'patchId'>;

/**
 * What git says of each patch file (author, subject, patch-id), remembered by content:
 * two git processes per patch are most of a warm run otherwise.
 */
export class PatchFactsCache {
  private changed = false;
  private constructor(
    private readonly file: string,
    private readonly facts: Record<string, Facts>,
  ) {}

  static open(cacheDir: string): PatchFactsCache {
    const file = path.join(cacheDir, 'upstream', 'patches.json');
    try {
      return new PatchFactsCache(file, JSON.parse(readFileSync(file, 'utf8')) as Record<string, Facts>);
    } catch {
      return new PatchFactsCache(file, {});
    }
  }

  async of(text: string): Promise<Facts> {
    const key = createHash('sha256').update(text).digest('hex');
    const known = this.facts[key];
    if (known) return known;
    const [info, patchId] = await Promise.all([mailInfo(text), patchIdOfText(text)]);
    const facts: Facts = { subject: info.subject, author: info.author, email: info.email, ...(patchId ? { patchId } : {}) };
    this.facts[key] = facts;
    this.changed = true;
    return facts;
  }

  async save(): Promise<void> {
    if (!this.changed) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    await writeAtomic(this.file, JSON.stringify(this.facts));
  }
}

export async function patchTargets(doc: SeriesDocument, patches: { name: string; text: string }[], cache: PatchFactsCache): Promise<PatchTarget[]> {
  const history = doc.data.history ?? [];
  return Promise.all(
    patches.map(async ({ name, text }, i) => ({
      file: name,
      ...(await cache.of(text)),
      messageIds: history.map((h) => h.patches[i]).filter((m): m is string => m !== undefined),
      files: filesTouched(text),
    })),
  );
}
