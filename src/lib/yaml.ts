/**
 * YAML documents that survive editing: comments, key order and the way numbers were
 * written (0x1f9d stays 0x1f9d, not 8093) are kept when quirkctl changes a file.
 */
import { Document, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Node, type ParseOptions, type DocumentOptions, type SchemaOptions, type ToStringOptions } from 'yaml';
import type { DataPath } from './schema.js';

/** A scalar that remembers how to print itself in hex, with at least `digits` digits. */
interface HexScalar extends Scalar<number> {
  hexDigits?: number;
  hexSource?: string;
}

// Replaces the YAML core schema's hex integer tag so hex numbers keep their padding and case.
const hexInt = {
  identify: (v: unknown) => typeof v === 'number' && Number.isInteger(v),
  default: true,
  tag: 'tag:yaml.org,2002:int',
  format: 'HEX',
  test: /^0x[0-9a-fA-F]+$/,
  resolve(str: string): Scalar {
    const s = new Scalar(parseInt(str.slice(2), 16)) as HexScalar;
    s.format = 'HEX';
    s.hexSource = str;
    return s;
  },
  stringify(item: { value: unknown }): string {
    const s = item as HexScalar;
    const value = s.value;
    if (s.hexSource !== undefined && parseInt(s.hexSource.slice(2), 16) === value) return s.hexSource;
    return `0x${value.toString(16).padStart(s.hexDigits ?? 1, '0')}`;
  },
};

export const yamlOptions: ParseOptions & DocumentOptions & SchemaOptions = {
  keepSourceTokens: false,
  customTags: (tags) => tags.map((t) => ((t as { format?: string }).format === 'HEX' ? hexInt : t)),
};

export const yamlToString: ToStringOptions = {
  lineWidth: 0, // never fold titles or URLs
  flowCollectionPadding: true,
};

export interface ParsedYaml {
  doc: Document;
  lines: LineCounter;
}

export function parseYaml(text: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...yamlOptions, lineCounter: lines, prettyErrors: false });
  return { doc, lines };
}

export function newYamlDocument(value: unknown): Document {
  return new Document(value, yamlOptions);
}

/** A number node printed as hex with at least `digits` digits: 0x1f9d, 0x7c, 0x39d5e86b. */
export function hexNode(value: number, digits: number): Scalar<number> {
  const s = new Scalar(value) as HexScalar;
  s.format = 'HEX';
  s.hexDigits = digits;
  return s;
}

/**
 * The 1-based line of the node at `path`, or of its deepest existing ancestor when the
 * node is missing (a missing key is reported where its map is).
 */
export function lineOf(parsed: ParsedYaml, path: DataPath): number {
  let node: unknown = parsed.doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && it.key.value === seg);
      if (!pair) break;
      const keyNode = pair.key as Node;
      offset = keyNode.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return parsed.lines.linePos(offset).line;
}

/** Syntax errors of a parsed document, each with its 1-based line. */
export function yamlErrors(parsed: ParsedYaml): { line: number; message: string }[] {
  return parsed.doc.errors.map((e) => ({ line: parsed.lines.linePos(e.pos[0]).line, message: `YAML: ${e.message.split('\n')[0]}` }));
}

/**
 * The list at `path` with numbers spelled as the user typed them. Kernel versions look
 * like floats to YAML (`6.10` would read as 6.1); they are strings.
 */
export function listAsWritten(parsed: ParsedYaml, source: string, path: DataPath): unknown[] | undefined {
  const seq = parsed.doc.getIn(path, true);
  if (!isSeq(seq)) return undefined;
  return seq.items.map((item) =>
    isScalar(item) && typeof item.value === 'number' && item.range ? source.slice(item.range[0], item.range[1]) : isScalar(item) ? item.value : item,
  );
}
