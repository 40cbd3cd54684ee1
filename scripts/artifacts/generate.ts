/**
 * Every artifact quirkctl generates for the bundled workspace and the test fixtures,
 * written into one folder: QUIRKS.md, `quirkctl dkms --all --format all --no-build`,
 * the kernel patches `quirkctl patch` makes against the test kernel tree, vm-test's
 * plan, module and guest /init, and `quirkctl series format` of the series fixtures.
 * Refactors that promise "the same output" diff two such folders (artifacts.test.ts).
 * Dates, identities and random ids are pinned or blanked, so that two runs on one
 * machine give the same bytes.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli, REPO, tempDir, type CliResult } from '../../test/helpers/cli.js';
import { cloneKernelTree, git } from '../../test/helpers/kernel-tree.js';
import { makeSeriesFixture } from '../../test/helpers/series-fixture.js';

const FIXTURES = path.join(REPO, 'test', 'fixtures', 'vm');
const EPOCH = '1790000000';
const RELEASE = '6.1.0-57-amd64';
/** The quirks of the fixture workspace that existed before the action modules (new ones are left out). */
const FIXTURE_QUIRKS = ['test-every-flag', 'test-remove-rescan'];

function pinnedEnv(home: string): NodeJS.ProcessEnv {
  return {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    GIT_CONFIG_NOSYSTEM: '1',
    TZ: 'UTC',
    LC_ALL: 'C.UTF-8',
    SOURCE_DATE_EPOCH: EPOCH,
    GIT_AUTHOR_DATE: `${EPOCH} +0000`,
    GIT_COMMITTER_DATE: `${EPOCH} +0000`,
    QUIRKCTL_CACHE_DIR: path.join(home, 'cache'),
  };
}

function home(): string {
  const dir = tempDir('quirkctl-artifacts-home-');
  writeFileSync(path.join(dir, '.gitconfig'), '[user]\n\tname = Artifact Maker\n\temail = maker@example.org\n[init]\n\tdefaultBranch = master\n');
  return dir;
}

/** A copy of a workspace that commands may change. */
function copyWorkspace(from: string): string {
  const dir = tempDir('quirkctl-artifacts-ws-');
  for (const name of ['quirkctl.yaml', 'quirks', 'templates', 'series', 'patches']) {
    try {
      cpSync(path.join(from, name), path.join(dir, name), { recursive: true });
    } catch {
      // a workspace may lack series/ or patches/
    }
  }
  mkdirSync(path.join(dir, 'series'), { recursive: true });
  mkdirSync(path.join(dir, 'patches'), { recursive: true });
  return dir;
}

/** change-ids, commit times and temporary paths differ on every run. */
function normalize(text: string, dirs: string[]): string {
  let t = text.replace(/(change-id:? )\d{8}-[a-z0-9-]+-[0-9a-f]{12}/g, '$1CHANGE-ID');
  // The kernel worktree's commits carry the time they were made (its git runs with an environment of its own).
  t = t.replace(/^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001$/gm, 'From COMMIT Mon Sep 17 00:00:00 2001').replace(/^Date: \w{3}, .*$/gm, 'Date: DATE');
  t = t.replace(/(-v\d+-\d+-)[0-9a-f]{12}@/g, '$1RANDOM@');
  for (const d of dirs) t = t.split(d).join('<TMP>');
  return t.replace(/\/tmp\/quirkctl-[A-Za-z0-9_-]+/g, '<TMP>');
}

function record(out: string, name: string, r: CliResult, dirs: string[] = []): void {
  writeFileSync(path.join(out, name), normalize(`exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`, dirs));
}

/** Copies a tree into `out/name`, normalizing every file. */
function copyTree(from: string, out: string, dirs: string[]): void {
  mkdirSync(out, { recursive: true });
  for (const name of readdirSync(from).sort()) {
    const p = path.join(from, name);
    if (statSync(p).isDirectory()) copyTree(p, path.join(out, name), dirs);
    else writeFileSync(path.join(out, name), normalize(readFileSync(p, 'utf8'), dirs));
  }
}

function docs(out: string, env: NodeJS.ProcessEnv): void {
  const r = cli(['docs', '-o', path.join(out, 'QUIRKS.md')], { env });
  record(out, 'docs.txt', r, [out]);
}

