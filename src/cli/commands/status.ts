import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { printJson, printTable, workspaceOf } from '../io.js';

interface StatusOptions {
  json?: boolean;
  markdown?: boolean;
}

export function register(program: Command): void {
  program
    .command('status')
    .description('where each patch series stands: revision, review state, trailers per patch, last activity, lore links')
    .argument('[slug]', 'only this series')
    .option('--json', 'print JSON for scripts')
    .option('--markdown', 'print a Markdown report')
    .addHelpText(
      'after',
      `
Shows what 'quirkctl track' last recorded; it does not go to the network.

Examples:
  quirkctl track --all && quirkctl status
  quirkctl status --markdown > status.md
  quirkctl status --json | jq '.[] | select(.state == "reviewed") | .slug'`,
    )
    .action(async (slug: string | undefined, opts: StatusOptions, cmd: Command) => {
      if (opts.json && opts.markdown) throw new InputError('give --json or --markdown, not both');
      const ws = await workspaceOf(cmd);
      const { listSeriesSlugs, readSeries } = await import('../../series/store.js');
      const { seriesStatus, statusDetails, statusRows, STATUS_HEAD, renderStatusMarkdown } = await import('../../lore/report.js');
      const list = (slug ? [slug] : listSeriesSlugs(ws)).map((s) => seriesStatus(s, readSeries(ws, s).data));
      if (opts.json) {
        printJson(list);
        return;
      }
      if (opts.markdown) {
        process.stdout.write(renderStatusMarkdown(list));
        return;
      }
      if (!list.length) {
        process.stderr.write('no series\n');
        return;
      }
      printTable(STATUS_HEAD, statusRows(list));
      process.stdout.write(statusDetails(list));
    });
}
