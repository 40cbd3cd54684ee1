/**
 * Adding to a quirk: what `quirkctl add` asks for, compared with what the quirk already
 * has, as a list of edits. Pure: the edits are applied to the YAML document elsewhere.
 */
import type { DataPath } from '../lib/schema.js';
import {
  actionToData,
  describeAction,
  formatConfigWrite,
  sortSleepKinds,
  type Action,
  type Quirk,
  type RebindMethod,
  type SleepKind,
} from './model.js';

/** An action as requested: a rebind may leave its method unsaid, keeping the current one. */
export type RequestedAction =
  | Exclude<Action, { type: 'rebind' }>
  | { type: 'rebind'; around: SleepKind[]; method?: RebindMethod; settleMs?: number };

export interface QuirkRequest {
  actions: RequestedAction[];
  driver?: string;
  title?: string;
  kernels?: string;
  references: string[];
}

export type Edit =
  | { kind: 'set'; path: DataPath; value: unknown; change: string }
  | { kind: 'append'; path: DataPath; value: unknown; change: string };

export function toAction(r: RequestedAction): Action {
  return r.type === 'rebind' ? { ...r, method: r.method ?? 'unbind-bind' } : r;
}

/** The edits that bring `q` up to `req`; empty when it already has everything. */
export function planMerge(q: Quirk, req: QuirkRequest): Edit[] {
  const edits: Edit[] = [];
  const setField = (key: 'driver' | 'title' | 'kernels', value: string | undefined) => {
    if (value === undefined || q[key] === value) return;
    edits.push({ kind: 'set', path: [key], value, change: q[key] === undefined ? `${key}: ${value}` : `${key}: ${q[key]} -> ${value}` });
  };
  setField('title', req.title);
  setField('driver', req.driver);
  setField('kernels', req.kernels);

  for (const want of req.actions) edits.push(...mergeAction(q.actions, want));

  for (const ref of req.references) {
    if (!q.references.includes(ref)) edits.push({ kind: 'append', path: ['references'], value: ref, change: `reference ${ref}` });
  }
  return edits;
}

function mergeAction(have: Action[], want: RequestedAction): Edit[] {
  const add = (): Edit[] => [{ kind: 'append', path: ['actions'], value: actionToData(toAction(want)), change: `action ${describeAction(toAction(want))}` }];

  if (want.type === 'config-write') {
    const i = have.findIndex((a) => a.type === 'config-write' && a.offset === want.offset && a.when === want.when);
    if (i < 0) return add();
    const cur = have[i] as Extract<Action, { type: 'config-write' }>;
    if (cur.width === want.width && cur.value === want.value) return [];
    const { offset, width, value, when } = want;
    return [{ kind: 'set', path: ['actions', i, 'config-write'], value: { offset, width, value, when }, change: `config-write at ${want.when}: ${formatConfigWrite(cur)} -> ${formatConfigWrite(want)}` }];
  }

  const i = have.findIndex((a) => a.type === want.type);
  if (i < 0) return add();
  const cur = have[i] as Action;

  if (want.type === 'rebind' && cur.type === 'rebind') {
    const edits: Edit[] = [];
    const around = sortSleepKinds([...cur.around, ...want.around]);
    if (around.length !== cur.around.length) {
      edits.push({ kind: 'set', path: ['actions', i, 'rebind', 'around'], value: around, change: `rebind around: ${cur.around.join('+')} -> ${around.join('+')}` });
    }
    if (want.method !== undefined && want.method !== cur.method) {
      edits.push({ kind: 'set', path: ['actions', i, 'rebind', 'method'], value: want.method, change: `rebind method: ${cur.method} -> ${want.method}` });
    }
    if (want.settleMs !== undefined && want.settleMs !== cur.settleMs) {
      edits.push({ kind: 'set', path: ['actions', i, 'rebind', 'settle-ms'], value: want.settleMs, change: `rebind settle: ${cur.settleMs ?? 0} -> ${want.settleMs} ms` });
    }
    return edits;
  }
  if (want.type === 'd3hot-delay' && cur.type === 'd3hot-delay' && want.ms !== cur.ms) {
    return [{ kind: 'set', path: ['actions', i, 'd3hot-delay', 'ms'], value: want.ms, change: `d3hot-delay: ${cur.ms} -> ${want.ms} ms` }];
  }
  return [];
}
