import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { collect, workspaceOf } from '../io.js';

interface TrailersOptions {
  update?: boolean;
  ignoreFrom?: string[];
}

export function register(program: Command): void {
  program
    .command('trailers')
    .description('add the trailers collected on lore (Reviewed-by, Acked-by, Tested-by, ...) to the series\' patch files')
    .argument('<slug>', 'the series')
    .option('-u, --update', 'write the patch files (without it, only the diff is shown)')
    .option('--ignore-from <addr>', 'skip trailers from this address (repeatable; the patch author\'s own are always skipped)', collect)
    .addHelpText(
      'after',
      `
Uses what 'quirkctl track' recorded for the newest posted revision: a trailer given on
a patch goes into that patch, one given on the cover letter into every patch. Each goes
into the trailer block above '---' in the order kernel maintainers use (Fixes,
Reported-by, Closes, Suggested-by, Signed-off-by, Tested-by, Reviewed-by, Acked-by, Cc,
Link), once, never moving lines already there. The diff is shown first.

Examples:
  quirkctl track polaris-no-bus-reset && quirkctl trailers polaris-no-bus-reset
  quirkctl trailers polaris-no-bus-reset --update --ignore-from bot@example.org`,
    )
    .action(async (slug: string, opts: TrailersOptions, cmd: Command) => {
      const ws = await workspaceOf(cmd);
      for (const a of opts.ignoreFrom ?? []) {
        if (!/^[^\s<>@,;]+@[^\s<>@,;]+$/.test(a)) throw new InputError(`--ignore-from '${a}': expected a mail address such as bot@example.org`);
      }
      const { readPatches, readSeries, patchesDir } = await import('../../series/store.js');
      const { planTrailers } = await import('../../lore/apply-trailers.js');
      const { createTwoFilesPatch } = await import('diff');
      const path = await import('node:path');
      const doc = readSeries(ws, slug);
      const plans = planTrailers(doc.data, readPatches(ws, doc), opts.ignoreFrom ?? []);
      const changed = plans.filter((p) => p.added.length);
      for (const p of changed) {
        const file = `patches/${slug}/${p.name}`;
        process.stdout.write(createTwoFilesPatch(`a/${file}`, `b/${file}`, p.before, p.after, undefined, undefined, { context: 3 }).replace(/^=+\n/, ''));
      }
      if (!changed.length) {
        process.stderr.write('no new trailers: the patch files have every collected trailer\n');
        return;
      }
      const count = changed.reduce((n, p) => n + p.added.length, 0);
      if (!opts.update) {
        process.stderr.write(`${count} trailer(s) to add to ${changed.length} patch file(s); run with --update to write them\n`);
        return;
      }
      const { withWorkspaceLock, writeAtomic } = await import('../../workspace/fs.js');
      await withWorkspaceLock(ws, async () => {
        for (const p of changed) await writeAtomic(path.join(patchesDir(ws, slug), p.name), p.after);
      });
      process.stderr.write(`added ${count} trailer(s) to ${changed.length} patch file(s)\n`);
    });
}
