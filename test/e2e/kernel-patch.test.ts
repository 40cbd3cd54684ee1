/**
 * Issue 3's acceptance: `quirkctl patch`, `check`, `series recipients` and `series apply`
 * against the real kernel tree made from linux-source-6.1 (scripts/make-kernel-tree.sh),
 * with the tree's own checkpatch.pl, get_maintainer.pl and MAINTAINERS, real git, and a
 * real build of drivers/pci/quirks.o.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, freshWorkspace, REPO, tempDir, treeHash } from '../helpers/cli.js';
import { cloneKernelTree, git, hasKernelSource, removeScratch, scratchDir, treeTag } from '../helpers/kernel-tree.js';

// Kernel clones and object directories are ~100 MB each.
afterAll(removeScratch);

const QUIRKS_C = 'drivers/pci/quirks.c';

/** Quirks for the other acceptance cases, in the curated ones' style. */
const MARVELL_NO_FLR = `---
id: marvell-88se9215-no-flr
title: Marvell 88SE9215 SATA controller hangs after a Function Level Reset
match: { vendor: 0x1b4b, device: 0x9215 }
driver: ahci
actions:
  - no-flr
upstream: { state: none }
references:
  - https://bugzilla.kernel.org/show_bug.cgi?id=999001
---

## Symptom

When the controller is reset with an FLR before it is handed to a guest, it
stops answering config reads and the guest never sees its disks.

## Why this workaround

Without FLR the PCI core falls back to a bus reset, which the controller
survives.
`;

const NVIDIA_NO_PM_RESET = `---
id: nvidia-ga102-audio-no-pm-reset
title: NVIDIA GA102 HDMI audio keeps its state across a PM reset
match: { vendor: 0x10de, device: 0x1aef }
actions:
  - no-pm-reset
upstream: { state: none }
references:
  - https://lore.kernel.org/r/20990101000000.GA1@example.org
---

## Symptom

The audio function advertises NoSoftRst- but a D3hot to D0 transition leaves
it configured, so a guest that gets it after a PM reset finds stale state.

## Why this workaround

Marking the PM reset unusable makes the reset code pick a method that works.
`;

/** The actions added as one module each (src/actions/no-msi.ts, no-aspm.ts), as quirks.c takes them. */
const newAction = (id: string, ids: string, action: string, title: string, ref: string) => `---
id: ${id}
title: ${title}
match: { vendor: 0x${ids.split(':')[0]}, device: 0x${ids.split(':')[1]} }
actions:
  - ${action}
upstream: { state: none }
references:
  - ${ref}
---

## Symptom

${title}: the device stops working once the kernel uses the feature.

## Why this workaround

Without it the device keeps working; the kernel has a quirk helper for exactly this.
`;

interface Setup {
  ws: string;
  tree: string;
}

function setup(): Setup {
  const ws = freshWorkspace();
  for (const f of readdirSync(path.join(REPO, 'quirks'))) copyFileSync(path.join(REPO, 'quirks', f), path.join(ws, 'quirks', f));
  writeFileSync(path.join(ws, 'quirks', 'marvell-88se9215-no-flr.md'), MARVELL_NO_FLR);
  writeFileSync(path.join(ws, 'quirks', 'nvidia-ga102-audio-no-pm-reset.md'), NVIDIA_NO_PM_RESET);
  writeFileSync(path.join(ws, 'quirks', 'asmedia-asm1062-no-msi.md'), newAction('asmedia-asm1062-no-msi', '1b21:0612', 'no-msi', 'ASMedia ASM1062 SATA controller loses MSI interrupts', 'https://lore.kernel.org/r/20990101000000.GA2@example.org'));
  writeFileSync(path.join(ws, 'quirks', 'realtek-rtl8125-no-aspm.md'), newAction('realtek-rtl8125-no-aspm', '10ec:8125', 'no-aspm', 'Realtek RTL8125 drops off the bus after ASPM L1', 'https://lore.kernel.org/r/20990101000000.GA3@example.org'));
  const tree = cloneKernelTree();
  git(tree, 'config', 'user.name', 'Jane Developer');
  git(tree, 'config', 'user.email', 'jane@example.org');
  return { ws, tree };
}

