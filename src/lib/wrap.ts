/**
 * The one word wrapper, measuring display columns (East Asian wide characters take two,
 * combining marks none, by string-width's tables): greedy wrapping for commit messages,
 * C comments, cover letters and Debian's files, and git's own algorithm (utf8.c:
 * strbuf_add_wrapped_text) where output must match `git format-patch` byte for byte.
 */
import stringWidth from 'string-width';

/** Columns one character (code point) takes, as git's wcwidth: -1 for control characters. */
export function charWidth(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return -1;
  if (cp < 0x7f) return 1;
  return stringWidth(ch);
}

/** Columns a string takes on a terminal or in a fixed-width mail reader, counted per code point as git does. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += Math.max(0, charWidth(ch));
  return w;
}

/**
 * Greedy word wrap: lines of at most `width` columns, the first after `firstPrefix`
 * and the others after `restPrefix` (both counted). A word longer than a line, a URL
 * say, gets a line of its own instead of being broken. Words end at ASCII white
 * space only, so a no-break space holds. No words: no lines.
 */
export function wrapWords(text: string, width: number, firstPrefix = '', restPrefix = firstPrefix, measure: (s: string) => number = displayWidth): string[] {
  const out: string[] = [];
  let line = firstPrefix;
  let empty = true;
  for (const w of text.split(/[ \t\n\r]+/)) {
    if (!w) continue;
    if (!empty && measure(line) + 1 + measure(w) > width) {
      out.push(line);
      line = restPrefix;
      empty = true;
    }
    line += (empty ? '' : ' ') + w;
    empty = false;
  }
  if (!empty) out.push(line);
  return out;
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isAlnum = (c: string | undefined) => c !== undefined && /^[A-Za-z0-9]$/.test(c);

/**
 * git's word wrap: `indent1` spaces before the first line (negative: that many columns
 * are already used on the line), `indent2` before the others, lines at most `width`
 * columns unless a single word is longer.
 */
export function gitWrap(text: string, indent1: number, indent2: number, width: number): string {
  const t = Array.from(text);
  let out = '';
  let i = 0;
  let bol = 0;
  let indent = indent1;
  let w = indent1;
  let space: number | null = null;
  if (indent < 0) {
    w = -indent;
    space = 0;
  }
  const newLine = (at: number) => {
    out += '\n';
    i = bol = at + (isSpace(t[at]) ? 1 : 0);
    space = null;
    w = indent = indent2;
  };
  for (;;) {
    const c = t[i];
    if (c === undefined || isSpace(c)) {
      if (w <= width || space === null) {
        if (c === undefined && i === bol) return out;
        let start = bol;
        if (space !== null) start = space;
        else out += ' '.repeat(Math.max(0, indent));
        out += t.slice(start, i).join('');
        if (c === undefined) return out;
        space = i;
        if (c === '\t') w |= 7;
        else if (c === '\n') {
          space++;
          if (t[space] === '\n') {
            out += '\n';
            newLine(space);
            continue;
          }
          if (!isAlnum(t[space])) {
            newLine(space);
            continue;
          }
          out += ' ';
        }
        w++;
        i++;
      } else {
        newLine(space);
      }
      continue;
    }
    w += charWidth(c);
    i++;
  }
}