function dkms(out: string, env: NodeJS.ProcessEnv): void {
  const common = ['--format', 'all', '--no-build', '--version', '1.0', '--maintainer', 'Artifact Maker <maker@example.org>'];
  const bundled = path.join(out, 'dkms-bundled');
  record(out, 'dkms-bundled.txt', cli(['dkms', '--all', ...common, '--out', bundled], { env }), [out]);
  const fixtures = path.join(out, 'dkms-fixtures');
  record(out, 'dkms-fixtures.txt', cli(['-w', FIXTURES, 'dkms', ...FIXTURE_QUIRKS, ...common, '--out', fixtures], { env }), [out]);
  const each = path.join(out, 'dkms-each');
  for (const id of readdirSync(path.join(REPO, 'quirks')).map((f) => f.replace(/\.md$/, ''))) {
    record(out, `dkms-each-${id}.txt`, cli(['dkms', id, ...common, '--format', 'src,hook', '--out', path.join(each, id)], { env }), [out]);
  }
}

function patches(out: string, env: NodeJS.ProcessEnv): void {
  const tree = cloneKernelTree();
  const base = git(tree, 'rev-parse', 'HEAD').trim();
  const dirs = [tree];
  const runs: { ws: string; ids: string[]; label: string }[] = [
    { ws: REPO, ids: readdirSync(path.join(REPO, 'quirks')).map((f) => f.replace(/\.md$/, '')), label: 'bundled' },
    { ws: FIXTURES, ids: FIXTURE_QUIRKS, label: 'fixtures' },
  ];
  for (const run of runs) {
    for (const id of run.ids) {
      for (const stable of [false, true]) {
        const ws = copyWorkspace(run.ws);
        const name = `patch-${run.label}-${id}${stable ? '-stable' : ''}`;
        const r = cli(['-w', ws, 'patch', id, '--tree', tree, '--base', base, ...(stable ? ['--stable'] : [])], { env });
        record(out, `${name}.txt`, r, [...dirs, ws]);
        copyTree(path.join(ws, 'patches'), path.join(out, name, 'patches'), [...dirs, ws]);
        copyTree(path.join(ws, 'series'), path.join(out, name, 'series'), [...dirs, ws]);
        writeFileSync(path.join(out, name, 'quirk.md'), readFileSync(path.join(ws, 'quirks', `${id}.md`), 'utf8'));
      }
    }
  }
  // Two quirks in one series: the cover letter of a multi-patch series.
  const ws = copyWorkspace(REPO);
  const r1 = cli(['-w', ws, 'patch', 'amd-polaris-no-bus-reset', '--tree', tree, '--base', base, '--series', 'polaris'], { env });
  const r2 = cli(['-w', ws, 'patch', 'amd-polaris-hdmi-audio-no-bus-reset', '--tree', tree, '--series', 'polaris'], { env });
  record(out, 'patch-appended-1.txt', r1, [...dirs, ws]);
  record(out, 'patch-appended-2.txt', r2, [...dirs, ws]);
  copyTree(path.join(ws, 'patches'), path.join(out, 'patch-appended', 'patches'), [...dirs, ws]);
  copyTree(path.join(ws, 'series'), path.join(out, 'patch-appended', 'series'), [...dirs, ws]);
  // series new --from-quirk: the drafted cover letter.
  const nws = copyWorkspace(REPO);
  record(out, 'series-new-from-quirk.txt', cli(['-w', nws, 'series', 'new', 'metis', '--from-quirk', 'axelera-metis-s3-rebind'], { env }), [nws]);
  copyTree(path.join(nws, 'series'), path.join(out, 'series-new-from-quirk'), [nws]);
}

const COVER = `Polaris GPUs do not survive a **secondary bus reset**; see [the report][gist] and
the [kernel docs](https://docs.kernel.org/PCI/).

> A reset leaves config space reading all ones.
> Only a power cycle helps.

| device | id | reset |
| --- | --- | --- |
| Polaris 10 | 1002:67df | bus |
| HDMI audio | 1002:aaf0 | bus |

1. patch 1 marks the GPUs
2. patch 2 adds the reset — 長い名前 with wide characters that must wrap at display width, not at UTF-16 units

\`\`\`
[  12.3] amdgpu 0000:01:00.0: config space 0xffffffff
\`\`\`

[gist]: https://gist.github.com/shatsky/2c8959eb3b9d2528ee8a7b9f58467aa0
`;

