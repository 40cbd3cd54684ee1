/**
 * The quirkctl command line. One module per command under commands/, each thin: parse,
 * call the library, render. Heavy modules are imported inside actions, so a command
 * only pays for what it uses.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EXIT_FINDINGS, EXIT_USAGE, InputError, ValidationError } from '../errors.js';
import { register as registerAdd } from './commands/add.js';
import { register as registerBuild } from './commands/build.js';
import { register as registerDkms } from './commands/dkms.js';
import { register as registerCheck } from './commands/check.js';
import { register as registerDocs } from './commands/docs.js';
import { register as registerInit } from './commands/init.js';
import { register as registerList } from './commands/list.js';
import { register as registerPatch } from './commands/patch.js';
import { register as registerRm } from './commands/rm.js';
import { register as registerScan } from './commands/scan.js';
import { register as registerSend } from './commands/send.js';
import { register as registerSeries } from './commands/series.js';
import { register as registerSeriesBuild } from './commands/series-build.js';
import { register as registerSeriesRevisions } from './commands/series-revisions.js';
import { register as registerSeriesKernel } from './commands/series-kernel.js';
import { register as registerShow } from './commands/show.js';
import { register as registerStatus } from './commands/status.js';
import { register as registerTrack } from './commands/track.js';
import { register as registerTrailers } from './commands/trailers.js';
import { register as registerUpstream } from './commands/upstream.js';
import { register as registerValidate } from './commands/validate.js';
import { register as registerVmTest } from './commands/vm-test.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command('quirkctl');
  program
    .description('Keep broken PCI devices working on Linux: a database of device quirks, and from it\nkernel patches, DKMS workarounds, and the upstream fix tracked until it is merged.')
    .option('-w, --workspace <dir>', 'the workspace to use (default: $QUIRKCTL_WORKSPACE, else the nearest quirkctl.yaml at or above the current directory)')
    .showHelpAfterError('(run the command with --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      `
Exit status: 0 ok, 1 findings (problems found) or a failed job, 2 bad usage or input.
quirkctl --version (or -V) prints quirkctl's version.

Start here:
  quirkctl init my-quirks && cd my-quirks
  quirkctl add 1f9d:1100 --rebind-on-resume --driver metis
  quirkctl list`,
    );
  // In the order of the work, for --help; one per line, so a new command is a one-line change.
  const commands: ((program: Command) => void)[] = [
    registerInit,
    registerAdd,
    registerList,
    registerShow,
    registerRm,
    registerValidate,
    registerDocs,
    registerScan,
    registerDkms,
    registerVmTest,
    registerBuild,
    registerPatch,
    registerCheck,
    registerSend,
    registerTrack,
    registerStatus,
    registerTrailers,
    registerUpstream,
  ];
  for (const register of commands) register(program);
  const series = registerSeries(program);
  // Features add `series` subcommands from modules of their own.
  const seriesSubcommands: ((series: Command) => void)[] = [
    registerSeriesRevisions,
    registerSeriesKernel,
    registerSeriesBuild,
  ];
  for (const register of seriesSubcommands) register(series);
  return program;
}

/** Runs the CLI and returns the exit status instead of exiting, so tests can call it. */
export async function run(argv: string[]): Promise<number> {
  // Only first: after a subcommand --version is that command's (`quirkctl dkms --version 1.0`),
  // and commander's .version() would claim it wherever it stands.
  if (argv[2] === '--version' || argv[2] === '-V') {
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has printed its message (or the help) already.
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : EXIT_USAGE;
    }
    if (e instanceof ValidationError) {
      // One `file:line: field: message` per line, as compilers print them, for editors to jump to.
      process.stderr.write(`${e.message}\n`);
      return EXIT_USAGE;
    }
    if (e instanceof InputError) {
      process.stderr.write(`quirkctl: ${e.message}\n`);
      return EXIT_USAGE;
    }
    const err = e as Error;
    process.stderr.write(`quirkctl: ${err.message}\n`);
    if (process.env.QUIRKCTL_DEBUG) process.stderr.write(`${err.stack ?? ''}\n`);
    return EXIT_FINDINGS;
  }
}
