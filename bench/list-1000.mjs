// Benchmark for the foundation issue: `quirkctl list` over a workspace of 1,000 quirks.
// Target: under 0.5 s wall time and 150 MB peak memory. Also checks that list does not
// load the mail modules (nodemailer, mailparser).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { measure, report } from './lib.mjs';

const N = Number(process.env.QUIRKS ?? 1000);
const root = mkdtempSync(path.join(tmpdir(), 'quirkctl-bench-'));
writeFileSync(path.join(root, 'quirkctl.yaml'), 'version: 1\n');
mkdirSync(path.join(root, 'quirks'));

const actionSets = [
  ['  - rebind: { around: [ suspend, hibernate ] }'],
  ['  - no-bus-reset', '  - config-write: { offset: 0x7c, width: 32, value: 0x39d5e86b, when: before-reset }'],
  ['  - no-flr', '  - d3hot-delay: { ms: 120 }'],
  ['  - rebind: { around: [ hibernate ], method: remove-rescan, settle-ms: 500 }', '  - no-d3'],
];
for (let i = 0; i < N; i++) {
  const vendor = (0x1000 + (i >> 8)).toString(16);
  const device = (i & 0xff).toString(16).padStart(4, '0');
  const id = `bench-${vendor}-${device}`;
  const text = `---
# generated for the list benchmark
id: ${id}
title: Benchmark device ${vendor}:${device} loses state across suspend
match: { vendor: 0x${vendor}, device: 0x${device} }
driver: bench_${i % 17}
actions:
${actionSets[i % actionSets.length].join('\n')}
kernels: ">=5.4 <6.${i % 20}"
upstream: { state: ${['none', 'sent', 'reviewed', 'merged'][i % 4]}${i % 4 === 3 ? ', fixed-in: [ 6.14, 6.12.9 ]' : ''} }
references:
  - https://lore.kernel.org/all/bench-${i}@example.org/
---
## Symptom

The device stops answering after resume; dmesg shows a DMA timeout.

## Why this workaround

Rebinding the driver re-runs probe, which reloads the firmware.
`;
  writeFileSync(path.join(root, 'quirks', `${id}.md`), text);
}

try {
  // Files written less than a second ago are not indexed (see src/quirks/index-cache.ts).
  await new Promise((r) => setTimeout(r, 1100));
  const indexFile = path.join(root, '.quirkctl', 'index.json');
  const cold = { runs: 0, times: [], peak: 0 };
  for (let i = 0; i < 10; i++) {
    rmSync(indexFile, { force: true });
    const r = measure(['list'], { runs: 1, cwd: root });
    cold.times.push(r.medianMs);
    cold.peak = Math.max(cold.peak, r.peakRssMb);
  }
  cold.times.sort((a, b) => a - b);
  const coldResult = { runs: 10, medianMs: cold.times[5], minMs: cold.times[0], maxMs: cold.times[9], peakRssMb: cold.peak };
  measure(['list'], { runs: 1, cwd: root }); // builds the index
  const table = measure(['list'], { runs: 15, cwd: root });
  const json = measure(['list', '--json'], { runs: 15, cwd: root });
  console.log(`quirkctl list over ${N} quirks (node ${process.version}, ${process.platform}/${process.arch})`);
  report('list, no index (every file parsed and validated)', coldResult, '< 500 ms, < 150 MB');
  report('list, index up to date', table, '< 500 ms, < 150 MB');
  report('list --json, index up to date', json, '< 500 ms, < 150 MB');
  const ok = [coldResult, table, json].every((r) => r.medianMs < 500 && r.peakRssMb < 150);
  console.log(ok ? 'within target' : 'OVER TARGET');
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}
