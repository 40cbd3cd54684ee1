/**
 * `quirkctl dkms` as a user runs it, without building (the real builds are in
 * dkms-real.test.ts): what it prints, what it writes, and what it refuses.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, freshWorkspace, REPO, tempDir, treeHash } from '../helpers/cli.js';

const MAINTAINER = 'Jane Doe <jane@example.org>';

function workspaceWith(quirks: Record<string, string>): string {
  const ws = freshWorkspace();
  for (const [id, yaml] of Object.entries(quirks)) {
    writeFileSync(path.join(ws, 'quirks', `${id}.md`), `---\nid: ${id}\n${yaml}\n---\n\n## Symptom\n\nTest.\n`);
  }
  return ws;
}

const METIS = 'title: Metis loses DMA across suspend\nmatch: { vendor: 0x1f9d, device: 0x1100 }\ndriver: metis\nactions:\n  - rebind: { around: [ suspend, hibernate ] }';
const XMM = 'title: XMM7360 boot stage after hibernation\nmatch: { vendor: 0x8086, device: 0x7360 }\nactions:\n  - rebind: { around: [ hibernate ] }\nkernels: ">=5.14"\nupstream: { state: merged, fixed-in: [ 6.14, 6.12.9 ] }';

describe('quirkctl dkms', () => {
  it('writes every format for the curated database, and says what and for which kernels', () => {
    const cwd = tempDir();
    const r = cli(['--workspace', REPO, 'dkms', '--all', '--no-build', '--version', '2.0', '--maintainer', MAINTAINER], { cwd });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('wrote quirkctl-workarounds-2.0/ (package quirkctl-workarounds 2.0, module quirkctl_workarounds, 4 quirks)\n  src/dkms.conf\n');
    expect(r.stdout).toMatch(/\n {2}deb {5}Debian\/Ubuntu package \(dh-dkms\) +>=5\.4\n/);
    expect(r.stdout).toMatch(/\n {2}hook {4}systemd-sleep hook and udev rule, no module +any kernel/);
    expect(r.stdout).toMatch(/\n {2}intel-xmm7360-s4-rebind +>=5\.14\n/);
    expect(r.stdout).toContain("amd-polaris-no-bus-reset: config-write 7c.l=39d5e86b before-reset: a module cannot hook the reset of a device another driver owns; run the hook's before-reset command");
    const out = path.join(cwd, 'quirkctl-workarounds-2.0');
    for (const f of ['src/dkms.conf', 'src/quirkctl_workarounds.c', 'deb/quirkctl-workarounds-dkms-2.0/debian/control', 'arch/PKGBUILD', 'arch/.SRCINFO', 'hook/quirkctl-workarounds', 'hook/90-quirkctl-workarounds.rules']) {
      expect(existsSync(path.join(out, f)), f).toBe(true);
    }
    // Nothing but the output directory itself.
    expect(readdirSync(cwd)).toEqual(['quirkctl-workarounds-2.0']);
  });

  it('narrows the kernels by fixed-in and prints them as JSON', () => {
    const ws = workspaceWith({ metis: METIS, xmm: XMM });
    const r = cli(['dkms', 'xmm', '--format', 'src', '--name', 'qk-xmm', '--version', '1', '--out', 'x', '--json'], { cwd: ws });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { kernels: { range: string; regex: string; min: string; max: string }; files: string[]; quirks: { id: string }[] };
    expect(json.kernels).toMatchObject({ range: '>=5.14 <6.12.9 || >=6.13 <6.14', min: '5.14', max: '6.13.99999' });
    expect(json.files).toEqual(['src/dkms.conf', 'src/Makefile', 'src/qk_xmm.c']);
    expect(readFileSync(path.join(ws, 'x', 'src', 'dkms.conf'), 'utf8')).toContain(`BUILD_EXCLUSIVE_KERNEL="${json.kernels.regex}"`);
    // By device as well as by id; --version after the subcommand is the package's.
    expect(JSON.parse(cli(['dkms', '1f9d:1100', '--format', 'hook', '--version', '3', '--out', 'y', '--json'], { cwd: ws }).stdout)).toMatchObject({ version: '3', quirks: [{ id: 'metis' }] });
    expect(cli(['--version']).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('--dry-run writes nothing', () => {
    const ws = workspaceWith({ metis: METIS });
    const before = treeHash(ws, ['.quirkctl']);
    const r = cli(['dkms', '--all', '--dry-run', '--maintainer', MAINTAINER, '--version', '1'], { cwd: ws });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^would write quirkctl-workarounds-1\//);
    expect(treeHash(ws, ['.quirkctl'])).toBe(before);
  });

  it('replaces its own earlier output, and nothing else', () => {
    const ws = workspaceWith({ metis: METIS });
    expect(cli(['dkms', '--all', '--format', 'src', '--out', 'out', '--version', '1'], { cwd: ws }).code).toBe(0);
    writeFileSync(path.join(ws, 'out', 'stale'), 'x');
    expect(cli(['dkms', '--all', '--format', 'hook', '--out', 'out', '--version', '1'], { cwd: ws }).code).toBe(0);
    expect(readdirSync(path.join(ws, 'out')).sort()).toEqual(['.quirkctl-dkms', 'hook']);

    mkdirSync(path.join(ws, 'mine'));
    writeFileSync(path.join(ws, 'mine', 'notes.txt'), 'keep me');
    const before = treeHash(ws, ['.quirkctl']);
    const r = cli(['dkms', '--all', '--out', 'mine', '--version', '1', '--maintainer', MAINTAINER], { cwd: ws });
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(/--out '.*mine': not empty and not made by 'quirkctl dkms'; choose another directory/);
    expect(treeHash(ws, ['.quirkctl'])).toBe(before);
  });

  it('takes name, version and maintainer from quirkctl.yaml', () => {
    const ws = workspaceWith({ metis: METIS });
    writeFileSync(path.join(ws, 'quirkctl.yaml'), `version: 1\ndkms: { name: metis-fix, version: 2026.1.1, maintainer: '${MAINTAINER}' }\n`);
    const r = cli(['dkms', '--all', '--no-build', '--format', 'deb', '--json'], { cwd: ws });
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'metis-fix', version: '2026.1.1', package: 'metis-fix-dkms' });
    expect(readFileSync(path.join(ws, 'metis-fix-2026.1.1', 'deb', 'metis-fix-dkms-2026.1.1', 'debian', 'control'), 'utf8')).toContain(`\nMaintainer: ${MAINTAINER}\n`);
  });
});

describe('quirkctl dkms refuses hostile and bad input before generating anything', () => {
  const cases: [string, Record<string, string>, string[], RegExp][] = [
    ['a package name with shell in it', { metis: METIS }, ['--all', '--name', 'x"; rm -rf /'], /^quirkctl: --name 'x"; rm -rf \/': expected a package name of 2 to 48 characters/],
    ['a version with a dash', { metis: METIS }, ['--all', '--version', '1.0-1'], /--version '1\.0-1': .*DKMS forbids '-'/],
    ['a maintainer with $(id)', { metis: METIS }, ['--all', '--maintainer', 'Eve $(id) <eve@example.org>'], /--maintainer 'Eve \$\(id\) <eve@example\.org>': expected 'Full Name <user@example\.org>'/],
    ['a driver name with $(id)', { evil: 'title: Evil\nmatch: { vendor: 0x1f9d, device: 0x1100 }\ndriver: "$(id)"\nactions: [ no-d3 ]' }, ['--all'], /^quirks\/evil\.md:5: driver: expected a kernel module name: letters, digits, '_' or '-', at most 55 characters, got '\$\(id\)'$/m],
    ['a newline in a title', { evil: 'title: "two\\nlines"\nmatch: { vendor: 0x1f9d, device: 0x1100 }\nactions: [ no-d3 ]' }, ['--all'], /^quirks\/evil\.md:3: title: expected one line of text without control characters/m],
    ['an unknown format', { metis: METIS }, ['--all', '--format', 'rpm'], /--format 'rpm': 'rpm' is not one of src, deb, arch, hook, all/],
    ['no quirks named', { metis: METIS }, [], /name the quirks to package \(ids or vvvv:dddd\), or pass --all; not both/],
    ['an unknown quirk', { metis: METIS }, ['nope'], /quirk 'nope': no quirk with that id or device/],
    ['quirks fixed on every kernel', { old: 'title: Old\nmatch: { vendor: 0x1f9d, device: 0x1100 }\nactions: [ no-d3 ]\nkernels: ">=6.1"\nupstream: { state: merged, fixed-in: [ 6.1 ] }' }, ['--all'], /no kernel needs the selected quirks, nothing to package:\n {2}old: every kernel in its range \(>=6\.1\)/],
  ];
  it.each(cases)('%s', (_what, quirks, args, message) => {
    const ws = workspaceWith(quirks);
    const before = treeHash(ws, ['.quirkctl']);
    const r = cli(['dkms', ...args, '--out', 'out'], { cwd: ws, env: { GIT_CONFIG_GLOBAL: '/dev/null' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(treeHash(ws, ['.quirkctl'])).toBe(before);
    expect(existsSync(path.join(ws, 'out'))).toBe(false);
  });

  it('asks for a maintainer for a .deb when none is configured anywhere', () => {
    const ws = workspaceWith({ metis: METIS });
    const r = cli(['dkms', '--all', '--format', 'deb', '--out', 'out'], { cwd: ws, env: { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', HOME: ws } });
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toContain("a Debian package needs a maintainer: pass --maintainer 'Name <email>', set dkms.maintainer in quirkctl.yaml, or set git's user.name and user.email");
    expect(existsSync(path.join(ws, 'out'))).toBe(false);
  });
});
