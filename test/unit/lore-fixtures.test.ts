/**
 * The tracker on real list mail (../shared/fixtures/lore, see its SOURCES.md): every mail
 * parses or is skipped with a warning naming it, and the review facts of real threads
 * match what a person reading them finds.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPosting, parseSubject, positionOf, subjectSummary } from '../../src/mail/subject.js';
import type { LoreMessage } from '../../src/lore/message.js';
import { findNewerRevisions, reviewRevision, type PostedRevision } from '../../src/lore/review.js';
import { parseMbox } from '../../src/lore/track.js';
import { REPO } from '../helpers/cli.js';

const FIXTURES = path.join(REPO, '..', 'shared', 'fixtures', 'lore');
const present = existsSync(FIXTURES);
if (!present && process.env.CI) throw new Error(`fixtures missing under CI: ${FIXTURES}`);

async function load(name: string, warn: (m: string) => void = () => undefined): Promise<LoreMessage[]> {
  return (await parseMbox(readFileSync(path.join(FIXTURES, name)), `fixtures/lore/${name}`, warn)).messages;
}

/** The posting in a thread as `send` would have recorded it: cover and patches by their [n/M]. */
function posted(messages: LoreMessage[], version?: number): PostedRevision {
  const mails = messages.filter((m) => {
    const s = parseSubject(m.subject);
    return isPosting(s) && (version === undefined || s.revision === version);
  });
  const first = mails[0]!;
  const s = parseSubject(first.subject);
  const at = (i: number) => mails.find((m) => positionOf(parseSubject(m.subject)).n === i)?.id;
  return {
    revision: s.revision,
    date: first.date ?? '2000-01-01T00:00:00Z',
    ...(at(0) ? { cover: at(0)! } : {}),
    patches: [...Array(positionOf(s).of).keys()].map((i) => at(i + 1) ?? `missing-${i + 1}@fixture`),
  };
}

const link = (id: string) => `https://lore.kernel.org/all/${id}/`;

async function review(name: string, version?: number) {
  const messages = await load(name);
  return reviewRevision({ posted: posted(messages, version), messages, link });
}

const short = (r: Awaited<ReturnType<typeof review>>) => r.trailers.map((t) => `${t.patch} ${t.key}: ${t.value}`);

