/**
 * A patch file in `git format-patch` form, for patches that arrive by mail: the From_
 * line, From/Date/Subject headers encoded and folded the way git writes them (RFC 2047
 * Q-encoding of UTF-8, 78-column folding), MIME headers when the message is not ASCII,
 * then the body. And the file name git would give it. Pure.
 */
import { wrapWords } from '../kernel/wrap.js';

const ZERO_COMMIT = '0'.repeat(40);
const MAX_LINE = 78;
const MAX_ENCODED = 76;

function nonAscii(s: string): boolean {
  return /[^\x00-\x7f]/.test(s);
}

/** RFC 2047 "Q" encoding as git writes it; `address` restricts the plain set further. */
function encodeWords(text: string, prefixLength: number, address: boolean): string {
  const plain = (c: number) => {
    if (c > 0x7e || c < 0x21 || c === 0x3d || c === 0x3f || c === 0x5f) return false;
    if (!address) return true;
    return /[A-Za-z0-9!*+\-/]/.test(String.fromCharCode(c));
  };
  let out = '=?UTF-8?q?';
  let len = prefixLength + out.length;
  for (const ch of text) {
    const bytes = [...Buffer.from(ch, 'utf8')];
    const enc = bytes.length === 1 && plain(bytes[0] as number) ? ch : bytes.map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    if (len + enc.length + 2 > MAX_ENCODED) {
      out += '?=\n =?UTF-8?q?';
      len = ' =?UTF-8?q?'.length;
    }
    out += enc;
    len += enc.length;
  }
  return `${out}?=`;
}

function lastLineLength(s: string): number {
  return s.length - (s.lastIndexOf('\n') + 1);
}

/** A From: header line (without the newline) for a person. */
export function fromHeader(name: string, address: string): string {
  let line = 'From: ';
  let max = MAX_LINE;
  if (!name) return `${line}${address}`;
  if (nonAscii(name) || name.includes('=?')) {
    line += encodeWords(name, line.length, true);
    max = MAX_ENCODED;
  } else {
    const quoted = /[()<>@,;:\\".[\]]/.test(name) ? `"${name.replace(/(["\\])/g, '\\$1')}"` : name;
    line = wrapWords(`${line}${quoted}`, max, '', ' ').join('\n');
  }
  if (lastLineLength(line) + 2 + address.length + 1 > max) line += '\n';
  return `${line} <${address}>`;
}

/** A Subject: header; git encodes the summary only, never the [PATCH ...] before it. */
export function subjectHeader(subject: string): string {
  const prefix = /^(?:\[[^\]]*\]\s*)*/.exec(subject)?.[0] ?? '';
  const head = `Subject: ${prefix}`;
  const summary = subject.slice(prefix.length);
  if (nonAscii(summary) || summary.includes('=?')) return `${head}${encodeWords(summary, head.length, false)}`;
  return wrapWords(`Subject: ${subject}`, MAX_LINE, '', ' ').join('\n');
}

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
  const mime = nonAscii(p.subject) || nonAscii(message) ? 'MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n' : '';
  return `From ${ZERO_COMMIT} Mon Sep 17 00:00:00 2001\n${fromHeader(line(p.author.name), line(p.author.address))}\nDate: ${line(p.date)}\n${subjectHeader(line(p.subject))}\n${mime}\n${p.body}\n`;
}

/**
 * git format-patch's file name: NNNN-, the summary with every run of characters other
 * than letters, digits, '.' and '_' made one '-' (no '..'), cut to 64 characters with
 * the suffix.
 */
export function patchFileName(n: number, summary: string): string {
  let out = '';
  let pendingDash = false;
  const bytes = Buffer.from(summary, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const c = String.fromCharCode(bytes[i] as number);
    if (/[A-Za-z0-9._]/.test(c)) {
      if (pendingDash && out) out += '-';
      pendingDash = false;
      out += c;
      if (c === '.') while (bytes[i + 1] === 0x2e) i++;
    } else {
      pendingDash = true;
    }
  }
  out = out.replace(/[.-]+$/, '');
  const stem = `${String(n).padStart(4, '0')}-${out}`.slice(0, 64 - '.patch'.length - 1);
  return `${stem}.patch`;
}
