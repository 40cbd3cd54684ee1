/**
 * The cover letter is written in Markdown and sent as plain text, the way kernel mail is
 * read: paragraphs wrapped at 72 columns, lists with hanging indents, code blocks and
 * logs verbatim (indented, never wrapped), links written out, nothing a mail reader
 * would show as markup noise.
 */
import type { Definition, List, ListItem, Nodes, PhrasingContent, Root, RootContent, Table } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { displayWidth, wrapWords } from '../lib/wrap.js';

export const COVER_WIDTH = 72;
const CODE_INDENT = '  ';
/** Marks spaces that must not be broken (inside code spans and links) and hard breaks. */
const NBSP = '\u0000';
const HARD_BREAK = '\u0001';

type Defs = Map<string, Definition>;

function inline(nodes: PhrasingContent[], defs: Defs): string {
  return nodes.map((n) => inlineNode(n, defs)).join('');
}

const glue = (s: string) => s.replace(/ /g, NBSP);

function inlineNode(n: PhrasingContent, defs: Defs): string {
  switch (n.type) {
    case 'text':
      return n.value;
    case 'inlineCode':
      // A phrase keeps its backticks so that its ends show; an identifier reads fine without.
      return glue(/\s/.test(n.value) ? `\`${n.value}\`` : n.value);
    case 'emphasis':
      return `_${inline(n.children, defs)}_`;
    case 'strong':
      return `*${inline(n.children, defs)}*`;
    case 'delete':
      return `~${inline(n.children, defs)}~`;
    case 'break':
      return HARD_BREAK;
    case 'html':
      return n.value;
    case 'link':
      return linkText(inline(n.children, defs), n.url);
    case 'image':
      return linkText(n.alt ?? '', n.url);
    case 'linkReference':
    case 'imageReference': {
      const def = defs.get(n.identifier);
      const label = n.type === 'linkReference' ? inline(n.children, defs) : (n.alt ?? '');
      return def ? linkText(label, def.url) : label;
    }
    case 'footnoteReference':
      return `[${n.label ?? n.identifier}]`;
    default:
      return '';
  }
}

function linkText(label: string, url: string): string {
  const plain = url.replace(/^mailto:/, '');
  if (!label || label === url || label === plain) return glue(plain);
  return `${label} (${glue(plain)})`;
}

const columns = (s: string) => displayWidth(s.replaceAll(NBSP, ' '));

/** Each hard-broken segment wrapped by display columns; an empty one is an empty line. */
function wrap(text: string, width: number): string[] {
  const out = text.split(HARD_BREAK).flatMap((segment) => {
    const lines = wrapWords(segment, width, '', '', columns);
    return lines.length ? lines : [''];
  });
  return out.map((l) => l.replaceAll(NBSP, ' '));
}

function indentLines(lines: string[], first: string, rest: string): string[] {
  return lines.map((l, i) => (l === '' ? '' : `${i === 0 ? first : rest}${l}`.trimEnd()));
}

function listLines(list: List, width: number, defs: Defs): string[] {
  const out: string[] = [];
  const start = list.start ?? 1;
  const markers = list.children.map((_, i) => (list.ordered ? `${start + i}. ` : '- '));
  const hang = Math.max(...markers.map((m) => m.length));
  list.children.forEach((item: ListItem, i) => {
    if (i > 0 && (list.spread || item.spread)) out.push('');
    const body = blocks(item.children as RootContent[], width - hang, defs, item.spread ?? false);
    const marker = (markers[i] as string).padEnd(hang);
    const first = item.checked === true ? `${marker}[x] ` : item.checked === false ? `${marker}[ ] ` : marker;
    out.push(...indentLines(body, first, ' '.repeat(hang)));
  });
  return out;
}

function tableLines(table: Table, defs: Defs): string[] {
  const rows = table.children.map((r) => r.children.map((c) => inline(c.children, defs).replaceAll(NBSP, ' ').replaceAll(HARD_BREAK, ' ')));
  const cols = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: cols }, (_, i) => Math.max(...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat((widths[i] ?? 0) - displayWidth(c))).join('  ').trimEnd();
  const [head, ...body] = rows;
  return [line(head ?? []), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
}

function block(n: RootContent, width: number, defs: Defs): string[] {
  switch (n.type) {
    case 'paragraph':
      return wrap(inline(n.children, defs), width);
    case 'heading': {
      const lines = wrap(inline(n.children, defs), width);
      const w = Math.max(...lines.map(displayWidth));
      return [...lines, (n.depth === 1 ? '=' : '-').repeat(w)];
    }
    case 'code':
      return n.value.split('\n').map((l) => (l ? CODE_INDENT + l : ''));
    case 'blockquote':
      return blocks(n.children, width - 2, defs, true).map((l) => (l ? `> ${l}` : '>'));
    case 'list':
      return listLines(n, width, defs);
    case 'thematicBreak':
      return ['---'];
    case 'html':
      return n.value.split('\n');
    case 'table':
      return tableLines(n, defs);
    case 'footnoteDefinition':
      return indentLines(blocks(n.children, width - 4, defs, true), `[${n.label ?? n.identifier}] `, '    ');
    default:
      return [];
  }
}

/**
 * Blocks separated by blank lines; in a tight list item they follow each other. A
 * paragraph directly followed by a list ("Changes in v2:" then "- ...") keeps the list
 * under it, as people write changelogs in mail.
 */
function blocks(nodes: RootContent[], width: number, defs: Defs, spread: boolean): string[] {
  const out: string[] = [];
  let prev: RootContent | undefined;
  for (const n of nodes) {
    if (n.type === 'definition') continue;
    const lines = block(n, width, defs);
    if (lines.length === 0) continue;
    if (prev) {
      const adjacent = prev.type === 'paragraph' && n.type === 'list' && prev.position && n.position && n.position.start.line === prev.position.end.line + 1;
      if (spread && !adjacent) out.push('');
    }
    out.push(...lines);
    prev = n;
  }
  return out;
}

function collectDefinitions(node: Nodes, defs: Defs): void {
  if (node.type === 'definition') defs.set(node.identifier, node);
  if ('children' in node) for (const c of node.children as Nodes[]) collectDefinitions(c, defs);
}

/** The cover letter Markdown as plain mail text, without a trailing newline. */
export function renderCoverText(markdown: string, width = COVER_WIDTH): string {
  const tree = unified().use(remarkParse).use(remarkGfm).parse(markdown) as Root;
  const defs: Defs = new Map();
  collectDefinitions(tree, defs);
  return blocks(tree.children, width, defs, true)
    .map((l) => l.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/^\n+|\n+$/g, '');
}
