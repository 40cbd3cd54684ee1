/**
 * The diffstat of a series for its cover letter, counted from the patches' diffs and
 * printed with git's layout (diff.c: show_stats at 72 columns, then the --summary
 * lines). Exact when no file is changed by two patches; when one is, the counts are
 * summed per patch, which can differ from the net diff git would print (the caller
 * says so, or asks git when a kernel tree is at hand).
 */
import { displayWidth } from '../lib/wrap.js';

export interface FileStat {
  /** Path after the series; for renames `from` is the path before. */
  name: string;
  from?: string;
  added: number;
  deleted: number;
  binary: boolean;
  created?: string;
  removed?: string;
  mode?: [string, string];
  similarity?: number;
  copy?: boolean;
  /** How many patches touched the file. */
  touches: number;
}

interface Section {
  a: string;
  b: string;
  added: number;
  deleted: number;
  binary: boolean;
  created?: string;
  removed?: string;
  oldMode?: string;
  newMode?: string;
  renameFrom?: string;
  renameTo?: string;
  copy?: boolean;
  similarity?: number;
}

/** Undoes git's C-style quoting of a path ("a/caf\303\251.c"). */
export function unquotePath(s: string): string {
  if (!s.startsWith('"')) return s;
  const bytes: number[] = [];
  const body = s.slice(1, s.endsWith('"') ? -1 : undefined);
  const esc: Record<string, number> = { n: 10, t: 9, '"': 34, '\\': 92, a: 7, b: 8, f: 12, r: 13, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(esc[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** git's quote_c_style with core.quotePath on: quoted when a byte is special or not ASCII. */
export function quotePath(name: string): string {
  const bytes = Buffer.from(name, 'utf8');
  if (![...bytes].some((b) => b < 0x20 || b >= 0x7f || b === 0x22 || b === 0x5c)) return name;
  const named: Record<number, string> = { 7: 'a', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r', 34: '"', 92: '\\' };
  let out = '"';
  for (const b of bytes) {
    if (named[b]) out += `\\${named[b]}`;
    else if (b < 0x20 || b >= 0x7f) out += `\\${b.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `${out}"`;
}

const stripSide = (p: string) => p.replace(/^[ab]\//, '');

function pathOf(raw: string): string {
  return stripSide(unquotePath(raw.replace(/\t.*$/, '')));
}

/** Splits one patch's diff into per-file sections and counts their lines. */
export function diffSections(diff: string): Section[] {
  const lines = diff.split('\n');
  const out: Section[] = [];
  let cur: Section | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith('diff --git ')) {
      const rest = line.slice('diff --git '.length);
      // Unquoted names with spaces are ambiguous; the ---/+++ or rename lines below settle them.
      const q = /^("(?:[^"\\]|\\.)*"|\S+) ("(?:[^"\\]|\\.)*"|\S+)$/.exec(rest);
      const half = rest.length % 2 === 1 ? rest.slice(0, (rest.length - 1) / 2) : rest;
      const a = q ? pathOf(q[1] as string) : stripSide(half);
      const b = q ? pathOf(q[2] as string) : stripSide(half);
      cur = { a, b, added: 0, deleted: 0, binary: false };
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    let m: RegExpExecArray | null;
    if ((m = /^new file mode (\d+)$/.exec(line))) cur.created = m[1] as string;
    else if ((m = /^deleted file mode (\d+)$/.exec(line))) cur.removed = m[1] as string;
    else if ((m = /^old mode (\d+)$/.exec(line))) cur.oldMode = m[1] as string;
    else if ((m = /^new mode (\d+)$/.exec(line))) cur.newMode = m[1] as string;
    else if ((m = /^(rename|copy) from (.+)$/.exec(line))) {
      cur.renameFrom = unquotePath(m[2] as string);
      cur.copy = m[1] === 'copy';
    } else if ((m = /^(?:rename|copy) to (.+)$/.exec(line))) cur.renameTo = unquotePath(m[1] as string);
    else if ((m = /^similarity index (\d+)%$/.exec(line))) cur.similarity = Number(m[1]);
    else if ((m = /^--- (.+)$/.exec(line)) && m[1] !== '/dev/null') cur.a = pathOf(m[1] as string);
    else if ((m = /^\+\+\+ (.+)$/.exec(line)) && m[1] !== '/dev/null') cur.b = pathOf(m[1] as string);
    else if (line.startsWith('Binary files ')) cur.binary = true;
    else if (line === 'GIT binary patch') {
      cur.binary = true;
      // forward hunk (new size), then reverse hunk (old size)
      const sizes: number[] = [];
      for (let k = i + 1; k < lines.length && sizes.length < 2 && !(lines[k] as string).startsWith('diff --git '); k++) {
        const s = /^(?:literal|delta) (\d+)$/.exec(lines[k] as string);
        if (s) sizes.push(Number(s[1]));
      }
      cur.added = sizes[0] ?? 0;
      cur.deleted = sizes[1] ?? 0;
    } else if ((m = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(line))) {
      let oldLeft = m[1] === undefined ? 1 : Number(m[1]);
      let newLeft = m[2] === undefined ? 1 : Number(m[2]);
      while ((oldLeft > 0 || newLeft > 0) && i + 1 < lines.length) {
        const l = lines[++i] as string;
        if (l.startsWith('+')) {
          cur.added++;
          newLeft--;
        } else if (l.startsWith('-')) {
          cur.deleted++;
          oldLeft--;
        } else if (l.startsWith('\\')) {
          continue;
        } else {
          oldLeft--;
          newLeft--;
        }
      }
    }
  }
  for (const s of out) {
    if (s.renameTo) s.b = s.renameTo;
    if (s.renameFrom) s.a = s.renameFrom;
  }
  return out;
}

/** The series' net file list: patches applied in order, counts summed per file. */
export function seriesFileStats(diffs: string[]): FileStat[] {
  const files = new Map<string, FileStat>();
  for (const diff of diffs) {
    for (const s of diffSections(diff)) {
      let f: FileStat | undefined;
      if (s.renameFrom !== undefined) {
        const before = files.get(s.renameFrom);
        if (before && !s.copy) files.delete(s.renameFrom);
        if (before && !s.copy) {
          f = before;
          if (!f.created) f.from ??= s.renameFrom;
          f.name = s.b;
        } else {
          f = { name: s.b, from: s.renameFrom, added: 0, deleted: 0, binary: false, touches: 0, ...(s.copy ? { copy: true } : {}) };
        }
        if (s.similarity !== undefined && f.from !== undefined) f.similarity = s.similarity;
      } else {
        const name = s.removed !== undefined ? s.a : s.b;
        f = files.get(name) ?? { name, added: 0, deleted: 0, binary: false, touches: 0 };
      }
      files.set(f.name, f);
      f.touches++;
      f.added += s.added;
      f.deleted += s.deleted;
      f.binary ||= s.binary;
      if (s.created !== undefined) {
        if (f.removed !== undefined) delete f.removed;
        else f.created = s.created;
      }
      if (s.removed !== undefined) {
        if (f.created !== undefined) {
          files.delete(f.name);
          continue;
        }
        f.removed = s.removed;
      }
      if (s.oldMode !== undefined && s.newMode !== undefined) {
        const first = f.mode ? f.mode[0] : s.oldMode;
        if (first === s.newMode) delete f.mode;
        else f.mode = [first, s.newMode];
      }
    }
  }
  return [...files.values()].sort((x, y) => Buffer.compare(Buffer.from(x.name), Buffer.from(y.name)));
}

/** git's pprint_rename: `dir/{old => new}/file`. */
export function renameName(a: string, b: string): string {
  if (quotePath(a) !== a || quotePath(b) !== b) return `${quotePath(a)} => ${quotePath(b)}`;
  let pfx = 0;
  for (let i = 0; i < a.length && i < b.length && a[i] === b[i]; i++) if (a[i] === '/') pfx = i + 1;
  let sfx = 0;
  const adjust = pfx ? 1 : 0;
  for (let i = a.length - 1, j = b.length - 1; i >= pfx - adjust && j >= pfx - adjust && a[i] === b[j]; i--, j--) {
    if (a[i] === '/') sfx = a.length - i;
  }
  const aMid = a.slice(pfx, Math.max(pfx, a.length - sfx));
  const bMid = b.slice(pfx, Math.max(pfx, b.length - sfx));
  if (pfx + sfx === 0) return `${aMid} => ${bMid}`;
  return `${a.slice(0, pfx)}{${aMid} => ${bMid}}${a.slice(a.length - sfx)}`;
}

const printName = (f: FileStat) => (f.from !== undefined ? renameName(f.from, f.name) : quotePath(f.name));
const scale = (it: number, width: number, max: number) => (it === 0 ? 0 : 1 + Math.floor((it * (width - 1)) / max));

/** show_stats(): one line per file, the totals line, at `width` columns. */
export function formatDiffstat(files: FileStat[], width = 72): string {
  const shown = files.filter((f) => f.added + f.deleted > 0 || f.created !== undefined || f.removed !== undefined || f.mode || f.from !== undefined || f.binary);
  if (shown.length === 0) return '';
  let maxLen = 0;
  let maxChange = 0;
  let numberWidth = 0;
  let binWidth = 0;
  for (const f of shown) {
    maxLen = Math.max(maxLen, displayWidth(printName(f)));
    if (f.binary) {
      binWidth = Math.max(binWidth, 14 + String(f.added).length + String(f.deleted).length);
      numberWidth = 3;
    } else maxChange = Math.max(maxChange, f.added + f.deleted);
  }
  numberWidth = Math.max(numberWidth, String(maxChange).length);
  width = Math.max(width, 16 + 6 + numberWidth);
  let graphWidth = maxChange + 4 > binWidth ? maxChange : binWidth - 4;
  let nameWidth = maxLen;
  if (nameWidth + numberWidth + 6 + graphWidth > width) {
    const cap = Math.floor((width * 3) / 8) - numberWidth - 6;
    if (graphWidth > cap) graphWidth = Math.max(6, cap);
    if (nameWidth > width - numberWidth - 6 - graphWidth) nameWidth = width - numberWidth - 6 - graphWidth;
    else graphWidth = width - numberWidth - 6 - nameWidth;
  }
  let out = '';
  let adds = 0;
  let dels = 0;
  for (const f of shown) {
    let name = printName(f);
    let prefix = '';
    let len = nameWidth;
    const nameLen = displayWidth(name);
    if (nameWidth < nameLen) {
      prefix = '...';
      len -= 3;
      // git advances by display columns counted as bytes; paths are ASCII in practice
      name = name.slice(nameLen - len);
      const slash = name.indexOf('/');
      if (slash >= 0) name = name.slice(slash);
    }
    const padding = ' '.repeat(Math.max(0, len - displayWidth(name)));
    if (f.binary) {
      out += ` ${prefix}${name}${padding} | ${'Bin'.padStart(numberWidth)}`;
      out += f.added || f.deleted ? ` ${f.deleted} -> ${f.added} bytes\n` : '\n';
      continue;
    }
    adds += f.added;
    dels += f.deleted;
    let add = f.added;
    let del = f.deleted;
    if (graphWidth <= maxChange) {
      let total = scale(add + del, graphWidth, maxChange);
      if (total < 2 && add && del) total = 2;
      if (add < del) {
        add = scale(add, graphWidth, maxChange);
        del = total - add;
      } else {
        del = scale(del, graphWidth, maxChange);
        add = total - del;
      }
    }
    const changes = f.added + f.deleted;
    out += ` ${prefix}${name}${padding} | ${String(changes).padStart(numberWidth)}${changes ? ' ' : ''}${'+'.repeat(add)}${'-'.repeat(del)}\n`;
  }
  const n = shown.length;
  let summary = ` ${n} file${n === 1 ? '' : 's'} changed`;
  if (adds || dels === 0) summary += `, ${adds} insertion${adds === 1 ? '' : 's'}(+)`;
  if (dels || adds === 0) summary += `, ${dels} deletion${dels === 1 ? '' : 's'}(-)`;
  return `${out}${summary}\n`;
}

/** The --summary lines: created, deleted, renamed, copied files and mode changes. */
export function formatSummary(files: FileStat[]): string {
  let out = '';
  for (const f of files) {
    if (f.created !== undefined) out += ` create mode ${f.created} ${quotePath(f.name)}\n`;
    else if (f.removed !== undefined) out += ` delete mode ${f.removed} ${quotePath(f.name)}\n`;
    else if (f.from !== undefined) {
      out += ` ${f.copy ? 'copy' : 'rename'} ${renameName(f.from, f.name)} (${f.similarity ?? 100}%)\n`;
      if (f.mode) out += ` mode change ${f.mode[0]} => ${f.mode[1]}\n`;
      continue;
    }
    if (f.mode && f.created === undefined && f.removed === undefined) out += ` mode change ${f.mode[0]} => ${f.mode[1]} ${quotePath(f.name)}\n`;
  }
  return out;
}

/**
 * The cover letter's diffstat from the patches' diffs, and the files whose counts are
 * summed over several patches (where git's net diff may count differently).
 */
export function seriesDiffstat(diffs: string[]): { text: string; summed: string[] } {
  const files = seriesFileStats(diffs);
  return { text: formatDiffstat(files) + formatSummary(files), summed: files.filter((f) => f.touches > 1).map((f) => f.name) };
}
