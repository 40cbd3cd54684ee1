import { describe, expect, it } from 'vitest';
import { coverText } from '../../src/series/cover.js';
import { splitMbox } from '../../src/mail/mbox.js';
import { parseSubject } from '../../src/mail/subject.js';
import { parsePerson } from '../../src/mail/address.js';
import { parseMessage, pickSeries, type MailMessage } from '../../src/series/mbox.js';
import { nameAddrHeader, subjectHeader } from '../../src/mail/headers.js';
import { patchFileName, renderPatchMail } from '../../src/series/patch-mail.js';

describe('splitting an mbox', () => {
  it('undoes mboxrd quoting and drops the separating blank line', () => {
    const mbox = 'From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: a\n\n>From the start\n>>From deeper\n\nFrom mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: b\n\nbody\n\n';
    expect(splitMbox(Buffer.from(mbox)).map(String)).toEqual(['Subject: a\n\nFrom the start\n>From deeper\n', 'Subject: b\n\nbody\n']);
  });

  it('a file without a From_ line is one message', () => {
    expect(splitMbox(Buffer.from('From: A <a@example.org>\nSubject: x\n\nbody\n')).map(String)).toEqual(['From: A <a@example.org>\nSubject: x\n\nbody\n']);
    expect(splitMbox(Buffer.from(''))).toEqual([]);
  });
});

describe('subjects of posted patches', () => {
  it.each([
    ['[PATCH v2 0/4] PCI/ASPM: Allow quirks', { reply: false, prefixes: ['PATCH'], revision: 2, counter: { n: 0, of: 4 }, summary: 'PCI/ASPM: Allow quirks' }],
    ['[PATCH v2 pci/net 1/3] PCI: move OF', { reply: false, prefixes: ['PATCH', 'pci/net'], revision: 2, counter: { n: 1, of: 3 }, summary: 'PCI: move OF' }],
    ['[RFC][PATCH 02/10] cifs: guard', { reply: false, prefixes: ['RFC', 'PATCH'], revision: 1, counter: { n: 2, of: 10 }, summary: 'cifs: guard' }],
    ['Re: RE: [PATCH 39/44] include: x', { reply: true, prefixes: ['PATCH'], revision: 1, counter: { n: 39, of: 44 }, summary: 'include: x' }],
    ['[PATCH v3] net: wwan: iosm: Fix hibernation', { reply: false, prefixes: ['PATCH'], revision: 3, summary: 'net: wwan: iosm: Fix hibernation' }],
  ])('%s', (subject, parts) => {
    expect(parseSubject(subject)).toEqual(parts);
  });

  it('people, quoted or not', () => {
    expect(parsePerson('"R. T. Dickinson" <rtd2@xtra.co.nz>')).toEqual({ name: 'R. T. Dickinson', address: 'rtd2@xtra.co.nz' });
    expect(parsePerson('Bjorn Helgaas <bhelgaas@google.com>')).toEqual({ name: 'Bjorn Helgaas', address: 'bhelgaas@google.com' });
    expect(parsePerson('hypexed@yahoo.com.au')).toEqual({ name: '', address: 'hypexed@yahoo.com.au' });
    expect(parsePerson('nobody')).toBeUndefined();
    expect(parsePerson('Jane Doe (ACME) <Jane.Doe@Example.org> # 6.1+')).toEqual({ name: 'Jane Doe (ACME)', address: 'Jane.Doe@Example.org' });
    expect(parsePerson('"Doe, \\"JD\\" Jane" <jd@example.org>')).toEqual({ name: 'Doe, "JD" Jane', address: 'jd@example.org' });
    expect(parsePerson('jd@example.org,')).toEqual({ name: '', address: 'jd@example.org' });
  });
});

const DIFF = '---\n f | 1 +\n\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1,2 @@\n a\n+b\n-- \n2.43.0\n';

