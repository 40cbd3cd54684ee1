/**
 * Reading a posted series out of an mbox, as `b4 am` does: parse each message of the
 * split mbox (src/mail/mbox.ts) with mailparser, and pick the cover letter and patches
 * of one revision, skipping the replies of the thread.
 */
import { isoSeconds } from '../lib/format.js';
import { simpleParser, type AddressObject } from 'mailparser';
import { InputError } from '../errors.js';
import { parsePerson, type Person } from '../mail/address.js';
import { parseSubject } from '../mail/subject.js';

export interface MailMessage {
  /** Without angle brackets. */
  messageId: string;
  inReplyTo?: string;
  subject: string;
  /** The patch's author: the in-body From: when there is one (git am's rule), else the sender. */
  author: Person;
  /** Date as posted (or in-body Date:), unfolded. */
  date: string;
  /** ISO 8601 UTC of `date`, when it parses. */
  isoDate?: string;
  to: Person[];
  cc: Person[];
  /** Decoded text body, without in-body From:/Date:/Subject: lines. */
  body: string;
}

function people(field: AddressObject | AddressObject[] | undefined): Person[] {
  const list = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return list.flatMap((a) => a.value).flatMap((v) => (v.address ? [{ name: v.name ?? '', address: v.address }] : []));
}

function rawHeader(lines: readonly { key: string; line: string }[], key: string): string | undefined {
  const h = lines.find((l) => l.key === key);
  return h?.line.replace(/\r?\n(?=[ \t])/g, '').replace(/^[^:]*:\s*/, '').trim();
}

/** In-body From:/Date:/Subject: lines at the top of a body, as git mailinfo reads them. */
function inBodyHeaders(body: string): { headers: Record<string, string>; rest: string } {
  const headers: Record<string, string> = {};
  const lines = body.split('\n');
  let i = 0;
  while (i < lines.length) {
    const m = /^(From|Date|Subject):\s*(.*)$/.exec(lines[i] as string);
    if (!m) break;
    headers[(m[1] as string).toLowerCase()] = (m[2] as string).trim();
    i++;
  }
  if (i === 0 || (lines[i] !== undefined && lines[i] !== '')) return { headers: {}, rest: body };
  return { headers, rest: lines.slice(i + 1).join('\n') };
}

export async function parseMessage(raw: Buffer): Promise<MailMessage> {
  const p = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  const { headers, rest } = inBodyHeaders(p.text ?? '');
  const sender = people(p.from)[0] ?? { name: '', address: '' };
  const author = (headers.from !== undefined ? parsePerson(headers.from) : undefined) ?? sender;
  const date = headers.date ?? rawHeader(p.headerLines, 'date') ?? '';
  const parsed = new Date(date);
  const msg: MailMessage = {
    messageId: (p.messageId ?? '').replace(/^<|>$/g, ''),
    subject: headers.subject ?? p.subject ?? '',
    author,
    date,
    to: people(p.to),
    cc: people(p.cc),
    body: rest.endsWith('\n') ? rest : `${rest}\n`,
  };
  if (!Number.isNaN(parsed.getTime())) msg.isoDate = isoSeconds(parsed);
  if (p.inReplyTo) msg.inReplyTo = p.inReplyTo.replace(/^<|>$/g, '');
  return msg;
}

function hasDiff(body: string): boolean {
  return /^diff --git /m.test(body) || (/^--- \S/m.test(body) && /^\+\+\+ \S/m.test(body));
}

export interface PostedSeries {
  revision: number;
  prefixes: string[];
  cover?: MailMessage;
  patches: MailMessage[];
  /** Messages of the mbox that are not part of this series: replies, other revisions. */
  skipped: number;
}

/**
 * The series in a thread: messages whose subject carries [PATCH ...] (not Re:) and that
 * hold a diff, or are the 0/N cover letter. With several revisions in one mbox the
 * newest is taken unless `revision` names one. Every patch 1..N must be there.
 */
export function pickSeries(messages: MailMessage[], revision?: number): PostedSeries {
  const candidates = messages
    .map((m) => ({ m, s: parseSubject(m.subject) }))
    .filter(({ m, s }) => !s.reply && s.prefixes.some((p) => /^(PATCH|RFC)$/i.test(p)) && (s.counter?.n === 0 || hasDiff(m.body)));
  if (candidates.length === 0) throw new InputError('no patches in the mbox: no message has a [PATCH] subject and a diff');
  const revisions = [...new Set(candidates.map((c) => c.s.revision))].sort((a, b) => a - b);
  const rev = revision ?? (revisions[revisions.length - 1] as number);
  if (!revisions.includes(rev)) throw new InputError(`--revision ${rev}: the mbox has v${revisions.join(', v')} only`);
  const mine = candidates.filter((c) => c.s.revision === rev);
  const of = mine.find((c) => c.s.counter)?.s.counter?.of ?? 1;
  const cover = mine.find((c) => c.s.counter?.n === 0);
  const patches: MailMessage[] = [];
  const missing: number[] = [];
  for (let n = 1; n <= of; n++) {
    const hit = mine.find((c) => (c.s.counter?.n ?? 1) === n && (c.s.counter?.of ?? 1) === of && hasDiff(c.m.body));
    if (hit) patches.push(hit.m);
    else missing.push(n);
  }
  if (missing.length) throw new InputError(`the mbox holds ${of - missing.length} of the ${of} patches of v${rev}; missing ${missing.map((n) => `${n}/${of}`).join(', ')}`);
  const used = patches.length + (cover ? 1 : 0);
  const result: PostedSeries = { revision: rev, prefixes: (cover ?? mine[0])?.s.prefixes ?? ['PATCH'], patches, skipped: messages.length - used };
  if (cover) result.cover = cover.m;
  return result;
}
