/**
 * quirkctl vm-test against the real thing: Debian's kernel (vmlinuz, headers, modules)
 * booted by qemu with a busybox-static initramfs. Each scenario is one boot; two run at a
 * time (the machine has two cores, and TCG runs a guest on one).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliAsync, freshWorkspace, REPO, type CliResult } from '../helpers/cli.js';
import { realComponent } from '../helpers/real.js';
import { spawnSync } from 'node:child_process';

const onPath = (tool: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool]).status === 0;
const release = (existsSync('/boot') ? readdirSync('/boot') : []).map((f) => /^vmlinuz-(.+)$/.exec(f)?.[1]).find((r) => r && existsSync(`/lib/modules/${r}/build/include/generated/utsrelease.h`) && existsSync(`/lib/modules/${r}/modules.dep`));
const hasVm = realComponent(
  'qemu-system-x86_64, busybox-static, cpio, a /boot/vmlinuz-* with its headers and modules',
  onPath('qemu-system-x86_64') && onPath('busybox') && onPath('cpio') && onPath('make') && release !== undefined,
);

const FIXTURES = path.join(REPO, 'test', 'fixtures', 'vm');

/** The curated database, with the module template broken the way the issue asks: no re-attach after sleep. */
function brokenWorkspace(): string {
  const ws = freshWorkspace();
  cpSync(path.join(REPO, 'quirks', 'axelera-metis-s3-rebind.md'), path.join(ws, 'quirks', 'axelera-metis-s3-rebind.md'));
  const module = readFileSync(path.join(REPO, 'templates', 'dkms', 'module.c'), 'utf8');
  const attach = '\tret = device_attach(&pdev->dev);\n\tpr_info("attach %s quirk=%s event=%s result=%s\\n", pci_name(pdev), qk_quirks[quirk].id,';
  if (module.split(attach).length !== 2) throw new Error('templates/dkms/module.c changed: the broken variant needs a new place to break');
  mkdirSync(path.join(ws, 'templates', 'dkms'), { recursive: true });
  // The log line stays and still says "result=bound": the harness must not take the module's word for it.
  writeFileSync(path.join(ws, 'templates', 'dkms', 'module.c'), module.replace(attach, attach.replace('device_attach(&pdev->dev)', '1 /* broken on purpose: no device_attach() */')));
  return ws;
}

interface Step {
  id: string;
  status: string;
  checks: { ok: boolean | null; text: string }[];
  log: string[];
}
interface Json {
  passed: boolean;
  accel: string;
  accelNote: string | null;
  kernel: { release: string };
  device: { ids: string; bdf: string; driver: string };
  steps: Step[];
  workDir: string | null;
}

// A temporary directory of this file's own for vm-test's work directories: other vm-test runs on the machine do not show in it.
const VM_TMP = mkdtempSync(path.join(tmpdir(), 'quirkctl-vmtest-'));
const VM_ENV = { TMPDIR: VM_TMP };
afterAll(() => rmSync(VM_TMP, { recursive: true, force: true }));
const vmTempDirs = () => readdirSync(VM_TMP).filter((f) => f.startsWith('quirkctl-vm-'));

const scenarios = {
  // The default accelerator (auto): KVM where it runs guests, else TCG after a short try.
  metis: () => ['vm-test', 'axelera-metis-s3-rebind', '--as', '8086:100e', '--json', '--keep'],
  everyFlag: () => ['-w', FIXTURES, 'vm-test', 'test-every-flag', '--as', '1af4:1041', '--accel', 'tcg'],
  removeRescan: () => ['-w', FIXTURES, 'vm-test', 'test-remove-rescan', '--as', '8086:100e', '--accel', 'tcg', '--markdown'],
  broken: () => ['-w', brokenWorkspace(), 'vm-test', 'axelera-metis-s3-rebind', '--as', '8086:100e', '--accel', 'tcg', '--json'],
  // The actions added as one file each (src/actions/no-msi.ts, no-aspm.ts), on the PCIe e1000e whose driver uses MSI.
  newActions: () => ['-w', FIXTURES, 'vm-test', 'test-no-msi', 'test-no-aspm', '--as', '8086:10d3', '--accel', 'tcg'],
};
type Name = keyof typeof scenarios;
const results = {} as Record<Name, CliResult & { seconds: number }>;

