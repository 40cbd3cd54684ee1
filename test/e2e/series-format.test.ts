/**
 * `series format` against the real git: the same commits formatted by git format-patch
 * and by quirkctl must give the same files, apart from Message-IDs and dates.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir, treeHash } from '../helpers/cli.js';
import { realComponent } from '../helpers/real.js';
import { makeSeriesFixture, type SeriesFixture } from '../helpers/series-fixture.js';

const hasGit = realComponent('git', spawnSync('git', ['--version']).status === 0);

/** The cover text the fixture's Markdown renders to, as a person would have typed it for git. */
const COVER_TEXT = `Polaris GPUs do not survive a *secondary bus reset*; these patches mark
them so that vfio-pci and the PCI core use another reset, and add one
that works.

- patch 1 marks the GPUs
- patch 2 adds the reset`;

/** What may differ: the Message-ID and threading headers, the dates, and b4's change-id line. */
function comparable(text: string): string {
  return text.replace(/^(Message-I[dD]|In-Reply-To|References|Date): .*\n/gm, '').replace(/^change-id: .*\n/m, '');
}

function gitFormat(f: SeriesFixture, args: string[]): string {
  const dir = tempDir('quirkctl-git-fp-');
  f.git(['format-patch', '-q', '-o', dir, ...args]);
  return dir;
}

describe.runIf(hasGit)('series format: git format-patch form (real git)', () => {
  it('matches git format-patch --cover-letter --thread=shallow -v2 --base=<sha> for the same commits', () => {
    const f = makeSeriesFixture({ revision: 2, tree: true });
    // git takes the cover's subject and text from the branch description.
    f.git(['config', 'branch.master.description', `PCI: Keep AMD Polaris GPUs away from bus resets\n\n${COVER_TEXT}`]);
    const theirs = gitFormat(f, ['--cover-letter', '--cover-from-description=subject', '--thread=shallow', '-v2', `--base=${f.base}`, `${f.base}..HEAD`]);
    const ours = tempDir('quirkctl-fp-');
    const before = treeHash(f.ws);
    const r = cli(['series', 'format', f.slug, '-o', ours], { cwd: f.ws, env: f.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const names = readdirSync(theirs).sort();
    expect(readdirSync(ours).sort()).toEqual(names);
    expect(names).toEqual([
      'v2-0000-cover-letter.patch',
      'v2-0001-PCI-Mark-AMD-Polaris-10-GPUs-to-avoid-bus-reset.patch',
      'v2-0002-PCI-Add-a-config-space-reset-for-Polaris-GPUs.patch',
      'v2-0003-PCI-Cover-Polaris-11-in-the-bus-reset-quirk-as-we.patch',
    ]);
    expect(r.stdout.trim().split('\n')).toEqual(names.map((n) => path.join(ours, n)));
    for (const name of names) {
      const mine = readFileSync(path.join(ours, name), 'utf8');
      expect(comparable(mine), name).toBe(comparable(readFileSync(path.join(theirs, name), 'utf8')));
    }
    const cover = readFileSync(path.join(ours, names[0] as string), 'utf8');
    expect(cover).toMatch(/^Subject: \[PATCH v2 0\/3\] PCI: Keep AMD Polaris GPUs away from bus resets$/m);
    expect(cover).toMatch(new RegExp(`\\n\\nbase-commit: ${f.base}\\nchange-id: 20261121-polaris-3f2a9c1b7e40\\n-- \\n`));
    // b4's Message-ID form, every patch answering the cover
    const id = /^Message-ID: <(20261121-polaris-v2-0-[0-9a-f]{12}@example\.org)>$/m.exec(cover)?.[1];
    expect(id).toBeDefined();
    for (const name of names.slice(1)) {
      const patch = readFileSync(path.join(ours, name), 'utf8');
      expect(patch).toContain(`In-Reply-To: <${id}>\nReferences: <${id}>\n`);
    }
    expect(treeHash(f.ws)).toBe(before);
  });

  it('counts the diffstat from the patches without a tree, and says where git would count differently', () => {
    const f = makeSeriesFixture({ revision: 2 });
    const ours = tempDir('quirkctl-fp-');
    const r = cli(['series', 'format', f.slug, '-o', ours], { cwd: f.ws, env: f.env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('drivers/pci/quirks.c is changed by more than one patch');
    const cover = readFileSync(path.join(ours, 'v2-0000-cover-letter.patch'), 'utf8');
    expect(cover).toContain(' 2 files changed,');
    expect(cover).toContain(' create mode 100644 drivers/pci/polaris-reset.c\n');
  });

  it('puts a single patch’s cover text below its --- line, base-commit and change-id at its end', () => {
    const f = makeSeriesFixture({ patches: 1, revision: 2, cover: 'Tested on an RX 480 with vfio-pci.\n' });
    const theirs = gitFormat(f, ['-v2', `--base=${f.base}`, `${f.base}..HEAD`]);
    const ours = tempDir('quirkctl-fp-');
    const r = cli(['series', 'format', f.slug, '-o', ours], { cwd: f.ws, env: f.env });
    expect(r.code).toBe(0);
    const name = 'v2-0001-PCI-Mark-AMD-Polaris-10-GPUs-to-avoid-bus-reset.patch';
    expect(readdirSync(ours)).toEqual([name]);
    const expected = readFileSync(path.join(theirs, name), 'utf8')
      .replace('\n---\n', '\n---\nTested on an RX 480 with vfio-pci.\n\n')
      .replace(/^(base-commit: .*\n)/m, '$1change-id: 20261121-polaris-3f2a9c1b7e40\n');
    const mine = readFileSync(path.join(ours, name), 'utf8');
    expect(mine).toMatch(/^Subject: \[PATCH v2\] PCI: Mark AMD Polaris 10 GPUs to avoid bus reset$/m);
    expect(comparable(mine)).toBe(comparable(expected));
  });

  it('writes an mbox that git am applies on the base, giving the same commits', () => {
    const f = makeSeriesFixture({ revision: 1 });
    const r = cli(['series', 'format', f.slug, '--mbox'], { cwd: f.ws, env: f.env });
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001$/gm)).toHaveLength(4);
    expect(r.stdout).toMatch(/^Subject: \[PATCH 0\/3\] /m);
    f.git(['checkout', '-q', '-b', 'applied', f.base]);
    f.git(['am', '-q', '--empty=drop'], { input: r.stdout }); // the cover letter has no diff
    const applied = f.git(['rev-list', '--reverse', `${f.base}..HEAD`]).trim().split('\n');
    expect(applied).toHaveLength(3);
    applied.forEach((sha, i) => {
      const orig = f.commits[i] as string;
      expect(f.git(['rev-parse', `${sha}^{tree}`])).toBe(f.git(['rev-parse', `${orig}^{tree}`]));
      expect(f.git(['log', '-1', '--format=%an <%ae>%n%B', sha])).toBe(f.git(['log', '-1', '--format=%an <%ae>%n%B', orig]));
    });
  });

  it('refuses a series without patches, and one that does not exist, with exit 2', () => {
    const f = makeSeriesFixture({ patches: 1 });
    const none = cli(['series', 'format', 'nope'], { cwd: f.ws, env: f.env });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("series 'nope': no series/nope.md");
    const made = cli(['series', 'new', 'empty'], { cwd: f.ws, env: f.env });
    expect(made.code).toBe(0);
    const empty = cli(['series', 'format', 'empty'], { cwd: f.ws, env: f.env });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("series 'empty' has no patches yet");
  });
});
