/**
 * Adding to a quirk: what `quirkctl add` asks for, compared with what the quirk already
 * has, as a list of edits. Pure: the edits are applied to the YAML document elsewhere.
 */
import { moduleOf } from '../actions/registry.js';
import type { Rebind } from '../actions/rebind.js';
import type { DataPath } from '../lib/schema.js';
import { actionKey, actionToData, describeAction, type Action, type Quirk } from './model.js';

/** An action as requested: a rebind may leave its method unsaid, keeping the current one. */
export type RequestedAction = Exclude<Action, Rebind> | (Omit<Rebind, 'method'> & { method?: Rebind['method'] });

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

function mergeAction(have: Action[], requested: RequestedAction): Edit[] {
  const want = toAction(requested);
  const i = have.findIndex((a) => actionKey(a) === actionKey(want));
  if (i < 0) return [{ kind: 'append', path: ['actions'], value: actionToData(want), change: `action ${describeAction(want)}` }];
  const m = moduleOf(want);
  // The request as given: a rebind without a method keeps the quirk's.
  const edits = m.merge?.(have[i] as Action, requested as Action) ?? [];
  return edits.map((e) => ({ kind: 'set', path: ['actions', i, want.type, ...e.path], value: e.value, change: e.change }));
}