/** The worktrees and branches of a tree: what quirkctl must leave as it found them. */
function treeState(tree: string): string {
  return [git(tree, 'worktree', 'list', '--porcelain'), git(tree, 'branch', '--list'), git(tree, 'status', '--porcelain'), git(tree, 'rev-parse', 'HEAD')].join('\n');
}

function patchFiles(ws: string, slug: string): string[] {
  return readdirSync(path.join(ws, 'patches', slug))
    .sort()
    .map((n) => path.join(ws, 'patches', slug, n));
}

/** git am of the patch files onto `ref` in a worktree of the test's own; returns the files touched. */
function amOnto(tree: string, ref: string, files: string[]): { dir: string; touched: string[] } {
  const dir = path.join(scratchDir('quirkctl-am-'), 'wt');
  git(tree, 'worktree', 'add', '--quiet', '--detach', dir, ref);
  git(dir, 'am', '--quiet', ...files);
  const touched = git(dir, 'diff', '--name-only', `${ref}..HEAD`).trim().split('\n');
  return { dir, touched };
}

describe.runIf(hasKernelSource)('quirkctl patch on the real linux-source-6.1 tree', () => {
  let s: Setup;
  let tag: string;
  beforeAll(() => {
    s = setup();
    tag = treeTag(s.tree);
  });

  it('makes the Polaris series: git am applies it to v6.1.x, it touches quirks.c only, checkpatch --strict is clean', () => {
    const before = treeState(s.tree);
    const r = cli(['patch', 'amd-polaris-no-bus-reset', '--tree', s.tree, '--name', 'AMD Polaris 10'], { cwd: s.ws });
    expect(r.stderr).toContain(`making amd-polaris-no-bus-reset against ${tag} (Linux ${tag.slice(1)}, `);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('created series/amd-polaris-no-bus-reset.md: 2 patches on v6.1.');
    expect(treeState(s.tree)).toBe(before);

    const files = patchFiles(s.ws, 'amd-polaris-no-bus-reset');
    expect(files.map((f) => path.basename(f))).toEqual(['0001-PCI-Mark-AMD-Polaris-10-to-avoid-bus-reset.patch', '0002-PCI-Add-device-specific-reset-for-AMD-Polaris-10.patch']);
    const [first, second] = files.map((f) => readFileSync(f, 'utf8')) as [string, string];
    expect(first).toMatch(/^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001\nFrom: Jane Developer <jane@example.org>\nDate: .*\nSubject: \[PATCH 1\/2\] PCI: Mark AMD Polaris 10 to avoid bus reset\n\n/);
    expect(first).toContain('+DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ATI, 0x67df, quirk_no_bus_reset);\n');
    expect(first).toContain('Link: https://gist.github.com/shatsky/2c8959eb3b9d2528ee8a7b9f58467aa0\nSigned-off-by: Jane Developer <jane@example.org>\n---\n');
    expect(first).not.toContain('Cc: stable');
    // The 6.1 tree's reset methods take `bool probe`; the entry names the vendor by its macro.
    expect(second).toContain('+static int reset_amd_polaris_10(struct pci_dev *dev, bool probe)\n+{\n+\tif (probe)\n+\t\treturn 0;\n+\n+\tpci_write_config_dword(dev, 0x7c, 0x39d5e86b);\n');
    expect(second).toContain('+\t{ PCI_VENDOR_ID_ATI, 0x67df, reset_amd_polaris_10 },\n \t{ 0 }\n');
    for (const text of [first, second]) {
      for (const line of text.split('\n---\n')[0]?.split('\n').slice(5) ?? []) {
        if (!/^(Link|Closes): /.test(line)) expect(line.length).toBeLessThanOrEqual(75);
      }
    }

    const series = readFileSync(path.join(s.ws, 'series', 'amd-polaris-no-bus-reset.md'), 'utf8');
    expect(series).toMatch(/^---\nsubject: "PCI: Quirks for AMD Polaris 10"\nchange-id: \d{8}-amd-polaris-no-bus-reset-[0-9a-f]{12}\nrevision: 1\nprefixes: \[ PATCH \]\nbase-commit: [0-9a-f]{40}\nbase: v6\.1\.\d+\nquirk: amd-polaris-no-bus-reset\npatches:\n {2}- 0001-PCI-Mark-AMD-Polaris-10-to-avoid-bus-reset\.patch\n {2}- 0002-PCI-Add-device-specific-reset-for-AMD-Polaris-10\.patch\nstate: drafted\n---\n/);
    expect(series).toContain('EDITME');
    expect(series).toContain(`base-commit: ${git(s.tree, 'rev-parse', `${tag}^{commit}`).trim()}`);
    expect(readFileSync(path.join(s.ws, 'quirks', 'amd-polaris-no-bus-reset.md'), 'utf8')).toContain('upstream: { state: drafted }');

    const { dir, touched } = amOnto(s.tree, tag, files);
    expect(touched).toEqual([QUIRKS_C]);
    git(s.tree, 'worktree', 'remove', '--force', dir);

    const check = cli(['check', 'amd-polaris-no-bus-reset', '--tree', s.tree, '--json'], { cwd: s.ws });
    expect(check.code).toBe(0);
    const out = JSON.parse(check.stdout) as { errors: number; warnings: number; checks: number; args: string[]; results: { findings: unknown[] }[] };
    expect(out).toMatchObject({ errors: 0, warnings: 0, checks: 0 });
    expect(out.args[0]).toBe('--strict');
    expect(out.results.flatMap((x) => x.findings)).toEqual([]);
    // Recorded for send's pre-flight, against the digest of exactly these patches.
    const record = JSON.parse(readFileSync(path.join(s.ws, '.quirkctl', 'checks', 'amd-polaris-no-bus-reset.json'), 'utf8')) as Record<string, unknown>;
    expect(record).toMatchObject({ errors: 0, warnings: 0, checks: 0, digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('builds drivers/pci/quirks.o with the device-specific reset (allnoconfig + PCI, x86_64)', () => {
    const applied = cli(['series', 'apply', 'amd-polaris-no-bus-reset', '--tree', s.tree, '--branch', 'polaris-v1'], { cwd: s.ws });
    expect(applied).toMatchObject({ code: 0, stdout: expect.stringMatching(/^applied 2 patches on v6\.1\.\d+: [0-9a-f]{40} \(branch polaris-v1\)\n$/) });
    const dir = path.join(scratchDir('quirkctl-build-'), 'src');
    const obj = path.join(path.dirname(dir), 'obj');
    mkdirSync(obj);
    git(s.tree, 'worktree', 'add', '--quiet', dir, 'polaris-v1');
    const fragment = path.join(path.dirname(dir), 'pci.config');
    writeFileSync(fragment, 'CONFIG_64BIT=y\nCONFIG_PCI=y\n');
    const make = (...args: string[]) => execFileSync('make', ['-s', '-C', dir, `O=${obj}`, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const t0 = Date.now();
    make(`KCONFIG_ALLCONFIG=${fragment}`, 'allnoconfig');
    const t1 = Date.now();
    make(`-j${os.cpus().length}`, 'drivers/pci/quirks.o');
    const t2 = Date.now();
    process.stderr.write(`quirks.o: allnoconfig ${((t1 - t0) / 1000).toFixed(1)} s, build ${((t2 - t1) / 1000).toFixed(1)} s\n`);
    expect(readFileSync(path.join(obj, '.config'), 'utf8')).toMatch(/^CONFIG_PCI=y$/m);
    expect(execFileSync('nm', [path.join(obj, QUIRKS_C.replace(/\.c$/, '.o'))], { encoding: 'utf8' })).toMatch(/ t reset_amd_polaris_10\n/);
    git(s.tree, 'worktree', 'remove', '--force', dir);
  });

  it.each([
    ['marvell-88se9215-no-flr', ['--name', 'Marvell 88SE9215'], '0001-PCI-Avoid-FLR-for-Marvell-88SE9215.patch', '+DECLARE_PCI_FIXUP_EARLY(PCI_VENDOR_ID_MARVELL_EXT, 0x9215, quirk_no_flr);\n', 'Closes: https://bugzilla.kernel.org/show_bug.cgi?id=999001'],
    ['nvidia-ga102-audio-no-pm-reset', [], '0001-PCI-Avoid-PM-reset-for-NVIDIA-GA102-High-Definition-.patch', '+DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_NVIDIA, 0x1aef, quirk_no_pm_reset);\n', 'Link: https://lore.kernel.org/r/20990101000000.GA1@example.org'],
    ['asmedia-asm1062-no-msi', ['--name', 'ASMedia ASM1062'], '0001-PCI-Disable-MSI-for-ASMedia-ASM1062.patch', '+DECLARE_PCI_FIXUP_FINAL(PCI_VENDOR_ID_ASMEDIA, 0x0612, quirk_no_msi);\n', 'Link: https://lore.kernel.org/r/20990101000000.GA2@example.org'],
    ['realtek-rtl8125-no-aspm', ['--name', 'Realtek RTL8125'], '0001-PCI-Disable-ASPM-L0s-L1-for-Realtek-RTL8125.patch', '+DECLARE_PCI_FIXUP_FINAL(PCI_VENDOR_ID_REALTEK, 0x8125,\n+\t\t\tquirk_disable_aspm_l0s_l1);\n', 'Link: https://lore.kernel.org/r/20990101000000.GA3@example.org'],
  ])('makes a %s patch that applies, touches quirks.c only and passes checkpatch --strict', (id, extra, name, line, trailer) => {
    const r = cli(['patch', id, '--tree', s.tree, '--stable', ...extra], { cwd: s.ws });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote patches/${id}/${name}\ncreated series/${id}.md: 1 patch on ${tag}\n`);
    const files = patchFiles(s.ws, id);
    const text = readFileSync(files[0] as string, 'utf8');
    expect(text).toContain(line);
    expect(text).toContain(`${trailer}\nCc: stable@vger.kernel.org\nSigned-off-by: Jane Developer <jane@example.org>\n`);
    // A single-patch series has no cover letter: its body (notes under ---) starts empty.
    expect(readFileSync(path.join(s.ws, 'series', `${id}.md`), 'utf8')).toMatch(/\nstate: drafted\n---\n$/);
    const { dir, touched } = amOnto(s.tree, tag, files);
    expect(touched).toEqual([QUIRKS_C]);
    git(s.tree, 'worktree', 'remove', '--force', dir);
    const check = cli(['check', id, '--tree', s.tree], { cwd: s.ws });
    expect(check).toMatchObject({ code: 0, stdout: expect.stringMatching(/^total: 0 errors, 0 warnings, 0 checks \(checkpatch\.pl --strict/) });
  });

  it('appends the HDMI audio function to the Polaris series with --series, keeping the cover letter', () => {
    const cover = path.join(s.ws, 'series', 'amd-polaris-no-bus-reset.md');
    writeFileSync(cover, readFileSync(cover, 'utf8').replace(/EDITME[^]*$/, 'Polaris cards die on a bus reset; these patches avoid it.\n'));
    const r = cli(['patch', 'amd-polaris-hdmi-audio-no-bus-reset', '--tree', s.tree, '--series', 'amd-polaris-no-bus-reset', '--name', 'AMD Polaris HDMI audio'], { cwd: s.ws });
    expect(r.stderr).not.toContain('quirkctl:');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('updated series/amd-polaris-no-bus-reset.md: 3 patches on v6.1.');
    const files = patchFiles(s.ws, 'amd-polaris-no-bus-reset');
    expect(files.map((f) => path.basename(f))[2]).toBe('0003-PCI-Mark-AMD-Polaris-HDMI-audio-to-avoid-bus-reset.patch');
    const third = readFileSync(files[2] as string, 'utf8');
    expect(third).toContain('Subject: [PATCH 3/3] PCI: Mark AMD Polaris HDMI audio to avoid bus reset');
    // Placed with the other bus-reset lines, after the Polaris GPU's own.
    expect(third).toMatch(/DECLARE_PCI_FIXUP_HEADER\(PCI_VENDOR_ID_ATI, 0x67df, quirk_no_bus_reset\);\n \n\+\/\*\n/);
    const series = readFileSync(cover, 'utf8');
    expect(series).toContain('Polaris cards die on a bus reset; these patches avoid it.\n');
    expect(series).toContain('quirk: amd-polaris-no-bus-reset\n');
    const { touched } = amOnto(s.tree, tag, files);
    expect(touched).toEqual([QUIRKS_C]);

    // Once more: the series now carries it.
    const before = treeHash(s.ws, ['.quirkctl']);
    const again = cli(['patch', 'amd-polaris-hdmi-audio-no-bus-reset', '--tree', s.tree, '--series', 'amd-polaris-no-bus-reset', '--name', 'AMD Polaris HDMI audio'], { cwd: s.ws });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^no-bus-reset: already in the tree at v6\.1\.\d+ with series 'amd-polaris-no-bus-reset' applied: drivers\/pci\/quirks\.c:\d+: DECLARE_PCI_FIXUP_HEADER\(PCI_VENDOR_ID_ATI, 0xaaf0, quirk_no_bus_reset\);\nnothing written/);
    expect(treeHash(s.ws, ['.quirkctl'])).toBe(before);
  });

  it('names the PCI maintainers and linux-pci in To and Cc from the real MAINTAINERS', () => {
    const r = cli(['series', 'recipients', 'amd-polaris-no-bus-reset', '--tree', s.tree], { cwd: s.ws });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('To: Bjorn Helgaas <bhelgaas@google.com>\nCc: linux-pci@vger.kernel.org\nCc: linux-kernel@vger.kernel.org\n');
    const series = readFileSync(path.join(s.ws, 'series', 'amd-polaris-no-bus-reset.md'), 'utf8');
    expect(series).toContain('to: [ Bjorn Helgaas <bhelgaas@google.com> ]\ncc: [ linux-pci@vger.kernel.org, linux-kernel@vger.kernel.org ]\n');
    // Running it again adds nothing.
    const before = treeHash(s.ws, ['.quirkctl']);
    expect(cli(['series', 'recipients', 'amd-polaris-no-bus-reset', '--tree', s.tree], { cwd: s.ws }).stderr).toContain('already has every address');
    expect(treeHash(s.ws, ['.quirkctl'])).toBe(before);
  });

  it('reports a fix the tree already carries (Atheros 168c:0030 no-bus-reset) and writes nothing', () => {
    const ws = freshWorkspace();
    expect(cli(['add', '168c:0030', '--no-bus-reset', '--id', 'atheros-ar93xx'], { cwd: ws }).code).toBe(0);
    const before = treeHash(ws, ['.quirkctl']);
    const state = treeState(s.tree);
    const r = cli(['patch', 'atheros-ar93xx', '--tree', s.tree], { cwd: ws });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^no-bus-reset: already in the tree at v6\.1\.\d+: drivers\/pci\/quirks\.c:\d+: DECLARE_PCI_FIXUP_HEADER\(PCI_VENDOR_ID_ATHEROS, 0x0030, quirk_no_bus_reset\);\nnothing written/);
    expect(treeHash(ws, ['.quirkctl'])).toBe(before);
    expect(treeState(s.tree)).toBe(state);
  });

  it('says rebind has no in-kernel mechanism, points to quirkctl dkms, and exits 2', () => {
    const before = treeHash(s.ws, ['.quirkctl']);
    const r = cli(['patch', 'axelera-metis-s3-rebind', '--tree', s.tree], { cwd: s.ws });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/quirk 'axelera-metis-s3-rebind': nothing to patch in the kernel: rebind around suspend\+hibernate: .*no in-kernel PCI quirk mechanism; 'quirkctl dkms'/);
    expect(treeHash(s.ws, ['.quirkctl'])).toBe(before);
  });
});

describe.runIf(hasKernelSource)('quirkctl patch refuses bad input, leaving nothing behind', () => {
  let s: Setup;
  beforeAll(() => {
    s = setup();
  });

  function refuses(args: string[], message: RegExp, opts: { tree?: string; env?: NodeJS.ProcessEnv } = {}): void {
    const tree = opts.tree ?? s.tree;
    const tmp = tempDir('quirkctl-tmp-');
    const before = treeHash(s.ws, ['.quirkctl']);
    const state = treeState(tree);
    const r = cli(args, { cwd: s.ws, env: { TMPDIR: tmp, ...opts.env } });
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(treeHash(s.ws, ['.quirkctl'])).toBe(before);
    expect(treeState(tree)).toBe(state);
    expect(readdirSync(tmp)).toEqual([]);
  }

  it('an unknown quirk id', () => {
    refuses(['patch', 'no-such-quirk', '--tree', s.tree], /quirkctl: quirk 'no-such-quirk': no quirk with that id or device; 'quirkctl list' shows them/);
  });

  it('a tree without drivers/pci/quirks.c', () => {
    const other = path.join(tempDir(), 'not-linux');
    mkdirSync(other);
    git(other, 'init', '--quiet', '-b', 'master');
    writeFileSync(path.join(other, 'README'), 'not a kernel\n');
    git(other, 'add', 'README');
    git(other, 'commit', '--quiet', '-m', 'init');
    refuses(['patch', 'amd-polaris-no-bus-reset', '--tree', other], /--tree '.*not-linux': master has no drivers\/pci\/quirks\.c; expected a Linux kernel tree/, { tree: other });
    refuses(['patch', 'amd-polaris-no-bus-reset', '--tree', path.dirname(other)], /--tree '.*': not a git work tree; expected a git clone of the Linux kernel/, { tree: other });
  });

  it('a dirty base', () => {
    const file = path.join(s.tree, QUIRKS_C);
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, `${text}/* local change */\n`);
    try {
      refuses(['patch', 'amd-polaris-no-bus-reset', '--tree', s.tree], /the base v6\.1\.\d+ is checked out with uncommitted changes \(drivers\/pci\/quirks\.c\); commit or stash them, or name another base with --base/);
    } finally {
      writeFileSync(file, text);
    }
  });

  it('no git identity', () => {
    const home = tempDir('quirkctl-home-');
    const bare = cloneKernelTree();
    refuses(['patch', 'amd-polaris-no-bus-reset', '--tree', bare], /no git identity for .*: user\.name is not set; the commit's author and Signed-off-by come from it/, {
      tree: bare,
      env: { HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: path.join(home, 'none') },
    });
  });

  it('a base that does not exist, a bad --name and a bad --series', () => {
    refuses(['patch', 'amd-polaris-no-bus-reset', '--tree', s.tree, '--base', 'v9.9'], /--base 'v9\.9': no such commit in /);
    refuses(['patch', 'amd-polaris-no-bus-reset', '--tree', s.tree, '--name', 'two\nlines'], /--name 'two\nlines': expected the device's name on one line/);
    refuses(['patch', 'amd-polaris-no-bus-reset', '--tree', s.tree, '--name', 'A device name long enough to push the summary past'], /the summary line 'PCI: Mark A device name .*' is \d+ characters; the limit is 75: pass a shorter device name with --name/);
    refuses(['patch', 'amd-polaris-no-bus-reset', '--tree', s.tree, '--series', '../x'], /--series '\.\.\/x': expected a slug/);
  });

  it('a quirk whose description still says EDITME', () => {
    expect(cli(['add', '1002:6798', '--no-bus-reset', '--id', 'tahiti'], { cwd: s.ws }).code).toBe(0);
    refuses(['patch', 'tahiti', '--tree', s.tree], /quirks\/tahiti\.md:\d+: the quirk's description still has an EDITME placeholder/);
  });

  it('no tree at all', () => {
    refuses(['patch', 'amd-polaris-no-bus-reset'], /no kernel tree: pass --tree PATH or set kernel\.tree in quirkctl\.yaml/);
  });
});

describe.runIf(hasKernelSource)('kernel.tree and kernel.base from quirkctl.yaml', () => {
  it('are used when --tree and --base are not given', () => {
    const s = setup();
    writeFileSync(path.join(s.ws, 'quirkctl.yaml'), `version: 1\nkernel:\n  tree: ${s.tree}\n  base: ${treeTag(s.tree)}\n`);
    const r = cli(['patch', 'nvidia-ga102-audio-no-pm-reset', '--dry-run'], { cwd: s.ws });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^--- 0001-PCI-Avoid-PM-reset-for-NVIDIA-GA102-High-Definition-\.patch\nFrom [0-9a-f]{40} /);
    expect(existsSync(path.join(s.ws, 'series', 'nvidia-ga102-audio-no-pm-reset.md'))).toBe(false);
  });
});
