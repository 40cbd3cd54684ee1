/**
 * vm-test's pure parts: kernel discovery on made-up trees, modules.dep, the guest's
 * report, the step checks (on a real guest report, and on that report broken in the
 * ways a bad module or a dying guest break it), splat lines, the output formats.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleSources } from '../../src/dkms/render.js';
import { InputError } from '../../src/errors.js';
import type { Quirk } from '../../src/quirks/model.js';
import { isStaticElf } from '../../src/vm/build.js';
import { chooseDevice, EMULATED_DEVICES, parseAs } from '../../src/vm/devices.js';
import { evaluate, passed, type EvalContext } from '../../src/vm/evaluate.js';
import { bzImageRelease, findKernel, utsRelease } from '../../src/vm/kernel.js';
import { loadOrder, moduleName, parseModulesDep, readModule, vermagicRelease } from '../../src/vm/modules.js';
import { planVm } from '../../src/vm/plan.js';
import { parseGuestOutput, type GuestReport } from '../../src/vm/protocol.js';
import { formatMarkdown, formatText } from '../../src/vm/report.js';
import type { VmTestResult } from '../../src/vm/run.js';
import { findSplats, splatKind } from '../../src/vm/splat.js';
import { REPO, tempDir } from '../helpers/cli.js';
import { realComponent } from '../helpers/real.js';

const FIXTURES = path.join(REPO, 'test', 'fixtures', 'vm');
const e1000 = EMULATED_DEVICES[0]!;

function quirk(id: string, extra: Partial<Quirk> = {}): Quirk {
  return { id, title: `Device ${id}`, match: { vendor: 0x1f9d, device: 0x1100 }, actions: [{ type: 'rebind', around: ['suspend', 'hibernate'], method: 'unbind-bind' }], upstream: { state: 'none', fixedIn: [] }, references: [], ...extra };
}

/** A bzImage setup header with `version` where the kernel puts it. */
function fakeBzImage(version: string): Buffer {
  const b = Buffer.alloc(0x400);
  b.write('HdrS', 0x202, 'latin1');
  b.writeUInt16LE(0x100, 0x20e);
  b.write(`${version}\0`, 0x300, 'latin1');
  return b;
}

