// Shared by the benchmarks: run a command repeatedly, report wall time and peak memory.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const PROBE = fileURLToPath(new URL('./rss-probe.mjs', import.meta.url));

/** Runs `node CLI ...args` `runs` times; returns sorted wall times (ms) and the peak RSS (MB). */
export function measure(args, { runs = 10, cwd, env } = {}) {
  const times = [];
  let peakKb = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['--import', PROBE, CLI, ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`quirkctl ${args.join(' ')} exited ${r.status}: ${String(r.stderr).slice(0, 2000)}`);
    times.push(ms);
    peakKb = Math.max(peakKb, Number(String(r.output[3]).trim()));
  }
  times.sort((a, b) => a - b);
  return { runs, medianMs: times[Math.floor(runs / 2)], minMs: times[0], maxMs: times[runs - 1], peakRssMb: peakKb / 1024 };
}

export function report(name, r, target) {
  const line = `${name}: median ${r.medianMs.toFixed(0)} ms (min ${r.minMs.toFixed(0)}, max ${r.maxMs.toFixed(0)}, ${r.runs} runs), peak RSS ${r.peakRssMb.toFixed(1)} MB`;
  console.log(target ? `${line}  [target: ${target}]` : line);
}
