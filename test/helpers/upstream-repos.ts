/**
 * Real git repositories shaped like mainline and linux-stable, for upstream detection:
 * release tags, a maintainer branch merged with --no-ff, patches applied the way
 * maintainers apply them (subject rewritten, Link: added), and stable cherry-picks that
 * say `commit <sha> upstream.`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './cli.js';

const AUTHOR = { name: 'Alex Tester', email: 'alex@example.org' };
const MAINTAINER = { name: 'Bjorn Maintainer', email: 'bjorn@example.org' };

export function run(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: cwd,
      GIT_AUTHOR_NAME: AUTHOR.name,
      GIT_AUTHOR_EMAIL: AUTHOR.email,
      GIT_COMMITTER_NAME: MAINTAINER.name,
      GIT_COMMITTER_EMAIL: MAINTAINER.email,
      ...env,
    },
  }).trim();
}

function write(repo: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
  writeFileSync(path.join(repo, file), text);
}

function edit(repo: string, file: string, from: string, to: string): void {
  const p = path.join(repo, file);
  const text = readFileSync(p, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no '${from}'`);
  writeFileSync(p, text.replace(from, to));
}

function commit(repo: string, message: string, env: Record<string, string> = {}): string {
  run(repo, ['add', '-A']);
  run(repo, ['commit', '-q', '-m', message], env);
  return run(repo, ['rev-parse', 'HEAD']);
}

export interface Patch {
  /** The patch as `git format-patch` wrote it, from the author's own tree. */
  text: string;
  subject: string;
}

/** One patch per quirk line added to quirks.c, made in a scratch clone as its author would. */
function makePatch(base: string, at: string, subject: string, line: string, marker: string): Patch {
  const work = tempDir('quirkctl-author-');
  run(work, ['clone', '-q', base, '.']);
  run(work, ['checkout', '-q', at]);
  edit(work, 'drivers/pci/quirks.c', marker, `${marker}\n${line}`);
  commit(work, `${subject}\n\nThe device dies on a bus reset.\n\nSigned-off-by: ${AUTHOR.name} <${AUTHOR.email}>`);
  const text = run(work, ['format-patch', '-1', '--stdout']);
  return { text: `${text}\n`, subject };
}

/** Applies `patch` on the current branch as a maintainer does: `git am`, then a new message. */
function applyAs(repo: string, patch: Patch, message: string | undefined): string {
  const file = path.join(tempDir(), 'p.patch');
  writeFileSync(file, patch.text);
  run(repo, ['am', '-q', file]);
  if (message !== undefined) run(repo, ['commit', '-q', '--amend', '-m', message]);
  return run(repo, ['rev-parse', 'HEAD']);
}

export interface UpstreamRepos {
  mainline: string;
  stable: string;
  patches: { link: Patch; patchId: Patch; fuzzy: Patch; pending: Patch };
  /** Message-ID the `link` patch was posted under. */
  linkMessageId: string;
  commits: { link: string; patchId: string; fuzzy: string; backport: string };
}

export interface RepoTags {
  /** Tag before the merge window, e.g. v6.1. */
  base: string;
  /** First tag after the maintainer branch was merged, e.g. v6.2-rc1. */
  rc: string;
  /** The release, e.g. v6.2. */
  release: string;
  /** Stable tags on the base's line: one before the backport, one after. */
  stableBefore: string;
  stableAfter: string;
}

export const CLASSIC_TAGS: RepoTags = { base: 'v6.1', rc: 'v6.2-rc1', release: 'v6.2', stableBefore: 'v6.1.4', stableAfter: 'v6.1.5' };

