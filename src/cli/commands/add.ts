import { Option, type Command } from 'commander';
import { InputError } from '../../errors.js';
import { parseDeviceArg } from '../../quirks/ids.js';
import type { RequestedAction } from '../../quirks/merge.js';
import { FLAG_ACTIONS, REBIND_METHODS, SLEEP_KINDS, WRITE_STAGES, type SleepKind, type WriteStage } from '../../quirks/model.js';
import { parseSetpciWrite } from '../../quirks/setpci.js';
import { collect, printJson, workspaceOf } from '../io.js';

interface AddOptions {
  rebindOnResume?: boolean;
  rebindOn?: string;
  rebindMethod?: string;
  settleMs?: string;
  busReset?: boolean;
  pmReset?: boolean;
  flr?: boolean;
  d3?: boolean;
  d3hotDelay?: string;
  configWrite?: string[];
  when?: string;
  driver?: string;
  title?: string;
  kernels?: string;
  ref?: string[];
  id?: string;
  json?: boolean;
}

const ACTION_PROPS = '/definitions/action/else/properties';

type Check = (option: string, value: unknown, fragment: string) => void;

/** Refuses arguments with the quirk schema's own words, before anything is read or written. */
async function argumentChecker(): Promise<Check> {
  const { checkValue } = await import('../../lib/schema.js');
  return (option, value, fragment) => {
    const bad = checkValue('quirk', fragment, value);
    if (bad) throw new InputError(`${option} '${String(value)}': ${bad}`);
  };
}

function integer(option: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new InputError(`${option} '${text}': expected a whole number of milliseconds`);
  return Number(text);
}

function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new InputError(`${option} '${value}': expected one of ${allowed.join(', ')}`);
  return value as T;
}

/** The actions the options ask for, in the order the help lists them. */
export function actionsFrom(o: AddOptions, check: Check): RequestedAction[] {
  const actions: RequestedAction[] = [];
  if (o.rebindOnResume && o.rebindOn !== undefined) throw new InputError('--rebind-on-resume and --rebind-on: give one of them');
  const around: SleepKind[] = o.rebindOnResume ? [...SLEEP_KINDS] : (o.rebindOn?.split(',').map((k) => oneOf('--rebind-on', k.trim(), SLEEP_KINDS)) ?? []);
  if (around.length) {
    const rebind: RequestedAction = { type: 'rebind', around: SLEEP_KINDS.filter((k) => around.includes(k)) };
    if (o.rebindMethod !== undefined) rebind.method = oneOf('--rebind-method', o.rebindMethod, REBIND_METHODS);
    if (o.settleMs !== undefined) {
      rebind.settleMs = integer('--settle-ms', o.settleMs);
      check('--settle-ms', rebind.settleMs, `${ACTION_PROPS}/rebind/properties/settle-ms`);
    }
    actions.push(rebind);
  } else if (o.rebindMethod !== undefined || o.settleMs !== undefined) {
    throw new InputError(`${o.rebindMethod !== undefined ? '--rebind-method' : '--settle-ms'} needs --rebind-on-resume or --rebind-on`);
  }
  const flagSet: Record<(typeof FLAG_ACTIONS)[number], boolean | undefined> = {
    'no-bus-reset': o.busReset === false,
    'no-pm-reset': o.pmReset === false,
    'no-flr': o.flr === false,
    'no-d3': o.d3 === false,
  };
  for (const flag of FLAG_ACTIONS) if (flagSet[flag]) actions.push({ type: flag });
  if (o.d3hotDelay !== undefined) {
    const ms = integer('--d3hot-delay', o.d3hotDelay);
    check('--d3hot-delay', ms, `${ACTION_PROPS}/d3hot-delay/properties/ms`);
    actions.push({ type: 'd3hot-delay', ms });
  }
  const writes = o.configWrite ?? [];
  if (o.when !== undefined && writes.length === 0) throw new InputError('--when needs a --config-write to apply to');
  const when: WriteStage = o.when === undefined ? 'before-reset' : oneOf('--when', o.when, WRITE_STAGES);
  for (const w of writes) actions.push({ type: 'config-write', ...parseSetpciWrite(w), when });
  return actions;
}