function mail(subject: string, body = `Text.\n\nSigned-off-by: A <a@example.org>\n${DIFF}`, extra = ''): string {
  return `From: A <a@example.org>\nTo: list@example.org\nSubject: ${subject}\nDate: Mon, 10 Nov 2025 16:22:25 -0600\nMessage-ID: <${subject.replace(/\W+/g, '-')}@example.org>\n${extra}\n${body}`;
}

async function parsed(raws: string[]): Promise<MailMessage[]> {
  return Promise.all(raws.map((r) => parseMessage(Buffer.from(r))));
}

describe('picking the series out of a thread', () => {
  it('takes the newest revision, its cover and patches in order, and skips replies', async () => {
    const msgs = await parsed([
      mail('[PATCH 1/2] a: one'),
      mail('[PATCH 2/2] a: two'),
      mail('[PATCH v2 0/2] a: cover', 'Cover.\n'),
      mail('[PATCH v2 2/2] a: two'),
      mail('[PATCH v2 1/2] a: one'),
      mail('Re: [PATCH v2 1/2] a: one', '> quoted\n\nReviewed-by: B <b@example.org>\n'),
    ]);
    const s = pickSeries(msgs);
    expect(s.revision).toBe(2);
    expect(s.cover?.subject).toBe('[PATCH v2 0/2] a: cover');
    expect(s.patches.map((p) => p.subject)).toEqual(['[PATCH v2 1/2] a: one', '[PATCH v2 2/2] a: two']);
    expect(s.skipped).toBe(3);
    expect(pickSeries(msgs, 1).patches.map((p) => p.subject)).toEqual(['[PATCH 1/2] a: one', '[PATCH 2/2] a: two']);
  });

  it('says which patches are missing', async () => {
    const msgs = await parsed([mail('[PATCH 1/3] a: one'), mail('[PATCH 3/3] a: three')]);
    expect(() => pickSeries(msgs)).toThrow(/the mbox holds 2 of the 3 patches of v1; missing 2\/3/);
  });

  it('the in-body From: is the author, as git am takes it', async () => {
    const [m] = await parsed([mail('[PATCH] a: b', `From: Real Author <real@example.org>\n\nText.\n${DIFF}`)]);
    expect(m?.author).toEqual({ name: 'Real Author', address: 'real@example.org' });
    expect(m?.body.startsWith('Text.\n')).toBe(true);
    expect(m?.isoDate).toBe('2025-11-10T22:22:25Z');
  });
});

const fromHeader = (name: string, address: string) => nameAddrHeader('From', name, address);

