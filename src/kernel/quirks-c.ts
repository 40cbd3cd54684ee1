/**
 * drivers/pci/quirks.c as data: its fixup declarations, functions, the device-specific
 * reset table and the prototype of reset methods, read from the text of the tree the
 * patch is made against. Pure: text in, structures out. Kernel style (functions and
 * declarations starting in column 0, a function's closing brace in column 0) is what
 * makes a line-based reading reliable here; no C parser is needed.
 */

export interface FixupDeclaration {
  /** 1-based first and last line. */
  line: number;
  endLine: number;
  /** EARLY, HEADER, FINAL, ENABLE, RESUME, RESUME_EARLY, SUSPEND, SUSPEND_LATE. */
  pass: string;
  /** A DECLARE_PCI_FIXUP_CLASS_* line: applies to a class of devices only. */
  classBased: boolean;
  vendor: string;
  device: string;
  hook: string;
  /** Depth of #if nesting: 0 when compiled in every configuration. */
  depth: number;
}

export interface CFunction {
  name: string;
  line: number;
  endLine: number;
  params: string;
  body: string;
}

export interface ResetEntry {
  line: number;
  vendor: string;
  device: string;
  method: string;
}

export interface ResetTable {
  /** Line of `static const struct pci_dev_reset_methods pci_dev_reset_methods[] = {`. */
  line: number;
  /** Line of the `{ 0 }` terminator. */
  terminatorLine: number;
  entries: ResetEntry[];
}

export interface QuirksC {
  lines: string[];
  fixups: FixupDeclaration[];
  functions: Map<string, CFunction>;
  resetTable?: ResetTable;
  /** Type of the `probe` parameter of reset methods: `bool` since v5.15, `int` before. */
  probeType?: 'bool' | 'int';
}

const FIXUP = /^DECLARE_PCI_FIXUP_(CLASS_)?([A-Z_]+)\(([^;]*)\)\s*;/gm;

function lineOfOffset(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** #if depth before each line (index 0 = line 1). */
function conditionalDepths(lines: string[]): number[] {
  const depths: number[] = [];
  let depth = 0;
  for (const l of lines) {
    if (/^#\s*endif\b/.test(l)) depth = Math.max(0, depth - 1);
    depths.push(depth);
    if (/^#\s*if/.test(l)) depth++;
  }
  return depths;
}

function parseFunctions(lines: string[]): Map<string, CFunction> {
  const out = new Map<string, CFunction>();
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '{') continue;
    // The prototype: the lines above, back to one that starts in column 0.
    let start = i - 1;
    while (start > 0 && /^\s/.test(lines[start] ?? '')) start--;
    const proto = lines.slice(start, i).join(' ');
    const m = /(\w+)\s*\(([^()]*)\)\s*$/.exec(proto);
    if (!m || /^(struct|enum|union)\b|=/.test(proto)) continue;
    let end = i + 1;
    while (end < lines.length && !(lines[end] ?? '').startsWith('}')) end++;
    const name = m[1] as string;
    out.set(name, { name, line: start + 1, endLine: end + 1, params: (m[2] as string).replace(/\s+/g, ' ').trim(), body: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return out;
}

function parseResetTable(lines: string[]): ResetTable | undefined {
  const start = lines.findIndex((l) => /^static const struct pci_dev_reset_methods pci_dev_reset_methods\[\]\s*=\s*\{/.test(l));
  if (start === -1) return undefined;
  let end = start + 1;
  while (end < lines.length && !(lines[end] ?? '').startsWith('}')) end++;
  const terminator = lines.slice(start, end).findIndex((l) => /^\s*\{\s*0\s*\}/.test(l));
  if (terminator === -1) return undefined;
  const tableText = lines.slice(start + 1, end).join('\n');
  const entries: ResetEntry[] = [];
  for (const m of tableText.matchAll(/\{\s*([^,{}]+?)\s*,\s*([^,{}]+?)\s*,\s*(\w+)\s*\}/g)) {
    entries.push({ line: start + 2 + lineOfOffset(tableText, m.index ?? 0) - 1, vendor: m[1] as string, device: m[2] as string, method: m[3] as string });
  }
  return { line: start + 1, terminatorLine: start + terminator + 1, entries };
}

export function parseQuirksC(text: string): QuirksC {
  const lines = text.split('\n');
  const depths = conditionalDepths(lines);
  const fixups: FixupDeclaration[] = [];
  for (const m of text.matchAll(FIXUP)) {
    const args = (m[3] as string).split(',').map((a) => a.trim());
    const classBased = m[1] !== undefined;
    if (args.length !== (classBased ? 5 : 3)) continue;
    const line = lineOfOffset(text, m.index ?? 0);
    fixups.push({
      line,
      endLine: line + ((m[0] as string).match(/\n/g)?.length ?? 0),
      pass: m[2] as string,
      classBased,
      vendor: args[0] as string,
      device: args[1] as string,
      hook: args[args.length - 1] as string,
      depth: depths[line - 1] ?? 0,
    });
  }
  const probe = /\bpci_dev_specific_reset\s*\(\s*struct pci_dev \*\w+\s*,\s*(bool|int)\s+probe\s*\)/.exec(text);
  const qc: QuirksC = { lines, fixups, functions: parseFunctions(lines) };
  const table = parseResetTable(lines);
  if (table) qc.resetTable = table;
  if (probe) qc.probeType = probe[1] as 'bool' | 'int';
  return qc;
}

/** Inserts `block` after 1-based line `after` (0 = at the top). */
export function insertLines(text: string, after: number, block: string[]): string {
  const lines = text.split('\n');
  lines.splice(after, 0, ...block);
  return lines.join('\n');
}

/** Every identifier used in the file, to keep a generated function name unique. */
export function usesIdentifier(qc: QuirksC, name: string): boolean {
  const re = new RegExp(`\\b${name}\\b`);
  return qc.lines.some((l) => re.test(l));
}
