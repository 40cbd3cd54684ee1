import { describe, expect, it } from 'vitest';
import { addTrailers } from '../../src/lore/apply-trailers.js';
import { findApplied, findTrailers, hasNak } from '../../src/lore/facts.js';
import { isPosting, isPull, parseSubject, positionOf, subjectSummary } from '../../src/mail/subject.js';
import { splitMbox } from '../../src/mail/mbox.js';
import { parseMessage } from '../../src/lore/message.js';
import { reviewRevision } from '../../src/lore/review.js';

describe('mboxrd', () => {
  it('splits on From_ lines and removes exactly one > from quoted From lines', () => {
    const mbox = Buffer.from(
      'From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: a\n\n>From the start\n>>From quoted\nFrom: not a separator\n\nFrom mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: b\n\nbody\n\n',
    );
    const parts = splitMbox(mbox).map((b) => b.toString());
    expect(parts).toEqual(['Subject: a\n\nFrom the start\n>From quoted\nFrom: not a separator\n', 'Subject: b\n\nbody\n']);
  });

  it('keeps bytes of any charset intact and takes a bare RFC 822 file as one mail', () => {
    const latin1 = Buffer.from([0x53, 0x3a, 0x20, 0xe9, 0x0a, 0x0a, 0xff, 0x0a]);
    expect(splitMbox(latin1)).toEqual([latin1]);
  });
});

describe('trailers in replies', () => {
  it('never counts quoted text, joins folded trailers and needs an address for a person', () => {
    const body = [
      'On Mon, Alice wrote:',
      '> Reviewed-by: Quoted Person <quoted@example.org>',
      '>> Acked-by: Deeper <deep@example.org>',
      '',
      'Reviewed-by: Rob Reviewer',
      ' <rob@example.org>',
      'Acked-by: me',
      'tested-by: Tess Tester <TESS@Example.org>',
      'Link: https://lore.kernel.org/r/1@example.org',
      'Fixes: 0123456789ab ("PCI: Add the thing")',
      '-- ',
      'Reviewed-by: In Signature <sig@example.org>',
    ].join('\n');
    expect(findTrailers(body)).toEqual([
      { key: 'Reviewed-by', value: 'Rob Reviewer <rob@example.org>', name: 'Rob Reviewer', address: 'rob@example.org' },
      { key: 'Tested-by', value: 'Tess Tester <TESS@Example.org>', name: 'Tess Tester', address: 'tess@example.org' },
      { key: 'Link', value: 'https://lore.kernel.org/r/1@example.org' },
      { key: 'Fixes', value: '0123456789ab ("PCI: Add the thing")' },
    ]);
  });

  it('ignores a trailer from the series author, even when someone else sends it', () => {
    const mail = (id: string, from: string, body: string) => ({ id, parents: ['c@x'], references: ['c@x'], from: { name: '', address: from }, subject: 'Re: [PATCH] x', body, hash: id, date: '2026-01-01T00:00:00Z' });
    const r = reviewRevision({
      posted: { revision: 1, date: '2026-01-01T00:00:00Z', patches: ['c@x'] },
      messages: [
        { ...mail('c@x', 'alice@example.org', 'the patch'), parents: [], subject: '[PATCH] x' },
        mail('r1@x', 'alice@example.org', 'Tested-by: Alice <alice@example.org>'),
        mail('r2@x', 'bob@example.org', 'Acked-by: Alice <ALICE@example.org>\nAcked-by: Bob <bob@example.org>'),
      ],
      link: (id) => id,
    });
    expect(r.trailers.map((t) => t.value)).toEqual(['Bob <bob@example.org>']);
    expect(r.state).toBe('reviewed');
  });
});

describe('NAKs and applied notices', () => {
  it('finds a NAK line but not NAK inside words or quotes', () => {
    expect(hasNak('NAK.\n\nThis breaks resume.')).toBe(true);
    expect(hasNak('Nack, see below')).toBe(true);
    expect(hasNak('> NAK\nI disagree with the NAK above')).toBe(false);
    expect(hasNak('NACKed earlier')).toBe(false);
  });

  it('reads maintainers\' notices and their branches', () => {
    expect(findApplied('Applied to pci/virtualization, thanks!')).toEqual({ branch: 'pci/virtualization', line: 'Applied to pci/virtualization, thanks!' });
    expect(findApplied('Thanks, applied to my block tree for 2.7')?.branch).toBe('my block tree');
    expect(findApplied('Queued for 6.14, thanks.')).toEqual({ line: 'Queued for 6.14, thanks.' });
    expect(findApplied('Queued to pci/next.')?.branch).toBe('pci/next');
    expect(findApplied('Applied, thanks.')).toEqual({ line: 'Applied, thanks.' });
    expect(findApplied('thanks, applied')).toEqual({ line: 'thanks, applied' });
    expect(findApplied('This series was applied to netdev/net.git (main) by Jakub Kicinski <kuba@kernel.org>:')?.branch).toBe('netdev/net.git (main)');
    expect(findApplied('I did apply the above series to the kernel')).toBeUndefined();
    expect(findApplied('a lot of material has queued up in patchwork')).toBeUndefined();
    expect(findApplied('> Applied to pci/next, thanks')).toBeUndefined();
  });
});

