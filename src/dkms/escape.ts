/**
 * Text from quirk files (titles, mostly) embedded in generated C, shell and Debian control
 * files. The schema already refuses control characters; these escape anyway, for the
 * language at hand, so that no title can end a comment or start a new line.
 */
import { wrapWords } from '../lib/wrap.js';

const CONTROL = /[\u0000-\u001f\u007f]/g;

/** Inside a shell (or udev, PKGBUILD) comment: only a newline could end it. */
export function shComment(text: string): string {
  return text.replace(CONTROL, ' ');
}

/** Little-endian bytes of `value` as printf %b escapes (`\0ooo`), for a sysfs config write. */
export function printfBytes(value: number, bytes: number): string {
  let out = '';
  for (let i = 0; i < bytes; i++) out += `\\0${((value >>> (8 * i)) & 0xff).toString(8).padStart(3, '0')}`;
  return out;
}

/** `Thu, 01 Jan 2026 00:00:00 +0000`, as debian/changelog wants it. */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/**
 * Words of `text` wrapped at `width` columns for Debian's files (lintian's limit is 80),
 * the first line after `first`, the following ones after `rest`.
 */
export function wrapText(text: string, first: string, rest: string, width = 79): string {
  return wrapWords(text.replace(CONTROL, ' '), width, first, rest).join('\n') || first;
}
