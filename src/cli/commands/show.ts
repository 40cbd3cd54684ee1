import type { Command } from 'commander';
import { formatDeviceIds } from '../../quirks/ids.js';
import { explainAction, quirkToJson } from '../../quirks/model.js';
import { printJson, workspaceOf } from '../io.js';

export function register(program: Command): void {
  program
    .command('show')
    .description('show one quirk: its device, actions, upstream state and notes')
    .argument('<quirk>', 'a quirk id, or the vvvv:dddd of the device it matches')
    .option('--json', 'print JSON for scripts')
    .action(async (ref: string, opts: { json?: boolean }, cmd: Command) => {
      const ws = await workspaceOf(cmd);
      const { findQuirk } = await import('../../quirks/store.js');
      const { loadEntries } = await import('../../quirks/index-cache.js');
      const { deviceTitle, loadPciIds } = await import('../../quirks/pci-ids.js');
      const { pciIdsPaths } = await import('../../workspace/workspace.js');
      const doc = findQuirk(loadEntries(ws), ref);
      const q = doc.quirk;
      if (opts.json) {
        printJson({ ...quirkToJson(q, doc.file), body: doc.body });
        return;
      }
      const name = deviceTitle(loadPciIds(pciIdsPaths(ws)), q.match.vendor, q.match.device);
      const lines = [
        `${q.id}: ${q.title}`,
        `  file:      ${doc.file}`,
        `  device:    ${formatDeviceIds(q.match)}${name ? ` (${name})` : ''}`,
        ...(q.match.class ? [`  class:     0x${q.match.class.value.toString(16).padStart(6, '0')}/0x${q.match.class.mask.toString(16).padStart(6, '0')}`] : []),
        ...(q.match.revision !== undefined ? [`  revision:  0x${q.match.revision.toString(16).padStart(2, '0')}`] : []),
        `  driver:    ${q.driver ?? '-'}`,
        `  kernels:   ${q.kernels ?? 'all'}`,
        `  upstream:  ${q.upstream.state}${q.upstream.fixedIn.length ? `, fixed in ${q.upstream.fixedIn.join(', ')}` : ''}${q.upstream.thread ? `, thread ${q.upstream.thread}` : ''}`,
        '  actions:',
        ...q.actions.map((a) => `    - ${explainAction(a, q.driver)}`),
        ...(q.references.length ? ['  references:', ...q.references.map((r) => `    ${r}`)] : []),
      ];
      process.stdout.write(`${lines.join('\n')}\n${doc.body.trim() ? `\n${doc.body.trim()}\n` : ''}`);
    });
}
