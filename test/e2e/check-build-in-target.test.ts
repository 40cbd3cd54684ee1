/**
 * Issue 9, item 4: `quirkctl check --in-container` and `quirkctl series build-test`, with
 * the real kernel tree from linux-source-6.1, its own checkpatch.pl, and the Debian 12
 * target (bubblewrap over a debootstrap root file system, its perl and gcc).
 */
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, treeHash } from '../helpers/cli.js';
import { BUILD_ENV, buildWorkspace, debianRootfs, DEBIAN_12, hasBwrap, targetsYaml } from '../helpers/build-targets.js';
import { cloneKernelTree, git, hasKernelSource, removeScratch } from '../helpers/kernel-tree.js';

afterAll(removeScratch);

describe.runIf(hasBwrap && hasKernelSource)('checkpatch and compiling a series inside the Debian 12 target', () => {
  let ws: string;
  let tree: string;
  const slug = 'amd-polaris-no-bus-reset';

  beforeAll(async () => {
    await debianRootfs();
    tree = cloneKernelTree();
    git(tree, 'config', 'user.name', 'Jane Developer');
    git(tree, 'config', 'user.email', 'jane@example.org');
    ws = buildWorkspace([DEBIAN_12]);
    writeFileSync(path.join(ws, 'quirkctl.yaml'), `version: 1\nkernel:\n  tree: ${tree}\n${targetsYaml([DEBIAN_12])}`);
    const made = cli(['patch', slug, '--name', 'AMD Polaris 10'], { cwd: ws });
    if (made.code !== 0) throw new Error(`quirkctl patch: ${made.stderr}`);
  }, 900_000);

  it('check --in-container runs the tree\'s checkpatch.pl in the target and finds what it finds on the host', () => {
    const host = cli(['check', slug, '--json'], { cwd: ws });
    expect(host.code).toBe(0);
    const inside = cli(['check', slug, '--in-container', '--json'], { cwd: ws, env: BUILD_ENV });
    expect(inside.stderr).not.toContain('quirkctl:');
    expect(inside.code).toBe(0);
    const h = JSON.parse(host.stdout) as { results: unknown[]; errors: number; warnings: number; checks: number; target?: string };
    const c = JSON.parse(inside.stdout) as typeof h;
    expect(c.target).toBe('debian-12');
    expect(h.target).toBeUndefined();
    expect([c.errors, c.warnings, c.checks]).toEqual([0, 0, 0]);
    expect(c.results).toEqual(h.results);
    const table = cli(['check', slug, '--in-container', '--target', 'debian-12'], { cwd: ws, env: BUILD_ENV });
    expect(table.stdout).toMatch(/total: 0 errors, 0 warnings, 0 checks \(checkpatch\.pl --strict.* in target debian-12\)\n$/);
  });

  it('check --in-container reports the findings of a patch with problems, exit 1', () => {
    const bad = path.join(path.dirname(tree), 'bad.patch');
    writeFileSync(
      bad,
      `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: Jane Developer <jane@example.org>\nDate: Sat, 21 Nov 2026 10:00:00 +0000\nSubject: [PATCH] PCI: Add a badly written comment\n\nNo sign-off here.\n---\n drivers/pci/quirks.c | 1 +\n 1 file changed, 1 insertion(+)\n\ndiff --git a/drivers/pci/quirks.c b/drivers/pci/quirks.c\nindex 0000000..1111111 100644\n--- a/drivers/pci/quirks.c\n+++ b/drivers/pci/quirks.c\n@@ -1,3 +1,4 @@\n // SPDX-License-Identifier: GPL-2.0\n+/* trailing whitespace here */   \n /*\n  * This file contains work-arounds for many known PCI hardware bugs.\n--\n2.39.5\n`,
    );
    const r = cli(['check', bad, '--in-container', '--json'], { cwd: ws, env: BUILD_ENV });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { results: { findings: { level: string; type: string }[] }[] };
    const types = out.results[0]?.findings.map((f) => `${f.level}:${f.type}`) ?? [];
    expect(types).toContain('ERROR:MISSING_SIGN_OFF');
    expect(types).toContain('ERROR:TRAILING_WHITESPACE');
  });

  it('series build-test applies the series in a worktree and compiles drivers/pci/quirks.o in the target', () => {
    const before = git(tree, 'worktree', 'list', '--porcelain') + git(tree, 'status', '--porcelain');
    const r = cli(['series', 'build-test', slug, '--target', 'debian-12', '-j', '2', '--json'], { cwd: ws, env: BUILD_ENV });
    expect(r.stderr).not.toContain('quirkctl:');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { configured: boolean; objects: { object: string; built: boolean }[]; target: string; log: string };
    expect(out).toMatchObject({ configured: true, target: 'debian-12', objects: [{ object: 'drivers/pci/quirks.o', built: true }] });
    expect(out.log).toContain(path.join('.quirkctl', 'build', 'debian-12', `series-${slug}`, 'build.log'));
    // The user's tree is as it was: no worktree left, nothing changed.
    expect(git(tree, 'worktree', 'list', '--porcelain') + git(tree, 'status', '--porcelain')).toBe(before);
  });

  it('series build-test says so when the series does not compile, with the log', () => {
    // The Polaris series again, its reset function broken: a statement without its semicolon.
    const broken = 'polaris-broken';
    cpSync(path.join(ws, 'patches', slug), path.join(ws, 'patches', broken), { recursive: true });
    writeFileSync(path.join(ws, 'series', `${broken}.md`), readFileSync(path.join(ws, 'series', `${slug}.md`), 'utf8'));
    const reset = readdirSync(path.join(ws, 'patches', broken)).sort()[1] as string;
    const file = path.join(ws, 'patches', broken, reset);
    writeFileSync(file, readFileSync(file, 'utf8').replace('+\tpci_write_config_dword(dev, 0x7c, 0x39d5e86b);', '+\tpci_write_config_dword(dev, 0x7c, 0x39d5e86b)'));
    const r = cli(['series', 'build-test', broken, '--target', 'debian-12'], { cwd: ws, env: BUILD_ENV });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^OBJECT +RESULT\ndrivers\/pci\/quirks\.o +failed\n/);
    const log = /log: (\S+)\n$/.exec(r.stdout)?.[1] as string;
    expect(r.stdout).toContain(`${broken} on v6.1.`);
    expect(readFileSync(log, 'utf8')).toMatch(/quirks\.c:\d+:\d+: error: expected ';'/);
  });

  it('refuses a target that does not exist and --target without --in-container, exit 2, nothing written', () => {
    const before = treeHash(ws, ['.quirkctl']);
    expect(cli(['check', slug, '--in-container', '--target', 'nowhere'], { cwd: ws, env: BUILD_ENV })).toMatchObject({ code: 2, stderr: expect.stringContaining("'nowhere'") });
    expect(cli(['check', slug, '--target', 'debian-12'], { cwd: ws })).toMatchObject({ code: 2, stderr: 'quirkctl: --target goes with --in-container\n' });
    expect(cli(['series', 'build-test', slug, '--target', 'nowhere'], { cwd: ws, env: BUILD_ENV })).toMatchObject({ code: 2, stderr: expect.stringContaining("'nowhere'") });
    expect(cli(['series', 'build-test', slug, '--object', '../x.o'], { cwd: ws, env: BUILD_ENV })).toMatchObject({ code: 2, stderr: expect.stringContaining("object '../x.o': expected a path in the kernel tree ending in .o") });
    expect(treeHash(ws, ['.quirkctl'])).toBe(before);
  });
});
