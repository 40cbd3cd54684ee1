/**
 * Issue 3's series acceptance: `series import` of real lore threads, `series
 * rebase-check` on the real kernel tree, and `check` reading real checkpatch.pl output.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, freshWorkspace, REPO, tempDir, treeHash } from '../helpers/cli.js';
import { cloneKernelTree, git, hasKernelSource, removeScratch, scratchDir, treeTag } from '../helpers/kernel-tree.js';
import { realComponent } from '../helpers/real.js';

// Kernel clones and object directories are ~100 MB each.
afterAll(removeScratch);

/** Real list mail, shared by the project beside the repository (../shared/fixtures/lore). */
const LORE = process.env.QUIRKCTL_LORE_FIXTURES ?? path.join(REPO, '..', 'shared', 'fixtures', 'lore');
const hasLore = realComponent(`lore fixtures (${LORE})`, existsSync(path.join(LORE, 'lore-linux-pci-aspm-quirks-v2.t.mbox')), 'set QUIRKCTL_LORE_FIXTURES to the shared fixtures/lore directory');
const fixture = (name: string) => path.join(LORE, name);

/** What git mailinfo (what git am runs) reads out of a patch file. */
function mailinfo(file: string): Record<string, string> {
  const dir = tempDir('quirkctl-mailinfo-');
  const info = execFileSync('git', ['mailinfo', path.join(dir, 'msg'), path.join(dir, 'patch')], { input: readFileSync(file), encoding: 'utf8' });
  return Object.fromEntries(info.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
}

describe.runIf(hasLore)('quirkctl series import of real lore threads', () => {
  it('takes the v2 cover letter and 4 patches of the ASPM quirks thread, skips the 9 replies, keeps authorship and trailers', () => {
    const ws = freshWorkspace();
    const r = cli(['series', 'import', fixture('lore-linux-pci-aspm-quirks-v2.t.mbox'), '--slug', 'aspm-quirks'], { cwd: ws });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'wrote patches/aspm-quirks/0001-PCI-ASPM-Cache-L0s-L1-Supported-so-advertised-link-s.patch',
        'wrote patches/aspm-quirks/0002-PCI-ASPM-Add-pcie_aspm_remove_cap-to-override-advert.patch',
        'wrote patches/aspm-quirks/0003-PCI-ASPM-Convert-quirks-to-override-advertised-link-.patch',
        'wrote patches/aspm-quirks/0004-PCI-ASPM-Avoid-L0s-and-L1-on-Freescale-Root-Ports.patch',
        'created series/aspm-quirks.md: v2, 4 patches and a cover letter; skipped 9 other messages',
        '',
      ].join('\n'),
    );
    const dir = path.join(ws, 'patches', 'aspm-quirks');
    const files = readdirSync(dir).sort();
    const first = readFileSync(path.join(dir, files[0] as string), 'utf8');
    // The author is the in-body From: (bhelgaas@google.com), not the sender (helgaas@kernel.org).
    expect(first).toMatch(/^From 0{40} Mon Sep 17 00:00:00 2001\nFrom: Bjorn Helgaas <bhelgaas@google.com>\nDate: Mon, 10 Nov 2025 16:22:25 -0600\nSubject: \[PATCH v2 1\/4\] PCI\/ASPM: Cache L0s\/L1 Supported so advertised link\n states can be overridden\n\nDefective devices/);
    expect(first).not.toMatch(/^From: Bjorn Helgaas <bhelgaas@google.com>\n\n/m);
    const last = readFileSync(path.join(dir, files[3] as string), 'utf8');
    expect(last).toContain(
      'Fixes: df5192d9bb0e ("PCI/ASPM: Enable only L0s and L1 for devicetree platforms")\nReported-by: Christian Zigotzky <chzigotzky@xenosoft.de>\nLink: https://lore.kernel.org/r/db5c95a1-cf3e-46f9-8045-a1b04908051a@xenosoft.de\nSigned-off-by: Bjorn Helgaas <bhelgaas@google.com>\n---\n',
    );
    // git am reads the same author, date and subject out of the file as the posting had.
    expect(mailinfo(path.join(dir, files[3] as string))).toEqual({
      Author: 'Bjorn Helgaas',
      Email: 'bhelgaas@google.com',
      Subject: 'PCI/ASPM: Avoid L0s and L1 on Freescale Root Ports',
      Date: 'Mon, 10 Nov 2025 16:22:28 -0600',
    });

    const series = readFileSync(path.join(ws, 'series', 'aspm-quirks.md'), 'utf8');
    expect(series).toMatch(/^---\nsubject: "PCI\/ASPM: Allow quirks to avoid L0s and L1"\nchange-id: \d{8}-aspm-quirks-[0-9a-f]{12}\nrevision: 2\nprefixes: \[ PATCH \]\nto: \[ linux-pci@vger.kernel.org \]\ncc:\n {2}- Christian Zigotzky <chzigotzky@xenosoft.de>\n/);
    expect(series).toContain(
      'state: sent\nhistory:\n  - revision: 2\n    date: 2025-11-10T22:22:24Z\n    cover: 20251110222929.2140564-1-helgaas@kernel.org\n    patches:\n      - 20251110222929.2140564-2-helgaas@kernel.org\n      - 20251110222929.2140564-3-helgaas@kernel.org\n      - 20251110222929.2140564-4-helgaas@kernel.org\n      - 20251110222929.2140564-5-helgaas@kernel.org\n',
    );
    expect(series).toContain('    source: imported\n---\n');
    // The cover letter's own words; the generated shortlog and diffstat are dropped.
    expect(series).toContain('\nWe enabled ASPM too aggressively in v6.18-rc1.');
    expect(series).toContain('Changes between v1 and v2:');
    expect(series).not.toContain('Bjorn Helgaas (4):');
    expect(series).not.toContain('5 files changed');
    const list = JSON.parse(cli(['series', 'list', '--json'], { cwd: ws }).stdout) as { slug: string; revision: number; state: string; patches: string[] }[];
    expect(list).toMatchObject([{ slug: 'aspm-quirks', revision: 2, state: 'sent', patches: files }]);
  });

  it('keeps an RFC 2047 encoded author as git writes it (bridge window sizing v1)', () => {
    const ws = freshWorkspace();
    const r = cli(['series', 'import', fixture('lore-linux-pci-bridge-window-sizing-v1.t.mbox')], { cwd: ws });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('created series/pci-solve-two-bridge-window-sizing-issues.md: v1, 7 patches and a cover letter; skipped 11 other messages\n');
    const dir = path.join(ws, 'patches', 'pci-solve-two-bridge-window-sizing-issues');
    const file = path.join(dir, readdirSync(dir).sort()[0] as string);
    expect(readFileSync(file, 'utf8')).toMatch(/^From 0{40} Mon Sep 17 00:00:00 2001\nFrom: =\?UTF-8\?q\?Ilpo=20J=C3=A4rvinen\?= <ilpo\.jarvinen@linux\.intel\.com>\nDate: Fri, 22 Dec 2023 14:28:55 \+0200\nSubject: \[PATCH 1\/7\] PCI: Fix resource double counting on remove & rescan\nMIME-Version: 1\.0\nContent-Type: text\/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n/);
    expect(mailinfo(file)).toMatchObject({ Author: 'Ilpo Järvinen', Email: 'ilpo.jarvinen@linux.intel.com' });
  });

  it('round-trips git format-patch output byte for byte (but the commit id)', () => {
    const repo = path.join(tempDir(), 'r');
    const g = (...args: string[]) =>
      execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'Ilpo Järvinen', GIT_AUTHOR_EMAIL: 'ilpo@example.org', GIT_COMMITTER_NAME: 'C', GIT_COMMITTER_EMAIL: 'c@example.org' } });
    execFileSync('git', ['init', '--quiet', repo]);
    writeFileSync(path.join(repo, 'f'), 'a\n');
    g('add', 'f');
    g('commit', '--quiet', '-m', 'init');
    writeFileSync(path.join(repo, 'f'), 'a\nb\n');
    g('commit', '--quiet', '-am', 'PCI/ASPM: Cache L0s/L1 Supported so advertised link states can be overridden here', '-m', 'Body with ä.\n\nSigned-off-by: Ilpo Järvinen <ilpo@example.org>');
    writeFileSync(path.join(repo, 'f'), 'a\nb\nc\n');
    g('commit', '--quiet', '-am', 'résumé: ünïcode subject that is also rather long so that we can see folding happen here');
    const out = tempDir();
    g('format-patch', '--quiet', '-o', out, 'HEAD~2');
    const mbox = path.join(tempDir(), 'series.mbox');
    writeFileSync(mbox, readdirSync(out).sort().map((n) => readFileSync(path.join(out, n), 'utf8')).join(''));
    const ws = freshWorkspace();
    expect(cli(['series', 'import', mbox, '--slug', 'rt'], { cwd: ws }).code).toBe(0);
    const ours = readdirSync(path.join(ws, 'patches', 'rt')).sort();
    expect(ours).toEqual(readdirSync(out).sort());
    for (const n of ours) {
      const theirs = readFileSync(path.join(out, n), 'utf8').replace(/^From [0-9a-f]{40} /, `From ${'0'.repeat(40)} `);
      expect(readFileSync(path.join(ws, 'patches', 'rt', n), 'utf8')).toBe(theirs);
    }
  });

  it('refuses an mbox without a complete series, writing nothing', () => {
    const ws = freshWorkspace();
    const before = treeHash(ws);
    const partial = cli(['series', 'import', fixture('notmuch-lkml-remove-semicolons-44-subset.mbox')], { cwd: ws });
    expect(partial).toMatchObject({ code: 2, stderr: expect.stringMatching(/the mbox holds 3 of the 44 patches of v1; missing 1\/44, 2\/44/) });
    const none = cli(['series', 'import', fixture('lore-linux-pci-git-pull-pci-fixes-v6.18.t.mbox')], { cwd: ws });
    expect(none).toMatchObject({ code: 2, stderr: expect.stringMatching(/no patches in the mbox/) });
    expect(cli(['series', 'import', 'missing.mbox'], { cwd: ws })).toMatchObject({ code: 2, stderr: "quirkctl: 'missing.mbox': no such file\n" });
    expect(cli(['series', 'import', fixture('lore-linux-pci-aspm-quirks-v2.t.mbox'), '--slug', 'Bad/Slug'], { cwd: ws })).toMatchObject({ code: 2, stderr: expect.stringMatching(/--slug 'Bad\/Slug': expected a slug/) });
    expect(cli(['series', 'import', fixture('lore-linux-pci-aspm-quirks-v2.t.mbox'), '--revision', '1'], { cwd: ws })).toMatchObject({ code: 2, stderr: expect.stringMatching(/--revision 1: the mbox has v2 only/) });
    expect(treeHash(ws)).toBe(before);
  });
});