describe('kernel discovery', () => {
  it('reads the release from a bzImage header, as file(1) does', () => {
    expect(bzImageRelease(fakeBzImage('6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP'))).toBe('6.1.0-56-amd64');
    expect(bzImageRelease(Buffer.from('#!/bin/sh\necho not a kernel\n'.padEnd(0x400, ' ')))).toBeNull();
  });

  const boot = existsSync('/boot') ? readdirSync('/boot').find((f) => f.startsWith('vmlinuz-')) : undefined;
  it.runIf(realComponent('a Debian kernel in /boot (linux-image-amd64)', boot !== undefined))('reads the release of the installed kernel', () => {
    expect(bzImageRelease(readFileSync(`/boot/${boot}`))).toBe(boot!.slice('vmlinuz-'.length));
  });

  it('reads UTS_RELEASE from utsrelease.h (include/config/kernel.release may say something else)', () => {
    expect(utsRelease('#define UTS_RELEASE "6.1.0-56-amd64"\n')).toBe('6.1.0-56-amd64');
    expect(utsRelease('nothing here')).toBeNull();
  });

  /** /boot, /lib/modules and /usr/src made up: each release with what `has` says. */
  function roots(kernels: Record<string, { headers?: boolean; modules?: boolean }>) {
    const root = tempDir();
    const r = { boot: path.join(root, 'boot'), modules: path.join(root, 'lib', 'modules'), src: path.join(root, 'usr', 'src') };
    for (const [release, has] of Object.entries(kernels)) {
      mkdirSync(r.boot, { recursive: true });
      writeFileSync(path.join(r.boot, `vmlinuz-${release}`), fakeBzImage(`${release} (x) #1`));
      if (has.modules) {
        mkdirSync(path.join(r.modules, release), { recursive: true });
        writeFileSync(path.join(r.modules, release, 'modules.dep'), '');
      }
      if (has.headers) {
        mkdirSync(path.join(r.src, `linux-headers-${release}`, 'include', 'generated'), { recursive: true });
        writeFileSync(path.join(r.src, `linux-headers-${release}`, 'include', 'generated', 'utsrelease.h'), `#define UTS_RELEASE "${release}"\n`);
      }
    }
    return r;
  }

  it('takes the newest kernel that has both headers and modules', () => {
    const r = roots({ '6.1.0-55-amd64': { headers: true, modules: true }, '6.1.0-9-amd64': { headers: true, modules: true }, '6.12.0-1-amd64': { modules: true } });
    const k = findKernel({}, r);
    expect(k).toEqual({ release: '6.1.0-55-amd64', vmlinuz: path.join(r.boot, 'vmlinuz-6.1.0-55-amd64'), modulesDir: path.join(r.modules, '6.1.0-55-amd64'), headersDir: path.join(r.src, 'linux-headers-6.1.0-55-amd64') });
  });

  it('names what each kernel lacks when none will do', () => {
    const r = roots({ '6.1.0-55-amd64': { modules: true }, '6.12.0-1-amd64': { headers: true } });
    expect(() => findKernel({}, r)).toThrow(InputError);
    expect(() => findKernel({}, r)).toThrow(
      new RegExp(`6\\.12\\.0-1-amd64: no modules: ${r.modules}/6\\.12\\.0-1-amd64/modules\\.dep does not exist \\(install the linux-image package of 6\\.12\\.0-1-amd64\\)\\n  6\\.1\\.0-55-amd64: no headers: looked in ${r.modules}/6\\.1\\.0-55-amd64/build and ${r.src}/linux-headers-6\\.1\\.0-55-amd64 \\(install linux-headers-6\\.1\\.0-55-amd64\\)`),
    );
    expect(() => findKernel({}, { ...r, boot: path.join(r.boot, 'nope') })).toThrow(/no kernel to boot/);
  });

  it('checks --headers and --modules against the release of --kernel', () => {
    const r = roots({ '6.1.0-55-amd64': { headers: true, modules: true }, '6.1.0-56-amd64': { headers: true, modules: true } });
    const kernel = path.join(r.boot, 'vmlinuz-6.1.0-56-amd64');
    const wrong = path.join(r.src, 'linux-headers-6.1.0-55-amd64');
    expect(() => findKernel({ kernel, headers: wrong }, r)).toThrow(`--kernel ${kernel} (6.1.0-56-amd64): --headers ${wrong}: headers of 6.1.0-55-amd64, not of 6.1.0-56-amd64`);
    expect(findKernel({ kernel, modules: path.join(r.modules, '6.1.0-55-amd64') }, r).modulesDir).toBe(path.join(r.modules, '6.1.0-55-amd64'));
  });
});

describe('modules', () => {
  const dep = [
    'kernel/drivers/virtio/virtio_pci.ko.zst: kernel/drivers/virtio/virtio_pci_legacy_dev.ko.zst kernel/drivers/virtio/virtio_pci_modern_dev.ko.zst kernel/drivers/virtio/virtio.ko.zst kernel/drivers/virtio/virtio_ring.ko.zst',
    'kernel/drivers/virtio/virtio_pci_legacy_dev.ko.zst:',
    'kernel/drivers/virtio/virtio_pci_modern_dev.ko.zst:',
    'kernel/drivers/virtio/virtio.ko.zst: kernel/drivers/virtio/virtio_ring.ko.zst',
    'kernel/drivers/virtio/virtio_ring.ko.zst:',
    'kernel/drivers/net/ethernet/intel/e1000/e1000.ko:',
    '',
  ].join('\n');

  it('orders dependencies before the modules that need them', () => {
    const order = loadOrder(parseModulesDep(dep), ['virtio_pci'], '/lib/modules/x');
    expect(order.map(moduleName)).toEqual(['virtio_pci_legacy_dev', 'virtio_pci_modern_dev', 'virtio_ring', 'virtio', 'virtio_pci']);
    expect(loadOrder(parseModulesDep(dep), ['e1000', 'e1000'], '/x').map(moduleName)).toEqual(['e1000']);
    expect(() => loadOrder(parseModulesDep(dep), ['8139too'], '/lib/modules/x')).toThrow('/lib/modules/x has no module 8139too (not in modules.dep)');
  });

  it('names modules as the kernel does', () => {
    expect(moduleName('kernel/drivers/net/ethernet/intel/e1000/e1000.ko.xz')).toBe('e1000');
    expect(moduleName('a/nvme-core.ko.zst')).toBe('nvme_core');
  });

  const tools = realComponent('xz and zstd', spawnSync('sh', ['-c', 'command -v xz && command -v zstd']).status === 0);
  it.runIf(tools)('decompresses .ko.xz and .ko.zst with the real tools', async () => {
    const dir = tempDir();
    const ko = Buffer.concat([Buffer.from('\x7fELF'), Buffer.alloc(64), Buffer.from('vermagic=6.1.0-56-amd64 SMP preempt mod_unload modversions \0')]);
    writeFileSync(path.join(dir, 'm.ko'), ko);
    for (const [tool, ext] of [['xz', 'xz'], ['zstd', 'zst']] as const) {
      spawnSync(tool, ['-k', '-q', path.join(dir, 'm.ko')]);
      const back = await readModule(path.join(dir, `m.ko.${ext}`));
      expect(back.equals(ko)).toBe(true);
      expect(vermagicRelease(back)).toBe('6.1.0-56-amd64');
    }
  });

  it('tells a static busybox from a dynamic program', () => {
    const busybox = realComponent('busybox-static', existsSync('/bin/busybox'));
    if (busybox) expect(isStaticElf(readFileSync('/bin/busybox'))).toBe(true);
    expect(isStaticElf(readFileSync(process.execPath))).toBe(false);
    expect(isStaticElf(Buffer.from('#!/bin/sh\n'))).toBe(false);
  });
});

