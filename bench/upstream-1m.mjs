// Benchmark for the upstream-status issue: `quirkctl upstream` for 100 patches against a
// synthetic mainline of 1,000,000 commits made with `git fast-import` (kernel-like paths,
// Link: trailers, release and -rc tags), the target patches somewhere in the middle.
// Targets: under 60 s cold, under 5 s warm. Also times the naive approach, `git log -p |
// git patch-id --stable` over every commit, and reports the ratio.
//
// The repository is cached in ${XDG_CACHE_HOME:-~/.cache}/quirkctl-bench/; COMMITS=N makes
// a smaller one (then the numbers are not the benchmark's). NAIVE=0 skips the naive run.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { CLI } from './lib.mjs';

const N = Number(process.env.COMMITS ?? 1_000_000);
const TARGETS = 100;
const cache = path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'quirkctl-bench');
const repo = path.join(cache, `mainline-${N}`);

// A small deterministic PRNG, so every run builds the same history.
let seed = 0x9e3779b9;
function rand() {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(rand() * list.length)];

const DIRS = {
  'arch/x86/kernel': 40, 'arch/x86/mm': 20, 'arch/arm64/kernel': 30, 'arch/riscv/kernel': 15,
  'drivers/pci': 25, 'drivers/pci/controller': 30, 'drivers/pci/pcie': 12, 'drivers/gpu/drm/amd/amdgpu': 60,
  'drivers/gpu/drm/i915': 60, 'drivers/net/ethernet/intel/e1000e': 15, 'drivers/net/ethernet/mellanox/mlx5/core': 50,
  'drivers/net/wireless/ath/ath9k': 30, 'drivers/net/wwan/iosm': 20, 'drivers/usb/core': 20, 'drivers/usb/host': 30,
  'drivers/nvme/host': 15, 'drivers/scsi': 40, 'drivers/vfio/pci': 10, 'fs/ext4': 35, 'fs/btrfs': 50, 'fs/xfs': 50,
  'fs/nfs': 30, 'mm': 60, 'kernel/sched': 20, 'kernel/power': 15, 'kernel/bpf': 30, 'net/core': 40, 'net/ipv4': 60,
  'net/ipv6': 40, 'include/linux': 120, 'include/uapi/linux': 40, 'sound/pci/hda': 30, 'sound/soc/codecs': 80,
  'tools/perf/util': 60, 'Documentation/admin-guide': 30,
};
const SUBSYS = { arch: 'x86', drivers: 'drivers', fs: 'fs', mm: 'mm', kernel: 'sched', net: 'net', include: 'treewide', sound: 'ALSA', tools: 'perf', Documentation: 'docs' };
const FILES = [];
for (const [dir, n] of Object.entries(DIRS)) {
  for (let i = 0; i < n; i++) FILES.push(`${dir}/${dir.split('/').pop()}_${i}.${dir.startsWith('include') ? 'h' : dir.startsWith('Doc') ? 'rst' : 'c'}`);
}
const QUIRKS = 'drivers/pci/quirks.c';
FILES.push(QUIRKS);
const AUTHORS = Array.from({ length: 500 }, (_, i) => ({ name: `Dev Eloper${i}`, email: `dev${i}@example.org` }));
const VERBS = ['Fix', 'Add', 'Remove', 'Use', 'Avoid', 'Clean up', 'Rework', 'Convert', 'Drop', 'Handle'];

const tagAt = new Map();
{
  // About a dozen release cycles (80k commits each at 1M): -rc1..-rc7 spread over the cycle, then the release.
  const cycle = Math.max(800, Math.floor(N / 12.5 / 8) * 8);
  let major = 5;
  let minor = 0;
  for (let c = cycle; c <= N; c += cycle) {
    for (let rc = 1; rc <= 7; rc++) tagAt.set(c - cycle + (rc * cycle) / 8, `v${major}.${minor + 1}-rc${rc}`);
    minor++;
    tagAt.set(c, `v${major}.${minor}`);
    if (minor === 19) {
      major++;
      minor = 0;
    }
  }
}
// Target patches: commits in the middle of history, one in 50, most on quirks.c.
const first = Math.floor(N / 2);
const targetAt = new Map(Array.from({ length: TARGETS }, (_, i) => [first + i * 50, i]));

