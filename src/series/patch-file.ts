/**
 * One `git format-patch` file read into its parts: the mbox `From <commit>` line, the
 * headers, the commit message with its trailers, the diff and the signature. Pure; the
 * text is kept as it was so that a reformatted mail carries the same bytes.
 */
import { ValidationError } from '../errors.js';
import { parseMailbox, type Mailbox } from '../mail/address.js';
import { decodeHeader } from '../mail/headers.js';
import { subjectSummary } from '../mail/subject.js';
import type { Trailer } from '../mail/trailer.js';

export interface Header {
  name: string;
  /** The value as written, folded lines included (without the final newline). */
  value: string;
}

export interface PatchFile {
  name: string;
  /** Path as shown to the user, for messages. */
  file: string;
  commit?: string;
  headers: Header[];
  /** Everything after the header block: message, `---`, diffstat, diff, signature. */
  body: string;
  /** 1-based line of the body's first line in the file. */
  bodyLine: number;
  author: Mailbox;
  /** The commit title (subject without its [PATCH ...] prefix), decoded. */
  title: string;
  /** The commit message below the title, up to the `---` line. */
  message: string;
  trailers: Trailer[];
  /** The diff: from the first `diff --git` line to the signature. */
  diff: string;
}

/** git writes `From <commit> Mon Sep 17 00:00:00 2001`; mbox tools write a sender and a date. */
const MBOX_FROM = /^From (\S+) /;

export function parsePatchFile(name: string, file: string, text: string): PatchFile {
  function fail(line: number, field: string, message: string): never {
    throw new ValidationError([{ file, line, field, message }]);
  }
  const lines = text.split('\n');
  const from = MBOX_FROM.exec(lines[0] ?? '');
  if (!from) fail(1, '', "expected a git format-patch file starting with 'From <commit> Mon Sep 17 00:00:00 2001'");
  const headers: Header[] = [];
  let i = 1;
  for (; i < lines.length && lines[i] !== ''; i++) {
    const line = lines[i] as string;
    const last = headers[headers.length - 1];
    if (/^[ \t]/.test(line) && last) {
      last.value += `\n${line}`;
      continue;
    }
    const m = /^([!-9;-~]+):[ \t]?(.*)$/.exec(line);
    if (!m) fail(i + 1, '', `expected a mail header ('Name: value') or the blank line that ends the headers, got ${JSON.stringify(line)}`);
    headers.push({ name: m[1] as string, value: m[2] as string });
  }
  const cte = headers.find((h) => h.name.toLowerCase() === 'content-transfer-encoding');
  if (cte && !/^\s*(7bit|8bit)\s*$/i.test(cte.value)) fail(1, 'Content-Transfer-Encoding', `the patch is ${cte.value.trim()}-encoded; expected plain text as git format-patch writes it (decode it, e.g. with git mailsplit and git mailinfo, or b4 am)`);
  const body = lines.slice(i + 1).join('\n');
  const bodyLine = i + 2;
  const fromHeader = headers.find((h) => h.name.toLowerCase() === 'from');
  const subject = headers.find((h) => h.name.toLowerCase() === 'subject');
  if (!fromHeader) fail(1, 'From', 'the patch has no From: header (its author)');
  if (!subject) fail(1, 'Subject', 'the patch has no Subject: header');
  const bodyLines = body.split('\n');
  // git format-patch --from puts the author in the body; git am reads it from there.
  let authorText = decodeHeader(fromHeader.value);
  let msgStart = 0;
  const inBody = /^From: (.+)$/.exec(bodyLines[0] ?? '');
  if (inBody && bodyLines[1] === '') {
    authorText = inBody[1] as string;
    msgStart = 2;
  }
  let author: Mailbox;
  try {
    author = parseMailbox(authorText, 'author');
  } catch (e) {
    return fail(1, 'From', (e as Error).message);
  }
  const cut = bodyLines.indexOf('---', msgStart);
  const diffAt = bodyLines.findIndex((l) => l.startsWith('diff --git '));
  if (diffAt < 0) fail(bodyLine, '', "the patch has no diff ('diff --git' line)");
  const msgEnd = cut >= 0 && cut < diffAt ? cut : diffAt;
  const message = bodyLines.slice(msgStart, msgEnd).join('\n').replace(/\n+$/, '');
  const sig = bodyLines.lastIndexOf('-- ');
  const diff = bodyLines.slice(diffAt, sig > diffAt ? sig : undefined).join('\n');
  return {
    name,
    file,
    ...(/^[0-9a-f]{40}$/.test(from[1] as string) ? { commit: from[1] as string } : {}),
    headers,
    body,
    bodyLine,
    author,
    title: subjectSummary(decodeHeader(subject.value)),
    message,
    trailers: trailersOf(bodyLines.slice(0, msgEnd), bodyLine),
    diff,
  };
}

/** Trailers of the message's last paragraph (`Key: value` lines), where git interpret-trailers looks. */
function trailersOf(messageLines: string[], firstLine: number): Trailer[] {
  let end = messageLines.length;
  while (end > 0 && (messageLines[end - 1] ?? '').trim() === '') end--;
  let start = end;
  while (start > 0 && (messageLines[start - 1] ?? '').trim() !== '') start--;
  const out: Trailer[] = [];
  for (let k = start; k < end; k++) {
    const m = /^([A-Za-z0-9][A-Za-z0-9-]*):\s*(.*)$/.exec(messageLines[k] as string);
    if (m) out.push({ key: m[1] as string, value: (m[2] as string).trim(), line: firstLine + k });
  }
  return out;
}

/** `Signed-off-by`, `Cc`, ... compared the way git compares trailer keys. */
export function trailersNamed(p: PatchFile, key: string): Trailer[] {
  return p.trailers.filter((t) => t.key.toLowerCase() === key.toLowerCase());
}

/** The address of a trailer value: `Cc: stable@vger.kernel.org # 6.1+` means the part before '#'. */
export function trailerMailbox(p: PatchFile, t: Trailer): Mailbox {
  const value = t.value.replace(/\s+#.*$/, '').trim();
  try {
    return parseMailbox(value, `${t.key}:`);
  } catch (e) {
    throw new ValidationError([{ file: p.file, line: t.line ?? p.bodyLine, field: t.key, message: (e as Error).message }]);
  }
}