export function register(program: Command): void {
  program
    .command('add')
    .description('add a quirk for a device, or add actions to the quirk it already has')
    .argument('<device>', 'vvvv:dddd or vvvv:dddd:ssss:ssss, hex IDs as `lspci -nn` prints them')
    .option('--rebind-on-resume', 'unbind the driver before suspend and hibernate, bind it again after resume')
    .option('--rebind-on <kinds>', 'the same for only some transitions: suspend, hibernate (comma-separated)')
    .addOption(new Option('--rebind-method <method>', 'how to detach and re-attach the device').choices(REBIND_METHODS))
    .option('--settle-ms <ms>', 'wait this long after resume before binding again')
    .option('--no-bus-reset', 'never reset it with a secondary bus reset (PCI_DEV_FLAGS_NO_BUS_RESET)')
    .option('--no-pm-reset', 'never reset it by a D3hot->D0 transition (PCI_DEV_FLAGS_NO_PM_RESET)')
    .option('--no-flr', 'never use Function Level Reset on it (PCI_DEV_FLAGS_NO_FLR_RESET)')
    .option('--no-d3', 'never put it into D3 (PCI_DEV_FLAGS_NO_D3)')
    .option('--d3hot-delay <ms>', 'time the device needs after D3hot->D0')
    .option('--config-write <OFF.W=VAL>', 'write a config register, setpci syntax, e.g. 7c.l=39d5e86b (repeatable)', collect)
    .addOption(new Option('--when <stage>', 'when the --config-write happens (default: before-reset)').choices(WRITE_STAGES))
    .option('--driver <name>', 'the kernel driver that binds the device, e.g. metis')
    .option('--title <text>', 'one line naming device and failure (default: the pci.ids name)')
    .option('--kernels <range>', "kernel versions that need it, a semver range such as '>=6.1 <6.14' (default: all)")
    .option('--ref <url>', 'a bug report, thread or document about it (repeatable)', collect)
    .option('--id <id>', 'the quirk id and file name (default: from the pci.ids name)')
    .option('--json', 'print what was done as JSON')
    .addHelpText(
      'after',
      `
A device has one quirk: adding to a device that has one merges the new actions
into it and prints what changed; adding the same thing twice changes nothing.
Comments and key order in the quirk file are kept.

Examples:
  quirkctl add 1f9d:1100 --rebind-on-resume --driver metis
  quirkctl add 8086:7360 --rebind-on hibernate --driver iosm
  quirkctl add 1002:67df --no-bus-reset --config-write 7c.l=39d5e86b --when before-reset`,
    )
    .action(async (deviceArg: string, opts: AddOptions, cmd: Command) => {
      const device = parseDeviceArg(deviceArg, 'device');
      const check = await argumentChecker();
      const actions = actionsFrom(opts, check);
      if (opts.driver !== undefined) check('--driver', opts.driver, '/properties/driver');
      if (opts.title !== undefined) check('--title', opts.title, '/properties/title');
      if (opts.kernels !== undefined) check('--kernels', opts.kernels, '/properties/kernels');
      for (const ref of opts.ref ?? []) check('--ref', ref, '/properties/references/items');
      if (opts.id !== undefined) check('--id', opts.id, '/properties/id');

      const ws = await workspaceOf(cmd);
      const { addQuirk } = await import('../../quirks/add.js');
      const result = await addQuirk(ws, {
        device,
        actions,
        references: opts.ref ?? [],
        ...(opts.driver !== undefined ? { driver: opts.driver } : {}),
        ...(opts.title !== undefined ? { title: opts.title } : {}),
        ...(opts.kernels !== undefined ? { kernels: opts.kernels } : {}),
        ...(opts.id !== undefined ? { id: opts.id } : {}),
      });
      if (opts.json) {
        printJson(result);
        return;
      }
      if (result.changes.length === 0) {
        process.stdout.write(`${result.file} already has all of that; nothing changed\n`);
        return;
      }
      process.stdout.write(`${result.created ? 'created' : 'updated'} ${result.file}\n${result.changes.map((c) => `  + ${c}\n`).join('')}`);
    });
}
