/**
 * A patch file in `git format-patch` form, for patches that arrive by mail: the From_
 * line, From/Date/Subject headers encoded and folded the way git writes them
 * (src/mail/headers.ts), MIME headers when the message is not ASCII, then the body. Pure.
 */
import { isAsciiText, nameAddrHeader, subjectHeader } from '../mail/headers.js';
import { MIME_HEADERS, patchFileName } from './format.js';

export { patchFileName };

const ZERO_COMMIT = '0'.repeat(40);

export interface PatchMail {
  author: { name: string; address: string };
  date: string;
  /** The whole subject, with its [PATCH ...] prefix. */
  subject: string;
  /** Commit message, `---`, diffstat, diff and signature, ending in a newline. */
  body: string;
}

/** The text of a patch file, as `git format-patch` lays one out. */
export function renderPatchMail(p: PatchMail): string {
  // Header values are one line each, whatever the mail's decoding produced.
  const line = (v: string) => v.replace(/[\r\n]+\s*/g, ' ');
  const message = p.body.split(/^---$/m)[0] ?? '';
  const subject = line(p.subject);
  // git encodes the title only, never the [PATCH ...] in front of it.
  const prefix = /^(?:\[[^\]]*\]\s*)*/.exec(subject)?.[0] ?? '';
  const mime = !isAsciiText(subject) || !isAsciiText(message) ? `${MIME_HEADERS.join('\n')}\n` : '';
  const from = nameAddrHeader('From', line(p.author.name), line(p.author.address));
  return `From ${ZERO_COMMIT} Mon Sep 17 00:00:00 2001\n${from}\nDate: ${line(p.date)}\n${subjectHeader(prefix.trim(), subject.slice(prefix.length))}\n${mime}\n${p.body}\n`;
}
