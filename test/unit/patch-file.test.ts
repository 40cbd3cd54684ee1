import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { parsePatchFile, trailerMailbox, trailersNamed } from '../../src/series/patch-file.js';

const PATCH = `From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001
From: =?UTF-8?q?=C3=86lfred=20=C3=9Cn=C3=AFcode?= <ae@example.org>
Date: Sat, 21 Nov 2026 05:05:15 +0000
Subject: [PATCH 2/3] PCI: Mark the device to avoid bus reset because it
 stops responding

The card stops responding.

Cc: stable@vger.kernel.org # 6.1+
Signed-off-by: Ælfred Ünïcode <ae@example.org>
---
 drivers/pci/quirks.c | 1 +
 1 file changed, 1 insertion(+)

diff --git a/drivers/pci/quirks.c b/drivers/pci/quirks.c
index 83db48f..84275f9 100644
--- a/drivers/pci/quirks.c
+++ b/drivers/pci/quirks.c
@@ -1,1 +1,2 @@
 a
+b
-- 
2.39.5

`;

describe('git format-patch files', () => {
  it('reads author, title, message, trailers and diff', () => {
    const p = parsePatchFile('0002-x.patch', 'patches/s/0002-x.patch', PATCH);
    expect(p.commit).toBe('0123456789abcdef0123456789abcdef01234567');
    expect(p.author).toEqual({ name: 'Ælfred Ünïcode', address: 'ae@example.org' });
    expect(p.title).toBe('PCI: Mark the device to avoid bus reset because it stops responding');
    expect(p.message).toBe('The card stops responding.\n\nCc: stable@vger.kernel.org # 6.1+\nSigned-off-by: Ælfred Ünïcode <ae@example.org>');
    expect(p.diff.startsWith('diff --git a/drivers/pci/quirks.c')).toBe(true);
    expect(p.diff).not.toContain('2.39.5');
    const cc = trailersNamed(p, 'cc');
    expect(cc.map((t) => [t.line, trailerMailbox(p, t)])).toEqual([[9, { address: 'stable@vger.kernel.org' }]]);
  });

  it.each([
    ['not a patch\n', /patches\/s\/x\.patch:1: expected a git format-patch file/],
    [PATCH.replace('Date:', 'Content-Transfer-Encoding: quoted-printable\nDate:'), /Content-Transfer-Encoding: the patch is quoted-printable-encoded/],
    [PATCH.replace(/diff --git[^]*$/, ''), /the patch has no diff/],
    [PATCH.replace(/^From: .*\n/m, ''), /From: the patch has no From: header/],
    [PATCH.replace('Subject: [PATCH 2/3]', 'Subject [PATCH 2/3]'), /:4: expected a mail header/],
  ])('refuses a file that is not one, naming file and line (%#)', (text, why) => {
    expect(() => parsePatchFile('x.patch', 'patches/s/x.patch', text)).toThrow(ValidationError);
    expect(() => parsePatchFile('x.patch', 'patches/s/x.patch', text)).toThrow(why);
  });
});
