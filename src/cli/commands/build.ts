import path from 'node:path';
import type { Command } from 'commander';
import type { BuildReport } from '../../build/matrix.js';
import type { RunnerChoice } from '../../build/targets.js';
import { InputError } from '../../errors.js';
import { collect, formatTable, printJson, workspaceOf } from '../io.js';

interface BuildCliOptions {
  all?: boolean;
  target?: string[];
  kernel?: string[];
  jobs?: string;
  runner?: string;
  refresh?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/** A path as short as it can be said from where the user stands. */
function shown(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function details(c: BuildReport['cells'][number], cwd: string): string {
  switch (c.status) {
    case 'passed':
      return c.module ? `module ${shown(c.module, cwd)}` : '';
    case 'failed':
      return `${c.message ?? 'failed'}; log: ${shown(c.log ?? '', cwd)}`;
    default:
      return c.message ?? '';
  }
}

function render(r: BuildReport, cwd: string): string {
  const lines: string[] = [];
  const p = r.package;
  if (r.planned.length) {
    lines.push(`would build ${p.name} ${p.version} (module ${p.module}, for kernels ${p.kernels}) in:`);
    const where = (t: BuildReport['planned'][number]) => (t.environment === null ? `none: ${t.runner} cannot make one for ${t.what.split(',')[0]}` : `${t.environment}${t.ready ? '' : ' (to be made)'}`);
    const rows = r.planned.map((t) => [t.target, t.runner, t.what, where(t)]);
    lines.push(formatTable(['TARGET', 'RUNNER', 'DISTRIBUTION AND HEADERS', 'IMAGE OR ROOT FILE SYSTEM'], rows).trimEnd());
    return `${lines.join('\n')}\n`;
  }
  lines.push(`${p.name} ${p.version} (module ${p.module}, for kernels ${p.kernels}), sources in ${shown(p.sources, cwd)}:`);
  const rows = r.cells.map((c) => [c.target, c.kernel ?? '-', c.runner, c.status, `${c.seconds.toFixed(1)} s`, details(c, cwd)]);
  lines.push(formatTable(['TARGET', 'KERNEL', 'RUNNER', 'STATUS', 'TIME', 'DETAILS'], rows).trimEnd());
  for (const u of r.unmatched) lines.push(`${u.target}: not built, no kernel matching --kernel (it has ${u.kernels.join(', ')})`);
  const counts = ['passed', 'failed', 'skipped', 'error'].map((s) => [s, r.cells.filter((c) => c.status === s).length] as const).filter(([, n]) => n > 0);
  lines.push('', counts.map(([s, n]) => `${n} ${s}`).join(', '));
  return `${lines.join('\n')}\n`;
}

/** Checks --jobs and --runner with the words quirkctl.yaml gets for build.jobs and build.runner. */
export async function checkOption(option: string, key: 'jobs' | 'runner', value: unknown, typed: string): Promise<void> {
  const { checkValue } = await import('../../lib/schema.js');
  const bad = checkValue('config', `/properties/build/properties/${key}`, value);
  if (bad) throw new InputError(`${option} '${typed}': ${bad}`);
}

export function register(program: Command): void {
  program
    .command('build')
    .description('build the DKMS package for quirks in containers or root file systems, one per target and kernel')
    .argument('[quirk...]', 'quirks whose package to build, by id or vvvv:dddd')
    .option('--all', 'the package for every quirk in the database')
    .option('--target <name>', 'build in this target (repeatable; default: every target in quirkctl.yaml)', collect)
    .option('--kernel <release>', 'only kernels with this release or its start, e.g. 6.1 or 6.1.0-56-amd64 (repeatable)', collect)
    .option('-j, --jobs <n>', 'targets built at once (default: build.jobs, else the number of CPUs)')
    .option('--runner <runner>', 'auto, host, bwrap, podman or docker (default: build.runner, else auto)')
    .option('--refresh', 'make the targets\' images and root file systems again')
    .option('--dry-run', 'say which runner, targets and images or root file systems would be used; build nothing')
    .option('--json', 'print the results as JSON')
    .addHelpText(
      'after',
      `
The package is what 'quirkctl dkms' makes for the same quirks (dkms.name and
dkms.version in quirkctl.yaml), generated afresh. In each target quirkctl runs
'dkms add' and 'dkms build -k <kernel>' in a private dkms tree, against the
target's own headers, without network. A target is a distribution, release and
kernel flavour (build.targets); it runs as a podman or docker image built from
templates/containers/<distro>.Containerfile, or with bwrap in a root file system
that debootstrap makes in ~/.cache/quirkctl (Debian and Ubuntu; making one needs
root). Both are made once and reused until --refresh.

auto picks podman, then docker, then bwrap: the first that can start a container
or sandbox here, and says why. --runner host builds against this machine's headers.

Each target ends passed (the module is in its dkms tree), failed (the log says
why), skipped (BUILD_EXCLUSIVE_KERNEL rules the kernel out) or error (the target
could not be made ready). Logs and dkms trees: .quirkctl/build/<target>/<kernel>/.
Exit status: 0 all passed or skipped, 1 a build failed, 2 a target had an error.

Examples:
  quirkctl build --all
  quirkctl build axelera-metis-s3-rebind --target debian-12
  quirkctl build --all --target arch --target arch-lts --runner podman --jobs 2
  quirkctl build --all --kernel 6.1 --json
  quirkctl build --all --dry-run`,
    )
    .action(async (quirks: string[], opts: BuildCliOptions, cmd: Command) => {
      let jobs: number | undefined;
      if (opts.jobs !== undefined) {
        await checkOption('--jobs', 'jobs', /^\d+$/.test(opts.jobs) ? Number(opts.jobs) : opts.jobs, opts.jobs);
        jobs = Number(opts.jobs);
      }
      if (opts.runner !== undefined) await checkOption('--runner', 'runner', opts.runner, opts.runner);
      const ws = await workspaceOf(cmd);
      const { buildPackage } = await import('../../build/matrix.js');
      const { liveView, plainView } = await import('../../build/progress.js');
      // A terminal that reports no size (a serial console) gets the plain lines: the live view would draw nothing.
      const live = process.stderr.isTTY && process.env.TERM !== 'dumb' && process.stderr.rows > 0;
      const view = live ? liveView(process.stderr) : plainView((t) => process.stderr.write(t));
      let report: BuildReport;
      try {
        report = await buildPackage(ws, {
          quirks,
          all: opts.all === true,
          targets: opts.target ?? [],
          kernels: opts.kernel ?? [],
          ...(jobs !== undefined ? { jobs } : ws.config.build?.jobs !== undefined ? { jobs: ws.config.build.jobs } : {}),
          ...(opts.runner !== undefined ? { runner: opts.runner as RunnerChoice } : {}),
          refresh: opts.refresh === true,
          dryRun: opts.dryRun === true,
          view,
        });
      } finally {
        view.close();
      }
      if (opts.json) printJson(report);
      else process.stdout.write(render(report, process.cwd()));
      if (report.cells.some((c) => c.status === 'error')) process.exitCode = 2;
      else if (report.cells.some((c) => c.status === 'failed')) process.exitCode = 1;
    });
}
