/**
 * rebind: release the driver before suspend or hibernation and bind it again after.
 * quirks.c has no mechanism for it; the module's sleep notifier and the hook's pre/post
 * steps (the machinery the config writes' stages share) do it, and vm-test's sleep
 * steps prove it.
 */
import { InputError } from '../errors.js';
import { ACTION_PROPS, defineAction, DKMS_HINT, oneOf, wholeNumber, type ActionEdit } from './action.js';

export const SLEEP_KINDS = ['suspend', 'hibernate'] as const;
export type SleepKind = (typeof SLEEP_KINDS)[number];

export const REBIND_METHODS = ['unbind-bind', 'remove-rescan'] as const;
export type RebindMethod = (typeof REBIND_METHODS)[number];

export interface Rebind {
  type: 'rebind';
  around: SleepKind[];
  method: RebindMethod;
  settleMs?: number;
}

interface RebindData {
  around: SleepKind[];
  method?: RebindMethod;
  'settle-ms'?: number;
}

/** suspend before hibernate, whatever order the user typed. */
export function sortSleepKinds(kinds: readonly SleepKind[]): SleepKind[] {
  return SLEEP_KINDS.filter((k) => kinds.includes(k));
}

function merge(cur: Rebind, want: Partial<Rebind> & { around: SleepKind[] }): ActionEdit[] {
  const edits: ActionEdit[] = [];
  const around = sortSleepKinds([...cur.around, ...want.around]);
  if (around.length !== cur.around.length) edits.push({ path: ['around'], value: around, change: `rebind around: ${cur.around.join('+')} -> ${around.join('+')}` });
  if (want.method !== undefined && want.method !== cur.method) edits.push({ path: ['method'], value: want.method, change: `rebind method: ${cur.method} -> ${want.method}` });
  if (want.settleMs !== undefined && want.settleMs !== cur.settleMs) {
    edits.push({ path: ['settle-ms'], value: want.settleMs, change: `rebind settle: ${cur.settleMs ?? 0} -> ${want.settleMs} ms` });
  }
  return edits;
}

export default defineAction<Rebind>({
  type: 'rebind',
  schema: {
    description: 'Unbind the driver before, and rebind it after, the named sleep transitions.',
    type: 'object',
    additionalProperties: false,
    required: ['around'],
    properties: {
      around: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...SLEEP_KINDS] } },
      method: { enum: [...REBIND_METHODS] },
      'settle-ms': { type: 'integer', minimum: 0, maximum: 60000, 'x-expected': 'milliseconds from 0 to 60000' },
    },
  },
  fromData: (r: RebindData) => {
    const a: Rebind = { type: 'rebind', around: sortSleepKinds(r.around), method: r.method ?? 'unbind-bind' };
    if (r['settle-ms'] !== undefined) a.settleMs = r['settle-ms'];
    return a;
  },
  toData: (a) => {
    const r: RebindData = { around: a.around };
    if (a.method !== 'unbind-bind') r.method = a.method;
    if (a.settleMs !== undefined) r['settle-ms'] = a.settleMs;
    return r;
  },
  describe: (a) => {
    const extra = [a.method !== 'unbind-bind' ? a.method : '', a.settleMs ? `settle ${a.settleMs} ms` : ''].filter(Boolean);
    return `rebind around ${a.around.join('+')}${extra.length ? ` (${extra.join(', ')})` : ''}`;
  },
  explain: (a, driver) => {
    const around = a.around.length === 2 ? 'suspend and hibernation' : a.around[0] === 'suspend' ? 'suspend' : 'hibernation';
    const who = driver ? `the \`${driver}\` driver` : 'its driver';
    const how = a.method === 'remove-rescan' ? ' by removing the device and rescanning its bus' : '';
    const settle = a.settleMs ? `, ${a.settleMs} ms after the system is back` : '';
    return `Unbind ${who} before ${around} and bind it again after resume${how}${settle}.`;
  },
  // A rebind asked for without --rebind-method keeps the quirk's method.
  merge: (cur, want) => merge(cur, want),
  cli: {
    options: [
      { flags: '--rebind-on-resume', description: 'unbind the driver before suspend and hibernate, bind it again after resume' },
      { flags: '--rebind-on <kinds>', description: 'the same for only some transitions: suspend, hibernate (comma-separated)' },
      { flags: '--rebind-method <method>', description: 'how to detach and re-attach the device', choices: REBIND_METHODS },
      { flags: '--settle-ms <ms>', description: 'wait this long after resume before binding again' },
    ],
    read: (o, check) => {
      const onResume = o.rebindOnResume === true;
      const on = o.rebindOn as string | undefined;
      const method = o.rebindMethod as string | undefined;
      const settle = o.settleMs as string | undefined;
      if (onResume && on !== undefined) throw new InputError('--rebind-on-resume and --rebind-on: give one of them');
      const around: SleepKind[] = onResume ? [...SLEEP_KINDS] : (on?.split(',').map((k) => oneOf('--rebind-on', k.trim(), SLEEP_KINDS)) ?? []);
      if (around.length === 0) {
        if (method !== undefined || settle !== undefined) throw new InputError(`${method !== undefined ? '--rebind-method' : '--settle-ms'} needs --rebind-on-resume or --rebind-on`);
        return [];
      }
      // The method stays unsaid unless given, so that adding to a quirk keeps its own.
      const rebind = { type: 'rebind', around: sortSleepKinds(around) } as Rebind;
      if (method !== undefined) rebind.method = oneOf('--rebind-method', method, REBIND_METHODS);
      if (settle !== undefined) {
        rebind.settleMs = wholeNumber('--settle-ms', settle);
        check('--settle-ms', rebind.settleMs, `${ACTION_PROPS}/rebind/properties/settle-ms`);
      }
      return [rebind];
    },
    names: ['--rebind-on-resume', '--rebind-on'],
  },
  kernel: { none: () => `rebinding a driver around suspend or hibernation has no in-kernel PCI quirk mechanism; ${DKMS_HINT}` },
});