describe.runIf(hasKernelSource)('series rebase-check and check against the real tree', () => {
  let ws: string;
  let tree: string;
  let tag: string;
  beforeAll(() => {
    ws = freshWorkspace();
    copyFileSync(path.join(REPO, 'quirks', 'amd-polaris-no-bus-reset.md'), path.join(ws, 'quirks', 'amd-polaris-no-bus-reset.md'));
    tree = cloneKernelTree();
    git(tree, 'config', 'user.name', 'Jane Developer');
    git(tree, 'config', 'user.email', 'jane@example.org');
    tag = treeTag(tree);
    expect(cli(['patch', 'amd-polaris-no-bus-reset', '--tree', tree], { cwd: ws }).code).toBe(0);
  });

  /** A tag on top of the base with quirks.c changed by `edit`. */
  function tagWith(name: string, edit: (text: string) => string): void {
    git(tree, 'checkout', '--quiet', '--detach', tag);
    const file = path.join(tree, 'drivers/pci/quirks.c');
    writeFileSync(file, edit(readFileSync(file, 'utf8')));
    git(tree, 'commit', '--quiet', '-am', `quirks: ${name}`);
    git(tree, 'tag', name);
    git(tree, 'checkout', '--quiet', 'master');
  }

  it('reports, per ref, patches that apply cleanly, with a 3-way merge, or conflict', () => {
    const asmedia = 'DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ASMEDIA, 0x1164, quirk_no_bus_reset);\n';
    // Someone else added a bus-reset quirk in the same place: a real conflict.
    tagWith('v6.1-conflict', (t) => t.replace(asmedia, `${asmedia}\n/* Another device that dies on a bus reset. */\nDECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ASMEDIA, 0x1165, quirk_no_bus_reset);\n`));
    // A change within the patch's context lines but not to its lines: plain git am fails, a 3-way merge works.
    tagWith('v6.1-context', (t) => t.replace('static void quirk_no_pm_reset(struct pci_dev *dev)\n{\n\t/*\n', 'static void quirk_no_pm_reset(struct pci_dev *dev)\n{\n\t/* changed nearby\n'));
    const before = git(tree, 'worktree', 'list', '--porcelain') + git(tree, 'branch', '--list');
    const r = cli(['series', 'rebase-check', 'amd-polaris-no-bus-reset', '--tree', tree, '--refs', `${tag},v6.1-context,v6.1-conflict`, '--json'], { cwd: ws });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { ref: string; patches: { name: string; result: string; conflicts: string[] }[] }[];
    expect(out.map((x) => [x.ref, x.patches.map((p) => p.result)])).toEqual([
      [tag, ['clean', 'clean']],
      ['v6.1-context', ['3way', 'clean']],
      ['v6.1-conflict', ['conflict', 'clean']],
    ]);
    expect(out[2]?.patches[0]?.conflicts).toEqual(['drivers/pci/quirks.c']);
    expect(git(tree, 'worktree', 'list', '--porcelain') + git(tree, 'branch', '--list')).toBe(before);
    const table = cli(['series', 'rebase-check', 'amd-polaris-no-bus-reset', '--tree', tree, '--refs', `${tag},v6.1-conflict`], { cwd: ws });
    expect(table.stdout).toMatch(/^REF +PATCH +RESULT +CONFLICTS\n/);
    expect(table.stdout).toMatch(/\nv6\.1-conflict +0001-PCI-Mark-AMD-Ellesmere-to-avoid-bus-reset\.patch +conflict +drivers\/pci\/quirks\.c\n/);
    expect(cli(['series', 'rebase-check', 'amd-polaris-no-bus-reset', '--tree', tree, '--refs', 'v0.0'], { cwd: ws })).toMatchObject({ code: 2, stderr: expect.stringMatching(/--refs 'v0\.0': no such commit/) });
  });

  it('parses real checkpatch.pl findings for a patch with known problems; exit 1 on errors', () => {
    const dir = path.join(scratchDir('quirkctl-bad-'), 'wt');
    git(tree, 'worktree', 'add', '--quiet', '--detach', dir, tag);
    const file = path.join(dir, 'drivers/pci/quirks.c');
    const asmedia = 'DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ASMEDIA, 0x1164, quirk_no_bus_reset);\n';
    const text = readFileSync(file, 'utf8');
    const at = text.slice(0, text.indexOf(asmedia) + asmedia.length).split('\n').length;
    writeFileSync(
      file,
      text.replace(asmedia, `${asmedia}DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ATI, 0x67df, quirk_no_bus_reset);   \nDECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ATI, 0x67ef, quirk_no_bus_reset); /* this comment makes the line far longer than a hundred columns */\n`),
    );
    git(dir, 'commit', '--quiet', '-am', 'PCI: Mark two Polaris GPUs to avoid bus reset', '-m', 'No sign-off here.');
    const out = tempDir();
    git(dir, 'format-patch', '--quiet', '-o', out, 'HEAD~1');
    git(tree, 'worktree', 'remove', '--force', dir);
    const patch = path.join(out, readdirSync(out)[0] as string);

    const before = treeHash(ws);
    const r = cli(['check', patch, '--tree', tree, '--json'], { cwd: ws });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as { errors: number; warnings: number; checks: number; results: { findings: Record<string, unknown>[] }[] };
    const findings = json.results[0]?.findings ?? [];
    expect(findings).toContainEqual(expect.objectContaining({ level: 'ERROR', type: 'TRAILING_WHITESPACE', file: 'drivers/pci/quirks.c', line: at, message: 'trailing whitespace' }));
    expect(findings).toContainEqual(expect.objectContaining({ level: 'WARNING', type: 'LONG_LINE_COMMENT', file: 'drivers/pci/quirks.c', line: at + 1, message: expect.stringMatching(/^line length of \d+ exceeds 100 columns$/) }));
    expect(findings).toContainEqual(expect.objectContaining({ level: 'ERROR', type: 'MISSING_SIGN_OFF', message: 'Missing Signed-off-by: line(s)' }));
    expect(json.errors).toBe(findings.filter((f) => f.level === 'ERROR').length);
    expect(json.errors).toBe(2);
    // Patch files are not a series: nothing is recorded.
    expect(treeHash(ws)).toBe(before);

    const table = cli(['check', patch, '--tree', tree], { cwd: ws });
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(new RegExp(`ERROR +TRAILING_WHITESPACE +drivers/pci/quirks\\.c:${at} +trailing whitespace\\n`));
    expect(table.stdout).toMatch(/\ntotal: 2 errors, \d+ warnings, \d+ checks \(checkpatch\.pl --strict/);
  });

  it('check refuses what is neither a series nor a file, and a bad checkpatch option', () => {
    expect(cli(['check', 'no-such-series', '--tree', tree], { cwd: ws })).toMatchObject({ code: 2, stderr: "quirkctl: 'no-such-series': no series of that name and no such patch file\n" });
    expect(cli(['check', 'amd-polaris-no-bus-reset', '--tree', tree, '--checkpatch-arg', '; rm -rf /'], { cwd: ws })).toMatchObject({ code: 2, stderr: expect.stringMatching(/--checkpatch-arg '; rm -rf \/': expected a checkpatch\.pl option/) });
  });
});
