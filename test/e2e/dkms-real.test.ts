/**
 * The generated packages against the real tools from Debian's archive: dkms with the
 * installed linux-headers-6.1.*-amd64, dpkg-buildpackage, lintian and dpkg, Arch's
 * makepkg, and the kernel's checkpatch.pl. Package names are unique per run, dkms runs in
 * temporary trees where it can, and whatever reaches the system is removed again.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chownSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, freshWorkspace, REPO, tempDir } from '../helpers/cli.js';
import { realComponent } from '../helpers/real.js';

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { encoding: 'utf8', cwd: opts.cwd, env: { ...process.env, LC_ALL: 'C', ...opts.env } });
}

const onPath = (tool: string) => run('sh', ['-c', 'command -v "$1"', 'sh', tool]).status === 0;

/** The installed Debian 6.1 headers' kernel release, e.g. 6.1.0-56-amd64. */
const KERNEL = (existsSync('/usr/src') ? readdirSync('/usr/src') : [])
  .map((d) => /^linux-headers-(6\.1\.\d+-\d+-amd64)$/.exec(d)?.[1])
  .find((k): k is string => k !== undefined && existsSync(`/lib/modules/${k}/build`));

const hasDkms = realComponent('dkms and linux-headers-6.1.*-amd64', onPath('dkms') && KERNEL !== undefined);
const hasDeb = realComponent('dpkg-buildpackage, dh-dkms, lintian', onPath('dpkg-buildpackage') && onPath('dh_dkms') && onPath('lintian'));
const hasMakepkg = realComponent('makepkg and bsdtar', onPath('makepkg') && onPath('bsdtar'));
const hasKernelSource = realComponent('linux-source-6.1 (checkpatch.pl)', existsSync('/usr/src/linux-source-6.1.tar.xz'));
const isRoot = process.getuid?.() === 0;

