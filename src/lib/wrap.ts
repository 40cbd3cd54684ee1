/**
 * Text wrapping the way git does it (utf8.c: strbuf_add_wrapped_text), so that subjects
 * and shortlogs come out byte for byte as `git format-patch` writes them.
 */

const WIDE = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1F64F}\u{1F900}-\u{1F9FF}\u{20000}-\u{3FFFD}]/u;
const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200B]/u;

/** Columns one character takes, as git's wcwidth: -1 for control characters. */
export function charWidth(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return -1;
  if (ZERO_WIDTH.test(ch)) return 0;
  return WIDE.test(ch) ? 2 : 1;
}

/** Columns a string takes on a terminal or in a fixed-width mail reader. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += Math.max(0, charWidth(ch));
  return w;
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
