/**
 * A real git repository with a small series on top of a base commit, its patches made by
 * `git format-patch` into a fresh workspace's patches/<slug>/, and a series file listing
 * them: what `quirkctl patch` leaves behind. git runs with a HOME of its own, so the
 * identity and sendemail.* settings are the test's, never the developer's.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freshWorkspace, tempDir } from './cli.js';

export const SENDER = { name: 'A U Thor', email: 'author@example.org' };

export interface SeriesFixture {
  ws: string;
  repo: string;
  base: string;
  commits: string[];
  home: string;
  /** Environment for git and quirkctl: HOME with the test's git config, no system config. */
  env: NodeJS.ProcessEnv;
  slug: string;
  patchNames: string[];
  git(args: string[], opts?: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string }): string;
}

export interface FixtureOptions {
  slug?: string;
  /** 3 (default) or 1. */
  patches?: 1 | 3;
  revision?: number;
  to?: string[];
  cc?: string[];
  cover?: string;
  /** Set kernel.tree in quirkctl.yaml to the repository (git's exact cover diffstat). */
  tree?: boolean;
}

const QUIRKS_C = `// SPDX-License-Identifier: GPL-2.0
/*
 * PCI quirks (a small stand-in for drivers/pci/quirks.c)
 */
#include <linux/pci.h>

static void quirk_no_bus_reset(struct pci_dev *dev)
{
\tdev->dev_flags |= PCI_DEV_FLAGS_NO_BUS_RESET;
}

/*
 * Some Atheros AR9xxx and QCA988x chips do not behave after a bus reset.
 */
DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ATHEROS, 0x0030, quirk_no_bus_reset);
DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ATHEROS, 0x0032, quirk_no_bus_reset);
`;

export function makeSeriesFixture(o: FixtureOptions = {}): SeriesFixture {
  const slug = o.slug ?? 'polaris';
  const home = tempDir('quirkctl-home-');
  writeFileSync(path.join(home, '.gitconfig'), `[user]\n\tname = ${SENDER.name}\n\temail = ${SENDER.email}\n[init]\n\tdefaultBranch = master\n`);
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), GIT_CONFIG_NOSYSTEM: '1', TZ: 'UTC', LC_ALL: 'C.UTF-8' };
  delete env.GIT_CONFIG_GLOBAL;
  const repo = tempDir('quirkctl-repo-');
  let tick = 1_790_000_000;
  const git = (args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}) =>
    execFileSync('git', args, { cwd: opts.cwd ?? repo, env: { ...env, ...opts.env }, encoding: 'utf8', input: opts.input ?? '' });
  const commit = (message: string, author?: string) => {
    tick += 60;
    const dates = { GIT_AUTHOR_DATE: `${tick} +0000`, GIT_COMMITTER_DATE: `${tick} +0000` };
    git(['add', '-A']);
    git(['commit', '-q', '-F', '-', ...(author ? [`--author=${author}`] : [])], { env: dates, input: message });
    return git(['rev-parse', 'HEAD']).trim();
  };
  git(['init', '-q']);
  mkdirSync(path.join(repo, 'drivers/pci'), { recursive: true });
  writeFileSync(path.join(repo, 'drivers/pci/quirks.c'), QUIRKS_C);
  writeFileSync(path.join(repo, 'MAINTAINERS'), 'PCI SUBSYSTEM\nL:\tlinux-pci@vger.kernel.org\n');
  const base = commit('Linux 6.1\n');
  git(['tag', 'v6.1']);
  const sob = `Signed-off-by: ${SENDER.name} <${SENDER.email}>`;
  const commits: string[] = [];
  const quirk = `\n/*\n * AMD Polaris 10 GPUs stop responding after a secondary bus reset.\n */\nDECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ATI, 0x67df, quirk_no_bus_reset);\n`;
  writeFileSync(path.join(repo, 'drivers/pci/quirks.c'), QUIRKS_C + quirk);
  commits.push(
    commit(
      `PCI: Mark AMD Polaris 10 GPUs to avoid bus reset\n\nAfter a secondary bus reset the card's config space reads back as all\nones and the card is gone until a power cycle.\n\nLink: https://gist.github.com/shatsky/2c8959eb3b9d2528ee8a7b9f58467aa0\nCc: stable@vger.kernel.org # 6.1+\n${sob}\n`,
    ),
  );
  if ((o.patches ?? 3) === 3) {
    writeFileSync(path.join(repo, 'drivers/pci/polaris-reset.c'), '// SPDX-License-Identifier: GPL-2.0\n/* Polaris config-space reset: write 0x39d5e86b to offset 0x7c. */\n');
    commits.push(commit(`PCI: Add a config-space reset for Polaris GPUs\n\nReset the card the way amdgpu does, by writing to offset 0x7c.\n\nSigned-off-by: Ælfred Ünïcode <ae@example.org>\nCc: Reviewer Person <reviewer@example.org>\n${sob}\n`, 'Ælfred Ünïcode <ae@example.org>'));
    writeFileSync(path.join(repo, 'drivers/pci/quirks.c'), QUIRKS_C + quirk.replace('0x67df', '0x67ef').replace('Polaris 10 GPUs', 'Polaris 10 and 11 GPUs'));
    commits.push(commit(`PCI: Cover Polaris 11 in the bus reset quirk as well, since the same failure shows up on the RX 460\n\nThe RX 460 fails the same way.\n\n${sob}\n`));
  }
  const ws = freshWorkspace();
  const patchDir = path.join(ws, 'patches', slug);
  git(['format-patch', '-q', '-o', patchDir, `${base}..HEAD`]);
  const patchNames = readdirSync(patchDir).sort();
  if (o.tree) writeFileSync(path.join(ws, 'quirkctl.yaml'), `version: 1\nkernel:\n  tree: ${repo}\n`);
  const list = (xs: string[]) => `[ ${xs.map((x) => JSON.stringify(x)).join(', ')} ]`;
  writeFileSync(
    path.join(ws, 'series', `${slug}.md`),
    `---\nsubject: "PCI: Keep AMD Polaris GPUs away from bus resets"\nchange-id: 20261121-${slug}-3f2a9c1b7e40\nrevision: ${o.revision ?? 1}\nprefixes: [ PATCH ]\n` +
      `to: ${list(o.to ?? ['Bjorn Helgaas <bhelgaas@example.org>'])}\ncc: ${list(o.cc ?? ['linux-pci@vger.example.org'])}\n` +
      `base-commit: ${base}\nbase: v6.1\npatches:\n${patchNames.map((n) => `  - ${n}\n`).join('')}state: drafted\n---\n\n` +
      `${o.cover ?? 'Polaris GPUs do not survive a **secondary bus reset**; these patches mark them so that\nvfio-pci and the PCI core use another reset, and add one that works.\n\n- patch 1 marks the GPUs\n- patch 2 adds the reset\n'}`,
  );
  return { ws, repo, base, commits, home, env, slug, patchNames, git };
}
