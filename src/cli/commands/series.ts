import type { Command } from 'commander';
import { printJson, printTable, workspaceOf } from '../io.js';

/**
 * The `series` command group. Each feature adds its subcommands to the group in a module
 * of its own (commands/series-*.ts), registered in program.ts.
 */
export function register(program: Command): Command {
  const series = program
    .command('series')
    .description('patch series: driver fixes and quirk patches, their cover letters, revisions and recipients');
  series
    .command('list')
    .description('list the series in the workspace')
    .option('--json', 'print JSON for scripts')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const ws = await workspaceOf(cmd);
      const { listSeriesSlugs, readSeries } = await import('../../series/store.js');
      const docs = listSeriesSlugs(ws).map((slug) => readSeries(ws, slug));
      if (opts.json) {
        printJson(docs.map((d) => ({ slug: d.slug, file: d.file, ...d.data })));
        return;
      }
      if (docs.length === 0) {
        process.stderr.write('no series\n');
        return;
      }
      printTable(
        ['SLUG', 'REV', 'STATE', 'PATCHES', 'SUBJECT'],
        docs.map((d) => [d.slug, `v${d.data.revision}`, d.data.state, String(d.data.patches.length), d.data.subject]),
      );
    });
  return series;
}
