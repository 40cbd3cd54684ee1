/**
 * The quirk model: what a quirks/<id>.md front matter means once validated.
 * Pure data and pure functions; files and YAML live in document.ts and store.ts.
 */
import { hex4, type DeviceIds } from './ids.js';

export const FLAG_ACTIONS = ['no-bus-reset', 'no-pm-reset', 'no-flr', 'no-d3'] as const;
export type FlagAction = (typeof FLAG_ACTIONS)[number];

export const SLEEP_KINDS = ['suspend', 'hibernate'] as const;
export type SleepKind = (typeof SLEEP_KINDS)[number];

export const REBIND_METHODS = ['unbind-bind', 'remove-rescan'] as const;
export type RebindMethod = (typeof REBIND_METHODS)[number];

export const WRITE_STAGES = ['before-reset', 'after-resume', 'before-rebind', 'on-load'] as const;
export type WriteStage = (typeof WRITE_STAGES)[number];

export const UPSTREAM_STATES = ['none', 'drafted', 'sent', 'reviewed', 'applied', 'merged'] as const;
export type UpstreamState = (typeof UPSTREAM_STATES)[number];

export type ConfigWidth = 8 | 16 | 32;

export type Action =
  | { type: FlagAction }
  | { type: 'rebind'; around: SleepKind[]; method: RebindMethod; settleMs?: number }
  | { type: 'd3hot-delay'; ms: number }
  | { type: 'config-write'; offset: number; width: ConfigWidth; value: number; when: WriteStage };

export type ActionType = Action['type'];
export const ACTION_TYPES: readonly ActionType[] = [...FLAG_ACTIONS, 'rebind', 'd3hot-delay', 'config-write'];

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

export type ActionData =
  | FlagAction
  | { rebind: { around: SleepKind[]; method?: RebindMethod; 'settle-ms'?: number } }
  | { 'd3hot-delay': { ms: number } }
  | { 'config-write': { offset: number; width: ConfigWidth; value: number; when: WriteStage } };

export function actionFromData(a: ActionData): Action {
  if (typeof a === 'string') return { type: a };
  if ('rebind' in a) {
    const r = a.rebind;
    const action: Action = { type: 'rebind', around: sortSleepKinds(r.around), method: r.method ?? 'unbind-bind' };
    if (r['settle-ms'] !== undefined) action.settleMs = r['settle-ms'];
    return action;
  }
  if ('d3hot-delay' in a) return { type: 'd3hot-delay', ms: a['d3hot-delay'].ms };
  return { type: 'config-write', ...a['config-write'] };
}

/** The YAML form of an action; defaults are left out so files stay short. */
export function actionToData(a: Action): ActionData {
  switch (a.type) {
    case 'rebind': {
      const r: { around: SleepKind[]; method?: RebindMethod; 'settle-ms'?: number } = { around: a.around };
      if (a.method !== 'unbind-bind') r.method = a.method;
      if (a.settleMs !== undefined) r['settle-ms'] = a.settleMs;
      return { rebind: r };
    }
    case 'd3hot-delay':
      return { 'd3hot-delay': { ms: a.ms } };
    case 'config-write':
      return { 'config-write': { offset: a.offset, width: a.width, value: a.value, when: a.when } };
    default:
      return a.type;
  }
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

/** suspend before hibernate, whatever order the user typed. */
export function sortSleepKinds(kinds: readonly SleepKind[]): SleepKind[] {
  return SLEEP_KINDS.filter((k) => kinds.includes(k));
}

const WIDTH_LETTER: Record<ConfigWidth, string> = { 8: 'b', 16: 'w', 32: 'l' };

/** `7c.l=39d5e86b`, the setpci form users know. */
export function formatConfigWrite(a: { offset: number; width: ConfigWidth; value: number }): string {
  return `${a.offset.toString(16)}.${WIDTH_LETTER[a.width]}=${a.value.toString(16).padStart(a.width / 4, '0')}`;
}

/** Short human description of an action, as list and add print it. */
export function describeAction(a: Action): string {
  switch (a.type) {
    case 'rebind': {
      const extra = [a.method !== 'unbind-bind' ? a.method : '', a.settleMs ? `settle ${a.settleMs} ms` : ''].filter(Boolean);
      return `rebind around ${a.around.join('+')}${extra.length ? ` (${extra.join(', ')})` : ''}`;
    }
    case 'd3hot-delay':
      return `d3hot-delay ${a.ms} ms`;
    case 'config-write':
      return `config-write ${formatConfigWrite(a)} ${a.when}`;
    default:
      return a.type;
  }
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
    actions: q.actions.map((a) =>
      a.type === 'config-write' ? { ...a, offset: hexN(a.offset, 2), value: hexN(a.value, a.width / 4) } : a,
    ),
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

const FLAG_TEXT: Record<FlagAction, string> = {
  'no-bus-reset': 'Never reset it with a secondary bus reset (PCI_DEV_FLAGS_NO_BUS_RESET).',
  'no-pm-reset': 'Never reset it through a D3hot to D0 transition (PCI_DEV_FLAGS_NO_PM_RESET).',
  'no-flr': 'Never use Function Level Reset on it (PCI_DEV_FLAGS_NO_FLR_RESET).',
  'no-d3': 'Never put it into D3 (PCI_DEV_FLAGS_NO_D3).',
};

const STAGE_TEXT: Record<WriteStage, string> = {
  'before-reset': 'before the device is reset',
  'after-resume': 'after resume',
  'before-rebind': 'before the driver is bound again',
  'on-load': 'when the workaround is loaded',
};

/** One sentence per action, for quirk bodies and QUIRKS.md. */
export function explainAction(a: Action, driver?: string): string {
  switch (a.type) {
    case 'rebind': {
      const around = a.around.length === 2 ? 'suspend and hibernation' : a.around[0] === 'suspend' ? 'suspend' : 'hibernation';
      const who = driver ? `the \`${driver}\` driver` : 'its driver';
      const how = a.method === 'remove-rescan' ? ' by removing the device and rescanning its bus' : '';
      const settle = a.settleMs ? `, ${a.settleMs} ms after the system is back` : '';
      return `Unbind ${who} before ${around} and bind it again after resume${how}${settle}.`;
    }
    case 'd3hot-delay':
      return `Wait ${a.ms} ms after each D3hot to D0 transition (d3hot_delay).`;
    case 'config-write':
      return `Write 0x${a.value.toString(16)} to config register 0x${a.offset.toString(16)} (${a.width}-bit) ${STAGE_TEXT[a.when]} (\`setpci ${formatConfigWrite(a)}\`).`;
    default:
      return FLAG_TEXT[a.type];
  }
}
