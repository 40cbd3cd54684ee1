/**
 * podman and docker. No engine starts containers on CI machines (podman 4.3 installs on
 * cgroup v1 hybrid hosts but cannot start one; the docker client often has no engine),
 * so: the engines that are here are probed for real and must be reported for what they
 * are; the flow of image, probe and build is checked against a stand-in engine that
 * records what it is asked (test/helpers/fake-engine.cjs); and the real integration test
 * runs wherever an engine works, and says why when it does not.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeRunner } from '../../src/build/detect.js';
import type { BuildReport } from '../../src/build/matrix.js';
import { DKMS_BUILD_SCRIPT } from '../../src/build/dkms-build.js';
import { PROBE_SCRIPT } from '../../src/build/prepare.js';
import { imageRecipe } from '../../src/build/recipes.js';
import { resolveTargets, type Target } from '../../src/build/targets.js';
import { cli, REPO, tempDir } from '../helpers/cli.js';
import { BUILD_ENV, buildWorkspace } from '../helpers/build-targets.js';

const FAKE = path.join(REPO, 'test/helpers/fake-engine.cjs');

/** A directory with stand-ins called podman and docker, first on PATH, and their state. */
function fakeEngines(opts: { podmanBroken?: boolean } = {}): { env: NodeJS.ProcessEnv; calls: () => string[][] } {
  const bin = tempDir('quirkctl-fake-bin-');
  const state = tempDir('quirkctl-fake-state-');
  for (const engine of ['podman', 'docker']) {
    copyFileSync(FAKE, path.join(bin, engine));
    chmodSync(path.join(bin, engine), 0o755);
  }
  writeFileSync(path.join(state, 'calls.jsonl'), '');
  // Only podman breaks: a wrapper sets the stand-in's variable for podman alone.
  if (opts.podmanBroken) {
    writeFileSync(path.join(bin, 'podman'), `#!/bin/sh\nFAKE_ENGINE_BROKEN=1 exec node ${JSON.stringify(FAKE)} "$@"\n`);
    chmodSync(path.join(bin, 'podman'), 0o755);
  }
  return {
    env: { ...BUILD_ENV, PATH: `${bin}:${process.env.PATH ?? ''}`, FAKE_ENGINE_STATE: state },
    calls: () =>
      readFileSync(path.join(state, 'calls.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[]),
  };
}

const NOBLE = { name: 'ubuntu-24.04', distro: 'ubuntu', release: 'noble' };
const noble = resolveTargets({ targets: [NOBLE as never] }, '/').targets[0] as Target;

describe('podman and docker, as quirkctl drives them (a stand-in engine)', () => {
  it('auto takes podman when it starts containers; the image is built once from the Containerfile and reused, made again with --refresh', () => {
    const ws = buildWorkspace([NOBLE], { quirks: false });
    expect(cli(['add', '1f9d:1100', '--rebind-on-resume', '--id', 'metis'], { cwd: ws }).code).toBe(0);
    const fake = fakeEngines();
    const r = cli(['build', '--all', '--json'], { cwd: ws, env: fake.env });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as BuildReport;
    expect(report.runners).toEqual([{ runner: 'podman', reason: 'auto: podman 4.9.4 starts containers', targets: ['ubuntu-24.04'] }]);
    const { tag, key } = imageRecipe(noble);
    const work = path.join(ws, '.quirkctl/build/ubuntu-24.04/6.8.0-31-generic');
    const { name, version } = report.package;
    expect(report.cells).toEqual([
      { target: 'ubuntu-24.04', kernel: '6.8.0-31-generic', runner: 'podman', status: 'passed', seconds: expect.any(Number) as unknown, log: path.join(work, 'build.log'), module: path.join(work, 'tree', name, version, '6.8.0-31-generic/x86_64/module/quirkctl_workarounds.ko'), message: null },
    ]);
    const calls = fake.calls();
    const env = ['--env=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '--env=HOME=/tmp', '--env=LC_ALL=C'];
    expect(calls.slice(0, 3).map((c) => c.slice(0, 3))).toEqual([
      ['podman', 'version', '--format={{.Client.Version}}'],
      ['podman', 'info', '--format={{.Host.OCIRuntime.Name}}'],
      ['podman', 'run', '--rm'],
    ]);
    expect(calls[2]?.slice(-3)).toEqual(['--rootfs', expect.stringMatching(/quirkctl-probe-/) as unknown as string, '/quirkctl-probe']);
    expect(calls[3]).toEqual(['podman', 'image', 'inspect', '--format={{.Id}}', tag]);
    const buildCall = calls[4] ?? [];
    expect(buildCall.slice(0, 4)).toEqual(['podman', 'build', `--tag=${tag}`, `--label=org.quirkctl.recipe=${key}`]);
    expect(buildCall[4]).toMatch(/^--file=.*\/Containerfile$/);
    expect(calls[5]).toEqual(['podman', 'run', '--rm', '--pull=never', '--network=none', '--security-opt=label=disable', '--workdir=/', ...env, tag, 'sh', '-c', PROBE_SCRIPT]);
    expect(calls[6]).toEqual([
      'podman', 'run', '--rm', '--pull=never', '--network=none', '--security-opt=label=disable',
      `--mount=type=bind,source=${path.join(ws, '.quirkctl/build/src')},target=/tmp/quirkctl/src,readonly=true`,
      `--mount=type=bind,source=${work},target=/tmp/quirkctl/work`,
      '--workdir=/tmp/quirkctl/work', ...env, tag,
      'sh', '-c', DKMS_BUILD_SCRIPT, 'sh', '/tmp/quirkctl/src', '/tmp/quirkctl/work', name, version, '6.8.0-31-generic',
    ]);
    expect(calls).toHaveLength(7);
    // The log of preparing the target holds the Containerfile it was built from.
    expect(readFileSync(path.join(ws, '.quirkctl/build/ubuntu-24.04/prepare.log'), 'utf8')).toContain(`# building image ${tag} for target ubuntu-24.04 from:\n${imageRecipe(noble).containerfile}`);

    const again = fakeEngines();
    // The stand-in keeps its images in its state: carry them over.
    mkdirSync(path.join(again.env.FAKE_ENGINE_STATE ?? '', 'images', encodeURIComponent(tag)), { recursive: true });
    expect(cli(['build', '--all'], { cwd: ws, env: again.env }).code).toBe(0);
    expect(again.calls().filter((c) => c[1] === 'build')).toEqual([]);
    expect(cli(['build', '--all', '--refresh'], { cwd: ws, env: again.env }).code).toBe(0);
    const rebuilt = again.calls().filter((c) => c[1] === 'build');
    expect(rebuilt).toHaveLength(1);
    expect(rebuilt[0]?.slice(-3, -1)).toEqual(['--pull=always', '--no-cache']);
  });

  it('docker when podman cannot start containers, and says so', () => {
    const ws = buildWorkspace([NOBLE], { quirks: false });
    expect(cli(['add', '1f9d:1100', '--rebind-on-resume', '--id', 'metis'], { cwd: ws }).code).toBe(0);
    const fake = fakeEngines({ podmanBroken: true });
    const r = cli(['build', '--all'], { cwd: ws, env: fake.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'runner: docker (auto: podman is installed but cannot start a container (crun: setrlimit `RLIMIT_NOFILE`: Operation not permitted: OCI permission denied); docker 27.0.1 starts containers)\n',
    );
    expect(r.stdout).toMatch(/\nubuntu-24\.04 +6\.8\.0-31-generic +docker +passed /);
    const calls = fake.calls().filter((c) => c[0] === 'docker');
    expect(calls.slice(0, 4).map((c) => c.slice(1).join(' '))).toEqual(['version --format={{.Server.Version}}', 'import - quirkctl-probe:empty', 'run --rm --network=none quirkctl-probe:empty /quirkctl-probe', 'image rm quirkctl-probe:empty']);
    expect(calls.find((c) => c[1] === 'run' && c.includes('--pull=never'))?.slice(0, 6)).toEqual(['docker', 'run', '--rm', '--pull=never', '--network=none', '--security-opt=label=disable']);
  });

  it('an image that cannot be pulled: the target ends in error with the engine\'s words, exit 2', () => {
    const ws = buildWorkspace([{ name: 'custom', distro: 'debian', release: '12', image: 'registry.example/quirkctl/debian:12', runner: 'podman' }], { quirks: false });
    expect(cli(['add', '1f9d:1100', '--rebind-on-resume', '--id', 'metis'], { cwd: ws }).code).toBe(0);
    const fake = fakeEngines();
    const r = cli(['build', '--all'], { cwd: ws, env: fake.env });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      `target custom: image registry.example/quirkctl/debian:12 cannot be pulled (podman pull, exit 125): Error: initializing source docker://registry.example/quirkctl/debian:12: pinging container registry registry.example: Get "https://registry.example/v2/": dial tcp: lookup registry.example: no such host; log: ${path.join(ws, '.quirkctl/build/custom/prepare.log')}`,
    );
    expect(fake.calls().some((c) => c[1] === 'run' && c.includes('--pull=never'))).toBe(false);
  });
});

describe('the engines on this machine', () => {
  for (const engine of ['podman', 'docker'] as const) {
    it(`--runner ${engine} is refused with what was found, unless ${engine} starts containers here`, async () => {
      const probe = await probeRunner(engine);
      const ws = buildWorkspace([NOBLE]);
      const r = cli(['build', '--all', '--runner', engine, '--dry-run'], { cwd: ws, env: BUILD_ENV });
      if (probe.works) {
        expect(r.code).toBe(0);
        expect(r.stderr).toContain(`runner: ${engine} (--runner; ${probe.detail})`);
      } else {
        expect(r.code).toBe(2);
        expect(r.stderr).toBe(`quirkctl: --runner ${engine}: ${probe.detail}; choose another runner (auto, host, bwrap, podman, docker)\n`);
        expect(probe.detail).toMatch(new RegExp(`^${engine} (is not installed|is installed but|'s engine answers but)`));
      }
    });
  }
});

// The real thing, where an engine works: the image built from the Containerfile (which
// pulls Debian's image and packages from the network), the package built in it.
for (const engine of ['podman', 'docker'] as const) {
  const probe = await probeRunner(engine);
  if (!probe.works) console.warn(`build-engines: the ${engine} integration test does not run here: ${probe.detail}`);
  describe(`${engine}, for real`, () => {
    it.runIf(probe.works)(`builds the package in a Debian 12 image${probe.works ? '' : ` (not run: ${probe.detail})`}`, { timeout: 1_200_000 }, () => {
      const ws = buildWorkspace([{ name: 'debian-12', distro: 'debian', release: 'bookworm', runner: engine }], { quirks: false });
      expect(cli(['add', '1f9d:1100', '--rebind-on-resume', '--id', 'metis'], { cwd: ws }).code).toBe(0);
      const r = cli(['build', '--all', '--json'], { cwd: ws, env: BUILD_ENV });
      expect(r.code, r.stderr).toBe(0);
      const [cell] = (JSON.parse(r.stdout) as BuildReport).cells;
      expect(cell).toMatchObject({ runner: engine, status: 'passed' });
      expect(existsSync(cell?.module ?? '')).toBe(true);
    });
  });
}