export function buildUpstreamRepos(tags: RepoTags = CLASSIC_TAGS): UpstreamRepos {
  const mainline = tempDir('quirkctl-mainline-');
  run(mainline, ['init', '-q', '-b', 'master']);
  // Sections far enough apart that patches to different ones do not share context lines.
  const filler = (name: string) => Array.from({ length: 8 }, (_, i) => `/* ${name} ${i} */`);
  const quirks = [
    '// SPDX-License-Identifier: GPL-2.0',
    '/* quirks */',
    ...filler('helpers'),
    'static void quirk_no_bus_reset(struct pci_dev *dev) {}',
    '/* no-bus-reset devices */',
    'DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ATHEROS, 0x0030, quirk_no_bus_reset);',
    ...filler('bus reset'),
    '/* flr devices */',
    ...filler('flr'),
    '/* other */',
    '',
  ].join('\n');
  write(mainline, 'drivers/pci/quirks.c', quirks);
  write(mainline, 'Makefile', 'VERSION = 6\n');
  commit(mainline, 'Initial tree');
  run(mainline, ['tag', tags.base]);

  const linkPatch = makePatch(mainline, tags.base, 'PCI: Mark AMD Polaris 10 to avoid bus reset', 'DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ATI, 0x67df, quirk_no_bus_reset);', '/* no-bus-reset devices */');
  const idPatch = makePatch(mainline, tags.base, 'PCI: Avoid FLR for Example device', 'DECLARE_PCI_FIXUP_EARLY(0x1234, 0x5678, quirk_no_flr);', '/* flr devices */');
  const fuzzyPatch = makePatch(mainline, tags.base, 'PCI: Mark Example audio to avoid bus reset', 'DECLARE_PCI_FIXUP_HEADER(0x1234, 0xaaf0, quirk_no_bus_reset);', '/* no-bus-reset devices */');
  const pendingPatch = makePatch(mainline, tags.base, 'PCI: Add quirk nobody applied', 'DECLARE_PCI_FIXUP_HEADER(0x4321, 0x0001, quirk_no_bus_reset);', '/* other */');
  const linkMessageId = '20261101-polaris-v2-1-0123456789ab@example.org';

  // The maintainer's topic branch: subjects rewritten, Link: added to one.
  run(mainline, ['checkout', '-q', '-b', 'pci/virtualization', tags.base]);
  const link = applyAs(
    mainline,
    linkPatch,
    `PCI: Avoid bus reset on AMD Polaris GPUs\n\nThe device dies on a bus reset.\n\nLink: https://lore.kernel.org/r/${linkMessageId}\nSigned-off-by: ${AUTHOR.name} <${AUTHOR.email}>\n[bhelgaas: commit log]\nSigned-off-by: ${MAINTAINER.name} <${MAINTAINER.email}>`,
  );
  const patchId = applyAs(mainline, idPatch, `PCI: Disable FLR on the Example device\n\nSigned-off-by: ${AUTHOR.name} <${AUTHOR.email}>\nSigned-off-by: ${MAINTAINER.name} <${MAINTAINER.email}>`);

  // Meanwhile on master: unrelated work, some of it in the same file.
  run(mainline, ['checkout', '-q', 'master']);
  edit(mainline, 'drivers/pci/quirks.c', '/* quirks */', '/* quirks: devices that need help */');
  commit(mainline, 'PCI: Reword a comment');
  write(mainline, 'drivers/net/dummy.c', 'int dummy;\n');
  commit(mainline, 'net: Add dummy');
  run(mainline, ['merge', '-q', '--no-ff', '-m', "Merge branch 'pci/virtualization'", 'pci/virtualization']);
  run(mainline, ['tag', tags.rc]);

  // Applied after the merge window with a changed hunk: only the subject and author match.
  edit(mainline, 'drivers/pci/quirks.c', '/* no-bus-reset devices */', '/* no-bus-reset devices */\nDECLARE_PCI_FIXUP_HEADER(0x1234, 0xaaf1, quirk_no_bus_reset);');
  const fuzzy = commit(mainline, `${fuzzyPatch.subject}\n\nSigned-off-by: ${AUTHOR.name} <${AUTHOR.email}>`);
  run(mainline, ['tag', tags.release]);

  // linux-stable: the base's line gets the Link patch backported, as Greg's scripts write it.
  const stable = tempDir('quirkctl-stable-');
  run(stable, ['clone', '-q', mainline, '.']);
  run(stable, ['checkout', '-q', '-b', `linux-${tags.base.slice(1)}.y`, tags.base]);
  write(stable, 'Makefile', 'VERSION = 6\nSUBLEVEL = 4\n');
  commit(stable, `Linux ${tags.stableBefore.slice(1)}`);
  run(stable, ['tag', tags.stableBefore]);
  run(stable, ['cherry-pick', link]);
  const [title, ...rest] = run(stable, ['log', '-1', '--format=%B']).split('\n');
  run(stable, ['commit', '-q', '--amend', '-m', `${title}\n\ncommit ${link} upstream.\n${rest.join('\n')}\nSigned-off-by: Stable Maintainer <stable@example.org>`]);
  const backport = run(stable, ['rev-parse', 'HEAD']);
  write(stable, 'Makefile', 'VERSION = 6\nSUBLEVEL = 5\n');
  commit(stable, `Linux ${tags.stableAfter.slice(1)}`);
  run(stable, ['tag', tags.stableAfter]);

  return {
    mainline,
    stable,
    patches: { link: linkPatch, patchId: idPatch, fuzzy: fuzzyPatch, pending: pendingPatch },
    linkMessageId,
    commits: { link, patchId, fuzzy, backport },
  };
}
