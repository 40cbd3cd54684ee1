import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { formatDeviceIds } from '../../quirks/ids.js';
import { describeAction } from '../../quirks/model.js';
import { printJson, printTable, workspaceOf } from '../io.js';

export function register(program: Command): void {
  program
    .command('scan')
    .description("find this machine's PCI devices that have a quirk in the database")
    .option('--sysfs <root>', 'sysfs mount to read (a copy of another machine\'s works too)', '/sys')
    .option('--json', 'print JSON for scripts')
    .action(async (opts: { sysfs: string; json?: boolean }, cmd: Command) => {
      const ws = await workspaceOf(cmd);
      const { loadEntries } = await import('../../quirks/index-cache.js');
      const { matchDevices, scanSysfs } = await import('../../quirks/sysfs.js');
      const { deviceTitle, loadPciIds } = await import('../../quirks/pci-ids.js');
      const { pciIdsPaths } = await import('../../workspace/workspace.js');
      const docs = loadEntries(ws);
      let devices;
      try {
        devices = scanSysfs(opts.sysfs);
      } catch (e) {
        throw new InputError(`--sysfs '${opts.sysfs}': ${(e as Error).message}`);
      }
      const hits = matchDevices(docs.map((d) => d.quirk), devices);
      if (opts.json) {
        printJson(hits.map((h) => ({ bdf: h.device.bdf, device: formatDeviceIds({ vendor: h.device.vendor, device: h.device.device }), driver: h.device.driver ?? null, quirk: h.quirk.id, actions: h.quirk.actions.map((a) => a.type) })));
        return;
      }
      if (hits.length === 0) {
        process.stdout.write(`no device matches a quirk (${devices.length} PCI devices under ${opts.sysfs})\n`);
        return;
      }
      const ids = loadPciIds(pciIdsPaths(ws));
      printTable(
        ['BDF', 'DEVICE', 'NAME', 'DRIVER', 'QUIRK', 'ACTIONS'],
        hits.map((h) => [h.device.bdf, formatDeviceIds({ vendor: h.device.vendor, device: h.device.device }), deviceTitle(ids, h.device.vendor, h.device.device) ?? '-', h.device.driver ?? '(none)', h.quirk.id, h.quirk.actions.map(describeAction).join(', ')]),
      );
    });
}