describe('patch files as git format-patch writes them', () => {
  it('From: headers: plain, quoted for specials, RFC 2047 for non-ASCII, folded before the address when long', () => {
    expect(fromHeader('Bjorn Helgaas', 'bhelgaas@google.com')).toBe('From: Bjorn Helgaas <bhelgaas@google.com>');
    expect(fromHeader('R. T. Dickinson', 'rtd2@xtra.co.nz')).toBe('From: "R. T. Dickinson" <rtd2@xtra.co.nz>');
    expect(fromHeader('Ilpo Järvinen', 'ilpo.jarvinen@linux.intel.com')).toBe('From: =?UTF-8?q?Ilpo=20J=C3=A4rvinen?= <ilpo.jarvinen@linux.intel.com>');
    expect(fromHeader('Seed 6125ae75 maintainers', 'maintainers@users.noreply.h-seed-6125ae75.example')).toBe('From: Seed 6125ae75 maintainers\n <maintainers@users.noreply.h-seed-6125ae75.example>');
    expect(fromHeader('', 'a@example.org')).toBe('From: a@example.org');
  });

  it('Subject: folded at 78 columns; only the summary is encoded', () => {
    expect(subjectHeader('[PATCH 1/2]', 'PCI/ASPM: Cache L0s/L1 Supported so advertised link states can be overridden')).toBe(
      'Subject: [PATCH 1/2] PCI/ASPM: Cache L0s/L1 Supported so advertised link\n states can be overridden',
    );
    expect(subjectHeader('[PATCH 2/2]', 'résumé: ünïcode subject that is also rather long so that we can see folding happen here')).toBe(
      'Subject: [PATCH 2/2] =?UTF-8?q?r=C3=A9sum=C3=A9:=20=C3=BCn=C3=AFcode=20sub?=\n =?UTF-8?q?ject=20that=20is=20also=20rather=20long=20so=20that=20we=20can?=\n =?UTF-8?q?=20see=20folding=20happen=20here?=',
    );
  });

  it('MIME headers only when the subject or commit message is not ASCII', () => {
    const base = { author: { name: 'A', address: 'a@example.org' }, date: 'Mon, 10 Nov 2025 16:22:25 -0600', subject: '[PATCH] x: y' };
    expect(renderPatchMail({ ...base, body: `Text.\n${DIFF}` })).toBe(`From ${'0'.repeat(40)} Mon Sep 17 00:00:00 2001\nFrom: A <a@example.org>\nDate: Mon, 10 Nov 2025 16:22:25 -0600\nSubject: [PATCH] x: y\n\nText.\n${DIFF}\n`);
    expect(renderPatchMail({ ...base, body: `Tëxt.\n${DIFF}` })).toContain('Subject: [PATCH] x: y\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\nTëxt.');
    expect(renderPatchMail({ ...base, body: `Text.\n${DIFF.replace('+b', '+ä')}` })).not.toContain('MIME-Version');
  });

  it('header values from a mail stay one line each', () => {
    const text = renderPatchMail({ author: { name: 'A\nX-Evil: 1', address: 'a@example.org' }, date: 'Mon, 10 Nov 2025\r\n 16:22:25 -0600', subject: '[PATCH] x\nBcc: b@example.org', body: 'Text.\n' });
    expect(text.split('\n').slice(1, 4)).toEqual(['From: "A X-Evil: 1" <a@example.org>', 'Date: Mon, 10 Nov 2025 16:22:25 -0600', 'Subject: [PATCH] x Bcc: b@example.org']);
  });

  it('file names as git gives them', () => {
    expect(patchFileName(1, 'PCI/ASPM: Cache L0s/L1 Supported so advertised link states can be overridden')).toBe('0001-PCI-ASPM-Cache-L0s-L1-Supported-so-advertised-link-s.patch');
    expect(patchFileName(2, 'résumé: ünïcode subject that is also rather long so that we can see folding')).toBe('0002-r-sum-n-code-subject-that-is-also-rather-long-so-tha.patch');
    expect(patchFileName(3, 'PCI: Avoid PM reset for NVIDIA GA102 High Definition Audio Controller')).toBe('0003-PCI-Avoid-PM-reset-for-NVIDIA-GA102-High-Definition-.patch');
    expect(patchFileName(12, '...dots.. and a trailing dot.')).toBe('0012-.dots.-and-a-trailing-dot.patch');
  });
});

describe('the cover letter of an imported series', () => {
  it('keeps the author’s words, drops the generated shortlog, diffstat and git signature, reads b4’s change-id', () => {
    const body = `We enabled ASPM too aggressively.

Bjorn Helgaas (2):
  PCI/ASPM: Cache L0s/L1 Supported so advertised link states can be
    overridden
  PCI/ASPM: Avoid L0s and L1 on Freescale Root Ports

 drivers/pci/pci.h       |  2 ++
 drivers/pci/quirks.c    | 38 +++++++++++++++++++-------------------
 2 files changed, 21 insertions(+), 19 deletions(-)

base-commit: 3a8660878839faadb4f1a6dd72c3179c1df56787
change-id: 20251110-aspm-quirks-0123456789ab

-- 
2.43.0
`;
    expect(coverText(body)).toEqual({
      text: 'We enabled ASPM too aggressively.\n\nbase-commit: 3a8660878839faadb4f1a6dd72c3179c1df56787\nchange-id: 20251110-aspm-quirks-0123456789ab\n',
      changeId: '20251110-aspm-quirks-0123456789ab',
      baseCommit: '3a8660878839faadb4f1a6dd72c3179c1df56787',
    });
  });
});
