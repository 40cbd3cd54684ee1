/**
 * A kernel tree's own tools inside a target (the runner side of `check --in-container`
 * and `series build-test`), for real: the kernel tree made from Debian's linux-source-6.1
 * (scripts/make-kernel-tree.sh) mounted read-only in the Debian 12 root file system,
 * `make olddefconfig` and `make drivers/pci/quirks.o` with the target's gcc, and the
 * tree's checkpatch.pl run by the target's perl, which must say exactly what the host's
 * says.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpatchInTarget, compileObjects } from '../../src/build/kernel-tree.js';
import type { ReadyTarget } from '../../src/build/prepare.js';
import { readyTarget } from '../../src/build/workspace-targets.js';
import { InputError } from '../../src/errors.js';
import { openWorkspace } from '../../src/workspace/workspace.js';
import { tempDir } from '../helpers/cli.js';
import { buildWorkspace, DEBIAN_12, debianRootfs, hasBwrap, TEST_CACHE } from '../helpers/build-targets.js';
import { hasKernelSource, kernelTreeCache } from '../helpers/kernel-tree.js';
import { needReal, realComponent } from '../helpers/real.js';

const CODESPELL = '/usr/lib/python3/dist-packages/codespell_lib/data/dictionary.txt';

let tree = '';
let ready: ReadyTarget;

beforeAll(async () => {
  if (!hasBwrap || !hasKernelSource) return;
  [tree] = [kernelTreeCache(), await debianRootfs()];
  ready = await readyTarget(openWorkspace({ workspace: buildWorkspace([DEBIAN_12], { quirks: false }) }), 'debian-12', { cacheDir: TEST_CACHE });
}, 900_000);

/** A patch to drivers/pci/quirks.c adding `added` after three lines of context. */
function patch(name: string, subject: string, context: string[], added: string[]): string {
  const file = path.join(tempDir('quirkctl-patch-'), name);
  writeFileSync(
    file,
    `From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001
From: Test Person <test@example.org>
Date: Mon, 1 Jan 2024 00:00:00 +0000
Subject: [PATCH] ${subject}

Point readers at the file that holds the quirks of PCI devices, so that
they find it when they search for the word.

Signed-off-by: Test Person <test@example.org>
---
 drivers/pci/quirks.c | ${added.length} ${'+'.repeat(added.length)}
 1 file changed, ${added.length} insertions(+)

diff --git a/drivers/pci/quirks.c b/drivers/pci/quirks.c
--- a/drivers/pci/quirks.c
+++ b/drivers/pci/quirks.c
@@ -3,3 +3,${3 + added.length} @@
${context.map((l) => ` ${l}`).join('\n')}
${added.map((l) => `+${l}`).join('\n')}
-- 
2.39.2
`,
  );
  return file;
}

const HEADER = [' * This file contains work-arounds for many known PCI hardware bugs.', ' * Devices present only on certain architectures (host bridges et cetera)', ' * should be handled in arch-specific code.'];
const GOOD = () => patch('0001-good.patch', 'PCI: Say where quirks for PCI devices live', HEADER, [' *', ' * Quirks of PCI devices are kept here.']);
const BAD = () => patch('0002-bad.patch', 'PCI: Add a function', ['#include <linux/types.h>', '', 'static int x;'], ['int  foo( void ){ return 0 ;}']);
const TYPO = () => patch('0003-typo.patch', 'PCI: Say where quirks for PCI devices live', HEADER, [' *', ' * Quirks of PCI devices are kept here, as they recieve them.']);

