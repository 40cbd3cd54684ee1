/**
 * The no-module fallback: the generated systemd-sleep hook, linted by shellcheck and run
 * by the system's /bin/sh against a sysfs tree made here, with drivers' bind/unbind files
 * and config space as plain files.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, freshWorkspace, tempDir } from '../helpers/cli.js';
import { realComponent } from '../helpers/real.js';

const hasShellcheck = realComponent('shellcheck', spawnSync('shellcheck', ['--version']).status === 0);

function writeQuirk(ws: string, id: string, yaml: string): void {
  writeFileSync(path.join(ws, 'quirks', `${id}.md`), `---\nid: ${id}\ntitle: Test device ${id}\n${yaml}upstream: { state: none }\n---\n\n## Symptom\n\nTest.\n`);
}

interface Device {
  bdf: string;
  ids: [string, string];
  cls?: string;
  rev?: string;
  driver?: string;
}

const DEVICES: Device[] = [
  { bdf: '0000:00:01.0', ids: ['0x1f9d', '0x1100'], driver: 'metis' },
  { bdf: '0000:00:02.0', ids: ['0x1f9d', '0x1100'] }, // unbound: nothing to release
  { bdf: '0000:00:03.0', ids: ['0x8086', '0x7360'], driver: 'iosm' }, // hibernate only
  { bdf: '0000:00:04.0', ids: ['0x8086', '0x100e'], cls: '0x020000', rev: '0x03', driver: 'e1000' }, // remove-rescan
  { bdf: '0000:00:05.0', ids: ['0x8086', '0x100e'], cls: '0x020000', rev: '0x02', driver: 'e1000' }, // wrong revision
  { bdf: '0000:00:06.0', ids: ['0x1002', '0x67df'], cls: '0x030000', driver: 'amdgpu' }, // flags and writes, no rebind
  { bdf: '0000:00:07.0', ids: ['0x10de', '0x1234'], cls: '0x030000', driver: 'nouveau' }, // no quirk
  { bdf: '0000:00:08.0', ids: ['0x1b21', '0x0612'], cls: '0x010601', driver: 'ahci' }, // no-msi and no-aspm
];

function makeSysfs(root: string): void {
  const pci = path.join(root, 'bus', 'pci');
  for (const d of DEVICES) {
    const dir = path.join(pci, 'devices', d.bdf);
    mkdirSync(path.join(dir, 'power'), { recursive: true });
    const attrs = { vendor: d.ids[0], device: d.ids[1], subsystem_vendor: '0x0000', subsystem_device: '0x0000', class: d.cls ?? '0x120000', revision: d.rev ?? '0x01', reset_method: 'flr bus pm' };
    for (const [k, v] of Object.entries(attrs)) writeFileSync(path.join(dir, k), `${v}\n`);
    writeFileSync(path.join(dir, 'power', 'control'), 'auto\n');
    writeFileSync(path.join(dir, 'msi_bus'), '1\n');
    mkdirSync(path.join(dir, 'link'));
    for (const state of ['l0s', 'l1']) writeFileSync(path.join(dir, 'link', `${state}_aspm`), '1\n');
    writeFileSync(path.join(dir, 'config'), Buffer.alloc(256));
    writeFileSync(path.join(dir, 'remove'), '');
    if (d.driver) {
      mkdirSync(path.join(pci, 'drivers', d.driver), { recursive: true });
      for (const f of ['bind', 'unbind']) writeFileSync(path.join(pci, 'drivers', d.driver, f), '');
      symlinkSync(`../../drivers/${d.driver}`, path.join(dir, 'driver'));
    }
  }
  for (const f of ['rescan', 'drivers_probe']) writeFileSync(path.join(pci, f), '');
  writeFileSync(path.join(pci, 'drivers_autoprobe'), '1\n');
}

describe('the systemd-sleep hook and udev rule (no module)', () => {
  let hook = '';
  let out = '';

  beforeAll(() => {
    const ws = freshWorkspace();
    writeQuirk(ws, 'metis', 'match: { vendor: 0x1f9d, device: 0x1100 }\nactions:\n  - rebind: { around: [ suspend, hibernate ] }\n  - config-write: { offset: 0x44, width: 16, value: 0xbeef, when: after-resume }\n  - config-write: { offset: 0x48, width: 32, value: 0x12345678, when: before-rebind }\n');
    writeQuirk(ws, 'xmm', 'match: { vendor: 0x8086, device: 0x7360 }\nactions:\n  - rebind: { around: [ hibernate ] }\n');
    writeQuirk(ws, 'nic', 'match: { vendor: 0x8086, device: 0x100e, class: { value: 0x020000, mask: 0xff0000 }, revision: 0x03 }\nactions:\n  - rebind: { around: [ suspend ], method: remove-rescan, settle-ms: 100 }\n  - config-write: { offset: 0x10, width: 8, value: 0xab, when: before-rebind }\n');
    writeQuirk(ws, 'polaris', 'match: { vendor: 0x1002, device: 0x67df }\nactions:\n  - no-bus-reset\n  - no-flr\n  - no-d3\n  - config-write: { offset: 0x7c, width: 32, value: 0x39d5e86b, when: before-reset }\n  - config-write: { offset: 0x40, width: 8, value: 0x01, when: on-load }\n');
    writeQuirk(ws, 'asm', 'match: { vendor: 0x1b21, device: 0x0612 }\nactions:\n  - no-msi\n  - no-aspm\n');
    out = path.join(tempDir(), 'out');
    const r = cli(['dkms', '--all', '--format', 'hook', '--name', 'qk-hook', '--version', '1', '--out', out], { cwd: ws });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    hook = path.join(out, 'hook', 'qk-hook');
  });

  function run(root: string, args: string[]): { code: number; lines: string[] } {
    const r = spawnSync(hook, args, { env: { PATH: process.env.PATH, SYSFS_ROOT: root, RUN_DIR: path.join(root, 'run') }, encoding: 'utf8' });
    const lines = r.stdout.trim().split('\n').filter(Boolean);
    for (const l of lines) expect(l).toMatch(/^qk-hook: [a-z-]+ (-|\d{4}:\d\d:\d\d\.\d)( [a-z-]+=\S+)*$/);
    return { code: r.status ?? -1, lines };
  }

  const read = (root: string, p: string) => readFileSync(path.join(root, 'bus', 'pci', p), 'utf8');
  const config = (root: string, bdf: string, off: number, len: number) => readFileSync(path.join(root, 'bus', 'pci', 'devices', bdf, 'config')).subarray(off, off + len).toString('hex');

  it.runIf(hasShellcheck)('is clean under shellcheck', () => {
    const r = spawnSync('shellcheck', [hook], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('unbinds before suspend and rebinds after, exactly the matching bound devices', () => {
    const root = tempDir();
    makeSysfs(root);
    const pre = run(root, ['pre', 'suspend']);
    expect(pre.code).toBe(0);
    expect(read(root, 'drivers/metis/unbind')).toBe('0000:00:01.0\n');
    expect(read(root, 'devices/0000:00:04.0/remove')).toBe('1\n');
    for (const d of ['iosm', 'e1000', 'amdgpu', 'nouveau']) expect(read(root, `drivers/${d}/unbind`), d).toBe('');
    expect(pre.lines).toContain('qk-hook: skip 0000:00:02.0 quirk=metis event=pre-suspend reason=no-driver');

    const post = run(root, ['post', 'suspend']);
    expect(post.code).toBe(0);
    expect(read(root, 'drivers/metis/bind')).toBe('0000:00:01.0\n');
    expect(read(root, 'rescan')).toBe('1\n');
    expect(read(root, 'drivers_probe')).toBe('0000:00:04.0\n');
    expect(read(root, 'drivers_autoprobe')).toBe('1\n');
    for (const d of ['iosm', 'e1000', 'amdgpu', 'nouveau']) expect(read(root, `drivers/${d}/bind`), d).toBe('');
    // Little-endian registers, as the kernel's config space holds them.
    expect(config(root, '0000:00:01.0', 0x44, 2)).toBe('efbe');
    expect(config(root, '0000:00:01.0', 0x48, 4)).toBe('78563412');
    expect(config(root, '0000:00:02.0', 0x44, 2)).toBe('efbe'); // after-resume: every matching device
    expect(config(root, '0000:00:02.0', 0x48, 4)).toBe('00000000'); // before-rebind: only what was released
    expect(config(root, '0000:00:04.0', 0x10, 1)).toBe('ab');
    expect(post.lines.indexOf('qk-hook: settle - event=post-suspend ms=100')).toBeGreaterThan(-1);
    expect(post.lines.filter((l) => l.includes(' attach '))).toEqual([
      'qk-hook: attach 0000:00:01.0 quirk=metis event=post-suspend driver=metis result=0',
      'qk-hook: attach 0000:00:04.0 quirk=nic event=post-suspend driver=e1000 result=0',
    ]);
    expect(existsSync(path.join(root, 'run', 'released'))).toBe(false);
  });

  it('rebinds the hibernate-only device around hibernation, and both kinds around hybrid sleep', () => {
    const root = tempDir();
    makeSysfs(root);
    run(root, ['pre', 'hibernate']);
    expect(read(root, 'drivers/iosm/unbind')).toBe('0000:00:03.0\n');
    expect(read(root, 'drivers/metis/unbind')).toBe('0000:00:01.0\n');
    expect(read(root, 'devices/0000:00:04.0/remove')).toBe(''); // suspend-only quirk
    run(root, ['post', 'hibernate']);
    expect(read(root, 'drivers/iosm/bind')).toBe('0000:00:03.0\n');

    const hybrid = tempDir();
    makeSysfs(hybrid);
    run(hybrid, ['pre', 'hybrid-sleep']);
    expect(read(hybrid, 'drivers/iosm/unbind')).toBe('0000:00:03.0\n');
    expect(read(hybrid, 'devices/0000:00:04.0/remove')).toBe('1\n');
    expect(run(hybrid, ['pre', 'suspend-to-nowhere']).lines).toEqual(['qk-hook: skip - event=pre-suspend-to-nowhere reason=unknown-sleep']);
  });

  it('drops the reset methods a quirk rules out when udev adds the device, and does its on-load writes', () => {
    const root = tempDir();
    makeSysfs(root);
    const r = run(root, ['add', '0000:00:06.0']);
    expect(r.code).toBe(0);
    expect(read(root, 'devices/0000:00:06.0/reset_method')).toBe('pm\n');
    expect(read(root, 'devices/0000:00:06.0/power/control')).toBe('on\n');
    expect(config(root, '0000:00:06.0', 0x40, 1)).toBe('01');
    expect(read(root, 'devices/0000:00:07.0/reset_method')).toBe('flr bus pm\n');
    expect(run(root, ['add', '0000:00:07.0']).lines).toEqual([]);
    const rules = readFileSync(path.join(out, 'hook', '90-qk-hook.rules'), 'utf8');
    expect(rules).toContain('ACTION=="add", SUBSYSTEM=="pci", ATTR{vendor}=="0x1002", ATTR{device}=="0x67df", RUN+="/usr/lib/systemd/system-sleep/qk-hook add $kernel"');
    expect(rules).not.toContain('0x7360'); // nothing to do when it appears
  });

  it('writes msi_bus=0 for no-msi and turns ASPM off through link/*_aspm for no-aspm when udev adds the device', () => {
    const root = tempDir();
    makeSysfs(root);
    const r = run(root, ['add', '0000:00:08.0']);
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      'qk-hook: no-msi 0000:00:08.0 quirk=asm result=0',
      'qk-hook: no-aspm 0000:00:08.0 quirk=asm state=l0s result=0',
      'qk-hook: no-aspm 0000:00:08.0 quirk=asm state=l1 result=0',
    ]);
    expect(read(root, 'devices/0000:00:08.0/msi_bus')).toBe('0\n');
    for (const state of ['l0s', 'l1']) expect(read(root, `devices/0000:00:08.0/link/${state}_aspm`)).toBe('0\n');
    expect(read(root, 'devices/0000:00:06.0/msi_bus')).toBe('1\n');
    const rules = readFileSync(path.join(out, 'hook', '90-qk-hook.rules'), 'utf8');
    expect(rules).toContain('ATTR{vendor}=="0x1b21", ATTR{device}=="0x0612", RUN+="/usr/lib/systemd/system-sleep/qk-hook add $kernel"');
  });

  it('does before-reset writes on request, and refuses an argument that is not a PCI address', () => {
    const root = tempDir();
    makeSysfs(root);
    expect(run(root, ['before-reset']).lines).toEqual(['qk-hook: config-write 0000:00:06.0 quirk=polaris stage=before-reset event=before-reset write=7c.l=39d5e86b result=0']);
    expect(config(root, '0000:00:06.0', 0x7c, 4)).toBe('6be8d539');
    const bad = spawnSync(hook, ['add', '../../../etc'], { env: { PATH: process.env.PATH, SYSFS_ROOT: root }, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("'../../../etc' is not a PCI address");
  });
});