function subjectFor(file, n) {
  const top = file.split('/')[0];
  const sub = file.startsWith('drivers/') ? file.split('/')[1] : SUBSYS[top] ?? top;
  return `${sub}: ${pick(VERBS)} ${path.basename(file, path.extname(file))} handling ${n}`;
}

async function generate() {
  rmSync(repo, { recursive: true, force: true });
  mkdirSync(repo, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'master', repo]);
  const fi = spawn('git', ['fast-import', '--quiet', '--done'], { cwd: repo, stdio: ['pipe', 'inherit', 'inherit'] });
  const done = new Promise((resolve, reject) => fi.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`fast-import exited ${code}`)))));
  const versions = new Map();
  let buf = [];
  let size = 0;
  const flush = async () => {
    if (!fi.stdin.write(buf.join(''))) await new Promise((r) => fi.stdin.once('drain', r));
    buf = [];
    size = 0;
  };
  const emit = (s) => {
    buf.push(s);
    size += s.length;
  };
  const data = (s) => `data ${Buffer.byteLength(s)}\n${s}\n`;
  let time = 1_400_000_000;
  for (let c = 1; c <= N; c++) {
    const target = targetAt.has(c);
    const file = target && targetAt.get(c) % 5 !== 0 ? QUIRKS : pick(FILES);
    const v = (versions.get(file) ?? 0) + 1;
    versions.set(file, v);
    const lines = [`// SPDX-License-Identifier: GPL-2.0`, `/* ${file} */`];
    for (let k = Math.max(1, v - 7); k <= v; k++) lines.push(`static int ${path.basename(file).replace(/\W/g, '_')}_v${k} = ${k};`);
    const author = pick(AUTHORS);
    time += 30 + Math.floor(rand() * 60);
    const subject = target ? `PCI: Target change ${c} for benchmark` : subjectFor(file, c);
    const link = target ? targetAt.get(c) % 3 === 0 : rand() < 0.5;
    const msgid = `${20150101 + (c % 1000)}-bench-v1-1-${c.toString(16).padStart(12, '0')}@example.org`;
    const message = `${subject}\n\nChange ${c} of the synthetic history.\n\n${link ? `Link: https://lore.kernel.org/r/${msgid}\n` : ''}Signed-off-by: ${author.name} <${author.email}>\n`;
    emit(`commit refs/heads/master\nmark :${c}\nauthor ${author.name} <${author.email}> ${time} +0000\ncommitter Linus T <torvalds@example.org> ${time} +0000\n${data(message)}`);
    if (c > 1) emit(`from :${c - 1}\n`);
    emit(`M 100644 inline ${file}\n${data(`${lines.join('\n')}\n`)}`);
    const tag = tagAt.get(c);
    if (tag) emit(`reset refs/tags/${tag}\nfrom :${c}\n\n`);
    if (size > 1 << 20) await flush();
    if (c % 100_000 === 0) process.stderr.write(`  fast-import: ${c} commits\n`);
  }
  emit('done\n');
  await flush();
  fi.stdin.end();
  await done;
  execFileSync('git', ['-C', repo, 'reset', '-q', '--hard', 'master']);
  writeFileSync(path.join(repo, '.git', 'bench-complete'), `${N}\n`);
}

function git(args, opts = {}) {
  return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
}

