import { existsSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { workspaceOf } from '../io.js';

export function register(program: Command): void {
  program
    .command('rm')
    .description('remove a quirk from the database')
    .argument('<id>', 'the quirk id (as list shows it)')
    .action(async (id: string, _opts: object, cmd: Command) => {
      // The id becomes a path: refuse anything that is not an id before touching the disk.
      const { checkValue } = await import('../../lib/schema.js');
      const { quirkPath } = await import('../../quirks/store.js');
      const { withWorkspaceLock } = await import('../../workspace/fs.js');
      const { displayPath } = await import('../../workspace/workspace.js');
      const bad = checkValue('quirk', '/properties/id', id);
      if (bad) throw new InputError(`quirk id '${id}': ${bad}`);
      const ws = await workspaceOf(cmd);
      const file = quirkPath(ws, id);
      await withWorkspaceLock(ws, async () => {
        if (!existsSync(file)) throw new InputError(`quirk '${id}': no ${displayPath(ws, file)}; 'quirkctl list' shows the quirks`);
        await unlink(file);
      });
      process.stdout.write(`removed ${displayPath(ws, file)}\n`);
    });
}
