import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { printJson, printTable, workspaceOf } from '../io.js';

/** The series subcommands that work with posted mail and a kernel tree. */
export function register(series: Command): void {
  series
    .command('import')
    .argument('<mbox>', 'an mbox holding the series, e.g. a thread from lore (t.mbox)')
    .description('import a posted series (cover letter and patches, like b4 am) into patches/ and series/')
    .option('--slug <slug>', 'name of the series (default: from the subject)')
    .option('--revision <n>', 'which revision to take when the mbox holds several (default: the newest)')
    .addHelpText(
      'after',
      `
Replies in the thread are skipped. Each patch keeps its author (the in-body From:
when there is one), date, subject and trailers; the posted Message-IDs go into the
series history (source: imported), so the series is tracked on lore like one that
quirkctl sent.

Examples:
  curl -s https://lore.kernel.org/linux-pci/<msgid>/t.mbox.gz | gunzip > thread.mbox
  quirkctl series import thread.mbox --slug aspm-quirks
  quirkctl series apply aspm-quirks --tree ~/src/linux --base v6.18-rc5`,
    )
    .action(async (mbox: string, opts: { slug?: string; revision?: string }, cmd: Command) => {
      const ws = await workspaceOf(cmd);
      let revision: number | undefined;
      if (opts.revision !== undefined) {
        if (!/^[1-9]\d?$/.test(opts.revision)) throw new InputError(`--revision '${opts.revision}': expected a revision number, e.g. 2`);
        revision = Number(opts.revision);
      }
      const { importSeries } = await import('../../series/import.js');
      const out = await importSeries(ws, { mbox, slug: opts.slug, revision });
      for (const p of out.written.patches) process.stdout.write(`wrote ${p}\n`);
      const s = out.series;
      process.stdout.write(
        `created ${out.written.file}: v${s.revision}, ${s.patches.length} patch${s.patches.length === 1 ? '' : 'es'}${s.cover ? ' and a cover letter' : ''}; skipped ${s.skipped} other message${s.skipped === 1 ? '' : 's'}\n`,
      );
    });

  series
    .command('apply')
    .argument('<slug>', 'the series')
    .description("apply a series with git am in a temporary worktree of the kernel tree; the result goes to FETCH_HEAD or a new branch")
    .option('--tree <path>', 'the kernel tree (default: kernel.tree in quirkctl.yaml)')
    .option('--base <ref>', "commit to apply to (default: the series' base-commit, else kernel.base, else HEAD)")
    .option('--branch <name>', 'create this branch at the result (default: only FETCH_HEAD, like b4 shazam -H)')
    .addHelpText(
      'after',
      `
Your checkout, branch and index are not touched.

Examples:
  quirkctl series apply aspm-quirks --tree ~/src/linux --base v6.18-rc5
  git -C ~/src/linux merge FETCH_HEAD
  quirkctl series apply amd-polaris-no-bus-reset --branch polaris-v1`,
    )
    .action(async (slug: string, opts: { tree?: string; base?: string; branch?: string }, cmd: Command) => {
      const ws = await workspaceOf(cmd);
      const { applySeries } = await import('../../series/apply.js');
      const out = await applySeries(ws, { slug, tree: opts.tree, base: opts.base, branch: opts.branch });
      const where = out.branch ? `branch ${out.branch}` : 'FETCH_HEAD';
      process.stdout.write(`applied ${out.patches} patch${out.patches === 1 ? '' : 'es'} on ${out.base.name ?? out.base.sha.slice(0, 12)}: ${out.head} (${where})\n`);
    });

  series
    .command('rebase-check')
    .argument('<slug>', 'the series')
    .requiredOption('--refs <refs>', 'comma-separated refs to try the patches on, e.g. v6.1,v6.6,master')
    .option('--tree <path>', 'the kernel tree (default: kernel.tree in quirkctl.yaml)')
    .option('--json', 'print JSON for scripts')
    .description('say, per ref, whether each patch applies cleanly, only with a 3-way merge, or not at all')
    .addHelpText(
      'after',
      `
Each ref gets the patches in order in a temporary worktree; a patch that does not
apply is left out and the next one tried. Exit status 1 when a patch conflicts.

Example:
  quirkctl series rebase-check amd-polaris-no-bus-reset --tree ~/src/linux --refs v6.1.192,v6.6,master`,
    )
    .action(async (slug: string, opts: { refs: string; tree?: string; json?: boolean }, cmd: Command) => {
      const ws = await workspaceOf(cmd);
      const refs = opts.refs
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean);
      const { rebaseCheck } = await import('../../series/apply.js');
      const out = await rebaseCheck(ws, { slug, tree: opts.tree, refs }, (l) => process.stderr.write(`${l}\n`));
      if (opts.json) printJson(out);
      else {
        printTable(
          ['REF', 'PATCH', 'RESULT', 'CONFLICTS'],
          out.flatMap((r) => r.patches.map((p) => [r.ref, p.name, p.result, p.conflicts.join(' ')])),
        );
      }
      if (out.some((r) => r.patches.some((p) => p.result === 'conflict'))) process.exitCode = 1;
    });

  series
    .command('recipients')
    .argument('<slug>', 'the series')
    .option('--tree <path>', 'the kernel tree whose get_maintainer.pl and MAINTAINERS to use (default: kernel.tree)')
    .option('-n, --dry-run', 'print the recipients; change nothing')
    .option('--json', 'print JSON for scripts')
    .description("add To (maintainers, reviewers) and Cc (lists) from the tree's MAINTAINERS to the series; sends nothing")
    .addHelpText(
      'after',
      `
get_maintainer.pl runs on every patch as b4's --auto-to-cc runs it (no git history);
addresses already in the series stay, new ones are added.

Example:
  quirkctl series recipients amd-polaris-no-bus-reset --tree ~/src/linux`,
    )
    .action(async (slug: string, opts: { tree?: string; dryRun?: boolean; json?: boolean }, cmd: Command) => {
      const ws = await workspaceOf(cmd);
      const { seriesRecipients } = await import('../../series/recipients.js');
      const out = await seriesRecipients(ws, { slug, tree: opts.tree, dryRun: opts.dryRun === true });
      if (opts.json) {
        printJson(out);
        return;
      }
      for (const a of out.to) process.stdout.write(`To: ${a}\n`);
      for (const a of out.cc) process.stdout.write(`Cc: ${a}\n`);
      const verb = opts.dryRun ? 'would add' : 'added';
      process.stderr.write(out.added.length ? `${verb} ${out.added.length} address${out.added.length === 1 ? '' : 'es'} to series/${slug}.md\n` : `series/${slug}.md already has every address\n`);
    });
}