describe('devices', () => {
  it('takes --as as exactly vvvv:dddd of an emulated device', () => {
    expect(parseAs('8086:100E').qemu).toBe('e1000');
    expect(() => parseAs('8086:100e:0000:0000')).toThrow("--as '8086:100e:0000:0000': expected vvvv:dddd");
    expect(() => parseAs('10ec:8168')).toThrow(/qemu emulates no device the harness knows by that ID; use one of 8086:100e \(e1000\), 8086:10d3 \(e1000e\), 1af4:1041 \(virtio-net-pci\)/);
  });

  it("uses a quirk's own device when qemu emulates it, and asks for --as otherwise", () => {
    expect(chooseDevice([quirk('a', { match: { vendor: 0x8086, device: 0x100e, subvendor: 1, subdevice: 2 } })])).toEqual({ device: e1000, retarget: false });
    expect(chooseDevice([quirk('a')], '8086:100e')).toEqual({ device: e1000, retarget: true });
    expect(() => chooseDevice([quirk('a')])).toThrow('quirk a matches 1f9d:1100, which qemu does not emulate: pass --as');
    expect(() => chooseDevice([quirk('a'), quirk('b', { match: { vendor: 0x8086, device: 0x100e } })])).toThrow('the selected quirks match 2 different devices (1f9d:1100, 8086:100e)');
  });
});

describe('the steps', () => {
  it('proves each quirk in turn with the others disabled, and only loads a quirk its kernel does not need', () => {
    const { plan } = moduleSources([quirk('a', { actions: [{ type: 'no-flr' }, { type: 'config-write', offset: 0x40, width: 8, value: 1, when: 'on-load' }] }), quirk('b', { kernels: '>=6.2' })], { name: 'qk', version: '1' });
    const vm = planVm(plan, '6.1.0-56-amd64');
    expect(vm.steps.map((s) => s.id)).toEqual([
      'a:load', 'a:flag-no-flr', 'a:writes-on-load', 'a:freeze', 'a:mem', 'a:disk', 'a:reload1-bound', 'a:reload1-unbound', 'a:reload2-bound', 'a:reload2-unbound', 'a:final', 'a:unload',
      'b:load', 'b:unload',
    ]);
    expect(vm.steps[0]!.ops).toEqual([{ op: 'insmod', disable: ['b'] }]);
    expect(vm.steps.find((s) => s.id === 'b:load')!.check).toEqual({ kind: 'not-needed', range: '>=6.2' });
    expect(planVm(plan, '6.2.1').steps.filter((s) => s.quirk === 'b')).toHaveLength(10);
  });
});