describe.runIf(present)('lore fixtures', () => {
  it('parses every mail or skips it with a warning naming file and mail; nothing crashes', async () => {
    const warnings: string[] = [];
    let parsed = 0;
    const names = readdirSync(FIXTURES).filter((n) => n !== 'SOURCES.md');
    expect(names.length).toBeGreaterThan(40);
    for (const name of names) {
      const messages = await load(name, (w) => warnings.push(w));
      parsed += messages.length;
      // Threading and fact-finding over every file, whatever it holds.
      const postings = messages.map((m) => parseSubject(m.subject)).filter(isPosting);
      if (postings.length) {
        expect(() => reviewRevision({ posted: posted(messages), messages, link })).not.toThrow();
      }
    }
    expect(parsed).toBeGreaterThan(200);
    // The mails without a Message-ID (git's test mboxes, format-patch output, a fuzzed header).
    for (const w of warnings) expect(w).toMatch(/^fixtures\/lore\/[\w.-]+: message \d+ skipped: (no Message-ID|unusable Message-ID)/);
    expect(warnings).toContain('fixtures/lore/patchwork-0017-git-pull-request-git-2-14-3.mbox: message 1 skipped: no Message-ID');
    expect(warnings).toContain('fixtures/lore/patchwork-refshdr.mbox: message 1 skipped: unusable Message-ID "<>"');
  });

  it('bridge-window v1: Andy Shevchenko reviewed patches 2 to 6 of 7', async () => {
    const r = await review('lore-linux-pci-bridge-window-sizing-v1.t.mbox');
    expect(short(r)).toEqual([2, 3, 4, 5, 6].map((p) => `${p} Reviewed-by: Andy Shevchenko <andriy.shevchenko@linux.intel.com>`));
    expect(r.state).toBe('under-review');
  });

  it('bridge-window v2: a cover Reviewed-by covers the series; a tester "did apply" is no applied notice', async () => {
    const r = await review('lore-linux-pci-bridge-window-sizing-v2.t.mbox');
    expect(short(r)).toEqual([
      '0 Reviewed-by: Mika Westerberg <mika.westerberg@linux.intel.com>',
      // Passed on by the author for a tester, inside a quoted-printable ISO-8859-15 part.
      '0 Tested-by: Lidong Wang <lidong.wang@intel.com>',
    ]);
    expect(r.applied).toEqual([]);
    // "(I'll correct this part of the description in the next version ...)": the author
    // promised a v3, and sent it.
    expect(r.state).toBe('changes-requested');
    expect(r.evidence.map((e) => e.state)).toEqual(['sent', 'under-review', 'changes-requested']);
    expect(r.evidence[2]!.link).toBe(link('ad7b90e5-c995-2a1d-4d30-1026bf8abe69@linux.intel.com'));
  });

  it('bridge-window v3: "Applied to pci/resource for v6.11, thanks!" and a follow-up Reviewed-by on 7/8', async () => {
    const r = await review('lore-linux-pci-bridge-window-sizing-v3.t.mbox');
    expect(short(r)).toContain('7 Reviewed-by: Mika Westerberg <mika.westerberg@linux.intel.com>');
    expect(r).toMatchObject({ state: 'applied', branch: 'pci/resource' });
    expect(r.applied[0]).toMatchObject({ patch: 0, name: 'Bjorn Helgaas', address: 'helgaas@kernel.org' });
    expect(r.evidence.map((e) => e.state)).toEqual(['sent', 'under-review', 'applied']);
  });

  it('aspm v1: trailers on the cover, one from an Outlook reply in base64 gb2312', async () => {
    const r = await review('lore-linux-pci-aspm-quirks-v1.t.mbox');
    expect(short(r)).toEqual([
      '0 Tested-by: Richard Zhu <hongxing.zhu@nxp.com>',
      '0 Reviewed-by: Manivannan Sadhasivam <mani@kernel.org>',
      '0 Tested-by: Manivannan Sadhasivam <mani@kernel.org>',
    ]);
    expect(r.state).toBe('reviewed');
  });

  it('aspm v2: Tested-by in a format=flowed reply, applied to pci/for-linus; "queued up in patchwork" is not', async () => {
    const messages = await load('lore-linux-pci-aspm-quirks-v2.t.mbox');
    const r = reviewRevision({ posted: posted(messages), messages, link });
    expect(short(r)).toEqual(['0 Tested-by: Shawn Lin <shawn.lin@rock-chips.com>', '0 Reviewed-by: Lukas Wunner <lukas@wunner.de>']);
    expect(r.applied.map((a) => a.branch)).toEqual(['pci/for-linus']);
    expect(r).toMatchObject({ state: 'applied', branch: 'pci/for-linus' });
    // The mutt reply without References and the one whose References omit the root still
    // land on the cover they answer.
    expect(r.evidence[1]!.link).toBe(link('4a2a4203-3eb0-4eab-a06e-ce5c6bf18ff4@rock-chips.com'));
  });

  it('a pull request that lists every patch counts as applied, with its tag', async () => {
    const v2 = await load('lore-linux-pci-aspm-quirks-v2.t.mbox');
    const pull = await load('lore-linux-pci-git-pull-pci-fixes-v6.18.t.mbox');
    const p = posted(v2);
    // Patch 4 was renamed on the way ("Freescale [1957:0451] Root Ports"): the first three are in the pull.
    const firstThree = { ...p, patches: p.patches.slice(0, 3) };
    const quiet = v2.filter((m) => !/Applied to/.test(m.body));
    expect(reviewRevision({ posted: firstThree, messages: quiet, related: pull, link })).toMatchObject({ state: 'applied', branch: 'pci tags/pci-v6.18-fixes-5' });
    expect(reviewRevision({ posted: p, messages: quiet, related: pull, link }).applied).toEqual([]);
  });

  it('iosm: a single-patch Reviewed-by, then patchwork-bot applying v3 to net-next', async () => {
    const v2 = await review('lore-netdev-pci-iosm-hibernation-v2.t.mbox');
    expect(short(v2)).toEqual(['1 Reviewed-by: Sergey Ryazanov <ryazanov.s.a@gmail.com>']);
    expect(v2.state).toBe('reviewed');
    const v3 = await review('lore-netdev-pci-iosm-hibernation-v3.t.mbox');
    expect(v3).toMatchObject({ state: 'applied', branch: 'netdev/net-next.git (main)' });
  });

  it('enetc: Reviewed-by on the cover; "This series was applied to netdev/net.git (main)"', async () => {
    const r = await review('lore-netdev-pci-enetc-probing-v2.t.mbox');
    expect(short(r)).toEqual(['0 Reviewed-by: Simon Horman <horms@kernel.org>']);
    expect(r).toMatchObject({ state: 'applied', branch: 'netdev/net.git (main)' });
  });

  it('b4 edge cases: names with (corporate), [corporate], "Last, First"; quoted trailers never count', async () => {
    const r = await review('b4-trailers-followup-name-parens.mbox');
    expect(r.trailers.map((t) => [t.key, t.name, t.address])).toEqual([
      ['Reviewed-by', 'Followup Reviewer1 (corporate)', 'followup-reviewer1@example.com'],
      ['Tested-by', 'Followup Reviewer2', 'followup-reviewer2@example.com'],
      ['Reviewed-by', 'Mismatched Reviewer1', 'mismatched-reviewer1@example.net'],
      ['Tested-by', 'Followup Tester1 [corporate]', 'followup-tester1@example.com'],
      ['Tested-by', 'Tester2, Followup', 'followup-tester2@example.com'],
    ]);
  });

  it('semicolons: patches applied by different maintainers, each on its own patch', async () => {
    const r = await review('notmuch-lkml-remove-semicolons-44-subset.mbox');
    expect(r.applied.map((a) => [a.patch, a.branch, a.address]).sort()).toEqual([
      [39, undefined, 'davem@davemloft.net'],
      [44, undefined, 'broonie@opensource.wolfsonmicro.com'],
    ]);
    expect(r.state).not.toBe('applied');
    expect(short(r)).toEqual(['39 Acked-by: Sjur Braendeland <sjur.brandeland@stericsson.com>', '44 Acked-by: Liam Girdwood <lrg@slimlogic.co.uk>']);
  });

  it('cifs: bogus <yes> references; the Acked-by lands on 02/10', async () => {
    const r = await review('notmuch-lkml-cifs-fscache-rfc-subset.mbox');
    expect(r.trailers.map((t) => [t.patch, t.key, t.name])).toEqual([[2, 'Acked-by', 'Jeff Layton']]);
  });

  it('finds the v2 and v3 re-rolls of bridge-window by subject and author (separate threads, 7 then 8 patches)', async () => {
    const v1 = await load('lore-linux-pci-bridge-window-sizing-v1.t.mbox');
    const later = [...(await load('lore-linux-pci-bridge-window-sizing-v2.t.mbox')), ...(await load('lore-linux-pci-bridge-window-sizing-v3.t.mbox'))];
    const p = posted(v1);
    const own = v1.filter((m) => m.id === p.cover || p.patches.includes(m.id));
    const newer = findNewerRevisions({
      revision: 1,
      changeId: '20231215-none-000000000000',
      subjects: own.map((m) => subjectSummary(m.subject)),
      authors: own.map((m) => m.from.address),
      known: new Set(own.map((m) => m.id)),
      messages: [...v1, ...later],
      link,
    });
    expect(newer.map((n) => [n.revision, n['found-by'], n.subject])).toEqual([
      [2, 'subject', '[PATCH v2 0/7] PCI: Solve two bridge window sizing issues'],
      [3, 'subject', '[PATCH v3 0/8] PCI: Solve two bridge window sizing issues'],
    ]);
  });

  it('a partial re-roll posted into the thread is a newer revision, not review', async () => {
    const messages = await load('b4-trailers-followup-partial-reroll.mbox');
    const p = posted(messages, 2);
    const r = reviewRevision({ posted: p, messages, link });
    expect(r.trailers.map((t) => `${t.patch} ${t.key}: ${t.value}`)).toEqual([
      '2 Reviewed-by: Followup Reviewer1 <followup-reviewer1@example.com>',
      '0 Reviewed-by: Coverletter Reviewer1 <followup-reviewer1@example.com>',
    ]);
    const own = messages.filter((m) => m.id === p.cover || p.patches.includes(m.id));
    const newer = findNewerRevisions({ revision: 2, changeId: 'x', subjects: own.map((m) => subjectSummary(m.subject)), authors: own.map((m) => m.from.address), known: new Set(own.map((m) => m.id)), messages, link });
    expect(newer.map((n) => [n.revision, n['found-by']])).toEqual([[3, 'subject']]);
  });

  it('survives a reply loop and a duplicated Message-ID', async () => {
    for (const name of ['notmuch-broken-in-reply-to-loop.mbox', 'notmuch-duplicate-message-id.mbox']) {
      const messages = await load(name);
      const p: PostedRevision = { revision: 1, date: '2000-01-01T00:00:00Z', patches: [messages[0]!.id] };
      expect(reviewRevision({ posted: p, messages, link }).state).toMatch(/sent|under-review/);
    }
  });
});
