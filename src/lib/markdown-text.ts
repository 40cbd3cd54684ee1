/**
 * Markdown as the plain text kernel mail and commit messages are read in: paragraphs
 * wrapped by display width, lists with hanging indents, code blocks and logs verbatim
 * (indented, never wrapped), block quotes as `> ` lines, tables aligned, links and
 * reference links written out with their URLs, nothing a reader would see as markup
 * noise. One unified plugin (remarkText) compiles a tree to text; the processors are
 * built once and frozen: `markdown` parses, `mailText` makes cover letters (72
 * columns, `_emphasis_`, `*strong*`, code phrases in backticks, `---` rules) and
 * `commitText` the prose of commit messages (75 columns, no marks, no rules: a `---`
 * line ends a commit message for git am).
 */
import type { Definition, List, ListItem, Nodes, PhrasingContent, Root, RootContent, Table } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified, type Processor } from 'unified';
import { displayWidth, wrapWords } from './wrap.js';

export interface TextOptions {
  width: number;
  /** mail: Markdown's marks for emphasis, strong, code phrases and rules stay; commit: plain words. */
  style: 'mail' | 'commit';
}

export const COMMIT_WIDTH = 75;
export const COVER_WIDTH = 72;
const CODE_INDENT = '  ';
/** Marks spaces that must not be broken (inside code spans and links) and hard breaks. */
const NBSP = '\u0000';
const HARD_BREAK = '\u0001';

type Defs = Map<string, Definition>;

/** What rendering needs besides the node: the options, and the tree's link definitions. */
interface Ctx extends TextOptions {
  defs: Defs;
}

function inline(nodes: PhrasingContent[], ctx: Ctx): string {
  return nodes.map((n) => inlineNode(n, ctx)).join('');
}

const glue = (s: string) => s.replace(/ /g, NBSP);
const mark = (ctx: Ctx, m: string, text: string) => (ctx.style === 'mail' ? `${m}${text}${m}` : text);

function inlineNode(n: PhrasingContent, ctx: Ctx): string {
  switch (n.type) {
    case 'text':
      return n.value;
    case 'inlineCode':
      // A phrase keeps its backticks in mail so that its ends show; an identifier reads fine without.
      return glue(ctx.style === 'mail' && /\s/.test(n.value) ? `\`${n.value}\`` : n.value);
    case 'emphasis':
      return mark(ctx, '_', inline(n.children, ctx));
    case 'strong':
      return mark(ctx, '*', inline(n.children, ctx));
    case 'delete':
      return mark(ctx, '~', inline(n.children, ctx));
    case 'break':
      return HARD_BREAK;
    case 'html':
      return n.value;
    case 'link':
      return linkText(inline(n.children, ctx), n.url);
    case 'image':
      return linkText(n.alt ?? '', n.url);
    case 'linkReference':
    case 'imageReference': {
      const def = ctx.defs.get(n.identifier);
      const label = n.type === 'linkReference' ? inline(n.children, ctx) : (n.alt ?? '');
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

function listLines(list: List, width: number, ctx: Ctx): string[] {
  const out: string[] = [];
  const start = list.start ?? 1;
  const markers = list.children.map((_, i) => (list.ordered ? `${start + i}. ` : '- '));
  const hang = Math.max(...markers.map((m) => m.length));
  list.children.forEach((item: ListItem, i) => {
    if (i > 0 && (list.spread || item.spread)) out.push('');
    const body = blocks(item.children as RootContent[], width - hang, ctx, item.spread ?? false);
    const marker = (markers[i] as string).padEnd(hang);
    const first = item.checked === true ? `${marker}[x] ` : item.checked === false ? `${marker}[ ] ` : marker;
    out.push(...indentLines(body, first, ' '.repeat(hang)));
  });
  return out;
}

function tableLines(table: Table, ctx: Ctx): string[] {
  const rows = table.children.map((r) => r.children.map((c) => inline(c.children, ctx).replaceAll(NBSP, ' ').replaceAll(HARD_BREAK, ' ')));
  const cols = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: cols }, (_, i) => Math.max(...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat((widths[i] ?? 0) - displayWidth(c))).join('  ').trimEnd();
  const [head, ...body] = rows;
  return [line(head ?? []), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
}

function block(n: RootContent, width: number, ctx: Ctx): string[] {
  switch (n.type) {
    case 'paragraph':
      return wrap(inline(n.children, ctx), width);
    case 'heading': {
      const lines = wrap(inline(n.children, ctx), width);
      const w = Math.max(...lines.map(displayWidth));
      return [...lines, (n.depth === 1 ? '=' : '-').repeat(w)];
    }
    case 'code':
      return n.value.split('\n').map((l) => (l ? CODE_INDENT + l : ''));
    case 'blockquote':
      return blocks(n.children, width - 2, ctx, true).map((l) => (l ? `> ${l}` : '>'));
    case 'list':
      return listLines(n, width, ctx);
    case 'thematicBreak':
      return ctx.style === 'mail' ? ['---'] : [];
    case 'html':
      // A comment is a note to the writer, not text for the reader.
      return /^<!--[\s\S]*-->$/.test(n.value.trim()) ? [] : n.value.split('\n');
    case 'table':
      return tableLines(n, ctx);
    case 'footnoteDefinition':
      return indentLines(blocks(n.children, width - 4, ctx, true), `[${n.label ?? n.identifier}] `, '    ');
    default:
      return [];
  }
}

/**
 * Blocks separated by blank lines; in a tight list item they follow each other. A
 * paragraph directly followed by a list ("Changes in v2:" then "- ...") keeps the list
 * under it, as people write changelogs in mail.
 */
function blocks(nodes: RootContent[], width: number, ctx: Ctx, spread: boolean): string[] {
  const out: string[] = [];
  let prev: RootContent | undefined;
  for (const n of nodes) {
    if (n.type === 'definition') continue;
    const lines = block(n, width, ctx);
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

/** The text of a tree, without a trailing newline. */
function textOf(tree: Root, options: TextOptions): string {
  const ctx: Ctx = { ...options, defs: new Map() };
  collectDefinitions(tree, ctx.defs);
  return blocks(tree.children, options.width, ctx, true)
    .map((l) => l.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/^\n+|\n+$/g, '');
}

/** The unified plugin: compiles a Markdown tree to plain text. */
export function remarkText(this: Processor, options: TextOptions): void {
  this.compiler = (tree) => textOf(tree as Root, options);
}

/** The one Markdown parser (CommonMark with GitHub's tables, strikethrough, task lists, footnotes). */
export const markdown = unified().use(remarkParse).use(remarkGfm).freeze();
export const mailText = markdown().use(remarkText, { width: COVER_WIDTH, style: 'mail' }).freeze();
export const commitText = markdown().use(remarkText, { width: COMMIT_WIDTH, style: 'commit' }).freeze();

/** The words of inline content without marks: a heading's title, say. */
export function plainWords(nodes: PhrasingContent[]): string {
  return inline(nodes, { width: COMMIT_WIDTH, style: 'commit', defs: new Map() }).replaceAll(NBSP, ' ').replaceAll(HARD_BREAK, ' ');
}

/** Blocks of a parsed tree (and the definitions their reference links need) as commit message text. */
export function commitProse(nodes: RootContent[]): string {
  return String(commitText.stringify({ type: 'root', children: nodes } as Root));
}

/** The cover letter Markdown as plain mail text, without a trailing newline. */
export function renderCoverText(md: string): string {
  return String(mailText.processSync(md));
}
