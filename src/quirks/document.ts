/**
 * One quirks/<id>.md file: parsed, validated against schema/quirk.schema.json, and
 * editable without losing the user's comments or key order.
 */
import type { Problem } from '../errors.js';
import { joinFrontMatter, splitFrontMatter } from '../lib/frontmatter.js';
import { formatPath, validateWithSchema, type DataPath } from '../lib/schema.js';
import { lineOf, listAsWritten, parseYaml, yamlErrors, yamlToString, type ParsedYaml } from '../lib/yaml.js';
import { quirkFromData, type Quirk, type QuirkData } from './model.js';

export interface QuirkDocument {
  /** Path as shown to the user (relative to the workspace). */
  file: string;
  yaml: ParsedYaml;
  yamlLine: number;
  body: string;
  bodyLine: number;
  quirk: Quirk;
}

export type ParseResult = { ok: true; doc: QuirkDocument } | { ok: false; problems: Problem[] };

/**
 * Parses and validates a quirk file. `expectedId` is the file's stem: the id inside must
 * agree with the file name, or two tools would disagree on what the quirk is called.
 */
export function parseQuirkDocument(text: string, file: string, expectedId?: string): ParseResult {
  const split = splitFrontMatter(text);
  if (!split) {
    return { ok: false, problems: [{ file, line: 1, field: '', message: "expected YAML front matter between '---' lines at the top of the file" }] };
  }
  const yaml = parseYaml(split.yaml);
  const at = (path: DataPath) => split.yamlLine - 1 + lineOf(yaml, path);
  const problems: Problem[] = [];
  for (const err of yamlErrors(yaml)) problems.push({ file, line: split.yamlLine - 1 + err.line, field: '', message: err.message });
  if (problems.length) return { ok: false, problems };

  const data: unknown = yaml.doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, problems: [{ file, line: split.yamlLine, field: '', message: 'front matter must be a YAML map of keys such as id, title, match, actions' }] };
  }
  const fixedIn = listAsWritten(yaml, split.yaml, ['upstream', 'fixed-in']);
  if (fixedIn) (data as { upstream: Record<string, unknown> }).upstream['fixed-in'] = fixedIn;
  for (const issue of validateWithSchema('quirk', data)) {
    problems.push({ file, line: at(issue.path), field: formatPath(issue.path), message: issue.message });
  }
  // Schema errors come in schema order; people read files top to bottom.
  problems.sort((a, b) => a.line - b.line);
  if (problems.length) return { ok: false, problems };

  const quirk = quirkFromData(data as QuirkData);
  if (expectedId !== undefined && quirk.id !== expectedId) {
    problems.push({ file, line: at(['id']), field: 'id', message: `'${quirk.id}' does not match the file name; expected '${expectedId}' (or rename the file to ${quirk.id}.md)` });
  }
  problems.push(...semanticProblems(quirk).map((p) => ({ file, line: at(p.path), field: formatPath(p.path), message: p.message })));
  if (problems.length) return { ok: false, problems };

  return { ok: true, doc: { file, yaml, yamlLine: split.yamlLine, body: split.body, bodyLine: split.bodyLine, quirk } };
}

/** Rules the schema cannot say: an action kind that may appear once, conflicting writes. */
function semanticProblems(q: Quirk): { path: DataPath; message: string }[] {
  const out: { path: DataPath; message: string }[] = [];
  const firstOf = new Map<string, number>();
  q.actions.forEach((a, i) => {
    const key = a.type === 'config-write' ? `config-write@${a.offset}/${a.when}` : a.type;
    const prev = firstOf.get(key);
    if (prev === undefined) {
      firstOf.set(key, i);
      return;
    }
    const what = a.type === 'config-write' ? `a config-write to the same offset at the same stage` : `a '${a.type}' action`;
    out.push({ path: ['actions', i], message: `${what} is already given at actions[${prev}]; merge them into one` });
  });
  if (q.match.class && (q.match.class.value & ~q.match.class.mask) !== 0) {
    out.push({ path: ['match', 'class', 'value'], message: 'has bits set outside the mask; they would never match' });
  }
  return out;
}

export function serializeQuirkDocument(doc: QuirkDocument): string {
  return joinFrontMatter(doc.yaml.doc.toString(yamlToString), doc.body);
}