async function runAll(names: Name[], parallel: number): Promise<void> {
  const queue = [...names];
  const worker = async () => {
    for (let name = queue.shift(); name; name = queue.shift()) {
      const t = Date.now();
      const r = await cliAsync(scenarios[name](), { env: VM_ENV });
      results[name] = { ...r, seconds: (Date.now() - t) / 1000 };
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

describe.runIf(hasVm)(`vm-test on ${release} under qemu`, () => {
  let before: string[] = [];
  beforeAll(async () => {
    before = vmTempDirs();
    const t = Date.now();
    await runAll(['metis', 'broken', 'everyFlag', 'removeRescan', 'newActions'], 2);
    process.stderr.write(`vm-test scenarios: ${Object.entries(results).map(([n, r]) => `${n} ${r.seconds.toFixed(0)} s`).join(', ')}; all ${((Date.now() - t) / 1000).toFixed(0)} s\n`);
  }, 900_000);

  it('passes for the curated Metis quirk re-targeted at the e1000, every step in one boot', () => {
    const r = results.metis;
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as Json;
    expect(j.passed).toBe(true);
    expect(j.kernel.release).toBe(release);
    expect(j.device).toMatchObject({ ids: '8086:100e', driver: 'e1000', bdf: '0000:01:00.0' });
    const ids = j.steps.map((s) => s.id);
    const q = 'axelera-metis-s3-rebind';
    expect(ids).toEqual(['build', 'boot', ...['load', 'freeze', 'mem', 'disk', 'reload1-bound', 'reload1-unbound', 'reload2-bound', 'reload2-unbound', 'final', 'unload'].map((s) => `${q}:${s}`), 'splat']);
    expect(j.steps.every((s) => s.status === 'pass')).toBe(true);
    const disk = j.steps.find((s) => s.id === `${q}:disk`)!;
    // Every pm_test mode Debian's kernel offers, each with the release before and the re-attach after.
    for (const mode of ['freezer', 'devices', 'platform', 'processors', 'core']) {
      expect(disk.checks.map((c) => c.text)).toContain(`disk pm_test=${mode}: driver released before tasks froze (module log: release 0000:01:00.0 event=hibernation-prepare driver=e1000)`);
      expect(disk.checks.map((c) => c.text)).toContain(`disk pm_test=${mode}: sysfs driver after: e1000`);
    }
    const freeze = j.steps.find((s) => s.id === `${q}:freeze`)!;
    expect(freeze.log.some((l) => l.includes(`quirkctl_workarounds: release 0000:01:00.0 quirk=${q} event=suspend-prepare driver=e1000`))).toBe(true);
    expect(freeze.log.some((l) => l.includes("driver: 'e1000': driver_bound: bound to device '0000:01:00.0'"))).toBe(true);
    // --keep: the work files stay, and the command says where.
    expect(j.workDir).not.toBeNull();
    for (const f of ['qemu.sh', 'console.log', 'results.log', 'initramfs.cpio', 'module/quirkctl_workarounds.ko']) expect(existsSync(path.join(j.workDir!, f)), f).toBe(true);
    if (j.accel === 'tcg' && existsSync('/dev/kvm')) expect(j.accelNote ?? '').toMatch(/KVM was tried first/);
    rmSync(j.workDir!, { recursive: true, force: true });
  });

  it('passes for a quirk with every flag action, each reset method gone from reset_method (virtio-net offers flr, pm, bus)', () => {
    const r = results.everyFlag;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const line of [
      'pass  test-every-flag: flag no-bus-reset',
      "        ok  reset_method: 'bus' gone (flr pm bus -> (empty))",
      "        ok  reset_method: 'pm' gone (flr pm bus -> (empty))",
      "        ok  reset_method: 'flr' gone (flr pm bus -> (empty))",
      '        ok  module log: flag 0000:01:00.0 flag=no-d3 result=set',
      '        ok  reset_method after rmmod: flr pm bus (before load: flr pm bus)',
      'pass  no Oops, BUG, WARNING, lockdep or refcount splat',
    ]) {
      expect(r.stdout.split('\n')).toContain(line);
    }
    expect(r.stdout).toMatch(/^PASS: 17 passed, 0 failed \(\d+ s\)$/m);
  });

  it('passes for a remove-rescan rebind, and --markdown says what is proven on which kernel', () => {
    const r = results.removeRescan;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const md = r.stdout;
    expect(md).toContain('# Workarounds proven in a VM');
    expect(md).toContain('Generated by `quirkctl vm-test test-remove-rescan --as 8086:100e --markdown`');
    expect(md).toContain(`| rebind remove-rescan around suspend, hibernate, settle 50 ms | test-remove-rescan | ${release} | proven |`);
    expect(md).toContain(`| no-bus-reset | test-remove-rescan | ${release} | proven |`);
    expect(md).toContain(`| d3hot-delay 120 ms | test-remove-rescan | ${release} | proven by the module's log (sysfs does not show it) |`);
    expect(md).toContain(`| config-write 7c.l=39d5e86b before-reset | test-remove-rescan | ${release} | left to the hook, as it must be (logged at load) |`);
    expect(md).not.toMatch(/FAILED|not run/);
  });

  it('passes for no-msi (msi_bus 1 -> 0, the driver falls back to INTx, 1 again after rmmod) and no-aspm (pci_disable_link_state)', () => {
    const r = results.newActions;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    for (const line of [
      'pass  test-no-msi: no-msi (msi_bus)',
      '        ok  module log: no-msi 0000:01:00.0 result=set',
      '        ok  msi_bus: 1 -> 0 (expected 0 with the module loaded)',
      '        ok  msi_bus after rmmod: 1 (before load: 1)',
      'pass  test-no-aspm: no-aspm (pci_disable_link_state)',
      '        ok  module log: no-aspm 0000:01:00.0 states=l0s,l1 result=0',
      'pass  no Oops, BUG, WARNING, lockdep or refcount splat',
    ]) {
      expect(lines).toContain(line);
    }
    // e1000e asks for its interrupts again on resume: with no_msi set it gets INTx.
    expect(r.stdout).toMatch(/e1000e 0000:01:00\.0 eth0: Failed to initialize MSI interrupts\.\s+Falling back to legacy interrupts\./);
    expect(r.stdout).toMatch(/^PASS: 25 passed, 0 failed \(\d+ s\)$/m);
  });

  it('fails a module that does not re-attach, at the first suspend, though its log claims it did', () => {
    const r = results.broken;
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as Json;
    expect(j.passed).toBe(false);
    const first = j.steps.find((s) => s.status === 'fail')!;
    expect(first.id).toBe('axelera-metis-s3-rebind:freeze');
    const failed = first.checks.filter((c) => c.ok === false).map((c) => c.text);
    expect(failed).toContain('freeze pm_test=devices: sysfs driver after: no driver');
    expect(failed).toContain(`freeze pm_test=devices: the driver core bound e1000 again after the thaw ("driver_bound: bound to device '0000:01:00.0'")`);
    // The release happened and the module's (false) attach line is there: only sysfs and the driver core tell.
    const passedChecks = first.checks.filter((c) => c.ok === true).map((c) => c.text);
    expect(passedChecks).toContain('freeze pm_test=devices: driver released before tasks froze (module log: release 0000:01:00.0 event=suspend-prepare driver=e1000)');
    expect(passedChecks).toContain('freeze pm_test=devices: re-attach after tasks thawed (module log: attach 0000:01:00.0 event=post-suspend result=bound)');
    expect(j.steps.slice(0, 3).map((s) => s.status)).toEqual(['pass', 'pass', 'pass']);
  });

  it('leaves no work directory behind without --keep', () => {
    expect(vmTempDirs().filter((d) => !before.includes(d))).toEqual([]);
  });
});

describe('vm-test: bad input exits 2, says what is wrong, and leaves nothing behind', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown quirk', ['vm-test', 'no-such-quirk', '--as', '8086:100e'], /quirk 'no-such-quirk': no quirk with that id or device/],
    ['--as not vvvv:dddd', ['vm-test', 'axelera-metis-s3-rebind', '--as', '8086'], /--as '8086': expected vvvv:dddd/],
    ['--as with a subsystem', ['vm-test', 'axelera-metis-s3-rebind', '--as', '8086:100e:1af4:1100'], /--as '8086:100e:1af4:1100': expected vvvv:dddd/],
    ['--as a device qemu does not emulate', ['vm-test', 'axelera-metis-s3-rebind', '--as', '1f9d:1100'], /--as '1f9d:1100': qemu emulates no device the harness knows by that ID; use one of 8086:100e \(e1000\)/],
    ['no --as for a device qemu cannot emulate', ['vm-test', 'axelera-metis-s3-rebind'], /matches 1f9d:1100, which qemu does not emulate: pass --as vvvv:dddd/],
    ['neither quirks nor --all', ['vm-test', '--as', '8086:100e'], /name the quirks to prove/],
    ['a --kernel that does not exist', ['vm-test', 'axelera-metis-s3-rebind', '--as', '8086:100e', '--kernel', '/nonexistent/vmlinuz'], /--kernel \/nonexistent\/vmlinuz: no such file/],
    ['a --kernel that is not a kernel', ['vm-test', 'axelera-metis-s3-rebind', '--as', '8086:100e', '--kernel', path.join(REPO, 'package.json')], /not an x86 kernel image/],
    ['--accel not a choice', ['vm-test', 'axelera-metis-s3-rebind', '--as', '8086:100e', '--accel', 'hvf'], /argument 'hvf' is invalid/],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const before = vmTempDirs();
      const r = cli(args, { env: VM_ENV });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      expect(vmTempDirs().filter((d) => !before.includes(d))).toEqual([]);
    });
  }

  it.runIf(hasVm)('a kernel without modules or headers: names exactly what is missing', () => {
    const empty = path.join(tmpdir(), `quirkctl-test-empty-${process.pid}`);
    mkdirSync(empty, { recursive: true });
    try {
      const noModules = cli(['vm-test', 'axelera-metis-s3-rebind', '--as', '8086:100e', '--modules', empty]);
      expect(noModules.code).toBe(2);
      expect(noModules.stderr).toContain(`--modules ${empty}: no modules.dep`);
      const noHeaders = cli(['vm-test', 'axelera-metis-s3-rebind', '--as', '8086:100e', '--kernel', `/boot/vmlinuz-${release}`, '--headers', empty]);
      expect(noHeaders.code).toBe(2);
      expect(noHeaders.stderr).toContain(`--kernel /boot/vmlinuz-${release} (${release}): --headers ${empty}: not a kbuild tree (no include/generated/utsrelease.h)`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
