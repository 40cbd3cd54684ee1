// Benchmark for the build-matrix issue: `quirkctl build --all` over 4 targets with the
// bwrap runner, --jobs 2 against --jobs 1. The 4 targets share one Debian 12 root file
// system (made once, before timing, in the test cache); each builds the curated
// database's DKMS package with dkms against linux-headers-6.1.*-amd64. Target: --jobs 2
// finishes faster than --jobs 1.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI } from './lib.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const cache = process.env.QUIRKCTL_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'quirkctl-test', 'build');
const runs = Number(process.env.RUNS ?? 5);

const ws = mkdtempSync(path.join(tmpdir(), 'quirkctl-bench-build-'));
try {
  cpSync(path.join(REPO, 'quirks'), path.join(ws, 'quirks'), { recursive: true });
  const targets = ['a', 'b', 'c', 'd'].map((x) => `    - { name: debian-12-${x}, distro: debian, release: bookworm, runner: bwrap }\n`).join('');
  writeFileSync(path.join(ws, 'quirkctl.yaml'), `version: 1\nbuild:\n  targets:\n${targets}`);

  const build = (jobs) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [CLI, 'build', '--all', '--jobs', String(jobs), '--json'], { cwd: ws, env: { ...process.env, QUIRKCTL_CACHE_DIR: cache }, encoding: 'utf8', maxBuffer: 64 << 20 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`quirkctl build --jobs ${jobs} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    const cells = JSON.parse(r.stdout).cells;
    if (cells.length !== 4 || cells.some((c) => c.status !== 'passed')) throw new Error(`not 4 passed builds: ${JSON.stringify(cells)}`);
    return { ms, cellSeconds: cells.map((c) => c.seconds) };
  };

  const warm = build(2); // makes the root file system if the cache has none; not timed
  console.log(`warm-up (root file system made or found): ${(warm.ms / 1000).toFixed(1)} s`);
  const times = { 1: [], 2: [] };
  for (let i = 0; i < runs; i++) {
    for (const jobs of [1, 2]) times[jobs].push(build(jobs).ms);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const [one, two] = [median(times[1]), median(times[2])];
  const cpu = spawnSync('nproc', { encoding: 'utf8' }).stdout.trim();
  console.log(`quirkctl build --all over 4 bwrap targets (Debian 12, dkms 3.0.10, ${cpu} CPUs, node ${process.version}), ${runs} runs each, alternating`);
  for (const jobs of [1, 2]) {
    const xs = times[jobs];
    console.log(`--jobs ${jobs}: median ${(median(xs) / 1000).toFixed(2)} s (min ${(Math.min(...xs) / 1000).toFixed(2)}, max ${(Math.max(...xs) / 1000).toFixed(2)})`);
  }
  console.log(`ratio --jobs 1 / --jobs 2: ${(one / two).toFixed(2)}x`);
  const ok = two < one;
  console.log(ok ? 'within target (--jobs 2 is faster)' : 'OVER TARGET: --jobs 2 is not faster');
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(ws, { recursive: true, force: true });
}
