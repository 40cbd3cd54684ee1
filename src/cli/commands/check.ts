import type { Command } from 'commander';
import type { RunnerChoice } from '../../build/targets.js';
import { EXIT_FINDINGS, InputError } from '../../errors.js';
import type { CheckpatchRunner } from '../../series/check.js';
import type { Workspace } from '../../workspace/workspace.js';
import { collect, printJson, printTable, workspaceOf } from '../io.js';
import { checkOption } from './build.js';

interface CheckOptions {
  tree?: string;
  checkpatchArg?: string[];
  json?: boolean;
  inContainer?: boolean;
  target?: string;
  runner?: string;
}

export function register(program: Command): void {
  program
    .command('check')
    .argument('<series-or-patches...>', 'a series slug, or patch files')
    .description("run the kernel tree's scripts/checkpatch.pl on a series' patches (or on patch files) and list what it finds")
    .option('--tree <path>', 'the kernel tree whose checkpatch.pl to run (default: kernel.tree in quirkctl.yaml)')
    .option('--checkpatch-arg <arg>', 'a checkpatch.pl option, instead of kernel.checkpatch-args (default --strict); repeat for more', collect)
    .option('--in-container', "run checkpatch.pl inside a build target (its perl and codespell), not on this machine")
    .option('--target <name>', 'the build target for --in-container (default: the first in build.targets of quirkctl.yaml)')
    .option('--runner <runner>', 'how to enter the target: auto, host, bwrap, podman, docker (default: build.runner, else auto)')
    .option('--json', 'print the findings as JSON')
    .addHelpText(
      'after',
      `
checkpatch.pl runs with --strict unless kernel.checkpatch-args in quirkctl.yaml (or
--checkpatch-arg) says otherwise, and with --codespell when codespell is installed.
Each finding has a level (ERROR, WARNING, CHECK), checkpatch's type, the file and
line it is about, and the message. Exit status 1 when there are errors.

Checking a series records the result, so that 'quirkctl send' knows whether the
patches it sends are the ones that passed. With --in-container the tree's own
checkpatch.pl runs inside a build target (see 'quirkctl build'), the tree and the
patches mounted read-only.

Examples:
  quirkctl check amd-polaris-no-bus-reset
  quirkctl check patches/amd-polaris-no-bus-reset/*.patch --json
  quirkctl check my-fix --checkpatch-arg --strict --checkpatch-arg --max-line-length=80
  quirkctl check amd-polaris-no-bus-reset --in-container --target debian-12`,
    )
    .action(async (patches: string[], opts: CheckOptions, cmd: Command) => {
      const ws = await workspaceOf(cmd);
      const { checkPatches } = await import('../../series/check.js');
      const path = await import('node:path');
      if ((opts.target !== undefined || opts.runner !== undefined) && !opts.inContainer) throw new InputError(`${opts.target !== undefined ? '--target' : '--runner'} goes with --in-container`);
      const inTarget = opts.inContainer ? await inTargetRunner(ws, await targetOf(ws, opts)) : undefined;
      const out = await checkPatches(ws, { patches, tree: opts.tree, args: opts.checkpatchArg, cwd: process.cwd(), ...(inTarget ? { inTarget } : {}) });
      if (opts.json) {
        printJson(out);
      } else {
        const rows = out.results.flatMap((r) =>
          r.findings.map((f) => [path.basename(r.patch), f.level, f.type, f.file ? `${f.file}:${f.line}` : f.patchLine ? `patch line ${f.patchLine}` : '-', f.message]),
        );
        if (rows.length) printTable(['PATCH', 'LEVEL', 'TYPE', 'WHERE', 'MESSAGE'], rows);
        for (const r of out.results) process.stderr.write(`${path.basename(r.patch)}: ${r.errors} errors, ${r.warnings} warnings, ${r.checks} checks\n`);
        process.stdout.write(`total: ${out.errors} errors, ${out.warnings} warnings, ${out.checks} checks (checkpatch.pl ${out.args.join(' ')}${out.target ? ` in target ${out.target}` : ''})\n`);
      }
      if (out.errors > 0) process.exitCode = EXIT_FINDINGS;
    });
}

/** checkpatch.pl run by the target's perl, the tree and patches mounted read-only. */
async function inTargetRunner(ws: Workspace, t: { name: string; runner?: RunnerChoice; progress: (line: string) => void }): Promise<{ name: string; run: CheckpatchRunner }> {
  const { readyTarget } = await import('../../build/workspace-targets.js');
  const { checkpatchInTarget } = await import('../../build/kernel-tree.js');
  const { checkpatchResult } = await import('../../kernel/checkpatch.js');
  return {
    name: t.name,
    run: async (root, files, opts) => {
      const ready = await readyTarget(ws, t.name, { ...(t.runner ? { runner: t.runner } : {}), progress: t.progress });
      const runs = await checkpatchInTarget(ready, { tree: root, patches: files, args: ['--show-types', ...opts.args], ...(opts.codespell ? { codespell: opts.codespell } : {}) });
      return runs.map((r) => checkpatchResult(r.patch, r.exitCode, r.output));
    },
  };
}

/** The build target --in-container runs in: --target, else the workspace's first. */
export async function targetOf(ws: Workspace, opts: { target?: string; runner?: string }): Promise<{ name: string; runner?: RunnerChoice; progress: (line: string) => void }> {
  const { workspaceTargets } = await import('../../build/workspace-targets.js');
  const name = opts.target ?? workspaceTargets(ws)[0]?.name;
  if (name === undefined) throw new InputError('--in-container: no build targets in quirkctl.yaml (build.targets); name one with --target');
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  if (opts.runner === undefined) return { name, progress };
  await checkOption('--runner', 'runner', opts.runner, opts.runner);
  return { name, runner: opts.runner as RunnerChoice, progress };
}
