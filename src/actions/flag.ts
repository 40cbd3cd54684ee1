/**
 * The PCI_DEV_FLAGS_* actions: a bare name in a quirk's `actions`, a `--no-*` option,
 * one flag set by a fixup in quirks.c, by the module's flag table and (as far as sysfs
 * lets it) by the hook. Each flag is one file that calls this with its own words.
 */
import { bareAction, defineAction, type ActionModule, type KernelPlace } from './action.js';

export interface FlagSpec<T extends string> {
  type: T;
  /** commander's key for the `--no-*` option (`--no-bus-reset` is busReset). */
  cliKey: string;
  /** The `--no-*` option's help. */
  cliText: string;
  /** The sentence in QUIRKS.md. */
  explain: string;
  cFlag: string;
  /** reset_method names the flag rules out. */
  resetMethods: string[];
  fixup: Extract<KernelPlace, { fixup: unknown }>['fixup'];
  subject: (device: string) => string;
  summary: (device: string) => string;
  helpText: string;
  /** What the hook cannot do of it; the default says it drops the reset methods. */
  moduleOnly?: (id: string) => string;
}

export function flagAction<T extends string>(f: FlagSpec<T>): ActionModule<{ type: T }> {
  const { read, ...bare } = bareAction(f.type, f.cliKey);
  return defineAction<{ type: T }>({
    ...bare,
    explain: () => f.explain,
    cli: { options: [{ flags: `--${f.type}`, description: f.cliText }], read, names: [`--${f.type}`] },
    devFlag: { cFlag: f.cFlag, resetMethods: f.resetMethods },
    kernel: { place: { fixup: f.fixup }, subject: f.subject, summary: f.summary, helpText: f.helpText },
    hook: {
      moduleOnly: (id) =>
        f.moduleOnly?.(id) ?? `${id}: ${f.type}: the hook drops the ${f.resetMethods.join('/')} reset method (reset_method, kernels >= 5.15); only the module sets ${f.cFlag}`,
    },
  });
}
