import type { Command } from 'commander';
import { EXIT_FINDINGS } from '../../errors.js';
import { collect, printJson, printTable, workspaceOf } from '../io.js';

interface CheckOptions {
  tree?: string;
  checkpatchArg?: string[];
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('check')
    .argument('<series-or-patches...>', 'a series slug, or patch files')
    .description("run the kernel tree's scripts/checkpatch.pl on a series' patches (or on patch files) and list what it finds")
    .option('--tree <path>', 'the kernel tree whose checkpatch.pl to run (default: kernel.tree in quirkctl.yaml)')
    .option('--checkpatch-arg <arg>', 'a checkpatch.pl option, instead of kernel.checkpatch-args (default --strict); repeat for more', collect)
    .option('--json', 'print the findings as JSON')
    .addHelpText(
      'after',
      `
checkpatch.pl runs with --strict unless kernel.checkpatch-args in quirkctl.yaml (or
--checkpatch-arg) says otherwise, and with --codespell when codespell is installed.
Each finding has a level (ERROR, WARNING, CHECK), checkpatch's type, the file and
line it is about, and the message. Exit status 1 when there are errors.

Checking a series records the result, so that 'quirkctl send' knows whether the
patches it sends are the ones that passed.

Examples:
  quirkctl check amd-polaris-no-bus-reset
  quirkctl check patches/amd-polaris-no-bus-reset/*.patch --json
  quirkctl check my-fix --checkpatch-arg --strict --checkpatch-arg --max-line-length=80`,
    )
    .action(async (targets: string[], opts: CheckOptions, cmd: Command) => {
      const ws = await workspaceOf(cmd);
      const { checkPatches } = await import('../../kernel/check.js');
      const path = await import('node:path');
      const out = await checkPatches(ws, { targets, tree: opts.tree, args: opts.checkpatchArg, cwd: process.cwd() });
      if (opts.json) {
        printJson(out);
      } else {
        const rows = out.results.flatMap((r) =>
          r.findings.map((f) => [path.basename(r.patch), f.level, f.type, f.file ? `${f.file}:${f.line}` : f.patchLine ? `patch line ${f.patchLine}` : '-', f.message]),
        );
        if (rows.length) printTable(['PATCH', 'LEVEL', 'TYPE', 'WHERE', 'MESSAGE'], rows);
        for (const r of out.results) process.stderr.write(`${path.basename(r.patch)}: ${r.errors} errors, ${r.warnings} warnings, ${r.checks} checks\n`);
        process.stdout.write(`total: ${out.errors} errors, ${out.warnings} warnings, ${out.checks} checks (checkpatch.pl ${out.args.join(' ')})\n`);
      }
      if (out.errors > 0) process.exitCode = EXIT_FINDINGS;
    });
}
