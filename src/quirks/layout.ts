/**
 * How quirkctl lays out the YAML it writes into a quirk's front matter, so that new
 * files and edited ones look alike: one line per action, IDs and registers in hex.
 */
import { isMap, isScalar, isSeq, type Document, type Node, type YAMLMap } from 'yaml';
import { ACTION_TYPES, actionModule, type ActionType } from '../actions/registry.js';
import { hexNode, newYamlDocument } from '../lib/yaml.js';
import type { DataPath } from '../lib/schema.js';
import type { Edit } from './merge.js';
import type { QuirkData } from './model.js';

const HEX_DIGITS: Record<string, number> = { vendor: 4, device: 4, subvendor: 4, subdevice: 4, revision: 2 };

function hexDigitsFor(path: DataPath, parent: Record<string, unknown> | undefined): number | undefined {
  const key = path[path.length - 1];
  const owner = path[path.length - 2];
  if (typeof key !== 'string') return undefined;
  if (owner === 'class' && (key === 'value' || key === 'mask')) return 6;
  if (owner === 'match') return HEX_DIGITS[key];
  // An action's parameters: actions[i].<type>.<key>.
  if (path.length === 4 && path[0] === 'actions' && typeof owner === 'string' && (ACTION_TYPES as readonly string[]).includes(owner)) {
    return actionModule(owner as ActionType).hexDigits?.(key, parent);
  }
  return undefined;
}

/** Top-level lists are block lists; an action is a one-key map; everything inside is flow. */
function isBlock(path: DataPath): boolean {
  return path.length === 1 ? path[0] === 'actions' || path[0] === 'references' : path.length === 2 && path[0] === 'actions';
}

/** A YAML node for `value` placed at `path` in a quirk's front matter. */
export function layoutNode(doc: Document, path: DataPath, value: unknown, parent?: Record<string, unknown>): Node {
  const digits = typeof value === 'number' ? hexDigitsFor(path, parent) : undefined;
  if (digits !== undefined) return hexNode(value as number, digits);
  if (Array.isArray(value)) {
    const seq = doc.createNode([]) as Node & { items: Node[]; flow?: boolean };
    value.forEach((v, i) => seq.items.push(layoutNode(doc, [...path, i], v)));
    seq.flow = !isBlock(path) || value.length === 0;
    return seq;
  }
  if (value !== null && typeof value === 'object') {
    const map = doc.createNode({}) as Node & { flow?: boolean; set(k: unknown, v: unknown): void };
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) map.set(k, layoutNode(doc, [...path, k], v, value as Record<string, unknown>));
    }
    map.flow = !isBlock(path) && path.length > 0;
    return map;
  }
  return doc.createNode(value) as Node;
}

/** A new front matter document for `data`, keys in the order the schema documents them. */
export function newQuirkYaml(data: QuirkData): Document {
  const doc = newYamlDocument({});
  doc.contents = layoutNode(doc, [], data) as typeof doc.contents;
  return doc;
}

const KEY_ORDER = ['id', 'title', 'match', 'driver', 'actions', 'kernels', 'upstream', 'references'];

/** A new top-level key goes where the schema documents it, not at the end of the file. */
function insertInOrder(doc: Document, map: YAMLMap, key: string, node: Node): void {
  const rank = KEY_ORDER.indexOf(key);
  let at = 0;
  map.items.forEach((pair, i) => {
    const k = isScalar(pair.key) ? String(pair.key.value) : '';
    const r = KEY_ORDER.indexOf(k);
    if (r >= 0 && r < rank) at = i + 1;
  });
  map.items.splice(at, 0, doc.createPair(key, node) as (typeof map.items)[number]);
}

/** Applies merge edits to the document in place; comments elsewhere stay where they are. */
export function applyEdits(doc: Document, edits: Edit[]): void {
  for (const e of edits) {
    if (e.kind === 'set') {
      const parent = e.path.length > 1 ? doc.getIn(e.path.slice(0, -1)) : doc.contents;
      const parentJs = isMap(parent) ? (parent.toJSON() as Record<string, unknown>) : undefined;
      const node = layoutNode(doc, e.path, e.value, parentJs);
      if (e.path.length === 1 && isMap(parent) && !parent.has(e.path[0])) insertInOrder(doc, parent, e.path[0] as string, node);
      else doc.setIn(e.path, node);
      continue;
    }
    const seq = doc.getIn(e.path, true);
    if (isSeq(seq)) {
      if (seq.items.length === 0 && isBlock(e.path)) seq.flow = false;
      seq.items.push(layoutNode(doc, [...e.path, seq.items.length], e.value));
    } else if (seq === undefined || (isScalar(seq) && seq.value === null)) {
      doc.setIn(e.path, layoutNode(doc, e.path, [e.value]));
    } else {
      throw new Error(`cannot append to ${e.path.join('.')}: not a list`);
    }
  }
}
