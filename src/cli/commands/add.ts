import { Option, type Command } from 'commander';
import { InputError } from '../../errors.js';
import { MODULES } from '../../actions/registry.js';
import { parseDeviceArg } from '../../quirks/ids.js';
import type { RequestedAction } from '../../quirks/merge.js';
import { collect, printJson, workspaceOf } from '../io.js';

interface AddOptions {
  driver?: string;
  title?: string;
  kernels?: string;
  ref?: string[];
  id?: string;
  json?: boolean;
}

type Check = (option: string, value: unknown, fragment: string) => void;

/** Refuses arguments with the quirk schema's own words, before anything is read or written. */
async function argumentChecker(): Promise<Check> {
  const { checkValue } = await import('../../lib/schema.js');
  return (option, value, fragment) => {
    const bad = checkValue('quirk', fragment, value);
    if (bad) throw new InputError(`${option} '${String(value)}': ${bad}`);
  };
}

/** The actions the options ask for, in the order the help lists them. */
export function actionsFrom(o: Record<string, unknown>, check: Check): RequestedAction[] {
  return MODULES.flatMap((m) => m.cli.read(o, check)) as RequestedAction[];
}

/** Each action's options, as its module describes them. */
function actionOptions(): Option[] {
  return MODULES.flatMap((m) =>
    m.cli.options.map((o) => {
      const opt = new Option(o.flags, o.description);
      if (o.choices) opt.choices(o.choices);
      if (o.repeatable) opt.argParser(collect);
      return opt;
    }),
  );
}

export function register(program: Command): void {
  const add = program
    .command('add')
    .description('add a quirk for a device, or add actions to the quirk it already has')
    .argument('<device>', 'vvvv:dddd or vvvv:dddd:ssss:ssss, hex IDs as `lspci -nn` prints them');
  for (const o of actionOptions()) add.addOption(o);
  add
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
    .action(async (deviceArg: string, opts: AddOptions & Record<string, unknown>, cmd: Command) => {
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
