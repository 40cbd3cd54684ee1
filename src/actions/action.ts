/**
 * What one quirk action is, everywhere quirkctl uses it: its YAML form and schema, the
 * `quirkctl add` option, its sentence in QUIRKS.md, what it becomes in the kernel's
 * drivers/pci/quirks.c, its code in the DKMS module and in the sleep hook, and how
 * vm-test proves it. One file under src/actions/ per action fills this in, and
 * registry.ts lists them, as drivers/pci/quirks.c keeps one quirk in one place.
 *
 * The layers that use an action (quirks, kernel, dkms, vm, cli) sit above this one, so
 * an action holds data, text and pure functions only, in types defined here.
 */
import { InputError } from '../errors.js';

/** Checks a value with the quirk schema's words at a JSON pointer; throws for the CLI. */
export type SchemaCheck = (option: string, value: unknown, fragment: string) => void;

/** A `quirkctl add` option, as commander takes it. */
export interface CliOption {
  flags: string;
  description: string;
  choices?: readonly string[];
  /** May be given more than once (values collected into a list). */
  repeatable?: boolean;
}

/** A change to one action of a quirk being merged: a path below the action, its value, the words for it. */
export interface ActionEdit {
  path: (string | number)[];
  value: unknown;
  change: string;
}

/**
 * Where drivers/pci/quirks.c takes the fix: a fixup declared beside the tree's own of
 * that kind (calling a helper the tree has, or a small hook of its own), or an entry in
 * the device-specific reset table.
 */
export type KernelPlace =
  | {
      fixup: {
        /** DECLARE_PCI_FIXUP_<pass>. */
        pass: string;
        /** The tree's helper that the declaration names (or the hook calls). */
        helper?: string;
        /** Text in a hook's body that shows it does this (a flag, a call). */
        marker: string;
        /** The body of a hook of its own, one C statement a line; none: the helper itself. */
        body?: (actions: readonly unknown[]) => string[];
      };
    }
  | { resetMethod: true };

export interface KernelPatch<A> {
  /** Why quirks.c has no place for this action (a DKMS module can do it); undefined: it has one. */
  skip?: (a: A) => string | undefined;
  /** The kind of change, one commit per kind; defaults to the action's type. */
  kind?: string;
  place: KernelPlace;
  /** The commit's summary line. */
  subject: (device: string) => string;
  /** The commit message's closing paragraph: what the patch does. */
  summary: (device: string, actions: readonly A[]) => string;
  /** For `quirkctl patch --help`: what the patch calls or sets. */
  helpText: string;
}

/**
 * The action's code in the generated kernel module (templates/dkms/module.c), as slots
 * the template fills. Emitted when a quirk of the package uses the action, or always.
 * In the C: `q` is the quirk (struct qk_quirk), `d` the tracked device (struct qk_dev),
 * `pdev` the device.
 */
export interface ModuleCode<A> {
  /** Emitted into every module, used or not: the code older modules always carried. */
  always?: boolean;
  /** Kernel-version compatibility, after the module's includes. */
  compat?: string;
  /** Members of struct qk_quirk. */
  quirkFields?: string;
  /** Initializers of those members for one quirk, given the quirk's actions of this type. */
  quirkInit?: (actions: readonly A[]) => string;
  /** Members of struct qk_dev: what the module changed, to undo it. */
  devFields?: string;
  /** In qk_apply(), device lock held. */
  apply?: string;
  /** In qk_undo(), device lock held. */
  undo?: string;
}

/** The action's part of the no-module sleep hook (templates/dkms/hook/sleep-hook). */
export interface HookCode<A> {
  /**
   * Shell run for a matching device that appears (the udev rule), with `$1` the device's
   * sysfs directory, `$2` its address and `$3` the quirk id, for the quirks that have
   * the action; `log` and `sysfs_write` are the hook's own.
   */
  onAdd?: string;
  /** What only the module can do, for the hook's README; undefined: the hook does all of it. */
  moduleOnly?: (id: string, a: A) => string | undefined;
}

