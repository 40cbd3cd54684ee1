/**
 * The runners' exact command lines, the image and root file system recipes, runner
 * choice, what a dkms run came to, and the progress view. No engine runs here: these
 * are the words quirkctl says to podman, docker, bwrap and debootstrap (the real ones
 * hear them in the e2e tests).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseRunner, type Probe } from '../../src/build/detect.js';
import { DKMS_EXCLUDED, firstCompileError, outcomeOf } from '../../src/build/dkms-build.js';
import { checkObject } from '../../src/build/kernel-tree.js';
import { parseProbe } from '../../src/build/prepare.js';
import { eventLine, liveView, plainView, renderRows, type Row } from '../../src/build/progress.js';
import { debootstrapScript, imageRecipe, rootfsRecipe, sourcesList } from '../../src/build/recipes.js';
import { rootfsCommands } from '../../src/build/rootfs.js';
import { bwrapCommand, commandIn, engineBuildCommand, engineImageExistsCommand, enginePullCommand, engineRunCommand, hostCommand, mountPoint, showCommand, type RunSpec } from '../../src/build/runners.js';
import { resolveTargets, type Target } from '../../src/build/targets.js';
import { planPackage } from '../../src/dkms/model.js';
import { InputError } from '../../src/errors.js';
import type { Quirk } from '../../src/quirks/model.js';
import { tempDir } from '../helpers/cli.js';

const [DEBIAN, JAMMY, NOBLE, ARCH, LTS] = resolveTargets(undefined, '/ws').targets as [Target, Target, Target, Target, Target];

const SPEC: RunSpec = {
  argv: ['sh', '-c', 'dkms build "$@"', 'sh', 'x y'],
  mounts: [
    { source: '/ws/.quirkctl/build/src', target: '/tmp/quirkctl/src', readOnly: true },
    { source: '/ws/.quirkctl/build/debian-12/6.1.0-56-amd64', target: '/tmp/quirkctl/work', readOnly: false },
  ],
  cwd: '/tmp/quirkctl/work',
  env: { GIT_CONFIG_COUNT: '1' },
};

describe('command lines', () => {
  it('bwrap: the root file system read-only, a tmpfs /tmp, the mounts, no network, a clean environment', () => {
    expect(bwrapCommand('/cache/rootfs/debian-bookworm-k', SPEC)).toEqual({
      file: 'bwrap',
      args: [
        '--ro-bind', '/cache/rootfs/debian-bookworm-k', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp',
        '--ro-bind', '/ws/.quirkctl/build/src', '/tmp/quirkctl/src',
        '--bind', '/ws/.quirkctl/build/debian-12/6.1.0-56-amd64', '/tmp/quirkctl/work',
        '--unshare-all', '--die-with-parent', '--new-session', '--clearenv',
        '--setenv', 'PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '--setenv', 'HOME', '/tmp', '--setenv', 'LC_ALL', 'C', '--setenv', 'GIT_CONFIG_COUNT', '1',
        '--chdir', '/tmp/quirkctl/work', '--', 'sh', '-c', 'dkms build "$@"', 'sh', 'x y',
      ],
    });
  });

  it('podman and docker: run the prepared image, never pull, no network, SELinux labels left alone', () => {
    const tail = [
      '--mount=type=bind,source=/ws/.quirkctl/build/src,target=/tmp/quirkctl/src,readonly=true',
      '--mount=type=bind,source=/ws/.quirkctl/build/debian-12/6.1.0-56-amd64,target=/tmp/quirkctl/work',
      '--workdir=/tmp/quirkctl/work',
      '--env=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '--env=HOME=/tmp', '--env=LC_ALL=C', '--env=GIT_CONFIG_COUNT=1',
      'localhost/quirkctl/debian-12:0123456789abcdef', 'sh', '-c', 'dkms build "$@"', 'sh', 'x y',
    ];
    expect(engineRunCommand('podman', 'localhost/quirkctl/debian-12:0123456789abcdef', SPEC)).toEqual({ file: 'podman', args: ['run', '--rm', '--pull=never', '--network=none', '--security-opt=label=disable', ...tail] });
    expect(commandIn({ runner: 'docker', image: 'localhost/quirkctl/debian-12:0123456789abcdef', user: '1000:1000' }, SPEC)).toEqual({
      file: 'docker',
      args: ['run', '--rm', '--pull=never', '--network=none', '--security-opt=label=disable', '--user=1000:1000', ...tail],
    });
    expect(() => engineRunCommand('docker', 'img', { ...SPEC, mounts: [{ source: '/home/a,b', target: '/x', readOnly: true }] })).toThrow(
      new InputError("'/home/a,b': podman and docker cannot mount a path that contains ','; move it"),
    );
  });

  it('podman and docker: image inspect, pull, and build (again from scratch with refresh)', () => {
    expect(engineImageExistsCommand('podman', 'docker.io/library/debian:bookworm')).toEqual({ file: 'podman', args: ['image', 'inspect', '--format={{.Id}}', 'docker.io/library/debian:bookworm'] });
    expect(enginePullCommand('docker', 'docker.io/library/debian:bookworm')).toEqual({ file: 'docker', args: ['pull', 'docker.io/library/debian:bookworm'] });
    const opts = { tag: 'localhost/quirkctl/arch:k', key: 'k', file: '/tmp/c/Containerfile', context: '/tmp/c', refresh: false };
    expect(engineBuildCommand('podman', opts).args).toEqual(['build', '--tag=localhost/quirkctl/arch:k', '--label=org.quirkctl.recipe=k', '--file=/tmp/c/Containerfile', '/tmp/c']);
    expect(engineBuildCommand('podman', { ...opts, refresh: true }).args).toEqual(['build', '--tag=localhost/quirkctl/arch:k', '--label=org.quirkctl.recipe=k', '--file=/tmp/c/Containerfile', '--pull=always', '--no-cache', '/tmp/c']);
    expect(engineBuildCommand('docker', { ...opts, refresh: true }).args).toEqual(['build', '--tag=localhost/quirkctl/arch:k', '--label=org.quirkctl.recipe=k', '--file=/tmp/c/Containerfile', '--pull', '--no-cache', '/tmp/c']);
  });

  it('host: the command itself, at the paths themselves', () => {
    const spec = { ...SPEC, mounts: SPEC.mounts.map((m) => ({ ...m, target: mountPoint({ runner: 'host' }, m.source, m.target) })) };
    expect(hostCommand({ ...spec, cwd: '/ws' })).toEqual({ file: 'sh', args: ['-c', 'dkms build "$@"', 'sh', 'x y'], cwd: '/ws', env: { LC_ALL: 'C', GIT_CONFIG_COUNT: '1' } });
    expect(() => hostCommand(SPEC)).toThrow('the host runner cannot mount');
    expect(mountPoint({ runner: 'bwrap', rootfs: '/r' }, '/ws/x', '/tmp/quirkctl/x')).toBe('/tmp/quirkctl/x');
    expect(showCommand({ file: 'sh', args: ['-c', "echo 'hi' $1"] })).toBe(`sh -c 'echo '\\''hi'\\'' $1'`);
  });
});

describe('image recipes', () => {
  it('render the Containerfile of each distribution with its headers, dkms and build tools', () => {
    const deb = imageRecipe(DEBIAN);
    expect(deb.containerfile).toBe(`# quirkctl build target debian-12: Debian bookworm with the headers
# of its amd64 kernel, dkms, a compiler and what a kernel tree needs.
# Made by \`quirkctl build\`; a file of this name in the workspace's
# templates/containers/ replaces it (the image is rebuilt when the text changes).
FROM docker.io/library/debian:bookworm
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\
      dkms linux-headers-amd64 build-essential perl git kmod bc bison flex libelf-dev libssl-dev \\
 && rm -rf /var/lib/apt/lists/*
`);
    expect(deb.tag).toBe(`localhost/quirkctl/debian-12:${deb.key}`);
    expect(deb.key).toMatch(/^[0-9a-f]{16}$/);
    const pinned = { ...JAMMY, kernel: { flavour: 'generic', version: '5.15.0-91' } };
    expect(imageRecipe(pinned).containerfile).toContain('FROM docker.io/library/ubuntu:jammy\n');
    expect(imageRecipe(pinned).containerfile).toContain('      dkms linux-headers-5.15.0-91-generic build-essential perl git kmod bc bison flex libelf-dev libssl-dev \\\n');
    expect(imageRecipe(NOBLE).containerfile).toContain('FROM docker.io/library/ubuntu:noble\n');
    expect(imageRecipe(ARCH).containerfile).toContain('FROM docker.io/library/archlinux:latest\nRUN pacman -Syu --noconfirm --needed \\\n      dkms linux-headers base-devel perl git bc libelf openssl \\\n && pacman -Scc --noconfirm\n');
    expect(imageRecipe(LTS).containerfile).toContain('      dkms linux-lts-headers base-devel');
    expect(imageRecipe(LTS).key).not.toBe(imageRecipe(ARCH).key);
  });

  it('take a Containerfile from the workspace, and a new text makes a new key', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'containers'));
    writeFileSync(path.join(dir, 'containers', 'debian.Containerfile'), 'FROM registry.example/debian:<%= it.target.codename %>\nRUN apt-get install -y <%= it.packages.join(" ") %>\n');
    const own = imageRecipe(DEBIAN, dir);
    expect(own.containerfile).toBe('FROM registry.example/debian:bookworm\nRUN apt-get install -y dkms linux-headers-amd64 build-essential perl git kmod bc bison flex libelf-dev libssl-dev\n');
    expect(own.key).not.toBe(imageRecipe(DEBIAN).key);
    expect(imageRecipe(DEBIAN).key).toBe(imageRecipe(DEBIAN).key);
  });
});

describe('root file system recipes', () => {
  it('list the release, its updates and its security suite', () => {
    expect(sourcesList('debian', 'bookworm', 'http://deb.debian.org/debian')).toBe(
      'deb http://deb.debian.org/debian bookworm main\ndeb http://deb.debian.org/debian bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n',
    );
    expect(sourcesList('debian', 'sid', 'http://deb.debian.org/debian')).toBe('deb http://deb.debian.org/debian sid main\n');
    expect(sourcesList('debian', 'bookworm', 'http://mirror.example/pub/deb')).toBe('deb http://mirror.example/pub/deb bookworm main\ndeb http://mirror.example/pub/deb bookworm-updates main\n');
    expect(sourcesList('ubuntu', 'noble', 'http://archive.ubuntu.com/ubuntu')).toBe(
      'deb http://archive.ubuntu.com/ubuntu noble main universe\ndeb http://archive.ubuntu.com/ubuntu noble-updates main universe\ndeb http://archive.ubuntu.com/ubuntu noble-security main universe\n',
    );
  });

  it('are keyed by what goes in, and made by debootstrap minbase then apt without recommends', () => {
    const r = rootfsRecipe(DEBIAN);
    expect(r.dirName).toBe(`debian-bookworm-${r.key}`);
    expect(rootfsRecipe({ ...DEBIAN, kernel: { flavour: 'amd64', version: '6.1.0-56' } }).key).not.toBe(r.key);
    expect(rootfsRecipe({ ...DEBIAN, mirror: 'http://deb.debian.org:80/debian' }).key).not.toBe(r.key);
    expect(rootfsRecipe({ ...DEBIAN, name: 'other-name' }).key).toBe(r.key);
    expect(() => rootfsRecipe(ARCH)).toThrow('debootstrap makes Debian and Ubuntu root file systems only');
    const [debootstrap, update, install] = rootfsCommands(r, '/c/rootfs/x.tmp', '/c/debs/debian-bookworm', 'bookworm', true);
    expect(showCommand(debootstrap!)).toBe('debootstrap --variant=minbase --cache-dir=/c/debs/debian-bookworm bookworm /c/rootfs/x.tmp http://deb.debian.org/debian /usr/share/debootstrap/scripts/bookworm');
    const prefix = 'bwrap --bind /c/rootfs/x.tmp / --dev /dev --proc /proc --ro-bind /etc/resolv.conf /etc/resolv.conf --ro-bind /var/cache/apt/archives /var/cache/apt/archives --bind /c/debs/debian-bookworm /var/cache/quirkctl-debs --unshare-pid --unshare-ipc --unshare-uts --die-with-parent --clearenv --setenv PATH /usr/sbin:/usr/bin:/sbin:/bin --setenv HOME /root --setenv LC_ALL C --setenv DEBIAN_FRONTEND noninteractive --';
    const apt = 'apt-get -q -o Acquire::Retries=3 -o Dir::Cache::Archives=/var/cache/quirkctl-debs/';
    expect(showCommand(update!)).toBe(`${prefix} ${apt} update`);
    expect(showCommand(install!)).toBe(`${prefix} ${apt} install -y --no-install-recommends dkms linux-headers-amd64 build-essential perl git kmod bc bison flex libelf-dev libssl-dev`);
    const ubuntu = rootfsCommands(rootfsRecipe(NOBLE), '/t', '/d', 'gutsy', false);
    expect(showCommand(ubuntu[0]!)).toBe('debootstrap --variant=minbase --cache-dir=/d --keyring=/usr/share/keyrings/ubuntu-archive-keyring.gpg noble /t http://archive.ubuntu.com/ubuntu /usr/share/debootstrap/scripts/gutsy');
    expect(showCommand(ubuntu[1]!)).not.toContain('/var/cache/apt/archives');
  });

  it("use debootstrap's own script for a suite, else the one newer suites link to", () => {
    const has = (s: string) => ['bookworm', 'jammy', 'sid', 'gutsy'].includes(s);
    expect(debootstrapScript('debian', 'bookworm', has)).toBe('bookworm');
    expect(debootstrapScript('debian', 'forky', has)).toBe('sid');
    expect(debootstrapScript('ubuntu', 'jammy', has)).toBe('jammy');
    expect(debootstrapScript('ubuntu', 'noble', has)).toBe('gutsy');
  });
});

describe('choosing a runner', () => {
  const probes = (works: Partial<Record<string, string>>) => async (r: Probe['runner']): Promise<Probe> =>
    works[r] ? { runner: r, works: true, detail: works[r] as string } : { runner: r, works: false, detail: `${r} is not installed` };

  it('auto takes podman, then docker, then bwrap, and says what it found on the way', async () => {
    expect(await chooseRunner('auto', 'auto', probes({ podman: 'podman 5.0 starts containers', docker: 'docker 27 starts containers' }))).toMatchObject({ runner: 'podman', reason: 'auto: podman 5.0 starts containers' });
    expect(await chooseRunner('auto', 'auto', probes({ docker: 'docker 27 starts containers', bwrap: 'bubblewrap 0.8.0 makes sandboxes' }))).toMatchObject({
      runner: 'docker',
      reason: 'auto: podman is not installed; docker 27 starts containers',
    });
    expect(await chooseRunner('auto', 'auto', probes({ bwrap: 'bubblewrap 0.8.0 makes sandboxes' }))).toMatchObject({
      runner: 'bwrap',
      reason: 'auto: podman is not installed; docker is not installed; bubblewrap 0.8.0 makes sandboxes',
    });
    await expect(chooseRunner('auto', 'auto', probes({}))).rejects.toThrow(
      new InputError("no runner can enter a target here: podman is not installed; docker is not installed; bwrap is not installed. Install podman, docker or bubblewrap, or pass --runner host to build against this machine's kernel headers"),
    );
  });

  it('a named runner that does not work is refused, saying where it was named', async () => {
    expect(await chooseRunner('bwrap', '--runner', probes({ bwrap: 'bubblewrap 0.8.0 makes sandboxes' }))).toMatchObject({ runner: 'bwrap', reason: '--runner; bubblewrap 0.8.0 makes sandboxes' });
    await expect(chooseRunner('docker', 'build.runner in quirkctl.yaml', probes({}))).rejects.toThrow(
      new InputError('build.runner in quirkctl.yaml docker: docker is not installed; choose another runner (auto, host, bwrap, podman, docker)'),
    );
  });
});

describe('what a target has and what a build came to', () => {
  const quirk = { id: 'q', title: 'T', match: { vendor: 0x1f9d, device: 0x1100 }, actions: [{ type: 'no-d3' }], kernels: '>=6.2', upstream: { state: 'none', fixedIn: [] }, references: [] } as unknown as Quirk;
  const plan = planPackage([quirk], { name: 'qk', version: '1', date: new Date(0) });

  it('reads the probe: dkms, and the kernels with headers', () => {
    expect(parseProbe('dkms\nkernel /lib/modules/6.1.0-56-amd64\nkernel /usr/lib/modules/6.1.0-56-amd64\nkernel /lib/modules/bad;name\n')).toEqual({ dkms: true, kernels: ['6.1.0-56-amd64'] });
    expect(parseProbe('')).toEqual({ dkms: false, kernels: [] });
  });

  it('passed with a module, skipped on exit 77, failed with the first compiler error', () => {
    expect(outcomeOf(0, '/w/qk.ko', '6.2.1', plan)).toEqual({ status: 'passed', module: '/w/qk.ko' });
    expect(outcomeOf(0, undefined, '6.2.1', plan)).toEqual({ status: 'failed', reason: 'dkms build succeeded but left no module in the dkms tree' });
    expect(outcomeOf(DKMS_EXCLUDED, undefined, '6.1.0-56-amd64', plan)).toEqual({ status: 'skipped', reason: 'BUILD_EXCLUSIVE_KERNEL rules 6.1.0-56-amd64 out: the package is for >=6.2' });
    const log = "make -C /lib/modules/x/build\n/tmp/quirkctl/work/tree/qk/1/build/qk.c:3:1: error: unknown type name 'oops'\n/tmp/q/qk.c:9:1: error: later\n";
    expect(firstCompileError(log)).toBe("qk.c:3:1: error: unknown type name 'oops'");
    expect(outcomeOf(10, undefined, '6.2.1', plan, log)).toEqual({ status: 'failed', reason: "does not compile: qk.c:3:1: error: unknown type name 'oops'" });
    expect(outcomeOf(1, undefined, '6.2.1', plan, 'Error! Your kernel headers could not be found')).toEqual({ status: 'failed', reason: 'dkms build exited 1' });
  });

  it('takes kbuild object paths only', () => {
    expect(checkObject('drivers/pci/quirks.o')).toBe('drivers/pci/quirks.o');
    for (const bad of ['../x.o', 'drivers/../../x.o', '/abs.o', '-j.o', 'quirks.c', 'a b.o', 'a/./b.o']) expect(() => checkObject(bad), bad).toThrow(InputError);
  });
});

describe('the progress view', () => {
  const rows: Row[] = [
    { id: 'debian-12/6.1.0-56-amd64', target: 'debian-12', kernel: '6.1.0-56-amd64', status: 'building', started: 1000, note: 'dkms build -k 6.1.0-56-amd64' },
    { id: 'arch', target: 'arch', status: 'queued' },
    { id: 'ubuntu-24.04', target: 'ubuntu-24.04', status: 'error', started: 1000, ended: 1500, note: 'target ubuntu-24.04: cannot make its root file system' },
  ];

  it('has one aligned line per target or kernel: state, clock, note', () => {
    expect(renderRows(rows, 73_000)).toBe(
      [
        'debian-12     6.1.0-56-amd64  building  1:12   dkms build -k 6.1.0-56-amd64',
        'arch          -               queued',
        'ubuntu-24.04  -               error     0.5 s  target ubuntu-24.04: cannot make its root file system',
      ].join('\n'),
    );
    expect(renderRows(rows, 73_000, 40).split('\n')[0]).toBe('debian-12     6.1.0-56-amd64  building…');
    expect(eventLine(rows[2]!, 9999)).toBe('ubuntu-24.04: error (0.5 s): target ubuntu-24.04: cannot make its root file system');
  });

  it('without a terminal, prints one line per change', () => {
    const out: string[] = [];
    const v = plainView((t) => out.push(t), () => 3000);
    v.update({ id: 'a', target: 'a', status: 'queued' });
    v.update({ id: 'a', target: 'a', status: 'queued' });
    v.update({ id: 'a', target: 'a', status: 'preparing', started: 1000, note: 'apt-get update' });
    v.update({ id: 'a/6.1', target: 'a', kernel: '6.1', status: 'passed', started: 1000, ended: 2000 }, 'a');
    v.remove('a');
    v.close();
    expect(out.join('')).toBe('a: queued\na: preparing: apt-get update\na 6.1: passed (1.0 s)\n');
  });

  it('on a terminal, redraws the lines in place and leaves the last picture', () => {
    let written = '';
    const stream = { isTTY: true, columns: 100, write: (t: string) => ((written += t), true), on: () => stream, off: () => stream, removeListener: () => stream } as unknown as NodeJS.WriteStream;
    const v = liveView(stream);
    v.update({ id: 'a', target: 'a', status: 'queued' });
    v.update({ id: 'a/6.1', target: 'a', kernel: '6.1', status: 'building', started: Date.now() }, 'a');
    v.remove('a');
    v.update({ id: 'a/6.1', target: 'a', kernel: '6.1', status: 'passed', started: 0, ended: 1500 });
    v.close();
    expect(written).toContain('\u001b[2K'); // erases the lines it drew before
    const text = written.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
    expect(text.trimEnd().endsWith('\na  6.1  passed  1.5 s')).toBe(true);
  });
});
