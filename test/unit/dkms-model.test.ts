/** The DKMS package plan and its rendering: pure functions, no tools. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { printfBytes, rfc2822, wrapText } from '../../src/dkms/escape.js';
import { cComment } from '../../src/lib/c.js';
import { coverageNotes, planPackage, type PlanOptions } from '../../src/dkms/model.js';
import { moduleSources, renderPackage } from '../../src/dkms/render.js';
import { InputError } from '../../src/errors.js';
import type { Action, Quirk } from '../../src/quirks/model.js';
import { tempDir } from '../helpers/cli.js';

function quirk(id: string, actions: Action[], extra: Partial<Quirk> = {}): Quirk {
  return { id, title: `Device ${id} misbehaves`, match: { vendor: 0x1f9d, device: 0x1100 }, actions, upstream: { state: 'none', fixedIn: [] }, references: [], ...extra };
}

const opts: PlanOptions = { name: 'qk-test', version: '1.0', maintainer: 'Jane Doe <jane@example.org>', date: new Date('2026-01-02T03:04:05Z') };

const rebind: Action = { type: 'rebind', around: ['suspend', 'hibernate'], method: 'unbind-bind' };
const every: Quirk = quirk(
  'every-action',
  [
    { type: 'no-bus-reset' },
    { type: 'no-pm-reset' },
    { type: 'no-flr' },
    { type: 'no-d3' },
    { type: 'd3hot-delay', ms: 120 },
    { type: 'rebind', around: ['hibernate'], method: 'remove-rescan', settleMs: 250 },
    { type: 'config-write', offset: 0x7c, width: 32, value: 0x39d5e86b, when: 'before-reset' },
    { type: 'config-write', offset: 0x40, width: 8, value: 1, when: 'on-load' },
  ],
  { match: { vendor: 0x1002, device: 0x67df, subvendor: 0x1da2, subdevice: 0xe366, class: { value: 0x030000, mask: 0xff0000 }, revision: 0xc7 } },
);

describe('planPackage', () => {
  it('works out, per quirk, the flags, the reset methods they rule out, writes and rebind', () => {
    const plan = planPackage([every], opts);
    const q = plan.quirks[0]!;
    expect(plan).toMatchObject({ name: 'qk-test', module: 'qk_test', packageName: 'qk-test-dkms' });
    expect(q.flags).toEqual(['no-bus-reset', 'no-pm-reset', 'no-flr', 'no-d3']);
    expect(q.resetMethods).toEqual(['bus', 'cxl_bus', 'pm', 'flr', 'af_flr']);
    expect(q.rebind).toEqual({ around: ['hibernate'], method: 'remove-rescan', settleMs: 250 });
    expect(q.writes.map((w) => `${w.setpci} ${w.stage}`)).toEqual(['7c.l=39d5e86b before-reset', '40.b=01 on-load']);
    expect(coverageNotes(plan).module).toEqual([expect.stringContaining("config-write 7c.l=39d5e86b before-reset: a module cannot hook the reset")]);
  });

  it('builds only for kernels that need a quirk: its range minus the releases that carry the fix', () => {
    const fixed = quirk('fixed', [rebind], { kernels: '>=6.1', upstream: { state: 'merged', fixedIn: ['6.14', '6.12.9'] } });
    const plan = planPackage([fixed], opts);
    expect(plan.kernels.range).toBe('>=6.1 <6.12.9 || >=6.13 <6.14');
    expect(plan.kernels).toMatchObject({ min: '6.1', max: '6.13.99999' });
    const re = new RegExp(plan.kernels.regex);
    expect(['6.1.0-56-amd64', '6.13.7-arch1-1', '6.12.8'].map((r) => re.test(r))).toEqual([true, true, true]);
    expect(['6.14.0-rc1', '6.12.9', '6.15.2-arch1-1', '5.15.0-125-generic'].map((r) => re.test(r))).toEqual([false, false, false, false]);
    // The package's own range: the quirk needs no check of its own at load.
    expect(plan.quirks[0]!.kernels).toBeNull();
  });

  it('gives a quirk its own kernel check when the package builds for more kernels than it needs', () => {
    const plan = planPackage([quirk('all', [rebind]), quirk('newer', [rebind], { kernels: '>=5.14', match: { vendor: 0x8086, device: 0x7360 } })], opts);
    expect(plan.kernels.range).toBe('>=5.4');
    expect(plan.quirks.map((q) => q.kernels?.range ?? null)).toEqual([null, '>=5.14']);
  });

  it('leaves out quirks no supported kernel needs, and refuses when none is left', () => {
    const gone = quirk('gone', [rebind], { kernels: '>=6.1', upstream: { state: 'merged', fixedIn: ['6.1'] } });
    const old = quirk('old', [rebind], { kernels: '<5.0', match: { vendor: 0x8086, device: 0x1 } });
    const plan = planPackage([gone, quirk('kept', [rebind], { match: { vendor: 0x8086, device: 0x2 } })], opts);
    expect(plan.quirks.map((q) => q.id)).toEqual(['kept']);
    expect(plan.skipped).toEqual([{ id: 'gone', reason: expect.stringContaining('carries the fix (fixed in 6.1)') }]);
    expect(() => planPackage([gone, old], opts)).toThrow(/no kernel needs the selected quirks.*\n {2}gone: .*\n {2}old: its range \(<5\.0\) has no kernel the module supports/s);
  });

  it('re-targets every quirk at one device for a VM, dropping subsystem, class and revision', () => {
    const plan = planPackage([every, quirk('other', [rebind])], { ...opts, matchOverride: { vendor: 0x8086, device: 0x100e } });
    expect(plan.quirks.map((q) => q.match)).toEqual([{ vendor: 0x8086, device: 0x100e }, { vendor: 0x8086, device: 0x100e }]);
    const c = moduleSources([every], { name: 'qk-vm', version: '1', matchOverride: { vendor: 0x8086, device: 0x100e } }).files.find((f) => f.path === 'qk_vm.c')!;
    expect(c.content).toContain('{ .vendor = 0x8086, .device = 0x100e,');
    expect(c.content).toContain('Re-targeted: every quirk matches 8086:100e instead of its own device.');
  });

  it('merges two rebind entries of one quirk', () => {
    const q = quirk('two', [rebind, { type: 'rebind', around: ['hibernate'], method: 'remove-rescan', settleMs: 50 }]);
    expect(planPackage([q], opts).quirks[0]!.rebind).toEqual({ around: ['suspend', 'hibernate'], method: 'unbind-bind', settleMs: 50 });
  });

  it.each([
    [{ name: 'x"; rm -rf /' }, /--name 'x"; rm -rf \/': expected a package name of 2 to 48 characters/],
    [{ name: 'under_score' }, /--name 'under_score': .*Debian allows no '_'/],
    [{ version: '1.0-1' }, /--version '1\.0-1': expected a version .*DKMS forbids '-'/],
    [{ maintainer: 'Eve $(id) <e@x.org>' }, /--maintainer 'Eve \$\(id\) <e@x\.org>': expected 'Full Name <user@example\.org>'/],
    [{ maintainer: 'no email' }, /--maintainer 'no email'/],
  ])('refuses %j with a message naming it', (bad, message) => {
    expect(() => planPackage([every], { ...opts, ...bad })).toThrow(InputError);
    expect(() => planPackage([every], { ...opts, ...bad })).toThrow(message);
  });
});

describe('rendering', () => {
  const plan = planPackage([every, quirk('metis', [rebind], { kernels: '>=5.14' })], opts);
  const files = renderPackage(plan, ['src', 'deb', 'arch', 'hook']);
  const file = (p: string) => {
    const f = files.find((x) => x.path === p);
    if (!f) throw new Error(`no ${p} in ${files.map((x) => x.path).join(', ')}`);
    return f.content;
  };

  it('lays out every format', () => {
    expect(files.map((f) => f.path)).toEqual([
      'src/dkms.conf',
      'src/Makefile',
      'src/qk_test.c',
      'deb/qk-test-dkms-1.0/debian/control',
      'deb/qk-test-dkms-1.0/debian/rules',
      'deb/qk-test-dkms-1.0/debian/changelog',
      'deb/qk-test-dkms-1.0/debian/copyright',
      'deb/qk-test-dkms-1.0/debian/source/format',
      'deb/qk-test-dkms-1.0/debian/qk-test-dkms.dkms',
      'deb/qk-test-dkms-1.0/src/Makefile',
      'deb/qk-test-dkms-1.0/src/qk_test.c',
      'arch/PKGBUILD',
      'arch/.SRCINFO',
      'arch/dkms.conf',
      'arch/Makefile',
      'arch/qk_test.c',
      'hook/qk-test',
      'hook/90-qk-test.rules',
      'hook/README',
    ]);
    expect(files.find((f) => f.path === 'hook/qk-test')?.mode).toBe(0o755);
    expect(files.find((f) => f.path.endsWith('debian/rules'))?.mode).toBe(0o755);
  });

  it('writes dkms.conf with MIN/MAX for current dkms, and Debian 12\'s with the regex only and #MODULE_VERSION#', () => {
    const src = file('src/dkms.conf');
    for (const line of ['PACKAGE_NAME="qk-test"', 'PACKAGE_VERSION="1.0"', 'BUILT_MODULE_NAME[0]="qk_test"', 'DEST_MODULE_LOCATION[0]="/updates/dkms"', 'AUTOINSTALL="yes"', `BUILD_EXCLUSIVE_KERNEL="${plan.kernels.regex}"`, 'BUILD_EXCLUSIVE_KERNEL_MIN="5.4"']) {
      expect(src).toContain(`\n${line}\n`);
    }
    const deb = file('deb/qk-test-dkms-1.0/debian/qk-test-dkms.dkms');
    expect(deb).toContain('\nPACKAGE_VERSION="#MODULE_VERSION#"\n');
    expect(deb).toContain(`\nBUILD_EXCLUSIVE_KERNEL="${plan.kernels.regex}"\n`);
    expect(deb).not.toContain('BUILD_EXCLUSIVE_KERNEL_MIN');
    expect(file('arch/dkms.conf')).toBe(src);
    expect(file('deb/qk-test-dkms-1.0/debian/rules')).toContain('\tdh $@ --with dkms\n');
    expect(file('deb/qk-test-dkms-1.0/debian/control')).toMatch(/\nPackage: qk-test-dkms\nArchitecture: all\nDepends: \$\{misc:Depends\}, dkms\n/);
    expect(file('arch/PKGBUILD')).toMatch(/\npkgname=qk-test-dkms\n[^]*\narch=\('any'\)\n[^]*\ndepends=\('dkms'\)\n/);
    expect(file('arch/PKGBUILD')).not.toMatch(/dkms (add|build|install)/);
  });

  it('puts each quirk into the module tables, with its own kernel check where it needs one', () => {
    const c = file('src/qk_test.c');
    expect(c).toContain('{ .vendor = 0x1002, .device = 0x67df,\n\t  .subvendor = 0x1da2, .subdevice = 0xe366,\n\t  .class = 0x030000, .class_mask = 0xff0000, .driver_data = 0 },');
    expect(c).toContain('.revision = 0xc7,');
    expect(c).toContain('static const char *const qk_reset_unset_0[] = { "bus", "cxl_bus", "pm", "flr", "af_flr", NULL };');
    expect(c).toContain('.rebind = QK_HIBERNATE,\n\t\t.remove_rescan = true,\n\t\t.settle_ms = 250,');
    expect(c).toContain('.kernels_range = ">=5.14",');
    expect(c).toContain('MODULE_DEVICE_TABLE(pci, qk_ids);');
    expect(c).toContain('module_param(disable, charp, 0444);');
  });

  it('renders the same bytes from the same input', () => {
    expect(renderPackage(plan, ['src', 'deb', 'arch', 'hook'])).toEqual(files);
  });

  it('escapes quirk titles for C comments, and wraps them for Debian', () => {
    const hostile = quirk('hostile', [rebind], { title: 'ends */ here /* and ??/ trigraph' });
    const c = moduleSources([hostile], { name: 'qk-h', version: '1' }).files.find((f) => f.path === 'qk_h.c')!.content;
    expect(c).toContain(' *     ends * / here / * and ?\\?/ trigraph\n');
    expect(c.match(/\*\//g)?.length).toBe(c.match(/\/\*/g)?.length);
    expect(cComment('a\nb')).toBe('a b');
    expect(wrapText('one two three four', '  - ', '    ', 12)).toBe('  - one two\n    three\n    four');
  });

  it('takes a template from the workspace when it has one (the test-variant mechanism)', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'dkms'), { recursive: true });
    writeFileSync(path.join(dir, 'dkms', 'module.c'), '/* broken variant for <%= it.plan.module %> */\n');
    const own = renderPackage(plan, ['src'], dir);
    expect(own.find((f) => f.path === 'src/qk_test.c')?.content).toBe('/* broken variant for qk_test */\n');
    expect(own.find((f) => f.path === 'src/Makefile')?.content).toBe(file('src/Makefile'));
  });

  it('writes config values as sysfs bytes, little-endian', () => {
    expect(printfBytes(0x39d5e86b, 4)).toBe('\\0153\\0350\\0325\\0071');
    expect(printfBytes(0xbeef, 2)).toBe('\\0357\\0276');
    expect(rfc2822(new Date('2026-01-02T03:04:05Z'))).toBe('Fri, 02 Jan 2026 03:04:05 +0000');
  });
});
