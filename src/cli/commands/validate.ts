import type { Command } from 'commander';
import { EXIT_FINDINGS, formatProblem } from '../../errors.js';
import { printJson, workspaceOf } from '../io.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('check every quirk file against schema/quirk.schema.json and the rules between files')
    .option('--json', 'print the problems as JSON')
    .addHelpText('after', '\nEach problem is printed as file:line: field: message. Exit status 1 when there is any.')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const ws = await workspaceOf(cmd);
      const { readDatabase } = await import('../../quirks/store.js');
      const db = readDatabase(ws);
      if (opts.json) printJson({ quirks: db.docs.length, problems: db.problems });
      else if (db.problems.length) process.stdout.write(`${db.problems.map(formatProblem).join('\n')}\n`);
      else process.stdout.write(`${db.docs.length} quirk${db.docs.length === 1 ? '' : 's'}, no problems\n`);
      if (db.problems.length) process.exitCode = EXIT_FINDINGS;
    });
}
