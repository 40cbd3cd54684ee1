/** The quirk database on disk: quirks/<id>.md files in a workspace. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError, ValidationError, type Problem } from '../errors.js';
import { writeAtomic } from '../workspace/fs.js';
import { displayPath, type Workspace } from '../workspace/workspace.js';
import { formatDeviceIds } from './ids.js';
import { parseQuirkDocument, type ParseResult, type QuirkDocument } from './document.js';
import type { Quirk } from './model.js';

/** What read-only commands need of a quirk: the model, where it lives, its prose. */
export interface QuirkEntry {
  quirk: Quirk;
  file: string;
  yamlLine: number;
  body: string;
}

export interface Database<T extends QuirkEntry = QuirkDocument> {
  docs: T[];
  problems: Problem[];
}

export function quirkPath(ws: Workspace, id: string): string {
  return path.join(ws.quirksDir, `${id}.md`);
}

export function quirkFileNames(ws: Workspace): string[] {
  let names: string[];
  try {
    names = readdirSync(ws.quirksDir);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith('.md') && !n.startsWith('.')).sort();
}

/** Parses one file of quirks/ (name without directory), for the index or for editing. */
export function readQuirkFile(ws: Workspace, name: string): ParseResult {
  const full = path.join(ws.quirksDir, name);
  return parseQuirkDocument(readFileSync(full, 'utf8'), displayPath(ws, full), name.slice(0, -3));
}

/**
 * Every quirk file parsed for editing; problems are collected, not thrown, so one bad
 * file does not hide the others.
 */
export function readDatabase(ws: Workspace): Database {
  const docs: QuirkDocument[] = [];
  const problems: Problem[] = [];
  for (const name of quirkFileNames(ws)) {
    const r = readQuirkFile(ws, name);
    if (r.ok) docs.push(r.doc);
    else problems.push(...r.problems);
  }
  problems.push(...crossFileProblems(docs));
  return { docs, problems };
}

/** One device, one quirk: `add` merges into it, so a second file for it would be ignored. */
export function crossFileProblems(entries: QuirkEntry[]): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, QuirkEntry>();
  for (const e of entries) {
    const m = e.quirk.match;
    const key = `${formatDeviceIds(m)}/${m.revision}/${m.class?.value}/${m.class?.mask}`;
    const first = seen.get(key);
    if (first) problems.push({ file: e.file, line: e.yamlLine, field: 'match', message: `${formatDeviceIds(m)} is already matched by ${first.file}; merge the two quirks` });
    else seen.set(key, e);
  }
  return problems;
}

/** A quirk by id, or by `vvvv:dddd[:ssss:ssss]` when exactly one quirk matches those IDs. */
export function findQuirk<T extends QuirkEntry>(docs: T[], ref: string): T {
  const byId = docs.find((d) => d.quirk.id === ref);
  if (byId) return byId;
  if (/^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}(:[0-9a-fA-F]{4}:[0-9a-fA-F]{4})?$/.test(ref)) {
    const want = ref.toLowerCase();
    const hits = docs.filter((d) => formatDeviceIds(d.quirk.match) === want);
    if (hits.length === 1) return hits[0] as T;
    const loose = docs.filter((d) => formatDeviceIds({ vendor: d.quirk.match.vendor, device: d.quirk.match.device }) === want);
    if (loose.length === 1) return loose[0] as T;
    if (loose.length > 1) {
      throw new InputError(`quirk '${ref}': ${loose.length} quirks match that device (${loose.map((d) => d.quirk.id).join(', ')}); name one by id`);
    }
  }
  throw new InputError(`quirk '${ref}': no quirk with that id or device; 'quirkctl list' shows them`);
}

/**
 * Writes a quirk only after reading back what would be written: if the result does not
 * validate (a value let through that the schema refuses), nothing is written.
 */
export async function writeQuirkText(ws: Workspace, id: string, text: string): Promise<void> {
  const file = quirkPath(ws, id);
  const check = parseQuirkDocument(text, displayPath(ws, file), id);
  if (!check.ok) throw new ValidationError(check.problems);
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  await writeAtomic(file, text);
}