describe('a real guest report (Metis on the e1000, Debian 6.1)', () => {
  const nonce = 'bb5396722868020f';
  const text = readFileSync(path.join(FIXTURES, 'results-metis-e1000.log'), 'utf8');
  const metis = quirk('axelera-metis-s3-rebind');
  const { plan } = moduleSources([metis], { name: 'quirkctl-workarounds', version: '1', matchOverride: e1000.ids });
  const vm = planVm(plan, '6.1.0-56-amd64');
  const ctx = (report: GuestReport, extra: Partial<EvalContext> = {}): EvalContext => ({ plan, vm, device: e1000, release: '6.1.0-56-amd64', report, consoleTail: [], console: [], ...extra });

  it('parses records and log lines of its own nonce only', () => {
    const r = parseGuestOutput(`${text}@QKVM:0000000000000000 {"t":"done"}\n@QKVM:${nonce} {not json\n`, nonce);
    expect(r.hello).toBe(true);
    expect(r.env).toMatchObject({ release: '6.1.0-56-amd64', state: 'freeze mem disk', pmTest: '[none] core processors platform devices freezer', dyndbg: true });
    expect(r.device).toEqual({ bdf: '0000:01:00.0', present: true, driver: 'e1000', reset: ['bus'] });
    expect(r.ops).toHaveLength(24);
    expect(r.ops.filter((o) => o.step.endsWith(':disk')).map((o) => o.mode)).toEqual(['core', 'processors', 'platform', 'devices', 'freezer']);
    expect(r.done).toBe(true);
    expect(r.garbled).toEqual([`@QKVM:${nonce} {not json`]);
    expect(r.pending.size).toBe(0);
  });

  it('passes every step', () => {
    const steps = evaluate(ctx(parseGuestOutput(text, nonce)));
    expect(steps.filter((s) => s.status !== 'pass').map((s) => s.id)).toEqual([]);
    expect(passed(steps)).toBe(true);
  });

  /** The report with one op's record or log changed. */
  function broken(step: string, change: (op: GuestReport['ops'][number]) => void): GuestReport {
    const r = parseGuestOutput(text, nonce);
    change(r.ops.find((o) => o.step === step)!);
    return r;
  }

  it('fails a transition whose driver does not come back, whatever the module logs', () => {
    const r = broken('axelera-metis-s3-rebind:freeze', (o) => {
      o.driver = '';
      o.log = o.log.filter((l) => !l.includes('driver_bound'));
    });
    const step = evaluate(ctx(r)).find((s) => s.id === 'axelera-metis-s3-rebind:freeze')!;
    expect(step.status).toBe('fail');
    expect(step.checks.filter((c) => c.ok === false).map((c) => c.text)).toEqual([
      `freeze pm_test=devices: the driver core bound e1000 again after the thaw ("driver_bound: bound to device '0000:01:00.0'")`,
      'freeze pm_test=devices: sysfs driver after: no driver',
    ]);
  });

  it('fails a release that comes after tasks froze', () => {
    const r = broken('axelera-metis-s3-rebind:mem', (o) => {
      const at = o.log.findIndex((l) => l.includes('quirkctl_workarounds: release'));
      const [line] = o.log.splice(at, 1);
      o.log.splice(o.log.findIndex((l) => l.includes('Freezing remaining')), 0, line!);
    });
    const step = evaluate(ctx(r)).find((s) => s.id === 'axelera-metis-s3-rebind:mem')!;
    expect(step.checks.find((c) => c.ok === false)?.text).toMatch(/^mem pm_test=devices: driver released before tasks froze/);
  });

  it('fails the run on a splat and says during which step', () => {
    const r = broken('axelera-metis-s3-rebind:reload1-bound', (o) => {
      o.log.push('[   12.345678] WARNING: CPU: 0 PID: 97 at lib/refcount.c:28 refcount_warn_saturate+0x97/0x110');
      o.log.push('[   12.345679] refcount_t: underflow; use-after-free.');
    });
    const steps = evaluate(ctx(r));
    const splat = steps.at(-1)!;
    expect(splat.status).toBe('fail');
    expect(splat.checks.map((c) => c.text)).toEqual([
      'warning during axelera-metis-s3-rebind:reload1-bound: [   12.345678] WARNING: CPU: 0 PID: 97 at lib/refcount.c:28 refcount_warn_saturate+0x97/0x110',
      'refcount during axelera-metis-s3-rebind:reload1-bound: [   12.345679] refcount_t: underflow; use-after-free.',
    ]);
  });

  it('names the op a guest stopped in, and the steps it never ran', () => {
    const cut = text.split('\n');
    const at = cut.findIndex((l) => l.includes('"step":"axelera-metis-s3-rebind:disk","op":"sleep","rc"'));
    const r = parseGuestOutput(`${cut.slice(0, at).join('\n')}\n@QKVM:${nonce} {"t":"begin","step":"axelera-metis-s3-rebind:disk","op":"sleep"}\n`, nonce);
    const steps = evaluate(ctx(r, { stopped: 'the guest was silent for 120 s and was stopped (hung)', consoleTail: ['[   30.1] INFO: task sh:1 blocked for more than 20 seconds.'], console: ['[   30.1] INFO: task sh:1 blocked for more than 20 seconds.'] }));
    const disk = steps.find((s) => s.id === 'axelera-metis-s3-rebind:disk')!;
    expect(disk.status).toBe('fail');
    expect(disk.checks.at(-1)!.text).toBe("no result: the guest stopped during 'sleep' (the guest was silent for 120 s and was stopped (hung))");
    expect(steps.find((s) => s.id === 'axelera-metis-s3-rebind:unload')!.checks).toEqual([{ ok: false, text: 'not run: the guest was silent for 120 s and was stopped (hung)' }]);
    expect(steps.at(-1)!.checks.map((c) => c.text)).toEqual(['hang during console: [   30.1] INFO: task sh:1 blocked for more than 20 seconds.']);
  });

  it('formats the table and the proven page', () => {
    const steps = evaluate(ctx(parseGuestOutput(text, nonce)));
    const result: VmTestResult = {
      kernel: { release: '6.1.0-56-amd64', vmlinuz: '/boot/vmlinuz-6.1.0-56-amd64', modulesDir: '/lib/modules/6.1.0-56-amd64', headersDir: '/lib/modules/6.1.0-56-amd64/build', version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)' },
      accel: 'tcg',
      device: e1000,
      bdf: '0000:01:00.0',
      retarget: true,
      quirkDevices: { 'axelera-metis-s3-rebind': '1f9d:1100' },
      module: plan.module,
      plan,
      build: { ok: true, command: 'make', warnings: [], output: '' },
      steps,
      passed: true,
      seconds: 40,
    };
    const text2 = formatText(result);
    expect(text2.split('\n')[0]).toBe('quirkctl_workarounds.ko on 6.1.0-56-amd64 under qemu (tcg): e1000 8086:100e at 0000:01:00.0, standing in for 1f9d:1100');
    expect(text2).toContain('\npass  axelera-metis-s3-rebind: suspend freeze (pm_test=devices)\n        ok  freeze pm_test=devices: echo freeze > /sys/power/state returned\n');
    expect(text2).toMatch(/\nPASS: 12 passed, 0 failed \(40 s\)\n$/);
    const md = formatMarkdown(result, 'quirkctl vm-test axelera-metis-s3-rebind --as 8086:100e --markdown');
    expect(md).toContain('| rebind unbind-bind around suspend, hibernate | axelera-metis-s3-rebind | 6.1.0-56-amd64 | proven | suspend freeze (pm_test=devices); suspend mem (pm_test=devices); final suspend freeze (pm_test=devices); hibernate disk (pm_test=each mode); rmmod/insmod 1, device unbound (suspend freeze, then bind); rmmod/insmod 2, device unbound (suspend freeze, then bind) |');
  });
});