function seriesFormat(out: string): void {
  const cases = [
    { name: 'three', o: { patches: 3 as const, tree: true } },
    { name: 'one', o: { patches: 1 as const } },
    { name: 'rich-cover', o: { patches: 3 as const, tree: true, cover: COVER, revision: 2 } },
  ];
  for (const c of cases) {
    const f = makeSeriesFixture(c.o);
    const env = { ...f.env, SOURCE_DATE_EPOCH: EPOCH };
    const dir = path.join(out, `series-format-${c.name}`);
    const r = cli(['-w', f.ws, 'series', 'format', f.slug, '-o', dir], { env });
    record(out, `series-format-${c.name}.txt`, r, [f.ws, f.repo, f.home, out]);
    const mbox = cli(['-w', f.ws, 'series', 'format', f.slug, '--mbox'], { env });
    record(out, `series-format-${c.name}-mbox.txt`, mbox, [f.ws, f.repo, f.home]);
    try {
      for (const name of readdirSync(dir)) writeFileSync(path.join(dir, name), normalize(readFileSync(path.join(dir, name), 'utf8'), [f.ws, f.repo, f.home]));
    } catch {
      // nothing written
    }
  }
}

interface Internals {
  workspaceAt(root: string, config: unknown): unknown;
  readConfig(root: string): unknown;
  loadEntries(ws: unknown): { quirk: { id: string } }[];
  moduleSources(quirks: unknown[], opts: object): { plan: { module: string; quirks: unknown[] }; files: { path: string; content: string }[] };
  planVm(plan: unknown, release: string): { module: string; steps: unknown[] };
  renderTemplate(name: string, data: object, templatesDir?: string): string;
}

/** The built modules vm-test uses, wherever the refactor put them. */
async function internals(): Promise<Internals> {
  const load = async (...candidates: string[]) => {
    for (const c of candidates) {
      try {
        return (await import(path.join(REPO, 'dist', c))) as Record<string, unknown>;
      } catch {
        // try the next place
      }
    }
    throw new Error(`none of ${candidates.join(', ')} in dist/`);
  };
  const ws = await load('workspace/workspace.js');
  const idx = await load('quirks/index-cache.js');
  const render = await load('dkms/render.js');
  const plan = await load('vm/plan.js');
  const tpl = await load('lib/templates.js');
  return {
    workspaceAt: ws.workspaceAt as Internals['workspaceAt'],
    readConfig: ws.readConfig as Internals['readConfig'],
    loadEntries: idx.loadEntries as Internals['loadEntries'],
    moduleSources: render.moduleSources as Internals['moduleSources'],
    planVm: plan.planVm as Internals['planVm'],
    renderTemplate: tpl.renderTemplate as Internals['renderTemplate'],
  };
}

async function vmPlans(out: string): Promise<void> {
  const x = await internals();
  const scenarios = [
    { name: 'metis', root: REPO, ids: ['axelera-metis-s3-rebind'], as: { vendor: 0x8086, device: 0x100e }, driver: 'e1000' },
    { name: 'bundled-all', root: REPO, ids: undefined, as: { vendor: 0x8086, device: 0x100e }, driver: 'e1000' },
    { name: 'every-flag', root: FIXTURES, ids: ['test-every-flag'], as: { vendor: 0x1af4, device: 0x1041 }, driver: 'virtio-pci' },
    { name: 'remove-rescan', root: FIXTURES, ids: ['test-remove-rescan'], as: { vendor: 0x8086, device: 0x100e }, driver: 'e1000' },
  ];
  for (const s of scenarios) {
    const ws = x.workspaceAt(s.root, x.readConfig(s.root));
    const entries = x.loadEntries(ws).filter((e) => (s.ids ? s.ids.includes(e.quirk.id) : true));
    const { plan, files } = x.moduleSources(
      entries.map((e) => e.quirk),
      { matchOverride: s.as, version: '1.0', date: new Date(Number(EPOCH) * 1000) },
    );
    const vm = x.planVm(plan, RELEASE);
    const dir = path.join(out, `vm-${s.name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'plan.json'), `${JSON.stringify(vm, null, 2)}\n`);
    for (const f of files) writeFileSync(path.join(dir, f.path), f.content);
    const hex = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;
    const init = x.renderTemplate('vm/init.sh', { nonce: 'NONCE', module: vm.module, device: { driver: s.driver, vendor: hex(s.as.vendor), device: hex(s.as.device) }, drivers: ['kernel/drivers/net/driver.ko'], steps: vm.steps, attrs: (vm as { attrs?: string[] }).attrs ?? [] });
    writeFileSync(path.join(dir, 'init.sh'), init);
  }
}

export async function generateArtifacts(out: string): Promise<void> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const env = pinnedEnv(home());
  docs(out, env);
  dkms(out, env);
  await vmPlans(out);
  seriesFormat(out);
  patches(out, env);
}
