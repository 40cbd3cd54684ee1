/**
 * The cover diffstat counted from patch files, against what git itself prints for the
 * same change (a real repository): scaling, long names, renames, binaries, modes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { seriesDiffstat } from '../../src/series/diffstat.js';
import { parsePatchFile } from '../../src/series/patch-file.js';
import { tempDir } from '../helpers/cli.js';
import { realComponent } from '../helpers/real.js';

const hasGit = realComponent('git', spawnSync('git', ['--version']).status === 0);

function repo() {
  const dir = tempDir('quirkctl-stat-');
  const env = { ...process.env, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.org' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' });
  const write = (name: string, text: string | Buffer) => {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  };
  git('init', '-q');
  return { dir, git, write, commit: (msg: string) => (git('add', '-A'), git('commit', '-q', '-m', msg), git('rev-parse', 'HEAD').trim()) };
}

const lines = (n: number, tag = 'line') => Array.from({ length: n }, (_, i) => `${tag} ${i}\n`).join('');

describe.runIf(hasGit)('cover diffstat from patches, as git prints it', () => {
  it('matches git diff --stat=72 --summary for names, scaling, renames, binaries and modes', () => {
    const r = repo();
    r.write('drivers/pci/quirks.c', lines(40));
    r.write('drivers/pci/old-name.c', lines(30, 'keep'));
    r.write('scripts/tool.sh', '#!/bin/sh\necho hi\n');
    r.write('Documentation/gone.txt', lines(5));
    const base = r.commit('base');
    r.write('drivers/pci/quirks.c', lines(40).replace('line 3\n', 'LINE 3\n') + lines(220, 'added'));
    r.write('drivers/pci/controller/dwc/a-rather-long-file-name-that-needs-truncating-in-the-stat.c', lines(3));
    renameSync(path.join(r.dir, 'drivers/pci/old-name.c'), path.join(r.dir, 'drivers/pci/new-name.c'));
    r.write('drivers/pci/new-name.c', lines(30, 'keep').replace('keep 29\n', 'kept 29\n'));
    r.write('firmware/blob.bin', Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) % 256)));
    chmodSync(path.join(r.dir, 'scripts/tool.sh'), 0o755);
    rmSync(path.join(r.dir, 'Documentation/gone.txt'));
    r.write('drivers/pci/caf\u00e9.c', 'x\n');
    r.commit('change');
    const patch = r.git('format-patch', '--stdout', '-1', 'HEAD');
    const p = parsePatchFile('0001-change.patch', '0001-change.patch', patch);
    const ours = seriesDiffstat([p.diff]);
    expect(ours.text).toBe(r.git('diff', '--stat=72', '--summary', base, 'HEAD'));
    expect(ours.summed).toEqual([]);
  });

  it('adds up files that several patches change in different places, as git counts the net diff', () => {
    const r = repo();
    r.write('a.c', lines(60));
    const base = r.commit('base');
    r.write('a.c', lines(60).replace('line 1\n', 'LINE 1\n'));
    r.commit('one');
    r.write('a.c', lines(60).replace('line 1\n', 'LINE 1\n').replace('line 50\n', 'LINE 50\nmore\n'));
    r.commit('two');
    const files = r.git('format-patch', '-o', path.join(r.dir, 'out'), `${base}..HEAD`).trim().split('\n');
    const diffs = files.map((f) => parsePatchFile(path.basename(f), f, execFileSync('cat', [f], { encoding: 'utf8' })).diff);
    const ours = seriesDiffstat(diffs);
    expect(ours.text).toBe(r.git('diff', '--stat=72', '--summary', base, 'HEAD'));
    expect(ours.summed).toEqual(['a.c']);
  });
});