describe('splats', () => {
  it('knows the first lines of oopses, BUGs, WARNs, lockdep, refcount and hang reports', () => {
    const lines: [string, string | undefined][] = [
      ['[    5.1] BUG: kernel NULL pointer dereference, address: 0000000000000008', 'bug'],
      ['[    5.1] Oops: 0000 [#1] PREEMPT SMP NOPTI', 'oops'],
      ['[    5.1] kernel BUG at drivers/pci/pci.c:123!', 'oops'],
      ['[    5.1] general protection fault, probably for non-canonical address 0xdead000000000122: 0000 [#1] PREEMPT SMP NOPTI', 'oops'],
      ['[    5.1] WARNING: CPU: 0 PID: 1 at drivers/base/dd.c:536 really_probe+0x3c4/0x3e0', 'warning'],
      ['[    5.1] WARNING: possible circular locking dependency detected', 'lockdep'],
      ['[    5.1] WARNING: possible recursive locking detected', 'lockdep'],
      ['[    5.1] refcount_t: addition on 0; use-after-free.', 'refcount'],
      ['[    5.1] BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580', 'bug'],
      ['[    5.1] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [sh:1]', 'hang'],
      ['[    5.1] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100', 'panic'],
      ['[    5.1] quirkctl_workarounds: attach 0000:01:00.0 quirk=a event=post-suspend result=bound', undefined],
      ['[    5.1] ACPI: PM: Waking up from system sleep state S4', undefined],
    ];
    for (const [line, kind] of lines) expect(splatKind(line), line).toBe(kind);
  });

  it('finds none in a clean boot and sleep log', () => {
    const text = readFileSync(path.join(FIXTURES, 'results-metis-e1000.log'), 'utf8');
    expect(findSplats(text.split('\n'))).toEqual([]);
  });
});
