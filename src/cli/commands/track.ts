import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import type { SeriesDocument } from '../../series/store.js';
import { printJson, printTable, workspaceOf } from '../io.js';

interface TrackOptions {
  all?: boolean;
  lore?: string;
  dryRun?: boolean;
  full?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('track')
    .description('follow posted series on lore: replies, trailers, NAKs, "applied" notices and newer revisions')
    .argument('[slug]', 'the series to refresh')
    .option('--all', 'every series with posted revisions (the default without a slug)')
    .option('--lore <url>', 'public-inbox base URL (default: lore.url in quirkctl.yaml, else https://lore.kernel.org/all)')
    .option('-n, --dry-run', 'fetch and show, but write nothing')
    .option('--full', 'fetch every thread again, even when the search finds nothing new (catches replies that changed the Subject)')
    .option('--json', 'print JSON for scripts')
    .addHelpText(
      'after',
      `
Every revision in a series' history with Message-IDs (sent by 'quirkctl send', or
imported) is followed: its thread, trailers given per patch (a trailer on the cover
letter counts for every patch), NAKs, maintainers' "Applied to <branch>, thanks" and
pull requests, and later revisions found by change-id or subject. The series' state
becomes sent, under-review, changes-requested, reviewed or applied; its 'review' key
keeps the evidence. A refresh of series whose threads did not change costs one small
request each: a search for mail received since the last refresh that names the
series' subjects or change-id. A reply that changes the Subject entirely is found by
the next --full refresh. Caches live in .quirkctl/lore/.

Examples:
  quirkctl track polaris-no-bus-reset
  quirkctl track --all --lore http://127.0.0.1:8080/linux-pci
  quirkctl status`,
    )
    .action(async (slug: string | undefined, opts: TrackOptions, cmd: Command) => {
      if (slug && opts.all) throw new InputError('give a series or --all, not both');
      const ws = await workspaceOf(cmd);
      const { checkValue } = await import('../../lib/schema.js');
      if (opts.lore !== undefined) {
        const problem = checkValue('config', '/properties/lore/properties/url', opts.lore);
        if (problem) throw new InputError(`--lore '${opts.lore}': ${problem}`);
      }
      const { checkSlug, listSeriesSlugs, readSeries } = await import('../../series/store.js');
      const { postedRevisions, trackSeries } = await import('../../lore/track.js');
      const { DEFAULT_LORE_URL, LoreClient } = await import('../../lore/client.js');
      const tracked = (doc: SeriesDocument) => postedRevisions(doc.data.history ?? []).length > 0;
      let docs: SeriesDocument[];
      if (slug) {
        checkSlug(slug);
        const doc = readSeries(ws, slug);
        if (!tracked(doc)) throw new InputError(`series '${slug}': no posted revision with Message-IDs in its history; send it with 'quirkctl send' (or import it) first`);
        docs = [doc];
      } else {
        docs = listSeriesSlugs(ws)
          .map((s) => readSeries(ws, s))
          .filter(tracked);
        if (!docs.length) {
          process.stderr.write('no series with posted revisions to track\n');
          return;
        }
      }
      const client = new LoreClient(opts.lore ?? ws.config.lore?.url ?? DEFAULT_LORE_URL);
      process.stderr.write(`tracking ${docs.length} series on ${client.base}\n`);
      const outcomes = await trackSeries(ws, client, docs, {
        ...(opts.dryRun ? { dryRun: true } : {}),
        ...(opts.full ? { full: true } : {}),
        warn: (m) => process.stderr.write(`warning: ${m}\n`),
        progress: (line) => process.stderr.write(`${line}\n`),
      });
      process.stderr.write(`${client.stats.requests} requests, ${client.stats.bytes} bytes${opts.dryRun ? '; dry run, nothing written' : ''}\n`);
      const failed = outcomes.filter((o) => o.error);
      for (const o of failed) process.stderr.write(`quirkctl: ${o.slug}: ${o.error}; series file left unchanged\n`);
      if (failed.length) process.exitCode = 1;
      if (opts.json) {
        printJson(outcomes);
        return;
      }
      const { stateLabel } = await import('../../lore/report.js');
      printTable(
        ['SERIES', 'STATE', 'WAS', 'TRAILERS', 'NEWER', 'FILE'],
        outcomes.map((o) => {
          const latest = o.review?.revisions[o.review.revisions.length - 1];
          return [
            o.slug,
            o.error ? 'error' : stateLabel(o.state!, latest),
            o.previous,
            String(latest?.trailers.length ?? 0),
            o.review?.newer?.map((n) => `v${n.revision}`).join(',') ?? '-',
            o.error ? 'unchanged' : o.updated ? (opts.dryRun ? 'would update' : 'updated') : 'unchanged',
          ];
        }),
      );
    });
}
