/**
 * Markdown files whose YAML front matter is validated against a schema under schema/:
 * quirks/<id>.md and series/<slug>.md. Parsed so that they can be edited without losing
 * comments or key order, and so that every problem is located as file:line.
 */
import type { Problem } from '../errors.js';
import { joinFrontMatter, splitFrontMatter } from './frontmatter.js';
import { formatPath, validateWithSchema, type DataPath } from './schema.js';
import { lineOf, listAsWritten, parseYaml, yamlErrors, yamlToString, type ParsedYaml } from './yaml.js';

export interface FrontMatterDocument<T> {
  /** Path as shown to the user (relative to the workspace). */
  file: string;
  yaml: ParsedYaml;
  yamlLine: number;
  body: string;
  bodyLine: number;
  data: T;
}

export type FrontMatterParse<T> = { ok: true; doc: FrontMatterDocument<T> } | { ok: false; problems: Problem[] };

export interface FrontMatterOptions {
  /** Schema name: schema/<name>.schema.json. */
  schema: string;
  /** Lists whose numbers are kept as typed (kernel versions such as 6.10). */
  asWritten?: DataPath[];
  /** What the front matter holds, for the message when it is not a map. */
  keys: string;
}

/** The file line of the YAML node at `path`. */
export function lineAt(doc: Pick<FrontMatterDocument<unknown>, 'yaml' | 'yamlLine'>, path: DataPath): number {
  return doc.yamlLine - 1 + lineOf(doc.yaml, path);
}

export function parseFrontMatterDocument<T>(text: string, file: string, opts: FrontMatterOptions): FrontMatterParse<T> {
  const split = splitFrontMatter(text);
  if (!split) {
    return { ok: false, problems: [{ file, line: 1, field: '', message: "expected YAML front matter between '---' lines at the top of the file" }] };
  }
  const yaml = parseYaml(split.yaml);
  const problems: Problem[] = yamlErrors(yaml).map((e) => ({ file, line: split.yamlLine - 1 + e.line, field: '', message: e.message }));
  if (problems.length) return { ok: false, problems };

  const data: unknown = yaml.doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, problems: [{ file, line: split.yamlLine, field: '', message: `front matter must be a YAML map of keys such as ${opts.keys}` }] };
  }
  for (const path of opts.asWritten ?? []) {
    const list = listAsWritten(yaml, split.yaml, path);
    if (!list) continue;
    const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((o, k) => o[k] as Record<string | number, unknown>, data as Record<string, unknown>);
    parent[path[path.length - 1] as string] = list;
  }
  const doc: FrontMatterDocument<T> = { file, yaml, yamlLine: split.yamlLine, body: split.body, bodyLine: split.bodyLine, data: data as T };
  for (const issue of validateWithSchema(opts.schema, data)) {
    problems.push({ file, line: lineAt(doc, issue.path), field: formatPath(issue.path), message: issue.message });
  }
  // Schema errors come in schema order; people read files top to bottom.
  problems.sort((a, b) => a.line - b.line);
  return problems.length ? { ok: false, problems } : { ok: true, doc };
}

export function serializeFrontMatterDocument(doc: Pick<FrontMatterDocument<unknown>, 'yaml' | 'body'>): string {
  return joinFrontMatter(doc.yaml.doc.toString(yamlToString), doc.body);
}

/**
 * Sets a front-matter value in both the YAML document (comments elsewhere kept) and the
 * parsed data. Lists of short strings print on one line when `flow` is set.
 */
export function setValue<T>(doc: FrontMatterDocument<T>, path: DataPath, value: unknown, opts: { flow?: boolean } = {}): void {
  const node = doc.yaml.doc.createNode(value, { flow: opts.flow ?? false });
  doc.yaml.doc.setIn(path, node);
  const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((o, k) => {
    if (o[k] === undefined || o[k] === null) o[k] = typeof k === 'number' ? [] : {};
    return o[k] as Record<string | number, unknown>;
  }, doc.data as Record<string, unknown>);
  parent[path[path.length - 1] as string | number] = value;
}
