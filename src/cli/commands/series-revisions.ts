import type { Command } from 'commander';
import { collect, printJson, workspaceOf } from '../io.js';

/** `series new`, `show`, `edit`, `reroll` and `format`: a series' cover letter and revisions. */
export function register(series: Command): void {
  series
    .command('new')
    .description('start a series: series/<slug>.md with a change-id and an EDITME cover letter')
    .argument('<slug>', 'short name of the series: lowercase letters, digits and -')
    .option('--from-quirk <quirk>', 'draft the subject and cover letter from a quirk (id or vvvv:dddd)')
    .option('--subject <text>', 'the cover letter subject, without the [PATCH] prefix')
    .option('--to <address>', 'a recipient (repeatable)', collect)
    .option('--cc <address>', 'a Cc recipient (repeatable)', collect)
    .option('--prefix <word>', 'subject prefix words instead of PATCH (repeatable: --prefix RFC --prefix PATCH)', collect)
    .addHelpText(
      'after',
      `
The cover letter is the Markdown below the front matter; it starts with an
EDITME paragraph, and 'quirkctl send' refuses to send until it is gone.

Examples:
  quirkctl series new polaris-bus-reset --from-quirk amd-polaris-no-bus-reset \\
      --to 'Bjorn Helgaas <bhelgaas@google.com>' --cc linux-pci@vger.kernel.org
  quirkctl series new metis-resume --prefix RFC --prefix PATCH`,
    )
    .action(async (slug: string, opts: { fromQuirk?: string; subject?: string; to?: string[]; cc?: string[]; prefix?: string[] }, cmd: Command) => {
      const ws = await workspaceOf(cmd);
      const { createSeries } = await import('../../series/manage.js');
      const file = await createSeries(ws, slug, {
        ...(opts.fromQuirk !== undefined ? { fromQuirk: opts.fromQuirk } : {}),
        ...(opts.subject !== undefined ? { subject: opts.subject } : {}),
        to: opts.to ?? [],
        cc: opts.cc ?? [],
        prefixes: opts.prefix ?? [],
      });
      process.stdout.write(`created ${file}\n`);
      process.stderr.write(`next: 'quirkctl series edit ${slug}' to write the cover letter\n`);
    });

  series
    .command('show')
    .description('show a series: subject, revision, recipients, patches, posted revisions on lore, the cover letter as sent')
    .argument('<slug>', 'the series')
    .option('--json', 'print JSON for scripts')
    .action(async (slug: string, opts: { json?: boolean }, cmd: Command) => {
      const ws = await workspaceOf(cmd);
      const { viewSeries } = await import('../../series/manage.js');
      const v = viewSeries(ws, slug);
      if (opts.json) {
        printJson({ slug: v.slug, file: v.file, ...v.data, patchSubjects: v.patches, links: v.links, coverText: v.cover });
        return;
      }
      const d = v.data;
      const j = d.journal;
      const lines = [
        `${v.file}: ${d.subject}`,
        `  change-id:  ${d['change-id']}`,
        `  revision:   v${d.revision} (${d.state})`,
        `  prefixes:   ${(d.prefixes ?? ['PATCH']).join(' ')}`,
        `  base:       ${d.base ?? '-'}${d['base-commit'] ? ` (${d['base-commit']})` : ''}`,
        ...(d.quirk ? [`  quirk:      ${d.quirk}`] : []),
        `  to:         ${(d.to ?? []).join(', ') || '-'}`,
        `  cc:         ${(d.cc ?? []).join(', ') || '-'}`,
        `  patches:    ${v.patches.length ? '' : '(none yet)'}`,
        ...v.patches.map((p) => `    ${p.name}${p.subject ? `  ${p.subject}` : `  (${p.problem})`}`),
        ...(v.links.length ? ['  posted:', ...v.links.map((l) => `    v${l.revision}  ${l.link}`)] : []),
        ...(j ? [`  interrupted send of v${j.revision}: ${j.mails.filter((m) => m.state === 'accepted').length} of ${j.mails.length} mails accepted; 'quirkctl send ${slug} --resume' sends the rest`] : []),
      ];
      process.stdout.write(`${lines.join('\n')}\n\n${v.cover}\n`);
    });

  series
    .command('edit')
    .description('edit a series file in $VISUAL or $EDITOR; it is taken back only if it still validates')
    .argument('<slug>', 'the series')
    .addHelpText(
      'after',
      `
An edit that does not validate is kept in .quirkctl/edit/<slug>.md and opened
again by the next 'series edit'.

Example:
  EDITOR='code --wait' quirkctl series edit polaris-bus-reset`,
    )
    .action(async (slug: string, _opts: unknown, cmd: Command) => {
      const ws = await workspaceOf(cmd);
      const { editSeries } = await import('../../series/manage.js');
      const r = await editSeries(ws, slug, process.env);
      process.stdout.write(r.changed ? `updated ${r.file}\n` : `${r.file} unchanged\n`);
    });

  series
    .command('reroll')
    .description('move a posted series to its next revision, with a "Changes in vN:" stub linking the previous posting on lore')
    .argument('<slug>', 'the series')
    .addHelpText(
      'after',
      `
'quirkctl send' does this by itself after a posting; reroll is for a revision
posted otherwise (imported with 'series import').

Example:
  quirkctl series reroll polaris-bus-reset && quirkctl series edit polaris-bus-reset`,
    )
    .action(async (slug: string, _opts: unknown, cmd: Command) => {
      const ws = await workspaceOf(cmd);
      const { rerollSeries } = await import('../../series/manage.js');
      const r = await rerollSeries(ws, slug);
      process.stdout.write(`${r.file}: v${r.from} -> v${r.to}; describe the changes under "Changes in v${r.to}:"\n`);
    });

  series
    .command('format')
    .description('write the series as git format-patch mails: [PATCH vN n/M], the cover letter as plain text, base-commit and change-id')
    .argument('<slug>', 'the series')
    .option('-o, --output-directory <dir>', 'where to write the files (default: the current directory)')
    .option('--mbox', 'one mbox instead of one file per mail: on stdout, or <slug>-vN.mbox in the -o directory')
    .option('--tree <path>', "kernel tree with the base commit, for git's exact cover diffstat (default: kernel.tree in quirkctl.yaml)")
    .addHelpText(
      'after',
      `
The Message-IDs are made afresh for each run; 'quirkctl send' records the ones it
sends. The files apply with git am, as git format-patch output does.

Examples:
  quirkctl series format polaris-bus-reset -o outgoing/
  quirkctl series format polaris-bus-reset --mbox | git am`,
    )
    .action(async (slug: string, opts: { outputDirectory?: string; mbox?: boolean; tree?: string }, cmd: Command) => {
      const ws = await workspaceOf(cmd);
      const { formatSeriesFiles } = await import('../../series/manage.js');
      const r = await formatSeriesFiles(ws, slug, {
        ...(opts.outputDirectory !== undefined ? { outDir: opts.outputDirectory } : {}),
        ...(opts.tree !== undefined ? { tree: opts.tree } : {}),
        mbox: opts.mbox ?? false,
        warn: (m) => process.stderr.write(`warning: ${m}\n`),
      });
      if (r.mbox !== undefined) process.stdout.write(r.mbox);
      for (const f of r.written) process.stdout.write(`${f}\n`);
    });
}
