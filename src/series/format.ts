/**
 * A series as the mails `git format-patch --cover-letter --thread=shallow -vN --base=<sha>`
 * would write: `[PATCH vN n/M]` subjects, the cover letter (rendered from Markdown) with
 * shortlog, diffstat, `base-commit:` and b4's `change-id:`, every patch threaded to the
 * cover. A single patch has no cover; the cover text goes below its `---` line. Pure:
 * patch files, data and IDs in, mail texts out.
 */
import { showMailbox, type Mailbox } from '../mail/address.js';
import { isAsciiText, nameAddrHeader, rfc2822Date, subjectHeader } from '../mail/headers.js';
import { renderCoverText } from '../lib/markdown-text.js';
import type { SeriesData } from './model.js';
import type { PatchFile } from './patch-file.js';
import { gitWrap } from '../lib/wrap.js';

export interface SeriesMail {
  /** 0 for the cover letter, 1..M for the patches. */
  number: number;
  /** 'cover' or the patch's file name in patches/<slug>/. */
  key: string;
  /** The file name `git format-patch -vN` gives this mail. */
  fileName: string;
  /** The mbox separator line, `From <commit> Mon Sep 17 00:00:00 2001`. */
  fromLine: string;
  messageId: string;
  inReplyTo?: string;
  /** Headers after the threading ones (From, Date, Subject, MIME...), folded lines kept. */
  headers: string[];
  /** The full subject, decoded, for people to read. */
  subject: string;
  body: string;
  patch?: PatchFile;
}

export type FormatData = Pick<SeriesData, 'subject' | 'change-id' | 'revision' | 'prefixes' | 'base-commit'>;

export interface FormatInput {
  data: FormatData;
  coverMarkdown: string;
  patches: PatchFile[];
  /** Who the cover letter is from (the sender). */
  from: Mailbox;
  /** The cover letter's Date. */
  date: Date;
  /** UTC offset in minutes for the cover's Date (default: this machine's). */
  tzOffset?: number;
  /** Bare Message-IDs: the cover's first (when there is one), then one per patch. */
  messageIds: string[];
  /** The series' diffstat and summary lines for the cover (see diffstat.ts). */
  diffstat: string;
}

export const MIME_HEADERS = ['MIME-Version: 1.0', 'Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: 8bit'];
const ZERO_COMMIT = '0'.repeat(40);

/** `[RFC PATCH net-next v2 03/12]`: the prefixes, the revision from v2 on, the number when M > 1. */
export function subjectPrefix(data: FormatData, n: number, total: number): string {
  const words = [...(data.prefixes?.length ? data.prefixes : ['PATCH'])];
  if (data.revision > 1) words.push(`v${data.revision}`);
  if (total > 1) words.push(`${String(n).padStart(String(total).length, '0')}/${total}`);
  return `[${words.join(' ')}]`;
}

/** git's %f: the title with runs of other characters turned into single dashes. */
export function sanitizedSubject(title: string): string {
  let out = '';
  let space = 2;
  for (let i = 0; i < title.length; i++) {
    const c = title[i] as string;
    if (/[A-Za-z0-9._]/.test(c)) {
      if (space === 1) out += '-';
      space = 0;
      out += c;
      if (c === '.') while (title[i + 1] === '.') i++;
    } else space |= 1;
  }
  return out.replace(/[.-]+$/, '');
}

/** The name `git format-patch -vN` gives mail n: at most 64 characters with `.patch`. */
export function patchFileName(n: number, subject: string, revision = 1): string {
  const name = `${revision > 1 ? `v${revision}-` : ''}${String(n).padStart(4, '0')}-${sanitizedSubject(subject)}`;
  return `${name.slice(0, 64 - '.patch'.length - 1)}.patch`;
}

