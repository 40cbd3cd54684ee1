import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { formatDeviceIds } from '../../quirks/ids.js';
import { ACTION_TYPES } from '../../actions/registry.js';
import { describeAction, quirkToJson, UPSTREAM_STATES, type Quirk } from '../../quirks/model.js';
import { printJson, printTable, workspaceOf } from '../io.js';

interface ListOptions {
  json?: boolean;
  vendor?: string;
  action?: string;
  upstream?: string;
}

function filterFor(opts: ListOptions): (q: Quirk) => boolean {
  const tests: ((q: Quirk) => boolean)[] = [];
  if (opts.vendor !== undefined) {
    if (!/^[0-9a-fA-F]{4}$/.test(opts.vendor)) throw new InputError(`--vendor '${opts.vendor}': expected a vendor ID of four hex digits, e.g. 1002`);
    const v = parseInt(opts.vendor, 16);
    tests.push((q) => q.match.vendor === v);
  }
  if (opts.action !== undefined) {
    const a = opts.action;
    if (!(ACTION_TYPES as readonly string[]).includes(a)) throw new InputError(`--action '${a}': expected one of ${ACTION_TYPES.join(', ')}`);
    tests.push((q) => q.actions.some((x) => x.type === a));
  }
  if (opts.upstream !== undefined) {
    const s = opts.upstream;
    if (!(UPSTREAM_STATES as readonly string[]).includes(s)) throw new InputError(`--upstream '${s}': expected one of ${UPSTREAM_STATES.join(', ')}`);
    tests.push((q) => q.upstream.state === s);
  }
  return (q) => tests.every((t) => t(q));
}

export function register(program: Command): void {
  program
    .command('list')
    .description('list the quirks in the database')
    .option('--vendor <vvvv>', 'only quirks for this vendor ID')
    .option('--action <type>', `only quirks with this action (${ACTION_TYPES.join(', ')})`)
    .option('--upstream <state>', `only quirks whose fix is in this state (${UPSTREAM_STATES.join(', ')})`)
    .option('--json', 'print JSON for scripts')
    .addHelpText('after', '\nExamples:\n  quirkctl list --action no-bus-reset\n  quirkctl list --json | jq -r \'.[].id\'')
    .action(async (opts: ListOptions, cmd: Command) => {
      const keep = filterFor(opts);
      const ws = await workspaceOf(cmd);
      const { loadEntries } = await import('../../quirks/index-cache.js');
      const docs = loadEntries(ws).filter((d) => keep(d.quirk));
      if (opts.json) {
        printJson(docs.map((d) => quirkToJson(d.quirk, d.file)));
        return;
      }
      if (docs.length === 0) {
        process.stderr.write('no quirks\n');
        return;
      }
      printTable(
        ['ID', 'DEVICE', 'DRIVER', 'ACTIONS', 'UPSTREAM'],
        docs.map(({ quirk: q }) => [q.id, formatDeviceIds(q.match), q.driver ?? '-', q.actions.map(describeAction).join(', '), q.upstream.state]),
      );
    });
}
