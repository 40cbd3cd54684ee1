/**
 * From formatted series mails to the mails that go on the wire, as git send-email and
 * b4 send them: the sender in From:, the author in the body when it is someone else,
 * To/Cc from the series plus each patch's own `Cc:` trailers (the cover letter goes to
 * all of them), Dates one second apart, every patch replying to the cover. Only the
 * addresses meant for a mail appear in its headers; the envelope is exactly To + Cc
 * (or the sender alone when reflecting).
 */
import { InputError } from '../errors.js';
import { formatMailbox, uniqueMailboxes, type Mailbox } from '../mail/address.js';
import { addressListHeader, isAsciiText, rfc2822Date } from '../mail/headers.js';
import { inBodyFrom, MIME_HEADERS, type SeriesMail } from './format.js';
import { trailerMailbox, trailersNamed } from './patch-file.js';

export interface Recipients {
  to: Mailbox[];
  cc: Mailbox[];
}

export interface OutgoingMail {
  key: string;
  messageId: string;
  subject: string;
  recipients: Recipients;
  /** SMTP RCPT TO addresses. */
  envelope: string[];
  date: Date;
  raw: string;
}

export interface ComposeOptions {
  from: Mailbox;
  /** Date of the first mail; the n-th is n seconds later. */
  date: Date;
  tzOffset?: number;
  reflect: boolean;
  mailer: string;
}

/** SMTP cannot carry longer lines (RFC 5321 §4.5.3.1.6); git send-email refuses them too. */
const MAX_LINE = 998;

/** Each mail's To and Cc: the series' lists, plus `Cc:` trailers (a patch's own; all of them for the cover). */
export function mailRecipients(mails: SeriesMail[], to: Mailbox[], cc: Mailbox[]): Recipients[] {
  const trailerCc = (m: SeriesMail) => (m.patch ? trailersNamed(m.patch, 'Cc').map((t) => trailerMailbox(m.patch as NonNullable<SeriesMail['patch']>, t)) : []);
  const all = mails.flatMap(trailerCc);
  return mails.map((m) => {
    const mineTo = uniqueMailboxes(to);
    const mineCc = uniqueMailboxes([...cc, ...(m.patch ? trailerCc(m) : all)], mineTo);
    // A mail with only Cc: reads oddly and some lists hold it; b4 moves them to To: too.
    return mineTo.length ? { to: mineTo, cc: mineCc } : { to: mineCc, cc: [] };
  });
}

function checkLines(m: SeriesMail, body: string): void {
  const where = (line: number) => (m.patch ? `${m.patch.file}:${m.patch.bodyLine + line}` : 'the cover letter');
  const lines = body.split('\n');
  const cr = lines.findIndex((l) => l.includes('\r'));
  if (cr >= 0) throw new InputError(`${where(cr)}: carriage return in the mail; quirkctl sends 8-bit text and would change such lines`);
  const long = lines.findIndex((l) => Buffer.byteLength(l) > MAX_LINE);
  if (long >= 0) {
    throw new InputError(`${where(long)}: line of ${Buffer.byteLength(lines[long] as string)} bytes; SMTP carries at most ${MAX_LINE} per line, so this mail cannot be sent as it is`);
  }
}

export function composeMail(m: SeriesMail, r: Recipients, index: number, opts: ComposeOptions): OutgoingMail {
  const date = new Date(opts.date.getTime() + index * 1000);
  const author = inBodyFrom(m, opts.from);
  checkLines(m, m.body);
  const body = `${author ? `${author}\n\n` : ''}${m.body}`.replace(/\n+$/, '\n');
  const subject = m.headers.find((h) => /^subject:/i.test(h)) as string;
  const mime = m.headers.filter((h) => /^(mime-version|content-)/i.test(h));
  if (mime.length === 0 && !isAsciiText(body)) mime.push(...MIME_HEADERS);
  const headers = [
    `From: ${formatMailbox(opts.from)}`,
    ...(r.to.length ? [addressListHeader('To', r.to.map(formatMailbox))] : []),
    ...(r.cc.length ? [addressListHeader('Cc', r.cc.map(formatMailbox))] : []),
    subject,
    `Date: ${rfc2822Date(date, opts.tzOffset)}`,
    `Message-ID: <${m.messageId}>`,
    ...(m.inReplyTo ? [`In-Reply-To: <${m.inReplyTo}>`, `References: <${m.inReplyTo}>`] : []),
    `X-Mailer: ${opts.mailer}`,
    ...mime,
  ];
  const envelope = opts.reflect ? [opts.from.address] : uniqueMailboxes([...r.to, ...r.cc]).map((x) => x.address);
  return { key: m.key, messageId: m.messageId, subject: m.subject, recipients: r, envelope, date, raw: `${headers.join('\n')}\n\n${body}` };
}
