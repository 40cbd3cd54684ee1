import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { printJson, printTable, workspaceOf } from '../io.js';

interface UpstreamOptions {
  all?: boolean;
  mainline?: string;
  stable?: string;
  json?: boolean;
  acceptFuzzy?: boolean;
  dryRun?: boolean;
}

export function register(program: Command): void {
  program
    .command('upstream')
    .description('find where the patches of a series landed in mainline and stable, and retire workarounds on kernels that carry the fix')
    .argument('[slug]', 'the series to look for (see `quirkctl series list`)')
    .option('--all', 'every series in the workspace')
    .option('--mainline <path>', 'a full clone of the mainline kernel, with tags (default: upstream.mainline in quirkctl.yaml)')
    .option('--stable <path>', 'a clone of linux-stable, with tags (default: upstream.stable in quirkctl.yaml)')
    .option('--accept-fuzzy', 'let a match by subject and author alone set the quirk\'s fixed-in')
    .option('--dry-run', 'report what was found; write nothing')
    .option('--json', 'print the results as JSON')
    .addHelpText(
      'after',
      `
Each patch is looked for in mainline by the Message-ID in Link: trailers, then by
\`git patch-id --stable\` among commits touching the same files, then by subject
and author (reported as fuzzy). The first release tag containing it gives the
release it was merged in; commits in the stable clone saying "commit <sha>
upstream." give the backports and their first stable releases. The series gets a
\`merged\` record; its quirk gets upstream.fixed-in, which \`quirkctl dkms\` uses to
stop building for kernels that carry the fix. Indexes in .quirkctl/upstream/
make later runs read only new history.

Examples:
  quirkctl upstream polaris-no-bus-reset --mainline ~/src/linux --stable ~/src/linux-stable
  quirkctl upstream --all --json`,
    )
    .action(async (slug: string | undefined, opts: UpstreamOptions, cmd: Command) => {
      if (!slug && !opts.all) throw new InputError('give a series slug, or --all for every series');
      if (slug && opts.all) throw new InputError('give a series slug or --all, not both');
      const ws = await workspaceOf(cmd);
      const { configPath } = await import('../../workspace/workspace.js');
      const mainline = opts.mainline ?? configPath(ws, ws.config.upstream?.mainline);
      if (!mainline) throw new InputError('no mainline clone: pass --mainline PATH or set upstream.mainline in quirkctl.yaml');
      const stable = opts.stable ?? configPath(ws, ws.config.upstream?.stable);
      const { checkSlug, listSeriesSlugs, readPatches, readSeries } = await import('../../series/store.js');
      const { PatchFactsCache, trackedPatches } = await import('../../upstream/tracked.js');
      const { detect } = await import('../../upstream/detect.js');
      if (slug) checkSlug(slug);
      const slugs = slug ? [slug] : listSeriesSlugs(ws);
      const facts = PatchFactsCache.open(ws.stateDir);
      const series = await Promise.all(
        slugs.map(async (s) => {
          const doc = readSeries(ws, s);
          return { slug: s, patches: await trackedPatches(doc, readPatches(ws, doc), facts) };
        }),
      );
      await facts.save();
      if (series.length === 0) {
        process.stderr.write('no series\n');
        return;
      }
      const progress = (line: string) => process.stderr.write(`${line}\n`);
      const { results } = await detect({ mainline, ...(stable ? { stable } : {}), cacheDir: ws.stateDir, series }, progress);
      const { applyResults } = await import('../../upstream/apply.js');
      const { withWorkspaceLock } = await import('../../workspace/fs.js');
      const applied = opts.dryRun ? [] : await withWorkspaceLock(ws, () => applyResults(ws, results, { acceptFuzzy: opts.acceptFuzzy === true }));
      if (opts.json) {
        printJson(results.map((r) => ({ ...r, applied: applied.find((a) => a.slug === r.slug) ?? null })));
        return;
      }
      printTable(
        ['SERIES', 'PATCH', 'FOUND BY', 'COMMIT', 'MAINLINE', 'STABLE'],
        results.flatMap((r) =>
          r.patches.map((p) => [
            r.slug,
            p.file,
            p.mainline ? `${p.mainline.how}${p.mainline.fuzzy ? ' (fuzzy)' : ''}` : '-',
            p.mainline ? p.mainline.commit.slice(0, 12) : 'not found',
            p.mainline?.tag ?? (p.mainline ? 'not in a release yet' : '-'),
            p.stable.map((s) => s.release ?? s.commit.slice(0, 12)).join(', ') || '-',
          ]),
        ),
      );
      for (const r of results) {
        const a = applied.find((x) => x.slug === r.slug);
        const where = r.merged ? `merged in v${r.merged.release}${r.merged.fuzzy ? ' (fuzzy)' : ''}${r.stable.length ? `; stable: ${r.stable.join(', ')}` : ''}` : 'not merged';
        const quirk = a?.quirk ? (a.quirk.skipped ? `; quirk ${a.quirk.id} unchanged: ${a.quirk.skipped}` : `; quirk ${a.quirk.id} fixed-in ${a.quirk.fixedIn.join(', ')}`) : '';
        process.stdout.write(`${r.slug}: ${where}${quirk}\n`);
      }
    });
}
