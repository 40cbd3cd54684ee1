/**
 * One quirks/<id>.md file: parsed, validated against schema/quirk.schema.json, and
 * editable without losing the user's comments or key order.
 */
import type { Problem } from '../errors.js';
import { lineAt, parseFrontMatterDocument, serializeFrontMatterDocument, type FrontMatterDocument } from '../lib/fmdoc.js';
import { formatPath, type DataPath } from '../lib/schema.js';
import { moduleOf } from '../actions/registry.js';
import { actionKey, quirkFromData, type Quirk, type QuirkData } from './model.js';

export interface QuirkDocument extends FrontMatterDocument<QuirkData> {
  quirk: Quirk;
}

export type ParseResult = { ok: true; doc: QuirkDocument } | { ok: false; problems: Problem[] };

/**
 * Parses and validates a quirk file. `expectedId` is the file's stem: the id inside must
 * agree with the file name, or two tools would disagree on what the quirk is called.
 */
export function parseQuirkDocument(text: string, file: string, expectedId?: string): ParseResult {
  const r = parseFrontMatterDocument<QuirkData>(text, file, { schema: 'quirk', asWritten: [['upstream', 'fixed-in']], keys: 'id, title, match, actions' });
  if (!r.ok) return r;
  const quirk = quirkFromData(r.doc.data);
  const at = (path: DataPath) => lineAt(r.doc, path);
  const problems: Problem[] = [];
  if (expectedId !== undefined && quirk.id !== expectedId) {
    problems.push({ file, line: at(['id']), field: 'id', message: `'${quirk.id}' does not match the file name; expected '${expectedId}' (or rename the file to ${quirk.id}.md)` });
  }
  problems.push(...semanticProblems(quirk).map((p) => ({ file, line: at(p.path), field: formatPath(p.path), message: p.message })));
  if (problems.length) return { ok: false, problems };
  return { ok: true, doc: { ...r.doc, quirk } };
}

/** Rules the schema cannot say: an action kind that may appear once, conflicting writes. */
function semanticProblems(q: Quirk): { path: DataPath; message: string }[] {
  const out: { path: DataPath; message: string }[] = [];
  const firstOf = new Map<string, number>();
  q.actions.forEach((a, i) => {
    const key = actionKey(a);
    const prev = firstOf.get(key);
    if (prev === undefined) {
      firstOf.set(key, i);
      return;
    }
    const what = moduleOf(a).duplicate ?? `a '${a.type}' action`;
    out.push({ path: ['actions', i], message: `${what} is already given at actions[${prev}]; merge them into one` });
  });
  if (q.match.class && (q.match.class.value & ~q.match.class.mask) !== 0) {
    out.push({ path: ['match', 'class', 'value'], message: 'has bits set outside the mask; they would never match' });
  }
  return out;
}

export const serializeQuirkDocument = serializeFrontMatterDocument;
