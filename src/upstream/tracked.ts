/** The patches of a series as upstream detection looks for them. */
import { createHash } from 'node:crypto';
import type { SeriesDocument } from '../series/store.js';
import { readJsonCache, writeJsonCache } from '../workspace/fs.js';
import { cacheFile } from './cache-file.js';
import { subjectSummary } from '../mail/subject.js';
import { mailInfo, patchIdOfText } from './git.js';

export interface TrackedPatch {
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

/** `[PATCH v2 3/5] PCI: Foo.` -> `pci: foo`: maintainers fix case and punctuation when applying. */
export function looseSubject(subject: string): string {
  return subjectSummary(subject).toLowerCase().replace(/\.$/, '');
}

export function filesTouched(patch: string): string[] {
  return [...new Set([...patch.matchAll(/^diff --git a\/\S+ b\/(\S+)$/gm)].map((m) => m[1] as string))].sort();
}

type Facts = Pick<TrackedPatch, 'subject' | 'author' | 'email' | 'patchId'>;

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
    const file = cacheFile(cacheDir, 'patches');
    return new PatchFactsCache(file, readJsonCache<Record<string, Facts>>(file, {}, (d) => typeof d === 'object' && d !== null));
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
    if (this.changed) await writeJsonCache(this.file, this.facts);
  }
}

export async function trackedPatches(doc: SeriesDocument, patches: { name: string; text: string }[], cache: PatchFactsCache): Promise<TrackedPatch[]> {
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
