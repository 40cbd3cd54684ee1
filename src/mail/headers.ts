/**
 * Mail header text as git writes it (pretty.c): RFC 2047 Q-encoding of non-ASCII words
 * with git's line breaks, RFC 822 quoting of display names, RFC 2822 dates. Kept exact
 * so that formatted series match `git format-patch` byte for byte.
 */
import libmime from 'libmime';
import { gitWrap } from '../lib/wrap.js';

/** git folds header values at 78 columns, encoded words at 76. */
const HEADER_WIDTH = 78;
const ENCODED_WIDTH = 76;

const isAscii = (s: string) => /^[\x00-\x7f]*$/.test(s);

/** git's needs_rfc2047_encoding: non-ASCII, a newline, or something that looks encoded. */
export function needsRfc2047(text: string): boolean {
  return !isAscii(text) || text.includes('\n') || text.includes('=?');
}

const RFC822_SPECIALS = /[()<>[\]:;@,."\\]/;

export function needsRfc822Quoting(name: string): boolean {
  return RFC822_SPECIALS.test(name);
}

export function quoteRfc822(name: string): string {
  return `"${name.replace(/["\\]/g, '\\$&')}"`;
}

function isSpecial(byte: number, kind: 'subject' | 'address'): boolean {
  if (byte > 0x7e || byte < 0x20) return true;
  const ch = String.fromCharCode(byte);
  if (ch === ' ' || ch === '=' || ch === '?' || ch === '_') return true;
  if (kind === 'subject') return false;
  return !/[A-Za-z0-9!*+\-/]/.test(ch);
}

/**
 * git's add_rfc2047: one Q-encoded word per line of at most 76 columns, never splitting
 * a character. `used` is how many columns the line already holds.
 */
export function encodeRfc2047(text: string, used: number, kind: 'subject' | 'address'): string {
  const prefix = '=?UTF-8?q?';
  let out = prefix;
  let lineLen = used + prefix.length;
  for (const ch of text) {
    const bytes = Buffer.from(ch, 'utf8');
    const special = bytes.length > 1 || isSpecial(bytes[0] as number, kind);
    const encoded = special ? [...bytes].map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`).join('') : ch;
    if (lineLen + encoded.length + 2 > ENCODED_WIDTH) {
      out += `?=\n ${prefix}`;
      lineLen = prefix.length + 1;
    }
    out += encoded;
    lineLen += encoded.length;
  }
  return `${out}?=`;
}

/** A Subject: header line (without newline) for `prefix` ("[PATCH v2 1/3]") and a title. */
export function subjectHeader(prefix: string, title: string): string {
  const head = `Subject: ${prefix ? `${prefix} ` : ''}`;
  if (needsRfc2047(title)) return head + encodeRfc2047(title, head.length, 'subject');
  return head + gitWrap(title, -head.length, 1, HEADER_WIDTH);
}

/** A name and address as git puts them in From: (`Name <a@b>`, encoded or quoted as needed). */
export function nameAddrHeader(header: string, name: string | undefined, address: string): string {
  let line = `${header}: `;
  let width = HEADER_WIDTH;
  if (name) {
    if (needsRfc2047(name)) {
      line += encodeRfc2047(name, line.length, 'address');
      width = ENCODED_WIDTH;
    } else {
      line += gitWrap(needsRfc822Quoting(name) ? quoteRfc822(name) : name, -line.length, 1, HEADER_WIDTH);
    }
    const last = line.slice(line.lastIndexOf('\n') + 1);
    if (width < last.length + 2 + address.length + 1) line += '\n';
    return `${line} <${address}>`;
  }
  return `${line}${address}`;
}

/** Header value as a person reads it: unfolded, encoded words decoded. */
export function decodeHeader(value: string): string {
  return libmime.decodeWords(value.replace(/\r?\n[ \t]/g, ' ')).trim();
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 2822 date as git prints it (day of month unpadded), in the given UTC offset (minutes). */
export function rfc2822Date(date: Date, offsetMinutes = -date.getTimezoneOffset()): string {
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const off = Math.abs(offsetMinutes);
  return (
    `${DAYS[local.getUTCDay()]}, ${local.getUTCDate()} ${MONTHS[local.getUTCMonth()]} ${local.getUTCFullYear()} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ${sign}${pad(Math.floor(off / 60))}${pad(off % 60)}`
  );
}

/** `To:`/`Cc:` with one address per line once the list outgrows a line, as git send-email folds. */
export function addressListHeader(header: string, addresses: string[]): string {
  const one = `${header}: ${addresses.join(', ')}`;
  if (one.length <= HEADER_WIDTH && !one.includes('\n')) return one;
  return `${header}: ${addresses.join(',\n\t')}`;
}

export function isAsciiText(s: string): boolean {
  return isAscii(s);
}