const NAME = `qk-t${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
const MODULE = NAME.replace(/-/g, '_');
const VERSION = '1.0';

/** The curated database plus one quirk with every action type, made with `quirkctl add`. */
function workspace(): string {
  const ws = freshWorkspace();
  cpSync(path.join(REPO, 'quirks'), path.join(ws, 'quirks'), { recursive: true });
  const adds = [
    ['--id', 'every-action', '--title', 'Test device with every action', '--no-bus-reset', '--no-pm-reset', '--no-flr', '--no-d3', '--d3hot-delay', '120', '--rebind-on', 'suspend,hibernate', '--rebind-method', 'remove-rescan', '--settle-ms', '100', '--config-write', '7c.l=39d5e86b', '--when', 'before-reset'],
    ['--config-write', '40.b=01', '--when', 'on-load'],
    ['--config-write', '44.w=beef', '--when', 'after-resume'],
    ['--config-write', '48.l=0', '--when', 'before-rebind'],
  ];
  for (const a of adds) {
    const r = cli(['add', '8086:100e', ...a], { cwd: ws });
    if (r.code !== 0) throw new Error(r.stderr);
  }
  return ws;
}

let out = '';

beforeAll(() => {
  if (!hasDkms && !hasDeb && !hasMakepkg && !hasKernelSource) return;
  const ws = workspace();
  out = path.join(tempDir(), 'out');
  const args = ['dkms', '--all', '--name', NAME, '--version', VERSION, '--maintainer', 'Jane Doe <jane@example.org>', '--out', out];
  const formats = ['src', 'hook', ...(hasDeb ? ['deb'] : []), ...(hasMakepkg ? ['arch'] : [])];
  const r = cli([...args, '--format', formats.join(',')], { cwd: ws });
  if (r.code !== 0) throw new Error(`quirkctl dkms failed: ${r.stderr}`);
});

describe.runIf(hasDkms)(`dkms against the installed headers (${KERNEL})`, () => {
  const dkmsTree = (t: string) => ['--dkmstree', path.join(t, 'tree'), '--sourcetree', path.join(t, 'src'), '--installtree', path.join(t, 'inst')];

  it('adds, builds with zero warnings and installs the curated database plus every action type; dkms remove cleans up', () => {
    const t = tempDir();
    mkdirSync(path.join(t, 'inst', KERNEL!), { recursive: true });
    mkdirSync(path.join(t, 'tree'));
    cpSync(path.join(out, 'src'), path.join(t, 'src', `${NAME}-${VERSION}`), { recursive: true });
    const mv = ['-m', NAME, '-v', VERSION];
    for (const step of [['add', ...mv], ['build', ...mv, '-k', KERNEL!], ['install', ...mv, '-k', KERNEL!, '--no-depmod']]) {
      const r = run('dkms', [...step, ...dkmsTree(t)]);
      expect(r.status, `dkms ${step.join(' ')}: ${r.stdout}${r.stderr}`).toBe(0);
    }
    expect(run('dkms', ['status', '-m', NAME, ...dkmsTree(t)]).stdout).toContain(`${NAME}/${VERSION}, ${KERNEL}, x86_64: installed`);
    const log = readFileSync(path.join(t, 'tree', NAME, VERSION, KERNEL!, 'x86_64', 'log', 'make.log'), 'utf8');
    expect(log).toContain(`LD [M]  ${path.join(t, 'tree', NAME, VERSION, 'build', `${MODULE}.ko`)}`);
    expect(log).not.toMatch(/warning|error/i);

    const ko = path.join(t, 'inst', KERNEL!, 'updates', 'dkms', `${MODULE}.ko`);
    const info = run('modinfo', [ko]).stdout;
    for (const alias of ['pci:v00001002d0000AAF0sv*sd*bc*sc*i*', 'pci:v00001002d000067DFsv*sd*bc*sc*i*', 'pci:v00001F9Dd00001100sv*sd*bc*sc*i*', 'pci:v00008086d00007360sv*sd*bc*sc*i*', 'pci:v00008086d0000100Esv*sd*bc*sc*i*']) {
      expect(info).toContain(`alias:          ${alias}\n`);
    }
    expect(info).toMatch(/\nparm: +disable:quirks to leave off, by id, comma-separated \(amd-polaris-hdmi-audio-no-bus-reset, .*every-action.*\) \(charp\)\n/);
    expect(info).toContain(`\nversion:        ${VERSION}\n`);

    const rm = run('dkms', ['remove', ...mv, '--all', '--no-depmod', ...dkmsTree(t)]);
    expect(rm.status, rm.stdout + rm.stderr).toBe(0);
    expect(run('dkms', ['status', '-m', NAME, ...dkmsTree(t)]).stdout.trim()).toBe('');
    expect(existsSync(ko)).toBe(false);
    expect(readdirSync(path.join(t, 'tree'))).toEqual([]);
  });

  it('builds with zero warnings at W=1', () => {
    const dir = path.join(tempDir(), 'src');
    cpSync(path.join(out, 'src'), dir, { recursive: true });
    const r = run('make', ['-C', dir, `KDIR=/lib/modules/${KERNEL}/build`, 'W=1']);
    expect(r.status, r.stderr).toBe(0);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/warning|error/i);
    expect(existsSync(path.join(dir, `${MODULE}.ko`))).toBe(true);
  });

  it('does not build for a kernel outside BUILD_EXCLUSIVE_KERNEL (dkms 3.0.10 reads the regex alone)', () => {
    const ws = freshWorkspace();
    expect(cli(['add', '1f9d:1100', '--rebind-on-resume', '--kernels', '>=6.2', '--id', 'newer'], { cwd: ws }).code).toBe(0);
    const t = tempDir();
    const name = `${NAME}-x`;
    expect(cli(['dkms', 'newer', '--format', 'src', '--name', name, '--version', VERSION, '--out', path.join(t, 'out')], { cwd: ws }).code).toBe(0);
    mkdirSync(path.join(t, 'tree'));
    mkdirSync(path.join(t, 'inst', KERNEL!), { recursive: true });
    cpSync(path.join(t, 'out', 'src'), path.join(t, 'src', `${name}-${VERSION}`), { recursive: true });
    expect(run('dkms', ['add', '-m', name, '-v', VERSION, ...dkmsTree(t)]).status).toBe(0);
    const r = run('dkms', ['build', '-m', name, '-v', VERSION, '-k', KERNEL!, ...dkmsTree(t)]);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('BUILD_EXCLUSIVE directive which does not match this kernel');
  });
});

describe.runIf(hasDeb && hasDkms)('the .deb', () => {
  const pkg = `${NAME}-dkms`;
  const installed = () => run('dpkg-query', ['-W', '-f=${Status}', pkg]).stdout.includes('install ok installed');

  afterAll(() => {
    if (installed()) run('dpkg', ['--purge', pkg]);
  });

  it('passes lintian with no errors', () => {
    const deb = path.join(out, 'deb', `${pkg}_${VERSION}_all.deb`);
    const r = run('lintian', ['--fail-on', 'error', deb]);
    expect(r.stdout).not.toMatch(/^E: /m);
    expect(r.status, r.stdout).toBe(0);
  });

  it.runIf(isRoot)('makes dkms build and install the module on dpkg -i, and dpkg -r removes it', () => {
    const deb = path.join(out, 'deb', `${pkg}_${VERSION}_all.deb`);
    const ko = `/lib/modules/${KERNEL}/updates/dkms/${MODULE}.ko`;
    const i = run('dpkg', ['-i', deb]);
    expect(i.status, i.stdout + i.stderr).toBe(0);
    expect(run('dkms', ['status', '-m', NAME]).stdout).toContain(`${NAME}/${VERSION}, ${KERNEL}, x86_64: installed`);
    expect(existsSync(ko)).toBe(true);
    expect(existsSync(`/usr/src/${NAME}-${VERSION}/dkms.conf`)).toBe(true);
    const r = run('dpkg', ['-r', pkg]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(run('dkms', ['status', '-m', NAME]).stdout.trim()).toBe('');
    expect(existsSync(ko)).toBe(false);
    expect(existsSync(`/usr/src/${NAME}-${VERSION}`)).toBe(false);
    expect(existsSync(`/var/lib/dkms/${NAME}`)).toBe(false);
  });
});

describe.runIf(hasMakepkg)('the Arch package', () => {
  it('is built by makepkg and holds the sources and dkms.conf under /usr/src/<name>-<version>', () => {
    const pkg = path.join(out, 'arch', `${NAME}-dkms-${VERSION}-1-any.pkg.tar.zst`);
    const files = run('bsdtar', ['-tf', pkg]).stdout.split('\n');
    for (const f of ['dkms.conf', 'Makefile', `${MODULE}.c`]) expect(files).toContain(`usr/src/${NAME}-${VERSION}/${f}`);
    const conf = run('bsdtar', ['-xOf', pkg, `usr/src/${NAME}-${VERSION}/dkms.conf`]).stdout;
    expect(conf).toBe(readFileSync(path.join(out, 'src', 'dkms.conf'), 'utf8'));
  });

  it('has the .SRCINFO that makepkg --printsrcinfo prints', () => {
    // makepkg refuses root; run it as nobody in a directory nobody owns.
    const dir = tempDir();
    cpSync(path.join(out, 'arch'), dir, { recursive: true });
    let r: SpawnSyncReturns<string>;
    if (isRoot) {
      for (const f of ['', ...readdirSync(dir)]) chownSync(path.join(dir, f), 65534, 65534);
      r = run('runuser', ['-u', 'nobody', '--', 'makepkg', '--printsrcinfo'], { cwd: dir });
    } else {
      r = run('makepkg', ['--printsrcinfo'], { cwd: dir });
    }
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(path.join(out, 'arch', '.SRCINFO'), 'utf8')).toBe(r.stdout);
  });
});

/** checkpatch.pl and its data files from Debian's linux-source tarball, extracted once. */
function checkpatch(): string {
  const cache = path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'quirkctl-test', 'checkpatch-6.1');
  const script = path.join(cache, 'scripts', 'checkpatch.pl');
  if (existsSync(script)) return script;
  const tmp = `${cache}.tmp-${process.pid}`;
  mkdirSync(tmp, { recursive: true });
  execFileSync('tar', ['-xJf', '/usr/src/linux-source-6.1.tar.xz', '-C', tmp, '--strip-components=1', 'linux-source-6.1/scripts/checkpatch.pl', 'linux-source-6.1/scripts/spelling.txt', 'linux-source-6.1/scripts/const_structs.checkpatch']);
  try {
    renameSync(tmp, cache);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another run got there first
  }
  return script;
}

describe.runIf(hasKernelSource)("the kernel's checkpatch.pl", () => {
  it('finds nothing in the module but the LINUX_VERSION_CODE guards an out-of-tree module needs', () => {
    const r = run('perl', [checkpatch(), '--no-tree', '--strict', '--terse', '-f', path.join(out, 'src', `${MODULE}.c`)]);
    const findings = r.stdout.split('\n').filter((l) => /: (ERROR|WARNING|CHECK):/.test(l));
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) expect(f).toMatch(/WARNING: (LINUX_VERSION_CODE should be avoided|Comparisons should place the constant on the right side)/);
  }, 180_000);
});
