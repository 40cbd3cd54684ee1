/**
 * Build targets from quirkctl.yaml: defaults, release numbers and codenames, the checks
 * the schema cannot make, which headers a target installs and which kernels are its own.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspaceTargets } from '../../src/build/workspace-targets.js';
import { checkKernelArg, DEFAULT_TARGETS, headersPackage, isTargetKernel, kernelWanted, resolveTargets, selectTargets, targetPackages, type Target } from '../../src/build/targets.js';
import { InputError, ValidationError } from '../../src/errors.js';
import { openWorkspace, readConfig } from '../../src/workspace/workspace.js';
import { REPO, tempDir } from '../helpers/cli.js';

function target(c: Parameters<typeof resolveTargets>[0] & object): Target[] {
  const r = resolveTargets(c, '/ws');
  expect(r.problems).toEqual([]);
  return r.targets;
}

function configProblems(yaml: string): string {
  const ws = tempDir();
  writeFileSync(path.join(ws, 'quirkctl.yaml'), `version: 1\nbuild:\n${yaml}`);
  try {
    workspaceTargets(openWorkspace({ workspace: ws }));
  } catch (e) {
    if (e instanceof ValidationError) return e.message;
    throw e;
  }
  return '';
}

describe('targets', () => {
  it('default to Debian 12, Ubuntu 22.04 and 24.04, Arch and Arch LTS; the bundled workspace lists exactly those', () => {
    const targets = target({});
    expect(targets.map((t) => [t.name, t.distro, t.codename, headersPackage(t)])).toEqual([
      ['debian-12', 'debian', 'bookworm', 'linux-headers-amd64'],
      ['ubuntu-22.04', 'ubuntu', 'jammy', 'linux-headers-generic'],
      ['ubuntu-24.04', 'ubuntu', 'noble', 'linux-headers-generic'],
      ['arch', 'arch', 'rolling', 'linux-headers'],
      ['arch-lts', 'arch', 'rolling', 'linux-lts-headers'],
    ]);
    expect(readConfig(REPO).build?.targets).toEqual(DEFAULT_TARGETS);
  });

  it('take release numbers or codenames, a kernel ABI, and resolve rootfs against the workspace', () => {
    const [deb, ubu] = target({
      targets: [
        { name: 'd', distro: 'debian', release: '12', kernel: { version: '6.1.0-56' }, rootfs: 'roots/d', mirror: 'http://mirror.example/debian/' },
        { name: 'u', distro: 'ubuntu', release: '24.04', kernel: { flavour: 'lowlatency', version: '6.8.0-31' }, image: 'docker.io/library/ubuntu:noble' },
      ],
    }) as [Target, Target];
    expect(deb).toMatchObject({ codename: 'bookworm', release: '12', kernel: { flavour: 'amd64', version: '6.1.0-56' }, rootfs: '/ws/roots/d', mirror: 'http://mirror.example/debian' });
    expect(headersPackage(deb)).toBe('linux-headers-6.1.0-56-amd64');
    expect(ubu).toMatchObject({ codename: 'noble', mirror: 'http://archive.ubuntu.com/ubuntu', image: 'docker.io/library/ubuntu:noble' });
    expect(headersPackage(ubu)).toBe('linux-headers-6.8.0-31-lowlatency');
    expect(targetPackages(deb)).toEqual(['dkms', 'linux-headers-6.1.0-56-amd64', 'build-essential', 'perl', 'git', 'kmod', 'bc', 'bison', 'flex', 'libelf-dev', 'libssl-dev']);
    expect(targetPackages(target({ targets: [{ name: 'a', distro: 'arch', kernel: { flavour: 'linux-lts' } }] })[0] as Target)).toEqual(['dkms', 'linux-lts-headers', 'base-devel', 'perl', 'git', 'bc', 'libelf', 'openssl']);
  });

  it('report what the schema cannot see, with the line in quirkctl.yaml', () => {
    const yaml = `  targets:
    - { name: a, distro: debian, release: "15" }
    - { name: b, distro: arch, release: rolling, kernel: { version: 6.1.0-1 } }
    - { name: a, distro: ubuntu, release: noble }
    - { name: c, distro: arch, mirror: "http://x.example/arch" }
`;
    expect(configProblems(yaml)).toBe(
      [
        "quirkctl.yaml:4: build.targets[0].release: Debian 15 is not a release quirkctl knows by number (10, 11, 12, 13, 14); write its codename",
        'quirkctl.yaml:5: build.targets[1].release: Arch is rolling and has no releases; leave release out',
        'quirkctl.yaml:5: build.targets[1].kernel.version: Arch is rolling: a target gets the current headers of its kernel package; leave version out',
        "quirkctl.yaml:6: build.targets[2].name: 'a' names build.targets[0] already; target names must be unique",
        'quirkctl.yaml:7: build.targets[3].mirror: mirror is for debootstrap (Debian, Ubuntu); Arch targets use their image',
      ].join('\n'),
    );
  });

  it('are checked against the schema when the config is read', () => {
    const problems = (yaml: string) => {
      const ws = tempDir();
      writeFileSync(path.join(ws, 'quirkctl.yaml'), `version: 1\nbuild:\n${yaml}`);
      try {
        readConfig(ws);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(problems('  targets:\n    - { name: debian-12, distro: debian }\n')).toBe("quirkctl.yaml:4: build.targets[0]: missing required key 'release'");
    expect(problems('  targets:\n    - { name: Debian 12, distro: debian, release: "12" }\n')).toContain(
      "build.targets[0].name: expected a name of lowercase letters, digits, '.', '_' and '-' (it names images and directories), e.g. debian-12, got 'Debian 12'",
    );
    expect(problems('  targets:\n    - { name: f, distro: fedora }\n')).toContain("build.targets[0].distro: unknown value 'fedora'; expected debian, ubuntu or arch");
    expect(problems('  targets:\n    - { name: d, distro: debian, release: "12", kernel: { version: "6.1" } }\n')).toContain('expected the ABI of a Debian or Ubuntu kernel, e.g. 6.1.0-56 or 6.8.0-31');
    expect(problems('  targets:\n    - { name: d, distro: debian, release: "12", mirror: "file:///srv; rm -rf /" }\n')).toContain('build.targets[0].mirror: expected an http(s) URL');
    expect(problems('  targets:\n    - { name: d, distro: debian, release: "12", image: "--privileged" }\n')).toContain('build.targets[0].image: expected an image reference');
    expect(problems('  runner: lxc\n')).toBe("quirkctl.yaml:3: build.runner: unknown value 'lxc'; expected auto, host, bwrap, podman or docker");
    expect(problems('  jobs: 0\n')).toContain('build.jobs: expected a whole number of targets to build at once, 1 to 64, got 0');
  });

  it('are selected by name; an unknown name lists the known ones', () => {
    const targets = target({});
    expect(selectTargets(targets, []).length).toBe(5);
    expect(selectTargets(targets, ['arch', 'debian-12']).map((t) => t.name)).toEqual(['debian-12', 'arch']);
    expect(() => selectTargets(targets, ['fedora-40'])).toThrow(
      new InputError("--target 'fedora-40': no such target; the workspace's targets are: debian-12, ubuntu-22.04, ubuntu-24.04, arch, arch-lts (build.targets in quirkctl.yaml)"),
    );
  });
});

describe('kernels', () => {
  const [deb, ubu, arch, lts] = target({}).filter((t) => t.name !== 'ubuntu-24.04') as [Target, Target, Target, Target];
  const pinned = target({ targets: [{ name: 'p', distro: 'debian', release: '12', kernel: { version: '6.1.0-56' } }] })[0] as Target;

  it('belong to a target by flavour, and by ABI when it names one', () => {
    expect(isTargetKernel(deb, '6.1.0-56-amd64')).toBe(true);
    expect(isTargetKernel(deb, '6.1.0-56-rt-amd64')).toBe(true); // ends in -amd64: a flavour of its own would name rt-amd64
    expect(isTargetKernel(deb, '6.8.0-31-generic')).toBe(false);
    expect(isTargetKernel(ubu, '6.8.0-31-generic')).toBe(true);
    expect(isTargetKernel(pinned, '6.1.0-56-amd64')).toBe(true);
    expect(isTargetKernel(pinned, '6.1.0-55-amd64')).toBe(false);
    expect(isTargetKernel(arch, '6.12.1-arch1-1')).toBe(true);
    expect(isTargetKernel(arch, '6.6.63-1-lts')).toBe(false);
    expect(isTargetKernel(lts, '6.6.63-1-lts')).toBe(true);
    expect(isTargetKernel(lts, '6.12.1-arch1-1')).toBe(false);
  });

  it('are chosen with --kernel by release or its start, at a . or - boundary', () => {
    expect(kernelWanted('6.1.0-56-amd64', [])).toBe(true);
    expect(kernelWanted('6.1.0-56-amd64', ['6.1'])).toBe(true);
    expect(kernelWanted('6.1.0-56-amd64', ['6.1.0-56'])).toBe(true);
    expect(kernelWanted('6.1.0-56-amd64', ['6.1.0-56-amd64'])).toBe(true);
    expect(kernelWanted('6.12.1-arch1-1', ['6.1'])).toBe(false);
    expect(kernelWanted('6.1.0-56-amd64', ['6.8', '6.1.0'])).toBe(true);
    expect(checkKernelArg('6.1.0-56-amd64')).toBe('6.1.0-56-amd64');
    expect(() => checkKernelArg('6.1;reboot')).toThrow("--kernel '6.1;reboot': expected a kernel release or its start, e.g. 6.1, 6.1.0-56 or 6.1.0-56-amd64");
    expect(() => checkKernelArg('-k')).toThrow(InputError);
  });
});
