/**
 * The quirk model: what a quirks/<id>.md front matter means once validated.
 * Pure data and pure functions; files and YAML live in document.ts and store.ts.
 */
import { actionModule, moduleOf, type Action, type ActionType } from '../actions/registry.js';
import { hex4, type DeviceIds } from './ids.js';

export type { Action, ActionType };

export const UPSTREAM_STATES = ['none', 'drafted', 'sent', 'reviewed', 'applied', 'merged'] as const;
export type UpstreamState = (typeof UPSTREAM_STATES)[number];

export interface Match extends DeviceIds {
  class?: { value: number; mask: number };
  revision?: number;
}

export interface Upstream {
  state: UpstreamState;
  thread?: string;
  commit?: string;
  fixedIn: string[];
}

export interface Quirk {
  id: string;
  title: string;
  match: Match;
  driver?: string;
  actions: Action[];
  kernels?: string;
  upstream: Upstream;
  references: string[];
}

/** Front matter as YAML holds it once the schema has accepted it. */
export interface QuirkData {
  id: string;
  title: string;
  match: { vendor: number; device: number; subvendor?: number; subdevice?: number; class?: { value: number; mask?: number }; revision?: number };
  driver?: string;
  actions: ActionData[];
  kernels?: string;
  upstream?: { state: UpstreamState; thread?: string; commit?: string; 'fixed-in'?: string[] };
  references?: string[];
}

/** An entry of `actions` as YAML holds it: a bare name, or one key and the action's parameters. */
export type ActionData = string | Record<string, unknown>;

export function actionFromData(a: ActionData): Action {
  if (typeof a === 'string') return actionModule(a as ActionType).fromData(undefined as never);
  const [type, params] = Object.entries(a)[0] as [ActionType, unknown];
  return actionModule(type).fromData(params as never);
}

/** The YAML form of an action; defaults are left out so files stay short. */
export function actionToData(a: Action): ActionData {
  const m = moduleOf(a);
  return m.schema ? { [a.type]: m.toData(a) } : a.type;
}

export function quirkFromData(d: QuirkData): Quirk {
  const m = d.match;
  const match: Match = { vendor: m.vendor, device: m.device };
  if (m.subvendor !== undefined && m.subdevice !== undefined) {
    match.subvendor = m.subvendor;
    match.subdevice = m.subdevice;
  }
  if (m.class) match.class = { value: m.class.value, mask: m.class.mask ?? 0xffffff };
  if (m.revision !== undefined) match.revision = m.revision;
  const q: Quirk = {
    id: d.id,
    title: d.title,
    match,
    actions: d.actions.map(actionFromData),
    upstream: {
      state: d.upstream?.state ?? 'none',
      fixedIn: d.upstream?.['fixed-in'] ?? [],
    },
    references: d.references ?? [],
  };
  if (d.upstream?.thread) q.upstream.thread = d.upstream.thread;
  if (d.upstream?.commit) q.upstream.commit = d.upstream.commit;
  if (d.driver !== undefined) q.driver = d.driver;
  if (d.kernels !== undefined) q.kernels = d.kernels;
  return q;
}

/** Two actions are one where they share a key (the type, or a config write's register and stage). */
export function actionKey(a: Action): string {
  return moduleOf(a).key?.(a) ?? a.type;
}

/** Short human description of an action, as list and add print it. */
export function describeAction(a: Action): string {
  return moduleOf(a).describe(a);
}

/** The JSON form for --json output: IDs as the hex strings lspci prints, actions tagged by type. */
export function quirkToJson(q: Quirk, file?: string): Record<string, unknown> {
  const match: Record<string, unknown> = { vendor: hex4(q.match.vendor), device: hex4(q.match.device) };
  if (q.match.subvendor !== undefined) match.subvendor = hex4(q.match.subvendor);
  if (q.match.subdevice !== undefined) match.subdevice = hex4(q.match.subdevice);
  if (q.match.class) match.class = { value: hexN(q.match.class.value, 6), mask: hexN(q.match.class.mask, 6) };
  if (q.match.revision !== undefined) match.revision = hexN(q.match.revision, 2);
  return {
    id: q.id,
    ...(file ? { file } : {}),
    title: q.title,
    match,
    driver: q.driver ?? null,
    actions: q.actions.map((a) => moduleOf(a).json?.(a) ?? a),
    kernels: q.kernels ?? null,
    upstream: {
      state: q.upstream.state,
      thread: q.upstream.thread ?? null,
      commit: q.upstream.commit ?? null,
      'fixed-in': q.upstream.fixedIn,
    },
    references: q.references,
  };
}

export function hexN(n: number, digits: number): string {
  return `0x${n.toString(16).padStart(digits, '0')}`;
}

/** One sentence per action, for quirk bodies and QUIRKS.md. */
export function explainAction(a: Action, driver?: string): string {
  return moduleOf(a).explain(a, driver);
}
