import { Option, type Command } from 'commander';
import { printJson, workspaceOf } from '../io.js';

interface VmTestCliOptions {
  all?: boolean;
  kernel?: string;
  modules?: string;
  headers?: string;
  as?: string;
  accel: 'auto' | 'kvm' | 'tcg';
  keep?: boolean;
  json?: boolean;
  markdown?: boolean;
}

export function register(program: Command): void {
  program
    .command('vm-test')
    .description("prove a quirk's generated module on a real kernel: build it, boot the kernel under qemu, suspend, hibernate, reload")
    .argument('[quirk...]', 'quirks to prove, by id or vvvv:dddd')
    .option('--all', 'prove every quirk in the database (each in turn, in one boot)')
    .option('--kernel <vmlinuz>', 'kernel image to boot (default: the newest /boot/vmlinuz-* with headers and modules)')
    .option('--modules <dir>', "the kernel's module tree, where the emulated device's driver comes from (default: /lib/modules/<release>)")
    .option('--headers <dir>', 'kbuild tree to build the module against (default: /lib/modules/<release>/build)')
    .option('--as <vvvv:dddd>', 'emulate this device and re-target the module at it: 8086:100e (e1000), 8086:10d3 (e1000e), 1af4:1041 (virtio-net)')
    .addOption(new Option('--accel <accel>', 'qemu accelerator; auto tries KVM and falls back to TCG').choices(['auto', 'kvm', 'tcg']).default('auto'))
    .option('--keep', 'keep the work files (module build, initramfs, console log, qemu.sh) and print where')
    .option('--json', 'print the step table as JSON')
    .addOption(new Option('--markdown', 'print the page of which action is proven on which kernel (docs/proven.md)').conflicts('json'))
    .addHelpText(
      'after',
      `
Steps, all in one boot of the kernel, for each quirk in turn (the module loaded with
disable= naming the others): module load; the flags where sysfs shows them (reset_method);
the config writes; suspend freeze and mem with pm_test=devices and hibernation (disk)
with every pm_test mode the kernel offers, checking that the driver is released before
and bound again after (the module's log, the driver core's log and the sysfs driver
link); two rounds of rmmod/insmod with the device bound and unbound; a final suspend;
and no Oops, BUG, WARNING, lockdep or refcount splat anywhere in the kernel log.

Exit status: 0 every step passed, 1 a step failed, 2 bad input (unknown quirk, --as
not vvvv:dddd, a kernel without headers or modules).

Examples:
  quirkctl vm-test axelera-metis-s3-rebind --as 8086:100e
  quirkctl vm-test --all --as 1af4:1041 --json
  quirkctl vm-test amd-polaris-no-bus-reset --as 1af4:1041 --kernel /boot/vmlinuz-6.1.0-56-amd64 --keep
  quirkctl vm-test --all --as 8086:100e --markdown > docs/proven.md`,
    )
    .action(async (quirks: string[], opts: VmTestCliOptions, cmd: Command) => {
      const { vmTest } = await import('../../vm/run.js');
      const { formatMarkdown, formatText, toJson } = await import('../../vm/report.js');
      const { parseAs } = await import('../../vm/devices.js');
      if (opts.as !== undefined) parseAs(opts.as);
      const ws = await workspaceOf(cmd);
      const result = await vmTest(ws, {
        quirks,
        all: opts.all === true,
        ...(opts.kernel !== undefined ? { kernel: opts.kernel } : {}),
        ...(opts.modules !== undefined ? { modules: opts.modules } : {}),
        ...(opts.headers !== undefined ? { headers: opts.headers } : {}),
        ...(opts.as !== undefined ? { as: opts.as } : {}),
        accel: opts.accel,
        keep: opts.keep === true,
        progress: (m) => process.stderr.write(`${m}\n`),
      });
      if (opts.json) printJson(toJson(result));
      else if (opts.markdown) process.stdout.write(formatMarkdown(result, ['quirkctl vm-test', ...(opts.all ? ['--all'] : quirks), ...(opts.as ? ['--as', opts.as] : []), '--markdown'].join(' ')));
      else process.stdout.write(formatText(result));
      if (opts.keep && result.workDir && (opts.json || opts.markdown)) process.stderr.write(`work files kept in ${result.workDir}\n`);
      if (!result.passed) process.exitCode = 1;
    });
}