/** What vm-test holds against the guest to prove an action, from the module's load. */
export interface Evidence {
  /** The module's log line at load: `STEP <device> quirk=<id> key=value...`. */
  log: { step: string; want: Record<string, string>; show?: string[]; missing?: string };
  /**
   * A sysfs attribute of the device (a path below its directory) and its value while the
   * module is loaded; after rmmod it must read as before the load.
   */
  sysfs?: { attr: string; loaded: string };
  /** Said beside the checks, e.g. where the kernel shows nothing of it. */
  note?: string;
}

export interface VmProof<A> {
  /** The step's name (unique in the quirk) and title. */
  step: (a: A) => { name: string; title: string; check: Record<string, unknown> };
  evidence: (a: A) => Evidence;
}

export interface ActionModule<A extends { type: string } = { type: string }> {
  type: A['type'];
  /** JSON Schema of its parameters; absent: a bare name in the `actions` list. */
  schema?: { description: string } & Record<string, unknown>;
  /** From the YAML form the schema accepted (the parameters; nothing for a bare name). */
  fromData: (d: never) => A;
  /** The YAML form (the parameters), defaults left out so that files stay short. */
  toData: (a: A) => unknown;
  /** Short, for `list` and `add`: `d3hot-delay 120 ms`. */
  describe: (a: A) => string;
  /** One sentence of Markdown, for quirk bodies and QUIRKS.md. */
  explain: (a: A, driver?: string) => string;
  /** For --json output, when it differs from the action itself. */
  json?: (a: A) => Record<string, unknown>;
  /** Actions with the same key may not both be in a quirk; defaults to the type. */
  key?: (a: A) => string;
  /** Names a second action with the same key, for the message refusing it. */
  duplicate?: string;
  /** Edits that bring `cur` to `want` when the quirk has one already; default: none. */
  merge?: (cur: A, want: A) => ActionEdit[];
  /** Hex digits for numbers in the YAML form, by key. */
  hexDigits?: (key: string, parent: Record<string, unknown> | undefined) => number | undefined;
  cli: {
    options: CliOption[];
    /** The actions asked for by the parsed options (commander's camelCase keys). */
    read: (o: Record<string, unknown>, check: SchemaCheck) => A[];
    /** For the message when nothing is asked: the options that add it. */
    names: string[];
  };
  /**
   * A PCI_DEV_FLAGS_* bit: the module sets it (and drops the reset methods it rules
   * out) with the other flags, the hook drops those reset methods, vm-test reads
   * reset_method. The flags share that machinery as quirks.c's flag quirks share helpers.
   */
  devFlag?: { cFlag: string; resetMethods: string[] };
  kernel: KernelPatch<A> | { none: (a: A) => string };
  module?: ModuleCode<A>;
  hook?: HookCode<A>;
  vm?: VmProof<A>;
}

/** What an action without parameters (a bare name in `actions`) says of itself, and its `--no-*` option's reading. */
export function bareAction<T extends string>(type: T, cliKey: string): Pick<ActionModule<{ type: T }>, 'type' | 'fromData' | 'toData' | 'describe'> & { read: ActionModule<{ type: T }>['cli']['read'] } {
  return { type, fromData: () => ({ type }), toData: () => type, describe: () => type, read: (o) => (o[cliKey] === false ? [{ type }] : []) };
}

/** Declares an action module with its own action type. */
export function defineAction<A extends { type: string }>(m: ActionModule<A>): ActionModule<A> {
  return m;
}

/** An option's value as a whole number of milliseconds. */
export function wholeNumber(option: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new InputError(`${option} '${text}': expected a whole number of milliseconds`);
  return Number(text);
}

export function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new InputError(`${option} '${value}': expected one of ${allowed.join(', ')}`);
  return value as T;
}

/** Every action's JSON pointer into the quirk schema: `${ACTION_PROPS}/<type>/...`. */
export const ACTION_PROPS = '/definitions/action/else/properties';

/** Said where a mechanism exists only outside the kernel tree. */
export const DKMS_HINT = "'quirkctl dkms' builds a workaround module for it";
