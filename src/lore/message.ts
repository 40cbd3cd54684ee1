/**
 * One list mail, reduced to what review tracking needs. Parsing the body (MIME,
 * charsets, quoted-printable, base64) is the cost, so callers cache by content hash.
 */
import { isoSeconds } from '../lib/format.js';
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject } from 'mailparser';
import { messageIds } from '../mail/mbox.js';

export interface LoreMessage {
  /** Message-ID without brackets. */
  id: string;
  /** Parent candidates, nearest first: In-Reply-To, then References from the end. */
  parents: string[];
  /** The root end of the References chain (the thread's first message, if given). */
  references: string[];
  from: { name: string; address: string };
  /** ISO 8601 UTC, absent when the Date header is missing or nonsense. */
  date?: string;
  subject: string;
  /** The text/plain body (or the text of the HTML part when there is no plain one). */
  body: string;
  /** sha256 of the raw bytes: what the parse cache is keyed on. */
  hash: string;
}

export function rawHash(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

function firstAddress(a: AddressObject | AddressObject[] | undefined): { name: string; address: string } {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  const v = list[0]?.value[0];
  return { name: v?.name ?? '', address: (v?.address ?? '').toLowerCase() };
}

/**
 * mailparser's format=flowed decoding joins a soft-broken quoted line with the unquoted
 * line after it (RFC 3676 says never to join across quote depths), which turns a reply's
 * `Tested-by:` into quoted text. Reading such parts as fixed text keeps every line where
 * its author put it; facts.ts joins a trailer wrapped that way.
 */
function unflowed(raw: Buffer): Buffer {
  const text = raw.toString('latin1');
  const fixed = text.replace(/^(Content-Type:[^\n]*(?:\n[ \t][^\n]*)*)/gim, (h) => h.replace(/format\s*=\s*"?flowed"?/i, 'format=fixed'));
  return fixed === text ? raw : Buffer.from(fixed, 'latin1');
}

/** Parses one raw mail. Throws on a mail without a usable Message-ID (it cannot be threaded). */
export async function parseMessage(raw: Buffer, hash = rawHash(raw)): Promise<LoreMessage> {
  const mail = await simpleParser(unflowed(raw), { skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true });
  const id = messageIds(mail.messageId)[0];
  if (!id) throw new Error(mail.messageId ? `unusable Message-ID ${JSON.stringify(mail.messageId.slice(0, 80))}` : 'no Message-ID');
  const refs = Array.isArray(mail.references) ? mail.references.join(' ') : mail.references;
  const references = messageIds(refs).filter((r) => r !== id);
  const inReplyTo = messageIds(mail.inReplyTo).filter((r) => r !== id);
  const parents = [...new Set([...inReplyTo, ...[...references].reverse()])];
  const date = mail.date && !Number.isNaN(mail.date.getTime()) ? isoSeconds(mail.date) : undefined;
  return {
    id,
    parents,
    references,
    from: firstAddress(mail.from),
    ...(date ? { date } : {}),
    subject: (mail.subject ?? '').replace(/\s+/g, ' ').trim(),
    body: mail.text ?? '',
    hash,
  };
}