describe.runIf(hasBwrap && hasKernelSource)('a kernel tree in a target (Debian 12, bwrap)', () => {
  it('compiles drivers/pci/quirks.o after make olddefconfig, the tree read-only; an object that cannot be made is reported', { timeout: 600_000 }, async () => {
    const buildDir = tempDir('quirkctl-kbuild-');
    const log = path.join(buildDir, 'compile.log');
    const r = await compileObjects(ready, { tree, objects: ['drivers/pci/quirks.o', 'drivers/pci/no-such-file.o'], buildDir, log, jobs: 2 });
    expect(r).toEqual({ configured: true, objects: [{ object: 'drivers/pci/quirks.o', built: true }, { object: 'drivers/pci/no-such-file.o', built: false }], log });
    const text = readFileSync(log, 'utf8');
    expect(text).toContain(`$ bwrap --ro-bind ${(ready.env as { rootfs: string }).rootfs} / `);
    expect(text).toContain(`--ro-bind ${tree} /tmp/quirkctl/linux --bind ${buildDir} /tmp/quirkctl/out `);
    expect(text).toContain('-- make -C /tmp/quirkctl/linux O=/tmp/quirkctl/out olddefconfig\n');
    expect(text).toContain("No rule to make target 'drivers/pci/no-such-file.o'");
    expect(readFileSync(path.join(buildDir, '.config'), 'utf8')).toContain('\nCONFIG_PCI=y\n');
    // An x86-64 relocatable ELF object, made with the target's gcc.
    const obj = readFileSync(path.join(buildDir, 'drivers/pci/quirks.o'));
    expect([...obj.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    expect(obj.readUInt16LE(16)).toBe(1); // ET_REL
    expect(obj.readUInt16LE(18)).toBe(62); // EM_X86_64
    expect(readFileSync(path.join(buildDir, 'include/config/auto.conf'), 'utf8')).toMatch(/\nCONFIG_CC_VERSION_TEXT="?gcc \(Debian 12\.[^)]*\) 12\./);
    // Nothing was written into the tree.
    expect(existsSync(path.join(tree, '.config'))).toBe(false);
    expect(existsSync(path.join(tree, 'include/generated'))).toBe(false);

    // Again in the same build directory, from a given .config: make only redoes what changed.
    const again = await compileObjects(ready, { tree, objects: ['drivers/pci/quirks.o'], buildDir, log, config: path.join(buildDir, '.config') });
    expect(again.objects).toEqual([{ object: 'drivers/pci/quirks.o', built: true }]);
  });

  it("runs the tree's checkpatch.pl with the target's perl, and says what the host's says", async () => {
    const patches = [GOOD(), BAD()];
    const runs = await checkpatchInTarget(ready, { tree, patches, args: ['--strict', '--show-types'] });
    expect(runs.map((r) => r.exitCode)).toEqual([0, 1]);
    for (const [i, r] of runs.entries()) {
      const host = spawnSync('perl', [path.join(tree, 'scripts/checkpatch.pl'), `--root=${tree}`, '--strict', '--show-types', patches[i] ?? ''], { cwd: tree, encoding: 'utf8' });
      expect(r.output.trimEnd()).toBe(`${host.stdout}${host.stderr}`.trimEnd());
    }
    expect(runs[0]?.output).toContain(`${patches[0]} has no obvious style problems and is ready for submission.`);
    expect(runs[1]?.output).toContain("ERROR:SPACING: space prohibited after that open parenthesis '('");
  });

  it('runs a checkpatch.pl from elsewhere, and with codespell, the dictionary mounted from the host', async (ctx) => {
    const own = tempDir('quirkctl-checkpatch-');
    for (const f of ['checkpatch.pl', 'spelling.txt', 'const_structs.checkpatch']) copyFileSync(path.join(tree, 'scripts', f), path.join(own, f));
    const [plain] = await checkpatchInTarget(ready, { tree, checkpatch: path.join(own, 'checkpatch.pl'), patches: [GOOD()], args: ['--strict'] });
    expect(plain?.exitCode).toBe(0);
    needReal(ctx, 'codespell (its dictionary)', existsSync(CODESPELL));
    const [typo] = await checkpatchInTarget(ready, { tree, patches: [TYPO()], args: ['--strict'], codespell: CODESPELL });
    expect(typo?.output).toContain("WARNING: 'recieve' may be misspelled - perhaps 'receive'?");
  });

  it('refuses objects outside the tree and a directory that is not a kernel tree', async () => {
    await expect(compileObjects(ready, { tree, objects: ['../../etc/passwd.o'], buildDir: tempDir(), log: path.join(tempDir(), 'l') })).rejects.toThrow(
      new InputError("object '../../etc/passwd.o': expected a path in the kernel tree ending in .o, e.g. drivers/pci/quirks.o"),
    );
    const notTree = tempDir();
    mkdirSync(path.join(notTree, 'scripts'));
    await expect(checkpatchInTarget(ready, { tree: notTree, patches: [GOOD()], args: [] })).rejects.toThrow(`'${notTree}' is not a kernel tree (no Makefile and Kconfig at its top)`);
    await expect(checkpatchInTarget(ready, { tree, patches: [GOOD()], args: ['--strict; rm -rf /'] })).rejects.toThrow(InputError);
  });
});