/** A workspace with one series per target commit, patches made with git format-patch. */
function workspace() {
  const ws = path.join(cache, `ws-${N}`);
  rmSync(ws, { recursive: true, force: true });
  mkdirSync(path.join(ws, 'series'), { recursive: true });
  writeFileSync(path.join(ws, 'quirkctl.yaml'), `version: 1\nupstream:\n  mainline: ${repo}\n`);
  const shas = git(['log', '--format=%H %s', '--grep=PCI: Target change', '-F']).trim().split('\n');
  shas.forEach((line, i) => {
    const [sha] = line.split(' ');
    const c = Number(/change (\d+)/.exec(line)[1]);
    let text = git(['format-patch', '-1', '--stdout', sha]);
    // A third found by Link:, a third by patch-id (subject rewritten), a third by subject only (hunk changed).
    const how = targetAt.get(c) % 3 === 0 ? 'link' : targetAt.get(c) % 3 === 1 ? 'patch-id' : 'subject';
    if (how === 'patch-id') text = text.replace(/^Subject: \[PATCH\] .*$/m, `Subject: [PATCH] PCI: Originally posted change ${c}`);
    if (how === 'subject') text = text.replace(/^\+(static int .* = )(\d+);$/m, (_m, a, n) => `+${a}${Number(n) + 1000};`);
    const slug = `target-${c}`;
    const name = `0001-target-${c}.patch`;
    mkdirSync(path.join(ws, 'patches', slug), { recursive: true });
    writeFileSync(path.join(ws, 'patches', slug, name), text);
    const msgid = `${20150101 + (c % 1000)}-bench-v1-1-${c.toString(16).padStart(12, '0')}@example.org`;
    const history = how === 'link' ? `history:\n  - { revision: 1, date: 2015-01-01T00:00:00Z, patches: [ ${msgid} ] }\n` : '';
    writeFileSync(path.join(ws, 'series', `${slug}.md`), `---\nsubject: "PCI: Target change ${c}"\nchange-id: 20150101-${slug}-0123456789ab\nrevision: 1\npatches: [ ${name} ]\nstate: sent\n${history}---\n`);
  });
  return { ws, count: shas.length };
}

function timeCli(args, cwd) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`quirkctl ${args.join(' ')}: ${r.stderr}`);
  return { s, out: r.stdout };
}

if (!existsSync(path.join(repo, '.git', 'bench-complete'))) {
  process.stderr.write(`building a ${N}-commit repository in ${repo} (once)\n`);
  const t0 = Date.now();
  await generate();
  process.stderr.write(`  built in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
}
const { ws, count } = workspace();
const commits = Number(git(['rev-list', '--count', 'HEAD']).trim());
const graph = existsSync(path.join(repo, '.git', 'objects', 'info', 'commit-graph'));

rmSync(path.join(ws, '.quirkctl'), { recursive: true, force: true });
const cold = timeCli(['upstream', '--all', '--dry-run', '--json'], ws);
const warm = timeCli(['upstream', '--all', '--dry-run', '--json'], ws);
const results = JSON.parse(warm.out);
const found = results.flatMap((r) => r.patches).reduce((acc, p) => ({ ...acc, [p.mainline?.how ?? 'none']: (acc[p.mainline?.how ?? 'none'] ?? 0) + 1 }), {});

let naive;
if (process.env.NAIVE !== '0') {
  const t0 = process.hrtime.bigint();
  execFileSync('sh', ['-c', 'git log -p --no-merges --format="commit %H" | git patch-id --stable > /dev/null'], { cwd: repo });
  naive = Number(process.hrtime.bigint() - t0) / 1e9;
}

console.log(`quirkctl upstream, ${count} patches, mainline of ${commits} commits (${graph ? 'with' : 'without'} a commit-graph), node ${process.version}`);
console.log(`found by: ${JSON.stringify(found)}`);
console.log(`cold (no index): ${cold.s.toFixed(1)} s   [target < 60 s]`);
console.log(`warm (index up to date): ${warm.s.toFixed(2)} s   [target < 5 s]`);
if (naive !== undefined) console.log(`naive git log -p | git patch-id --stable over all commits: ${naive.toFixed(1)} s (${(naive / cold.s).toFixed(1)}x the cold run, ${(naive / warm.s).toFixed(0)}x the warm run)`);
