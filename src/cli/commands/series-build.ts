import type { Command } from 'commander';
import { EXIT_FINDINGS, InputError } from '../../errors.js';
import { collect, printJson, printTable, workspaceOf } from '../io.js';
import { targetOf } from './check.js';
import { checkOption } from './build.js';

interface BuildTestOptions {
  target?: string;
  runner?: string;
  tree?: string;
  base?: string;
  object?: string[];
  config?: string;
  jobs?: string;
  refresh?: boolean;
  json?: boolean;
}

export function register(series: Command): void {
  series
    .command('build-test')
    .description('compile what a series changes, with the series applied to its base, inside a build target')
    .argument('<slug>', 'the series')
    .option('--target <name>', 'the build target (default: the first in build.targets of quirkctl.yaml)')
    .option('--runner <runner>', 'how to enter the target: auto, host, bwrap, podman, docker (default: build.runner, else auto)')
    .option('--tree <path>', 'the kernel tree (default: kernel.tree in quirkctl.yaml)')
    .option('--base <ref>', "where to apply the series (default: its base-commit, else kernel.base)")
    .option('--object <path.o>', 'an object to build instead of those of the C files the series touches (repeatable)', collect)
    .option('--config <file>', 'a .config to start from (default: the tree\'s defaults, make olddefconfig)')
    .option('-j, --jobs <n>', 'make -j inside the target')
    .option('--refresh', "make the target's image or root file system again")
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
The series is applied with git am on its base in a temporary worktree of the kernel
tree (your checkout is not touched), and inside the target 'make olddefconfig' then
'make <object>' runs for each C file the series touches, the tree mounted read-only.
The build log stays in .quirkctl/build/<target>/series-<slug>/. Exit status 1 when
an object does not build.

Examples:
  quirkctl series build-test amd-polaris-no-bus-reset --target debian-12
  quirkctl series build-test my-fix --object drivers/net/wwan/iosm/iosm_ipc_pcie.o -j 2`,
    )
    .action(async (slug: string, opts: BuildTestOptions, cmd: Command) => {
      const ws = await workspaceOf(cmd);
      if (opts.jobs !== undefined) await checkOption('--jobs', 'jobs', /^\d+$/.test(opts.jobs) ? Number(opts.jobs) : opts.jobs, opts.jobs);
      const { checkSlug } = await import('../../series/store.js');
      checkSlug(slug);
      const target = await targetOf(ws, opts);
      const { checkObject } = await import('../../build/kernel-tree.js');
      for (const o of opts.object ?? []) checkObject(o);
      if (opts.config !== undefined && !(await import('node:fs')).existsSync(opts.config)) throw new InputError(`--config '${opts.config}': no such file`);
      const { buildTestSeries } = await import('../../build/series-build-test.js');
      const r = await buildTestSeries(
        ws,
        {
          slug,
          target: target.name,
          ...(target.runner ? { runner: target.runner } : {}),
          ...(opts.tree !== undefined ? { tree: opts.tree } : {}),
          ...(opts.base !== undefined ? { base: opts.base } : {}),
          ...(opts.object ? { objects: opts.object } : {}),
          ...(opts.config !== undefined ? { config: opts.config } : {}),
          ...(opts.jobs !== undefined ? { jobs: Number(opts.jobs) } : {}),
          ...(opts.refresh ? { refresh: true } : {}),
        },
        target.progress,
      );
      const failed = !r.configured || r.objects.some((o) => !o.built);
      if (failed) process.exitCode = EXIT_FINDINGS;
      if (opts.json) {
        printJson(r);
        return;
      }
      if (!r.configured) process.stdout.write(`make olddefconfig failed in target ${r.target}\n`);
      else printTable(['OBJECT', 'RESULT'], r.objects.map((o) => [o.object, o.built ? 'built' : 'failed']));
      process.stdout.write(`${slug} on ${r.base.name ?? r.base.sha.slice(0, 12)} in target ${r.target}: ${failed ? 'FAILED' : 'compiles'}; log: ${r.log}\n`);
    });
}
