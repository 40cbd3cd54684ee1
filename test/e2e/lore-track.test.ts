/**
 * Review tracking end to end against a real public-inbox (v2 inbox, Xapian search,
 * public-inbox-httpd on 127.0.0.1): a series made by real `git format-patch`, replies
 * with trailers and a maintainer's "Applied to ...", then `track`, `status`, `trailers`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, freshWorkspace, tempDir, treeHash } from '../helpers/cli.js';
import { mail, reply, subjectOf } from '../helpers/mails.js';
import { hasPublicInbox, startPublicInbox, type PublicInbox } from '../helpers/public-inbox.js';

const AUTHOR = 'Alice Author <alice@example.org>';
const CHANGE_ID = '20261121-polaris-no-bus-reset-3f2a9c1b7e40';

function git(repo: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A small kernel-like repository with a two-patch fix on top of a base commit. */
function makeRepo(): { repo: string; base: string } {
  const repo = tempDir('quirkctl-git-');
  git(repo, ['init', '-q', '-b', 'master']);
  git(repo, ['config', 'user.name', 'Alice Author']);
  git(repo, ['config', 'user.email', 'alice@example.org']);
  mkdirSync(path.join(repo, 'drivers/pci'), { recursive: true });
  const quirks = path.join(repo, 'drivers/pci/quirks.c');
  writeFileSync(quirks, '// SPDX-License-Identifier: GPL-2.0\n#include <linux/pci.h>\n');
  git(repo, ['add', '.']);
  git(repo, ['commit', '-q', '-m', 'PCI: base']);
  const base = git(repo, ['rev-parse', 'HEAD']).trim();
  writeFileSync(quirks, `${readFileSync(quirks, 'utf8')}\nstatic void quirk_no_bus_reset_polaris(struct pci_dev *dev)\n{\n\tdev->dev_flags |= PCI_DEV_FLAGS_NO_BUS_RESET;\n}\n`);
  git(repo, ['commit', '-q', '-a', '-m', 'PCI: Add a no-bus-reset helper for AMD Polaris\n\nPolaris GPUs stop responding after a secondary bus reset.\n\nSigned-off-by: Alice Author <alice@example.org>']);
  writeFileSync(quirks, `${readFileSync(quirks, 'utf8')}DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ATI, 0x67df, quirk_no_bus_reset_polaris);\n`);
  git(repo, ['commit', '-q', '-a', '-m', 'PCI: Mark AMD Polaris 10 GPUs to avoid bus reset\n\nReported-by: Rui Reporter <rui@example.org>\nSigned-off-by: Alice Author <alice@example.org>']);
  return { repo, base };
}

/** `git format-patch --cover-letter --thread=shallow` mails, cover filled in as a user would. */
function formatSeries(repo: string, base: string, version: number, subject: string): { mails: string[]; ids: string[] } {
  const out = tempDir('quirkctl-fp-');
  git(repo, ['format-patch', '-q', '--cover-letter', '--thread=shallow', `-v${version}`, '--to=linux-pci@vger.example.org', '-o', out, `${base}..HEAD`], {
    GIT_COMMITTER_DATE: new Date().toISOString(),
  });
  const files = readdirSync(out).sort();
  const mails = files.map((f) => readFileSync(path.join(out, f), 'utf8'));
  rmSync(out, { recursive: true });
  mails[0] = mails[0]!
    .replace('*** SUBJECT HERE ***', subject)
    .replace('*** BLURB HERE ***', `AMD Polaris GPUs die after a bus reset; mark them.\n\nchange-id: ${CHANGE_ID}`);
  // format-patch dates mails by author date; lore's received time is now.
  const now = new Date().toUTCString().replace('GMT', '+0000');
  // git's Message-IDs are <sha>.<seconds>.git.<email>: a re-roll within the same second
  // would reuse them, so mark the revision in them as b4 does.
  const dated = mails.map((m) => m.replace(/^Date: .*$/m, `Date: ${now}`).replace(/<([^<>\s]+\.git\.alice@example\.org)>/g, `<v${version}-$1>`));
  const ids = dated.map((m) => /^Message-ID: <([^>]+)>$/im.exec(m)![1]!);
  return { mails: dated, ids };
}