describe('subjects', () => {
  it('reads version, position and reply-ness', () => {
    expect(parseSubject('[PATCH v2 3/4] PCI: x')).toEqual({ reply: false, prefixes: ['PATCH'], revision: 2, counter: { n: 3, of: 4 }, summary: 'PCI: x' });
    const rfc = parseSubject('Re: [RFC][PATCH 00/10] cifs');
    expect(rfc).toMatchObject({ revision: 1, reply: true });
    expect(positionOf(rfc)).toEqual({ n: 0, of: 10 });
    expect(isPosting(rfc)).toBe(false);
    expect(parseSubject('[PATCH V2 0/4] PM / OPP')).toMatchObject({ revision: 2, counter: { n: 0, of: 4 } });
    expect(isPull(parseSubject('[GIT PULL] PCI fixes for v6.18'))).toBe(true);
    expect(isPosting(parseSubject('hello'))).toBe(false);
    expect(positionOf(parseSubject('[PATCH] one'))).toEqual({ n: 1, of: 1 });
    expect(subjectSummary('Re: RE: [PATCH v2 pci/net 1/3] PCI: move OF status')).toBe('PCI: move OF status');
    expect(subjectSummary('Re: [PATCH] Re: stacked')).toBe('stacked');
  });
});

describe('mail parsing', () => {
  it('keeps a trailer below a format=flowed quote where its author put it', async () => {
    const raw = Buffer.from('Message-ID: <a@x>\nFrom: S <s@x.org>\nSubject: Re: [PATCH] y\nContent-Type: text/plain; charset=UTF-8; format=flowed\n\n> quoted line \n\nTested-by: Shawn <s@x.org>\n');
    const m = await parseMessage(raw);
    expect(findTrailers(m.body)).toEqual([{ key: 'Tested-by', value: 'Shawn <s@x.org>', name: 'Shawn', address: 's@x.org' }]);
  });

  it('joins a flowed soft-wrapped trailer', () => {
    expect(findTrailers('Reviewed-by: A Very Long Reviewer Name \n<long@example.org>\n')[0]?.value).toBe('A Very Long Reviewer Name <long@example.org>');
  });
});

describe('trailers into a patch file', () => {
  const patch = `From 1234 Mon Sep 17 00:00:00 2001
From: Alice Author <alice@example.org>
Subject: [PATCH] PCI: x

Body text.

Link: https://example.org/bug
Signed-off-by: Alice Author <alice@example.org>
---
 drivers/pci/quirks.c | 1 +
`;

  it('puts each trailer where kernel maintainers order them, once, never moving lines', () => {
    const r = addTrailers(patch, [
      { key: 'Acked-by', value: 'Carol <carol@example.org>', address: 'carol@example.org' },
      { key: 'Reviewed-by', value: 'Rob <rob@example.org>', address: 'rob@example.org' },
      { key: 'Reported-by', value: 'Rui <rui@example.org>', address: 'rui@example.org' },
      { key: 'Tested-by', value: 'Alice Author <alice@example.org>', address: 'alice@example.org' },
      { key: 'Reviewed-by', value: 'Rob R. <ROB@example.org>', address: 'rob@example.org' },
      { key: 'Tested-by', value: 'Bot <bot@example.org>', address: 'bot@example.org' },
    ], ['bot@example.org']);
    expect(r.added).toEqual(['Acked-by: Carol <carol@example.org>', 'Reviewed-by: Rob <rob@example.org>', 'Reported-by: Rui <rui@example.org>']);
    expect(r.text).toContain('Body text.\n\nReported-by: Rui <rui@example.org>\nLink: https://example.org/bug\nSigned-off-by: Alice Author <alice@example.org>\nReviewed-by: Rob <rob@example.org>\nAcked-by: Carol <carol@example.org>\n---\n');
    expect(addTrailers(r.text, [{ key: 'Acked-by', value: 'Carol <carol@example.org>', address: 'carol@example.org' }]).added).toEqual([]);
  });

  it('starts a trailer block when the message has none, and refuses a file without ---', () => {
    const bare = patch.replace('Link: https://example.org/bug\nSigned-off-by: Alice Author <alice@example.org>\n', '');
    expect(addTrailers(bare, [{ key: 'Acked-by', value: 'C <c@x.org>', address: 'c@x.org' }]).text).toContain('Body text.\n\nAcked-by: C <c@x.org>\n---\n');
    expect(() => addTrailers('Subject: x\n\nno separator\n', [])).toThrow(/no '---' line/);
  });
});
