// Benchmark for issue 3 (kernel patches): how long the real-tree fixture takes to build
// cold, what `quirkctl patch`, `check` and `series recipients` cost on it, and what a
// build of drivers/pci/quirks.o with the generated reset method costs with the cheapest
// configuration that compiles quirks.c (allnoconfig + CONFIG_64BIT + CONFIG_PCI) and with
// defconfig. With --full it also builds a git repository of the whole tarball (~80,000
// files) and times `patch` against it, which is what the sparse worktree is for.
// Usage: node bench/kernel-patch.mjs [--full]
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, report } from './lib.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const TARBALL = process.env.KERNEL_TARBALL ?? '/usr/src/linux-source-6.1.tar.xz';
const work = mkdtempSync(path.join(tmpdir(), 'quirkctl-bench-kernel-'));
const seconds = (t0) => ((Date.now() - t0) / 1000).toFixed(1);
const git = (dir, ...args) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });

try {
  // 1. The fixture, cold: a cache directory of its own.
  let t0 = Date.now();
  const cached = execFileSync('bash', [path.join(REPO, 'scripts/make-kernel-tree.sh'), path.join(work, 'cache')], { encoding: 'utf8' }).trim();
  console.log(`make-kernel-tree.sh, cold: ${seconds(t0)} s (${git(cached, 'ls-files').split('\n').length - 1} files)`);
  t0 = Date.now();
  execFileSync('bash', [path.join(REPO, 'scripts/make-kernel-tree.sh'), path.join(work, 'cache')]);
  console.log(`make-kernel-tree.sh, cached: ${seconds(t0)} s`);

  // 2. The commands, on a clone of it.
  const tree = path.join(work, 'linux');
  execFileSync('git', ['clone', '--quiet', cached, tree]);
  git(tree, 'config', 'user.name', 'Bench Mark');
  git(tree, 'config', 'user.email', 'bench@example.org');
  const ws = path.join(work, 'ws');
  execFileSync(process.execPath, [path.join(REPO, 'dist/cli/main.js'), 'init', ws]);
  for (const f of readdirSync(path.join(REPO, 'quirks'))) copyFileSync(path.join(REPO, 'quirks', f), path.join(ws, 'quirks', f));
  report('quirkctl patch amd-polaris-no-bus-reset (2 patches, fixture tree)', measure(['patch', 'amd-polaris-no-bus-reset', '--tree', tree], { runs: 5, cwd: ws }));
  report('quirkctl check amd-polaris-no-bus-reset (checkpatch --strict --codespell, 2 patches)', measure(['check', 'amd-polaris-no-bus-reset', '--tree', tree], { runs: 5, cwd: ws }));
  report('quirkctl series recipients amd-polaris-no-bus-reset', measure(['series', 'recipients', 'amd-polaris-no-bus-reset', '--tree', tree], { runs: 5, cwd: ws }));
  report('quirkctl series rebase-check (2 patches, 2 refs)', measure(['series', 'rebase-check', 'amd-polaris-no-bus-reset', '--tree', tree, '--refs', 'HEAD,HEAD'], { runs: 5, cwd: ws }));

  // 3. drivers/pci/quirks.o with the series applied.
  execFileSync(process.execPath, [path.join(REPO, 'dist/cli/main.js'), 'series', 'apply', 'amd-polaris-no-bus-reset', '--tree', tree, '--branch', 'bench'], { cwd: ws });
  const fragment = path.join(work, 'pci.config');
  writeFileSync(fragment, 'CONFIG_64BIT=y\nCONFIG_PCI=y\n');
  // Two fresh object directories per configuration; the build includes objtool and scripts/.
  for (const [name, config] of [['allnoconfig + 64BIT + PCI', [`KCONFIG_ALLCONFIG=${fragment}`, 'allnoconfig']], ['x86_64 defconfig', ['defconfig']]]) {
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const src = path.join(work, `src-${config.at(-1)}-${i}`);
      const obj = path.join(work, `obj-${config.at(-1)}-${i}`);
      mkdirSync(obj);
      git(tree, 'worktree', 'add', '--quiet', src, 'bench');
      t0 = Date.now();
      execFileSync('make', ['-s', '-C', src, `O=${obj}`, ...config], { stdio: 'ignore' });
      const configured = (Date.now() - t0) / 1000;
      t0 = Date.now();
      execFileSync('make', ['-s', '-C', src, `O=${obj}`, `-j${cpus().length}`, 'drivers/pci/quirks.o'], { stdio: 'ignore' });
      runs.push([configured, (Date.now() - t0) / 1000]);
      git(tree, 'worktree', 'remove', '--force', src);
    }
    console.log(`quirks.o, ${name} (-j${cpus().length}, 2 cold builds): config ${runs.map((r) => r[0].toFixed(1)).join(' / ')} s, build ${runs.map((r) => r[1].toFixed(1)).join(' / ')} s`);
  }

  // 4. Optional: the whole kernel as one git repository, as a user's clone is.
  if (process.argv.includes('--full')) {
    const full = path.join(work, 'full');
    mkdirSync(full);
    t0 = Date.now();
    execFileSync('tar', ['-xJf', TARBALL, '-C', full, '--strip-components=1']);
    git(full, 'init', '--quiet');
    git(full, 'add', '-A', '-f', '.');
    git(full, '-c', 'user.name=x', '-c', 'user.email=x@example.org', 'commit', '--quiet', '-m', 'full');
    git(full, 'config', 'user.name', 'Bench Mark');
    git(full, 'config', 'user.email', 'bench@example.org');
    console.log(`full tree as a git repository: ${seconds(t0)} s (${git(full, 'ls-files').split('\n').length - 1} files)`);
    const ws2 = path.join(work, 'ws2');
    execFileSync(process.execPath, [path.join(REPO, 'dist/cli/main.js'), 'init', ws2]);
    for (const f of readdirSync(path.join(REPO, 'quirks'))) copyFileSync(path.join(REPO, 'quirks', f), path.join(ws2, 'quirks', f));
    report('quirkctl patch amd-polaris-no-bus-reset (whole kernel tree, sparse worktree)', measure(['patch', 'amd-polaris-no-bus-reset', '--tree', full], { runs: 5, cwd: ws2 }));
    t0 = Date.now();
    const r = spawnSync('git', ['-C', full, 'worktree', 'add', '--quiet', '--detach', path.join(work, 'fullwt'), 'HEAD']);
    console.log(`for comparison, a full git worktree add of it: ${seconds(t0)} s (exit ${r.status})`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
