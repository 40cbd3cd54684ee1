/**
 * `quirkctl build` as typed: what it refuses before doing anything, and --dry-run. No
 * target is entered here (the builds are in build-bwrap.test.ts and build-engines.test.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, treeHash } from '../helpers/cli.js';
import { BUILD_ENV, buildWorkspace, DEBIAN_12, HOST } from '../helpers/build-targets.js';
import type { BuildReport } from '../../src/build/matrix.js';

describe('quirkctl build: bad input is refused before anything is done, exit 2', () => {
  const cases: [string[], string][] = [
    [['--all', '--jobs', '0'], "--jobs '0': expected a whole number of targets to build at once, 1 to 64, got 0"],
    [['--all', '--jobs', 'two'], "--jobs 'two': expected a whole number of targets to build at once, 1 to 64, got 'two'"],
    [['--all', '--runner', 'lxc'], "--runner 'lxc': unknown value 'lxc'; expected auto, host, bwrap, podman or docker"],
    [['--all', '--kernel', '6.1 && reboot'], "--kernel '6.1 && reboot': expected a kernel release or its start, e.g. 6.1, 6.1.0-56 or 6.1.0-56-amd64"],
    [['metis', '--all'], 'name the quirks whose package to build (ids or vvvv:dddd), or pass --all; not both'],
    [[], 'name the quirks whose package to build (ids or vvvv:dddd), or pass --all; not both'],
    [['no-such-quirk'], "quirk 'no-such-quirk': no quirk with that id or device; 'quirkctl list' shows them"],
    [['--all', '--target', 'nope', '--target', 'debian-12'], "--target 'nope': no such target; the workspace's targets are: debian-12, here (build.targets in quirkctl.yaml)"],
  ];
  for (const [args, message] of cases) {
    it(`quirkctl build ${args.join(' ')}`, () => {
      const ws = buildWorkspace([DEBIAN_12, HOST]);
      const before = treeHash(ws, ['.quirkctl']);
      const r = cli(['build', ...args], { cwd: ws, env: BUILD_ENV });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`quirkctl: ${message}`);
      // Only the quirk index that every reading command keeps; no build directory.
      expect(treeHash(ws, ['.quirkctl'])).toBe(before);
      expect(existsSync(path.join(ws, '.quirkctl/build'))).toBe(false);
    });
  }

  it('a build section that breaks the rules, with file and line', () => {
    const ws = buildWorkspace([{ name: 'old', distro: 'debian', release: '9' }, { name: 'old', distro: 'arch', release: 'rolling' }]);
    const r = cli(['build', '--all'], { cwd: ws, env: BUILD_ENV });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        'quirkctl.yaml:4: build.targets[0].release: Debian 9 is not a release quirkctl knows by number (10, 11, 12, 13, 14); write its codename',
        "quirkctl.yaml:5: build.targets[1].name: 'old' names build.targets[0] already; target names must be unique",
        'quirkctl.yaml:5: build.targets[1].release: Arch is rolling and has no releases; leave release out',
        '',
      ].join('\n'),
    );
  });
});

describe('quirkctl build --dry-run', () => {
  it('says which runner, distribution, headers and image or root file system each target gets, and builds nothing', () => {
    const ws = buildWorkspace([DEBIAN_12, HOST, { name: 'arch-lts', distro: 'arch', kernel: { flavour: 'linux-lts' }, runner: 'bwrap' }]);
    // .quirkctl/ gets the quirk index that every reading command keeps; nothing else.
    const before = treeHash(ws, ['.quirkctl']);
    const r = cli(['build', '--all', '--dry-run', '--json'], { cwd: ws, env: BUILD_ENV });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as BuildReport;
    expect(report.cells).toEqual([]);
    expect(report.planned).toEqual([
      { target: 'debian-12', runner: 'bwrap', what: 'Debian 12, linux-headers-amd64 (kernel amd64)', environment: expect.stringMatching(/\/quirkctl-test\/build\/rootfs\/debian-bookworm-[0-9a-f]{16}$/) as unknown, ready: expect.any(Boolean) as unknown },
      { target: 'here', runner: 'host', what: 'Debian bookworm, linux-headers-amd64 (kernel amd64)', environment: 'this machine', ready: true },
      { target: 'arch-lts', runner: 'bwrap', what: 'Arch, linux-lts-headers (kernel linux-lts)', environment: null, ready: false },
    ]);
    expect(r.stderr).toContain("runner: host for here (build.targets[1].runner (here); host builds against this machine's own kernel headers)\n");
    const table = cli(['build', '--all', '--dry-run'], { cwd: ws, env: BUILD_ENV });
    expect(table.stdout).toMatch(/^would build quirkctl-workarounds [\d.]+ \(module quirkctl_workarounds, for kernels >=5\.4\) in:\nTARGET +RUNNER +DISTRIBUTION AND HEADERS +IMAGE OR ROOT FILE SYSTEM\n/);
    expect(table.stdout).toMatch(/\narch-lts +bwrap +Arch, linux-lts-headers \(kernel linux-lts\) +none: bwrap cannot make one for Arch\n/);
    expect(treeHash(ws, ['.quirkctl'])).toBe(before);
    expect(existsSync(path.join(ws, '.quirkctl/build'))).toBe(false);
  });
});