/** The cover's shortlog: authors in byte order, each with their titles in series order. */
export function shortlog(patches: PatchFile[]): string {
  const byAuthor = new Map<string, string[]>();
  for (const p of patches) {
    const who = p.author.name || p.author.address;
    byAuthor.set(who, [...(byAuthor.get(who) ?? []), p.title]);
  }
  const names = [...byAuthor.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return names
    .map((name) => {
      const titles = byAuthor.get(name) ?? [];
      return `${name} (${titles.length}):\n${titles.map((t) => `${gitWrap(t, 2, 4, 72)}\n`).join('')}\n`;
    })
    .join('');
}

/** Splits a mail body at its signature (`-- ` line); `sig` is empty when there is none. */
function splitSignature(body: string): { main: string; sig: string } {
  const at = body.lastIndexOf('\n-- \n');
  return at < 0 ? { main: body, sig: '' } : { main: body.slice(0, at + 1), sig: body.slice(at + 1) };
}

/** Drops base-commit/change-id lines a patch file may already carry; the series adds its own. */
function withoutBaseInfo(main: string): string {
  return main.replace(/\n(?:(?:base-commit|prerequisite-patch-id|change-id): [^\n]*\n)+$/, '');
}

function baseInfo(data: FormatData): string[] {
  return [...(data['base-commit'] ? [`base-commit: ${data['base-commit']}`] : []), `change-id: ${data['change-id']}`];
}

function needs8bit(text: string): boolean {
  return !isAsciiText(text);
}

/** Every mail of the series, cover first. */
export function formatSeries(input: FormatInput): SeriesMail[] {
  const { data, patches } = input;
  if (patches.length === 0) throw new Error('a series needs at least one patch to be formatted');
  const total = patches.length;
  const hasCover = total > 1;
  const coverText = renderCoverText(input.coverMarkdown);
  const ids = [...input.messageIds];
  const coverId = hasCover ? ids.shift() : undefined;
  if (ids.length !== total || (hasCover && !coverId)) throw new Error(`expected ${total + (hasCover ? 1 : 0)} Message-IDs, got ${input.messageIds.length}`);
  const mails: SeriesMail[] = [];
  if (hasCover) {
    const prefix = subjectPrefix(data, 0, total);
    const eightBit = needs8bit(coverText) || needs8bit(input.from.name ?? '') || patches.some((p) => needs8bit(p.author.name ?? '') || needs8bit(p.title) || needs8bit(p.message));
    const last = patches[total - 1] as PatchFile;
    const { sig } = splitSignature((patches[0] as PatchFile).body);
    const body = `${coverText ? `${coverText}\n\n` : ''}${shortlog(patches)}${input.diffstat}\n\n${baseInfo(data).join('\n')}\n${sig}`;
    mails.push({
      number: 0,
      key: 'cover',
      fileName: patchFileName(0, 'cover-letter', data.revision),
      fromLine: `From ${last.commit ?? ZERO_COMMIT} Mon Sep 17 00:00:00 2001`,
      messageId: coverId as string,
      headers: [nameAddrHeader('From', input.from.name, input.from.address), `Date: ${rfc2822Date(input.date, input.tzOffset)}`, subjectHeader(prefix, data.subject), ...(eightBit ? MIME_HEADERS : [])],
      subject: `${prefix} ${data.subject}`,
      body,
    });
  }
  patches.forEach((p, i) => {
    const n = i + 1;
    const prefix = subjectPrefix(data, n, total);
    const split = splitSignature(p.body);
    let main = withoutBaseInfo(split.main);
    if (!hasCover) {
      if (coverText) {
        const lines = main.split('\n');
        const cut = lines.indexOf('---');
        if (cut >= 0) main = [...lines.slice(0, cut + 1), coverText, '', ...lines.slice(cut + 1)].join('\n');
      }
      main = `${main}\n${baseInfo(data).join('\n')}\n`;
    }
    const headers = p.headers
      .filter((h) => !/^(message-id|in-reply-to|references)$/i.test(h.name))
      .map((h) => (h.name.toLowerCase() === 'subject' ? subjectHeader(prefix, p.title) : `${h.name}: ${h.value}`));
    mails.push({
      number: n,
      key: p.name,
      fileName: patchFileName(n, p.title, data.revision),
      fromLine: `From ${p.commit ?? ZERO_COMMIT} Mon Sep 17 00:00:00 2001`,
      messageId: ids[i] as string,
      ...(coverId ? { inReplyTo: coverId } : {}),
      headers,
      subject: `${prefix} ${p.title}`,
      body: main + split.sig,
      patch: p,
    });
  });
  return mails;
}

/** One mail as a git format-patch file (also one message of an mbox). */
export function renderMailFile(m: SeriesMail): string {
  const threading = m.inReplyTo ? `In-Reply-To: <${m.inReplyTo}>\nReferences: <${m.inReplyTo}>\n` : '';
  return `${m.fromLine}\nMessage-ID: <${m.messageId}>\n${threading}${m.headers.join('\n')}\n\n${m.body}`;
}

/** The author line git send-email puts at the top of the body when the sender is someone else. */
export function inBodyFrom(m: SeriesMail, sender: Mailbox): string | undefined {
  const p = m.patch;
  if (!p || /^From: /.test(p.body)) return undefined;
  const same = p.author.address.toLowerCase() === sender.address.toLowerCase() && (p.author.name ?? '') === (sender.name ?? '');
  return same ? undefined : `From: ${showMailbox(p.author)}`;
}
