/**
 * `quirkctl upstream` against real git repositories shaped like mainline and stable.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelSatisfies } from '../../src/kernel/version.js';
import { detect } from '../../src/upstream/detect.js';
import { PatchFactsCache, trackedPatches } from '../../src/upstream/tracked.js';
import { readPatches, readSeries } from '../../src/series/store.js';
import { openWorkspace } from '../../src/workspace/workspace.js';
import { cli, freshWorkspace, REPO, tempDir, treeHash } from '../helpers/cli.js';
import { buildUpstreamRepos, run, type Patch, type UpstreamRepos } from '../helpers/upstream-repos.js';

function addSeries(ws: string, slug: string, patch: Patch, extra: { quirk?: string; messageId?: string } = {}): void {
  const name = `0001-${slug}.patch`;
  mkdirSync(path.join(ws, 'patches', slug), { recursive: true });
  writeFileSync(path.join(ws, 'patches', slug, name), patch.text);
  const history = extra.messageId ? `history:\n  - { revision: 1, date: 2026-11-01T10:00:00Z, patches: [ ${extra.messageId} ], source: sent }\n` : '';
  writeFileSync(
    path.join(ws, 'series', `${slug}.md`),
    `---\n# tracked by hand\nsubject: ${JSON.stringify(patch.subject)}\nchange-id: 20261101-${slug}-0123456789ab\nrevision: 2\npatches: [ ${name} ]\nstate: sent\n${extra.quirk ? `quirk: ${extra.quirk}\n` : ''}${history}---\n`,
  );
}

let repos: UpstreamRepos;
let ws: string;

function workspaceWithSeries(): string {
  const dir = freshWorkspace();
  for (const q of ['amd-polaris-no-bus-reset', 'amd-polaris-hdmi-audio-no-bus-reset']) copyFileSync(path.join(REPO, 'quirks', `${q}.md`), path.join(dir, 'quirks', `${q}.md`));
  addSeries(dir, 'polaris', repos.patches.link, { quirk: 'amd-polaris-no-bus-reset', messageId: repos.linkMessageId });
  addSeries(dir, 'flr', repos.patches.patchId);
  addSeries(dir, 'audio', repos.patches.fuzzy, { quirk: 'amd-polaris-hdmi-audio-no-bus-reset' });
  addSeries(dir, 'pending', repos.patches.pending);
  return dir;
}

beforeAll(() => {
  repos = buildUpstreamRepos();
  ws = workspaceWithSeries();
});

describe('quirkctl upstream', () => {
  it('finds each patch the way it landed, names the first tags, and marks the subject-only match fuzzy', () => {
    const r = cli(['upstream', '--all', '--mainline', repos.mainline, '--stable', repos.stable, '--json'], { cwd: ws });
    expect(r.stderr).toContain('indexing');
    expect(r.code).toBe(0);
    const bySlug = Object.fromEntries((JSON.parse(r.stdout) as { slug: string }[]).map((s) => [s.slug, s])) as Record<string, any>;

    expect(bySlug.polaris.patches[0].mainline).toEqual({ commit: repos.commits.link, how: 'message-id', fuzzy: false, tag: 'v6.2-rc1', release: '6.2' });
    expect(bySlug.polaris.patches[0].stable).toEqual([{ line: '6.1', commit: repos.commits.backport, tag: 'v6.1.5', release: '6.1.5' }]);
    expect(bySlug.polaris.merged).toEqual({ release: '6.2', tag: 'v6.2-rc1', fuzzy: false });
    expect(bySlug.polaris.stable).toEqual(['6.1.5']);

    expect(bySlug.flr.patches[0].mainline).toMatchObject({ commit: repos.commits.patchId, how: 'patch-id', fuzzy: false, tag: 'v6.2-rc1' });
    expect(bySlug.audio.patches[0].mainline).toMatchObject({ commit: repos.commits.fuzzy, how: 'subject', fuzzy: true, tag: 'v6.2', release: '6.2' });
    expect(bySlug.pending.patches[0].mainline).toBeUndefined();
    expect(bySlug.pending.merged).toBeUndefined();
  });

  it('records the series state and retires the workaround on kernels with the fix, but not on a fuzzy match', () => {
    const series = readFileSync(path.join(ws, 'series', 'polaris.md'), 'utf8');
    expect(series).toContain('# tracked by hand');
    expect(series).toContain('state: merged');
    expect(series).toMatch(/merged:\n {2}checked: \d{4}-\d\d-\d\dT[\d:]+Z\n {2}patches:\n {4}- file: 0001-polaris\.patch\n {6}commit: [0-9a-f]{40}\n {6}how: message-id\n {6}tag: v6\.2-rc1\n {6}stable:\n {8}- v6\.1\.5\n {2}release: "6\.2"\n {2}tag: v6\.2-rc1\n {2}stable:\n {4}- 6\.1\.5\n/);

    const quirk = JSON.parse(cli(['show', 'amd-polaris-no-bus-reset', '--json'], { cwd: ws }).stdout);
    expect(quirk.upstream).toEqual({ state: 'merged', thread: null, commit: repos.commits.link, 'fixed-in': ['6.1.5', '6.2'] });

    // The subject-only match is recorded in the series, but the quirk keeps building everywhere.
    expect(readFileSync(path.join(ws, 'series', 'audio.md'), 'utf8')).toMatch(/state: sent\n/);
    expect(JSON.parse(cli(['show', 'amd-polaris-hdmi-audio-no-bus-reset', '--json'], { cwd: ws }).stdout).upstream['fixed-in']).toEqual([]);
    const accepted = cli(['upstream', 'audio', '--mainline', repos.mainline, '--accept-fuzzy'], { cwd: ws });
    expect(accepted.stdout).toContain('audio: merged in v6.2 (fuzzy); quirk amd-polaris-hdmi-audio-no-bus-reset fixed-in 6.2');
    expect(JSON.parse(cli(['show', 'amd-polaris-hdmi-audio-no-bus-reset', '--json'], { cwd: ws }).stdout).upstream['fixed-in']).toEqual(['6.2']);
  });

  it('shows in quirkctl status', () => {
    const r = cli(['status', 'polaris'], { cwd: ws });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^SERIES +REV +STATE +LAST ACTIVITY +LORE\npolaris +v2 +merged in v6\.2; stable: 6\.1\.5 /);
    expect(JSON.parse(cli(['status', 'polaris', '--json'], { cwd: ws }).stdout)[0].upstream).toEqual({ release: '6.2', tag: 'v6.2-rc1', stable: ['6.1.5'], fuzzy: false });
    expect(cli(['status', 'polaris', '--markdown'], { cwd: ws }).stdout).toContain('- State: merged in v6.2; stable: 6.1.5\n');
  });

  it('prints a table and a line per series', () => {
    const r = cli(['upstream', 'polaris', '--mainline', repos.mainline, '--stable', repos.stable, '--dry-run'], { cwd: ws });
    expect(r.stderr).not.toContain('quirkctl:');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^SERIES +PATCH +FOUND BY +COMMIT +MAINLINE +STABLE\npolaris +0001-polaris\.patch +message-id +[0-9a-f]{12} +v6\.2-rc1 +6\.1\.5\n/);
    expect(r.stdout).toContain('polaris: merged in v6.2; stable: 6.1.5\n');
  });

  it('keeps an index so a second run reads no history, and a new commit costs one', async () => {
    const dir = workspaceWithSeries();
    const w = openWorkspace({ workspace: dir });
    const facts = PatchFactsCache.open(w.stateDir);
    const series = await Promise.all(
      ['polaris', 'flr', 'audio', 'pending'].map(async (slug) => {
        const doc = readSeries(w, slug);
        return { slug, patches: await trackedPatches(doc, readPatches(w, doc), facts) };
      }),
    );
    const first = await detect({ mainline: repos.mainline, cacheDir: w.stateDir, series });
    expect(first.stats.mainline.fullScan).toBe(true);
    expect(first.stats.mainline.commitsRead).toBeGreaterThan(5);
    const second = await detect({ mainline: repos.mainline, cacheDir: w.stateDir, series });
    expect(second.stats.mainline).toEqual({ commitsRead: 0, fullScan: false, pathsIndexed: [] });
    expect(second.results).toEqual(first.results);

    const clone = tempDir('quirkctl-mainline-next-');
    run(clone, ['clone', '-q', repos.mainline, '.']);
    writeFileSync(path.join(clone, 'README'), 'more\n');
    run(clone, ['add', 'README']);
    run(clone, ['commit', '-q', '-m', 'Add README']);
    const third = await detect({ mainline: clone, cacheDir: w.stateDir, series });
    expect(third.stats.mainline.fullScan).toBe(true); // another clone: another index
    writeFileSync(path.join(clone, 'README'), 'more and more\n');
    run(clone, ['commit', '-q', '-am', 'Grow README']);
    const fourth = await detect({ mainline: clone, cacheDir: w.stateDir, series });
    // The path index is extended over the one new commit, not rebuilt.
    expect(fourth.stats.mainline).toEqual({ commitsRead: 1, fullScan: false, pathsIndexed: ['drivers/pci/quirks.c'] });
  });
});

describe('the workaround retires itself', () => {
  it('after upstream, dkms builds for 6.1.x and 6.13.x but not for 6.14 or 6.12.9 and later 6.12 (property)', () => {
    // Merged for 6.14 (first in v6.14-rc1), backported to 6.12.9.
    const repos14 = buildUpstreamRepos({ base: 'v6.12', rc: 'v6.14-rc1', release: 'v6.14', stableBefore: 'v6.12.8', stableAfter: 'v6.12.9' });
    const dir = freshWorkspace();
    copyFileSync(path.join(REPO, 'quirks', 'amd-polaris-no-bus-reset.md'), path.join(dir, 'quirks', 'amd-polaris-no-bus-reset.md'));
    addSeries(dir, 'polaris', repos14.patches.link, { quirk: 'amd-polaris-no-bus-reset', messageId: repos14.linkMessageId });
    const up = cli(['upstream', 'polaris', '--mainline', repos14.mainline, '--stable', repos14.stable], { cwd: dir });
    expect(up.stdout).toContain('polaris: merged in v6.14; stable: 6.12.9; quirk amd-polaris-no-bus-reset fixed-in 6.12.9, 6.14\n');

    const out = path.join(tempDir(), 'pkg');
    const dkms = cli(['dkms', 'amd-polaris-no-bus-reset', '--format', 'src', '--no-build', '--json', '--out', out, '--maintainer', 'A Tester <a@example.org>'], { cwd: dir });
    expect(dkms.stderr).toBe('');
    const { kernels } = JSON.parse(dkms.stdout) as { kernels: { regex: string } };
    const conf = readFileSync(path.join(out, 'src', 'dkms.conf'), 'utf8');
    expect(conf).toContain(`BUILD_EXCLUSIVE_KERNEL="${kernels.regex}"`);
    const builds = new RegExp(kernels.regex);

    for (const r of ['6.1.192', '6.1.0-56-amd64', '6.13.7', '6.13.0-rc3', '6.12.8-arch1-1', '5.15.0-91-generic']) expect(builds.test(r), r).toBe(true);
    for (const r of ['6.14', '6.14.2-arch1-1', '6.14-rc1', '6.12.9', '6.12.10-1-lts', '6.15.0-1-amd64', '7.0.12']) expect(builds.test(r), r).toBe(false);

    // Against semver: built exactly where the quirk's range holds and no fixed-in release does.
    const needed = (r: string) => kernelSatisfies(r, '>=5.4') && !kernelSatisfies(r, '>=6.14') && !kernelSatisfies(r, '>=6.12.9 <6.13');
    const release = fc
      .tuple(fc.integer({ min: 4, max: 8 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 300 }), fc.constantFrom('', '-arch1-1', '-1-lts', '-45-generic', '-rc2', '-1234-azure', '.0-56-amd64'))
      .map(([a, b, c, suffix]) => (suffix === '-rc2' ? `${a}.${b}-rc2` : suffix === '.0-56-amd64' ? `${a}.${b}${suffix}` : `${a}.${b}.${c}${suffix}`));
    fc.assert(
      fc.property(release, (r) => {
        expect(builds.test(r), r).toBe(needed(r));
      }),
      { numRuns: 500 },
    );
  });
});

describe('quirkctl upstream refuses what cannot answer', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['a missing path', () => ['--mainline', '/nonexistent/linux'], /--mainline '\/nonexistent\/linux': no such directory/],
    ['a path that is not git', () => ['--mainline', tempDir()], /--mainline '.*': not a git repository/],
    [
      'a shallow clone',
      () => {
        const d = tempDir();
        run(d, ['clone', '-q', '--depth', '1', `file://${repos.mainline}`, '.']);
        return ['--mainline', d];
      },
      /a shallow clone cannot tell where commits landed; run 'git fetch --unshallow --tags'/,
    ],
    [
      'a clone without tags',
      () => {
        const d = tempDir();
        run(d, ['clone', '-q', '--no-tags', repos.mainline, '.']);
        return ['--mainline', d];
      },
      /no release tags \(v6\.1, v6\.2-rc1, \.\.\.\); run 'git fetch --tags'/,
    ],
    ['no mainline at all', () => [], /no mainline clone: pass --mainline PATH or set upstream\.mainline/],
    ['no series named', () => ['--mainline', repos.mainline, '--all', 'x'], /give a series slug or --all, not both/],
  ];
  it.each(cases)('%s: exit 2, series files unchanged', (_what, args, message) => {
    const dir = workspaceWithSeries();
    const before = treeHash(dir, ['.quirkctl']);
    const extra = args();
    const r = cli(['upstream', ...(extra.includes('--all') ? [] : ['--all']), ...extra], { cwd: dir });
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(treeHash(dir, ['.quirkctl'])).toBe(before);
  });

  it('follows upstream.mainline and upstream.stable from quirkctl.yaml', () => {
    const dir = workspaceWithSeries();
    writeFileSync(path.join(dir, 'quirkctl.yaml'), `version: 1\nupstream:\n  mainline: ${repos.mainline}\n  stable: ${repos.stable}\n`);
    const r = cli(['upstream', 'polaris'], { cwd: dir });
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toContain('polaris: merged in v6.2; stable: 6.1.5; quirk amd-polaris-no-bus-reset fixed-in 6.1.5, 6.2\n');
    execFileSync('true');
  });
});
