/**
 * Every quirk action, one line each: the order is the one the schema, `quirkctl add`,
 * its help and the generated code list them in. A new action is a file beside this one
 * and a line here.
 */
import type { ActionModule } from './action.js';
import configWrite from './config-write.js';
import d3hotDelay from './d3hot-delay.js';
import noAspm from './no-aspm.js';
import noBusReset from './no-bus-reset.js';
import noD3 from './no-d3.js';
import noFlr from './no-flr.js';
import noMsi from './no-msi.js';
import noPmReset from './no-pm-reset.js';
import rebind from './rebind.js';

export const ACTIONS = [rebind, noBusReset, noPmReset, noFlr, noD3, d3hotDelay, configWrite, noMsi, noAspm] as const;

type ActionOf<M> = M extends ActionModule<infer A> ? A : never;

/** An action of a quirk, as the model holds it. */
export type Action = ActionOf<(typeof ACTIONS)[number]>;
export type ActionType = Action['type'];

/** The same list, typed for calling any of them with an Action. */
export const MODULES = ACTIONS as unknown as readonly ActionModule<Action>[];

export const ACTION_TYPES: readonly ActionType[] = MODULES.map((m) => m.type);

/** The module of an action type. */
export function actionModule<T extends ActionType>(type: T): ActionModule<Extract<Action, { type: T }>> {
  const m = MODULES.find((x) => x.type === type);
  if (!m) throw new Error(`internal: no action module for '${type}'`);
  return m as unknown as ActionModule<Extract<Action, { type: T }>>;
}

/** The module of an action, typed for calling it with that action. */
export function moduleOf(a: Action): ActionModule<Action> {
  return actionModule(a.type) as unknown as ActionModule<Action>;
}

/** Actions written as a bare name in a quirk's `actions` list. */
export const BARE_ACTIONS: readonly ActionType[] = MODULES.filter((m) => !m.schema).map((m) => m.type);
