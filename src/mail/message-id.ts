/**
 * Message-IDs in b4's form: `<change-id without its hex>-v<revision>-<n>-<hex>@<domain>`,
 * n = 0 for the cover letter. Lore users recognise a series and its revision from the
 * ID alone; the random part, one per posting, keeps IDs unpredictable so nobody can
 * post a reply "into" a series before it exists.
 */
import { randomBytes } from 'node:crypto';

export function newPostingToken(): string {
  return randomBytes(6).toString('hex');
}

/** The bare ID (no angle brackets) of mail `n` of a posting. */
export function seriesMessageId(changeId: string, revision: number, n: number, token: string, domain: string): string {
  const stable = changeId.replace(/-[0-9a-f]{12}$/, '');
  return `${stable}-v${revision}-${n}-${token}@${domain}`;
}
