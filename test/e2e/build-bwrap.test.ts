/**
 * `quirkctl build` with the bwrap runner, for real: a Debian 12 root file system that
 * quirkctl makes with debootstrap and apt from deb.debian.org (dkms 3.0.10 and
 * linux-headers-6.1.*-amd64), the generated package built in it with dkms, and the host
 * runner against this machine's own 6.1 headers beside it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BuildReport } from '../../src/build/matrix.js';
import { cli, tempDir, treeHash } from '../helpers/cli.js';
import { addQuirk, BUILD_ENV, buildWorkspace, DEBIAN_12, debianRootfs, hasBwrap, hasHostDkms, HOST, TEST_CACHE } from '../helpers/build-targets.js';
import { needReal, realComponent } from '../helpers/real.js';

let rootfs = '';
/** The kernel whose headers the root file system carries (Debian's current 6.1 ABI). */
let kernel = '';

beforeAll(async () => {
  if (!hasBwrap) return;
  rootfs = await debianRootfs();
  kernel = readdirSync(path.join(rootfs, 'lib/modules')).find((k) => /^6\.1\.\d+-\d+-amd64$/.test(k)) ?? '';
}, 900_000);

function build(ws: string, args: string[]): { code: number; report: BuildReport; stderr: string } {
  const r = cli(['build', ...args, '--json'], { cwd: ws, env: BUILD_ENV });
  let report: BuildReport;
  try {
    report = JSON.parse(r.stdout) as BuildReport;
  } catch {
    throw new Error(`quirkctl build ${args.join(' ')} exited ${r.code} without JSON:\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, report, stderr: r.stderr };
}

describe.runIf(hasBwrap)('bwrap: a Debian 12 root file system made by debootstrap', () => {
  it("carries dkms and linux-headers-6.1.*-amd64 from Debian's archive, and a record of its recipe", () => {
    expect(kernel).toMatch(/^6\.1\.\d+-\d+-amd64$/);
    expect(existsSync(path.join(rootfs, 'lib/modules', kernel, 'build/Makefile'))).toBe(true);
    expect(existsSync(path.join(rootfs, 'usr/sbin/dkms'))).toBe(true);
    const recipe = JSON.parse(readFileSync(path.join(rootfs, '.quirkctl-rootfs.json'), 'utf8')) as { codename: string; packages: string[] };
    expect(recipe).toMatchObject({ codename: 'bookworm', packages: expect.arrayContaining(['dkms', 'linux-headers-amd64']) as unknown });
    const status = readFileSync(path.join(rootfs, 'var/lib/dpkg/status'), 'utf8');
    expect(status).toMatch(/^Package: dkms\nStatus: install ok installed\n/m);
    expect(status).toContain(`Package: linux-headers-${kernel}\nStatus: install ok installed\n`);
  });

  it("builds the curated database's package in it, reusing it; the module is in the target's dkms tree", () => {
    const ws = buildWorkspace([DEBIAN_12]);
    const { code, report, stderr } = build(ws, ['--all']);
    expect(code, stderr).toBe(0);
    expect(report.runners).toEqual([{ runner: 'bwrap', reason: expect.stringMatching(/^build\.targets\[0\]\.runner \(debian-12\); bubblewrap [\d.]+ makes sandboxes$/) as unknown, targets: ['debian-12'] }]);
    const [cell] = report.cells;
    expect(cell).toMatchObject({ target: 'debian-12', kernel, runner: 'bwrap', status: 'passed', message: null });
    const { name, version, module } = report.package;
    const ko = path.join(ws, '.quirkctl/build/debian-12', kernel, 'tree', name, version, kernel, 'x86_64/module', `${module}.ko`);
    expect(cell?.module).toBe(ko);
    const info = execFileSync('modinfo', [ko], { encoding: 'utf8' });
    expect(info).toMatch(new RegExp(`\\nvermagic: +${kernel.replace(/\./g, '\\.')} SMP`));
    expect(info).toContain('alias:          pci:v00001F9Dd00001100sv*sd*bc*sc*i*\n');
    // The log says what ran; the root file system was made before, not again.
    const log = readFileSync(cell?.log ?? '', 'utf8');
    expect(log).toContain(`$ bwrap --ro-bind ${rootfs} / `);
    expect(log).toContain(`make -j`); // dkms's own make line
    expect(existsSync(path.join(ws, '.quirkctl/build/debian-12/prepare.log'))).toBe(false);
    // Without a terminal, progress is one plain line per change on stderr.
    expect(stderr).toContain(`debian-12 ${kernel}: building: dkms build -k ${kernel}\n`);
    expect(stderr).toMatch(new RegExp(`debian-12 ${kernel}: passed \\(\\d+\\.\\d s\\)\\n`));
  });

  it('reports skipped, not failed, where BUILD_EXCLUSIVE_KERNEL rules the kernel out', () => {
    const ws = buildWorkspace(hasHostDkms ? [DEBIAN_12, HOST] : [DEBIAN_12], { quirks: false });
    addQuirk(ws, ['1f9d:1100', '--rebind-on-resume', '--kernels', '>=6.2', '--id', 'newer']);
    const r = cli(['build', '--all'], { cwd: ws, env: BUILD_ENV });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('quirkctl-workarounds');
    expect(r.stdout).toMatch(new RegExp(`\\ndebian-12 +${kernel} +bwrap +skipped +\\d+\\.\\d s +BUILD_EXCLUSIVE_KERNEL rules ${kernel} out: the package is for >=6\\.2\\n`));
    if (hasHostDkms) expect(r.stdout).toMatch(/\nhere +6\.1\.\d+-\d+-amd64 +host +skipped +/);
    expect(r.stdout).toMatch(/\n\n\d skipped\n$/);
    expect(r.stdout).not.toMatch(/failed/);
  });

  it('a package that does not compile: each target fails with its log path, and every target finishes', () => {
    const ws = buildWorkspace(hasHostDkms ? [DEBIAN_12, HOST, { ...DEBIAN_12, name: 'debian-12-again' }] : [DEBIAN_12, { ...DEBIAN_12, name: 'debian-12-again' }]);
    // A test-only broken module template, where the workspace overrides templates.
    mkdirSync(path.join(ws, 'templates/dkms'), { recursive: true });
    writeFileSync(path.join(ws, 'templates/dkms/module.c'), '// SPDX-License-Identifier: GPL-2.0\n#include <linux/module.h>\nstatic int broken(void) { return undeclared_thing; }\nMODULE_LICENSE("GPL");\n');
    const { code, report } = build(ws, ['--all', '--jobs', '1']);
    expect(code).toBe(1);
    expect(report.cells.map((c) => [c.target, c.status])).toEqual(hasHostDkms ? [['debian-12', 'failed'], ['here', 'failed'], ['debian-12-again', 'failed']] : [['debian-12', 'failed'], ['debian-12-again', 'failed']]);
    for (const c of report.cells) {
      // gcc quotes with ‘’ or '' as the locale has it.
      expect(c.message).toMatch(/^does not compile: quirkctl_workarounds\.c:3:34: error: .undeclared_thing. undeclared \(first use in this function\)$/);
      expect(c.log).toBe(path.join(ws, '.quirkctl/build', c.target, c.kernel ?? '', 'build.log'));
      expect(readFileSync(c.log ?? '', 'utf8')).toMatch(/error: .undeclared_thing. undeclared/);
    }
    const table = cli(['build', '--all', '--target', 'debian-12'], { cwd: ws, env: BUILD_ENV });
    expect(table.code).toBe(1);
    expect(table.stdout).toContain(`failed  `);
    expect(table.stdout).toContain(`; log: .quirkctl/build/debian-12/${kernel}/build.log\n`);
  });

  it('--kernel picks kernels by release or its start; one that no target has is refused', () => {
    const ws = buildWorkspace([DEBIAN_12]);
    expect(build(ws, ['--all', '--kernel', '6.1']).report.cells.map((c) => c.status)).toEqual(['passed']);
    const r = cli(['build', '--all', '--kernel', '6.12'], { cwd: ws, env: BUILD_ENV });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`quirkctl: --kernel 6.12: no target has such a kernel (debian-12: ${kernel})\n`);
  });
});

describe.runIf(hasBwrap)('targets that cannot be used: a clear message and exit 2', () => {
  it('a target name that does not exist, before anything is done', () => {
    const ws = buildWorkspace([DEBIAN_12]);
    const before = treeHash(ws);
    const r = cli(['build', '--all', '--target', 'debian-13'], { cwd: ws, env: BUILD_ENV });
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe("quirkctl: --target 'debian-13': no such target; the workspace's targets are: debian-12 (build.targets in quirkctl.yaml)\n");
    expect(treeHash(ws)).toBe(before);
  });

  it('an archive debootstrap cannot reach; the other targets still build, and nothing half-made is left', () => {
    const ws = buildWorkspace([{ name: 'offline', distro: 'debian', release: 'bookworm', mirror: 'http://127.0.0.1:9/debian', runner: 'bwrap' }, DEBIAN_12]);
    const { code, report } = build(ws, ['--all']);
    expect(code).toBe(2);
    expect(report.cells.map((c) => [c.target, c.status])).toEqual([['offline', 'error'], ['debian-12', 'passed']]);
    const [offline] = report.cells;
    expect(offline?.message).toMatch(/^target offline: cannot make its root file system: debootstrap bookworm from http:\/\/127\.0\.0\.1:9\/debian failed \(exit 1\): E: Failed getting release file http:\/\/127\.0\.0\.1:9\/debian\/dists\/bookworm\/(In)?Release; log: /);
    expect(offline?.log).toBe(path.join(ws, '.quirkctl/build/offline/prepare.log'));
    expect(readdirSync(path.join(TEST_CACHE, 'rootfs')).filter((d) => d.startsWith('debian-bookworm-') && !d.endsWith('.lock') && !isMade(d))).toEqual([]);
  });

  it('a root file system without kernel headers (a busybox one)', (ctx) => {
    const busybox = '/bin/busybox';
    needReal(ctx, 'busybox-static', existsSync(busybox));
    const root = tempDir('quirkctl-bare-');
    mkdirSync(path.join(root, 'bin'));
    for (const d of ['dev', 'proc', 'tmp']) mkdirSync(path.join(root, d));
    copyFileSync(busybox, path.join(root, 'bin/busybox'));
    chmodSync(path.join(root, 'bin/busybox'), 0o755);
    symlinkSync('busybox', path.join(root, 'bin/sh'));
    const ws = buildWorkspace([{ name: 'bare', distro: 'debian', release: 'bookworm', rootfs: root, runner: 'bwrap' }]);
    const r = cli(['build', '--all'], { cwd: ws, env: BUILD_ENV });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`bare    -       bwrap   error   `);
    expect(r.stdout).toContain(`target bare: root file system ${root} has no kernel headers (no /lib/modules/*/build); install linux-headers-amd64 in it\n`);
    const missing = cli(['build', '--all'], { cwd: buildWorkspace([{ name: 'gone', distro: 'debian', release: 'bookworm', rootfs: '/nonexistent/root', runner: 'bwrap' }]), env: BUILD_ENV });
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain("target gone: rootfs '/nonexistent/root' is not a directory");
  });

  it('an Arch target with bwrap, which cannot make one', () => {
    const ws = buildWorkspace([{ name: 'arch', distro: 'arch', runner: 'bwrap' }]);
    const r = cli(['build', '--all'], { cwd: ws, env: BUILD_ENV });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('target arch: bwrap makes root file systems with debootstrap, for Debian and Ubuntu only; give this target a rootfs (an Arch root made with pacstrap) or build it with podman or docker (--runner)');
  });
});

function isMade(dir: string): boolean {
  return existsSync(path.join(TEST_CACHE, 'rootfs', dir, '.quirkctl-rootfs.json'));
}

describe.runIf(hasBwrap)('the root file system cache', () => {
  // A recipe of its own (the same archive, spelt with its port), so that making it
  // again does not pull the shared one from under the other test files.
  const target = { name: 'refreshed', distro: 'debian', release: 'bookworm', mirror: 'http://deb.debian.org:80/debian', runner: 'bwrap' };

  it('is reused while it is there; --refresh makes it again', { timeout: 600_000 }, () => {
    const ws = buildWorkspace([target], { quirks: false });
    addQuirk(ws, ['1f9d:1100', '--rebind-on-resume', '--id', 'metis']);
    const prepareLog = path.join(ws, '.quirkctl/build/refreshed/prepare.log');
    const planned = () => (JSON.parse(cli(['build', '--all', '--dry-run', '--json'], { cwd: ws, env: BUILD_ENV }).stdout) as BuildReport).planned[0];
    const dir = planned()?.environment ?? '';
    expect(dir).toMatch(/\/rootfs\/debian-bookworm-[0-9a-f]{16}$/);
    expect(dir).not.toBe(rootfs);
    // The cache holds one for this recipe already: a copy of the shared one (making it
    // cold would cost a minute more and prove what the shared one's making proves).
    rmSync(dir, { recursive: true, force: true });
    execFileSync('cp', ['-a', rootfs, dir]);
    expect(planned()).toMatchObject({ environment: dir, ready: true });
    const made = () => (JSON.parse(readFileSync(path.join(dir, '.quirkctl-rootfs.json'), 'utf8')) as { made: string; mirror: string });
    const before = made();

    expect(build(ws, ['--all']).report.cells[0]?.status).toBe('passed');
    expect(existsSync(prepareLog)).toBe(false); // nothing to prepare, nothing said
    expect(made()).toEqual(before);

    const again = build(ws, ['--all', '--refresh']);
    expect(again.report.cells[0]?.status, again.stderr).toBe('passed');
    const log = readFileSync(prepareLog, 'utf8');
    expect(log).toContain(`$ debootstrap --variant=minbase --cache-dir=${path.join(TEST_CACHE, 'debs/debian-bookworm')} bookworm ${dir}.tmp http://deb.debian.org:80/debian /usr/share/debootstrap/scripts/bookworm\n`);
    expect(log).toContain(' apt-get -q -o Acquire::Retries=3 -o Dir::Cache::Archives=/var/cache/quirkctl-debs/ install -y --no-install-recommends dkms linux-headers-amd64 ');
    expect(made().made > before.made).toBe(true);
    expect(made().mirror).toBe('http://deb.debian.org:80/debian');
    expect(readFileSync(path.join(dir, 'etc/apt/sources.list'), 'utf8')).toBe(
      'deb http://deb.debian.org:80/debian bookworm main\ndeb http://deb.debian.org:80/debian bookworm-updates main\ndeb http://deb.debian.org:80/debian-security bookworm-security main\n',
    );
    expect(existsSync(`${dir}.tmp`) || existsSync(`${dir}.old`)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});

// The host runner alone needs no root file system.
describe.runIf(hasHostDkms)('the host runner', () => {
  it("builds against this machine's headers in a private dkms tree", () => {
    const ws = buildWorkspace([HOST], { quirks: false });
    addQuirk(ws, ['1f9d:1100', '--rebind-on-resume', '--id', 'metis']);
    const { code, report } = build(ws, ['--all']);
    expect(code).toBe(0);
    expect(report.cells[0]).toMatchObject({ target: 'here', runner: 'host', status: 'passed' });
    expect(existsSync(report.cells[0]?.module ?? '')).toBe(true);
    expect(spawnSync('dkms', ['status', '-m', 'quirkctl-workarounds']).stdout.toString()).not.toContain(report.package.version);
  });
});
