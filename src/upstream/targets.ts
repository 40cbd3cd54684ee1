/** The patches of a series as upstream detection looks for them. */
import type { SeriesDocument } from '../series/store.js';
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

export async function patchTargets(doc: SeriesDocument, patches: { name: string; text: string }[]): Promise<PatchTarget[]> {
  const history = doc.data.history ?? [];
  return Promise.all(
    patches.map(async ({ name, text }, i) => {
      const info = await mailInfo(text);
      const t: PatchTarget = {
        file: name,
        subject: info.subject,
        author: info.author,
        email: info.email,
        messageIds: history.map((h) => h.patches[i]).filter((m): m is string => m !== undefined),
        files: filesTouched(text),
      };
      const id = await patchIdOfText(text);
      if (id) t.patchId = id;
      return t;
    }),
  );
}