describe.runIf(hasPublicInbox)('quirkctl track against a real public-inbox-httpd', () => {
  let pi: PublicInbox;
  let ws: string;
  let repo: string;
  let base: string;
  let v1: { mails: string[]; ids: string[] };

  beforeAll(async () => {
    pi = await startPublicInbox();
    ({ repo, base } = makeRepo());
    v1 = formatSeries(repo, base, 1, 'PCI: Avoid bus reset on AMD Polaris 10 GPUs');
    // The workspace: patch files as `git format-patch` writes them, history as `send` records it.
    ws = freshWorkspace();
    writeFileSync(path.join(ws, 'quirkctl.yaml'), `version: 1\nlore:\n  url: ${pi.url}\n`);
    const pdir = path.join(ws, 'patches', 'polaris');
    git(repo, ['format-patch', '-q', '-o', pdir, `${base}..HEAD`]);
    const patches = readdirSync(pdir).sort();
    const [cover, ...ps] = v1.ids;
    writeFileSync(
      path.join(ws, 'series', 'polaris.md'),
      `---
subject: "PCI: Avoid bus reset on AMD Polaris 10 GPUs"
change-id: ${CHANGE_ID}
revision: 1
to: [ linux-pci@vger.example.org ] # the list
patches:
${patches.map((p) => `  - ${p}`).join('\n')}
state: sent
history:
  - revision: 1
    date: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}
    cover: ${cover}
    patches: [ ${ps.join(', ')} ]
    to: [ linux-pci@vger.example.org ]
    source: sent
---
AMD Polaris GPUs die after a bus reset; mark them.
`,
    );
    const [coverId, p1, p2] = v1.ids as [string, string, string];
    await pi.deliver([
      ...v1.mails,
      reply({
        from: 'Rob Reviewer <rob@example.org>',
        id: 'r1@example.org',
        to: p2,
        refs: [coverId, p2],
        subject: subjectOf(v1.mails[2]!),
        body: 'On Fri, Alice Author wrote:\n> Reported-by: Rui Reporter <rui@example.org>\n> Reviewed-by: Quoted Person <quoted@example.org>\n\nLooks right to me.\n\nReviewed-by: Rob Reviewer\n <rob@example.org>',
      }),
      reply({
        from: 'Carol Maintainer <carol@example.org>',
        id: 'r2@example.org',
        to: coverId,
        refs: [coverId],
        subject: subjectOf(v1.mails[0]!),
        body: 'For the series:\n\nAcked-by: Carol Maintainer <carol@example.org>',
      }),
      reply({
        from: AUTHOR,
        id: 'r3@example.org',
        to: 'r1@example.org',
        refs: [coverId, p2, 'r1@example.org'],
        subject: subjectOf(v1.mails[2]!),
        body: 'Thanks! Tested again here.\n\nTested-by: Alice Author <alice@example.org>',
      }),
      reply({
        from: 'Bjorn Maintainer <bjorn@example.org>',
        id: 'r4@example.org',
        to: coverId,
        refs: [coverId],
        subject: subjectOf(v1.mails[0]!),
        body: 'Applied to pci/virtualization, thanks!',
      }),
    ]);
    expect(p1).toBeTruthy();
  });

  afterAll(async () => {
    await pi?.stop();
    for (const dir of [repo, ws]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports trailers on the right patches and the applied branch, and records the evidence', () => {
    const r = cli(['track', 'polaris', '--json'], { cwd: ws });
    expect(r.stderr).not.toMatch(/warning/);
    expect(r.code).toBe(0);
    const [outcome] = JSON.parse(r.stdout) as { state: string; updated: boolean; review: { revisions: { state: string; branch: string; trailers: { patch: number; key: string; name: string; address: string }[]; evidence: { state: string; link: string }[] }[] } }[];
    expect(outcome!.state).toBe('applied');
    const rev = outcome!.review.revisions[0]!;
    expect(rev.branch).toBe('pci/virtualization');
    expect(rev.trailers.map((t) => [t.patch, t.key, t.name, t.address])).toEqual([
      [2, 'Reviewed-by', 'Rob Reviewer', 'rob@example.org'],
      [0, 'Acked-by', 'Carol Maintainer', 'carol@example.org'],
    ]);
    expect(rev.evidence.map((e) => e.state)).toEqual(['sent', 'under-review', 'reviewed', 'applied']);
    expect(rev.evidence[3]!.link).toBe(`${pi.url}/r4@example.org/`);

    const file = readFileSync(path.join(ws, 'series', 'polaris.md'), 'utf8');
    expect(file).toContain('state: applied\n');
    expect(file).toContain('to: [ linux-pci@vger.example.org ] # the list\n');
    expect(file).toContain('branch: pci/virtualization');
    expect(file).not.toContain('quoted@example.org');
    expect(file).not.toMatch(/Tested-by: Alice/);
  });

  it('shows status as a table, JSON and Markdown', () => {
    const table = cli(['status'], { cwd: ws });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^SERIES\s+REV\s+STATE\s+LAST ACTIVITY\s+LORE\npolaris\s+v1\s+applied \(pci\/virtualization\)\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+http:\/\/127\.0\.0\.1:\d+\/linux-pci\/.+\/\n/);
    expect(table.stdout).toContain('  1/2  Acked-by: Carol Maintainer <carol@example.org> (on the cover letter)');
    expect(table.stdout).toContain('  2/2  Reviewed-by: Rob Reviewer <rob@example.org>');
    const json = JSON.parse(cli(['status', '--json'], { cwd: ws }).stdout) as { state: string; branch: string; patches: { trailers: { key: string }[] }[] }[];
    expect(json[0]).toMatchObject({ state: 'applied', branch: 'pci/virtualization' });
    expect(json[0]!.patches.map((p) => p.trailers.map((t) => t.key))).toEqual([['Acked-by'], ['Reviewed-by', 'Acked-by']]);
    const md = cli(['status', '--markdown'], { cwd: ws }).stdout;
    expect(md).toContain('## `polaris`: PCI: Avoid bus reset on AMD Polaris 10 GPUs');
    expect(md).toContain('- State: applied (pci/virtualization)');
    expect(md).toMatch(/\| 2\/2 +\| Reviewed-by \| `Rob Reviewer <rob@example\.org>` +\|/);
  });

  it('shows the trailers diff, then writes it into the patch files with --update', () => {
    const pdir = path.join(ws, 'patches', 'polaris');
    const before = treeHash(pdir);
    const show = cli(['trailers', 'polaris'], { cwd: ws });
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('+Acked-by: Carol Maintainer <carol@example.org>');
    expect(treeHash(pdir)).toBe(before);
    const ignoring = cli(['trailers', 'polaris', '--ignore-from', 'carol@example.org'], { cwd: ws });
    expect(ignoring.stdout).not.toContain('Carol');
    expect(ignoring.stdout).toContain('+Reviewed-by: Rob Reviewer <rob@example.org>');
    const bad = cli(['trailers', 'polaris', '--update', '--ignore-from', 'Carol <carol@example.org>'], { cwd: ws });
    expect(bad).toMatchObject({ code: 2, stderr: "quirkctl: --ignore-from 'Carol <carol@example.org>': expected a mail address such as bot@example.org\n" });
    expect(treeHash(pdir)).toBe(before);

    const up = cli(['trailers', 'polaris', '--update'], { cwd: ws });
    expect(up.code).toBe(0);
    expect(up.stderr).toContain('added 3 trailer(s) to 2 patch file(s)');
    const [p1, p2] = readdirSync(pdir).sort().map((f) => readFileSync(path.join(pdir, f), 'utf8'));
    expect(p1).toContain('Signed-off-by: Alice Author <alice@example.org>\nAcked-by: Carol Maintainer <carol@example.org>\n---\n');
    expect(p2).toContain('Reported-by: Rui Reporter <rui@example.org>\nSigned-off-by: Alice Author <alice@example.org>\nReviewed-by: Rob Reviewer <rob@example.org>\nAcked-by: Carol Maintainer <carol@example.org>\n---\n');
    // The patches still apply.
    git(repo, ['checkout', '-q', '--detach', base]);
    git(repo, ['am', '-q', ...readdirSync(pdir).sort().map((f) => path.join(pdir, f))]);
    expect(git(repo, ['log', '-1', '--format=%b'])).toContain('Reviewed-by: Rob Reviewer <rob@example.org>\nAcked-by: Carol Maintainer <carol@example.org>');
    git(repo, ['checkout', '-q', 'master']);

    const again = cli(['trailers', 'polaris', '--update'], { cwd: ws });
    expect(again).toMatchObject({ code: 0, stdout: '' });
    expect(again.stderr).toContain('no new trailers');
  });

  it('refreshes an unchanged series with one small request and no parsing', () => {
    const before = treeHash(path.join(ws, 'series'));
    const r = cli(['track', '--json'], { cwd: ws });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^1 requests, 0 bytes$/m);
    expect(JSON.parse(r.stdout)).toMatchObject([{ slug: 'polaris', state: 'applied', updated: false, parsed: 0 }]);
    expect(treeHash(path.join(ws, 'series'))).toBe(before);
    const table = cli(['track'], { cwd: ws });
    expect(table.stdout).toMatch(/^SERIES\s+STATE\s+WAS\s+TRAILERS\s+NEWER\s+FILE\npolaris\s+applied \(pci\/virtualization\)\s+applied\s+2\s+-\s+unchanged\n$/);
  });

  it('finds a v2 posted later through its change-id', async () => {
    const v2 = formatSeries(repo, base, 2, 'PCI: Quirk AMD Polaris GPUs that break on bus reset');
    await pi.deliver(v2.mails);
    const r = cli(['track', 'polaris', '--json'], { cwd: ws });
    expect(r.code).toBe(0);
    const [outcome] = JSON.parse(r.stdout) as { review: { newer: { revision: number; 'found-by': string; link: string }[] } }[];
    expect(outcome!.review.newer).toEqual([expect.objectContaining({ revision: 2, 'found-by': 'change-id', link: `${pi.url}/${v2.ids[0]}/` })]);
    expect(cli(['status'], { cwd: ws }).stdout).toContain('newer: v2 (found by change-id)');
  });

  it('finds a reply that changed the Subject on a --full refresh', async () => {
    await pi.deliver([
      reply({ from: 'Nora Nak <nora@example.org>', id: 'r5@example.org', to: v1.ids[1]!, refs: [v1.ids[0]!, v1.ids[1]!], subject: 'what about Polaris 12?', body: 'NAK, this needs a Polaris 12 entry too.' }),
    ]);
    const probe = JSON.parse(cli(['track', 'polaris', '--json'], { cwd: ws }).stdout) as { review: { revisions: { naks: unknown[] }[] } }[];
    expect(probe[0]!.review.revisions[0]!.naks).toEqual([]);
    const full = JSON.parse(cli(['track', 'polaris', '--full', '--json'], { cwd: ws }).stdout) as { review: { revisions: { naks: { patch: number; address: string }[]; state: string }[] } }[];
    expect(full[0]!.review.revisions[0]!.naks).toEqual([expect.objectContaining({ patch: 1, address: 'nora@example.org' })]);
    // Applied stays applied: a late NAK is shown, not a step back.
    expect(full[0]!.review.revisions[0]!.state).toBe('applied');
  });

  it('tracks a series sent before lore archived it: a warning first, the review once it is there', async () => {
    writeFileSync(
      path.join(ws, 'series', 'late.md'),
      `---\nsubject: "PCI: Late quirk"\nchange-id: 20261121-late-0123456789ab\nrevision: 1\npatches: []\nstate: sent\nhistory:\n  - { revision: 1, date: "2026-11-21T10:00:00Z", patches: [ late-1@example.org ] }\n---\n`,
    );
    const first = cli(['track', 'late'], { cwd: ws });
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/warning: late: thread of <late-1@example.org>: not found at .* \(404\): not archived there \(yet\)/);
    expect(first.stdout).toMatch(/^late\s+sent\s+sent\s+0\s+-\s+updated$/m);
    await pi.deliver([
      mail({ from: AUTHOR, id: 'late-1@example.org', subject: '[PATCH] PCI: Late quirk', body: 'A late patch.\n\nSigned-off-by: Alice Author <alice@example.org>' }),
      reply({ from: 'Rob Reviewer <rob@example.org>', id: 'late-r1@example.org', to: 'late-1@example.org', refs: ['late-1@example.org'], subject: '[PATCH] PCI: Late quirk', body: 'Reviewed-by: Rob Reviewer <rob@example.org>' }),
    ]);
    const second = cli(['track', 'late'], { cwd: ws });
    expect(second.stderr).not.toContain('warning');
    expect(second.stdout).toMatch(/^late\s+reviewed\s+sent\s+1\s+-\s+updated$/m);
  });

  it('refuses a bad --lore URL and a series that was never posted, writing nothing', () => {
    const before = treeHash(ws, ['.quirkctl']);
    const bad = cli(['track', 'polaris', '--lore', 'ftp://x'], { cwd: ws });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--lore 'ftp://x': expected the base URL of a public-inbox");
    writeFileSync(path.join(ws, 'series', 'draft.md'), `---\nsubject: Draft\nchange-id: 20261121-draft-000000000000\nrevision: 1\npatches: []\nstate: drafted\n---\n`);
    const never = cli(['track', 'draft'], { cwd: ws });
    expect(never.code).toBe(2);
    expect(never.stderr).toContain("series 'draft': no posted revision with Message-IDs");
    const missing = cli(['track', 'polaris', '--lore', `${pi.url.replace(/linux-pci$/, 'nope')}`, '--dry-run'], { cwd: ws });
    expect(missing.stderr).toMatch(/warning: polaris: thread of <.*>: not found at .* \(404\)/);
    expect(treeHash(ws, ['.quirkctl', 'draft.md'])).toBe(before);
  });
});
