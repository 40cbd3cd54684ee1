// Benchmark for the DKMS issue: `quirkctl dkms --all --format all --no-build` over the
// curated database (this repository's quirks/). Target: under 1 s, builds excluded.
// Also times the pure part in-process: planning and rendering every file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, report } from './lib.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'quirkctl-bench-dkms-'));
try {
  const args = ['--workspace', REPO, 'dkms', '--all', '--format', 'all', '--no-build', '--version', '1.0', '--maintainer', 'Bench Mark <bench@example.org>', '--out', path.join(dir, 'out')];
  measure(args, { runs: 1 }); // warm the file cache
  const cli = measure(args, { runs: 15 });

  const { openWorkspace } = await import('../dist/workspace/workspace.js');
  const { loadEntries } = await import('../dist/quirks/index-cache.js');
  const { planPackage } = await import('../dist/dkms/model.js');
  const { renderPackage } = await import('../dist/dkms/render.js');
  const quirks = loadEntries(openWorkspace({ workspace: REPO })).map((e) => e.quirk);
  const times = [];
  let files = 0;
  for (let i = 0; i < 50; i++) {
    const t0 = process.hrtime.bigint();
    const plan = planPackage(quirks, { name: 'quirkctl-workarounds', version: '1.0', maintainer: 'Bench Mark <bench@example.org>', date: new Date() });
    files = renderPackage(plan, ['src', 'deb', 'arch', 'hook']).length;
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);

  console.log(`quirkctl dkms over the curated database, ${quirks.length} quirks, ${files} files (node ${process.version}, ${process.platform}/${process.arch})`);
  report('dkms --all --format all --no-build (whole process)', cli, '< 1000 ms');
  console.log(`plan + render in-process: median ${times[25].toFixed(1)} ms (min ${times[0].toFixed(1)}, ${times.length} runs; templates are read from disk each time)`);
  const ok = cli.medianMs < 1000 && cli.maxMs < 1000;
  console.log(ok ? 'within target' : 'OVER TARGET');
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
