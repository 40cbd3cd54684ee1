import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { EXIT_FINDINGS } from '../../errors.js';
import { workspaceOf } from '../io.js';

export function register(program: Command): void {
  program
    .command('docs')
    .description('write QUIRKS.md, the database as one Markdown document')
    .option('-o, --output <file>', 'where to write it (relative to the workspace)', 'QUIRKS.md')
    .option('--check', 'write nothing; exit 1 if the file is out of date (for CI)')
    .action(async (opts: { output: string; check?: boolean }, cmd: Command) => {
      const ws = await workspaceOf(cmd);
      const { renderQuirksMarkdown } = await import('../../quirks/docs.js');
      const { loadEntries } = await import('../../quirks/index-cache.js');
      const { writeAtomic } = await import('../../workspace/fs.js');
      const { displayPath } = await import('../../workspace/workspace.js');
      const docs = loadEntries(ws);
      const out = path.resolve(ws.root, opts.output);
      const text = renderQuirksMarkdown(docs);
      const current = existsSync(out) ? readFileSync(out, 'utf8') : undefined;
      if (opts.check) {
        if (current !== text) {
          process.stdout.write(`${displayPath(ws, out)} is out of date; run 'quirkctl docs'\n`);
          process.exitCode = EXIT_FINDINGS;
        }
        return;
      }
      if (current !== text) await writeAtomic(out, text);
      process.stdout.write(`${current === text ? 'unchanged' : 'wrote'} ${displayPath(ws, out)} (${docs.length} quirks)\n`);
    });
}
