import { describe, expect, it } from 'vitest';
import { checkpatchOptions, parseCheckpatch } from '../../src/kernel/checkpatch.js';
import { addressKey, mergeRecipients, parseAddresses } from '../../src/kernel/get-maintainer.js';

/** checkpatch.pl --strict --show-types output of linux 6.1's checkpatch, as it printed it. */
const OUTPUT = `WARNING:COMMIT_LOG_LONG_LINE: Possible unwrapped commit description (prefer a maximum 75 chars per line)
#6: 
This commit message has a line that is definitely much much longer than seventy five characters.

ERROR:TRAILING_WHITESPACE: trailing whitespace
#19: FILE: drivers/pci/quirks.c:3708:
+DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ATI, 0x67df, quirk_no_bus_reset);   $

WARNING:TYPO_SPELLING: 'recieve' may be misspelled - perhaps 'receive'?
#20: FILE: drivers/pci/quirks.c:3709:
+DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ATI, 0x67df, quirk_no_bus_reset); /* the recieve */
                                                                               ^^^^^^^

CHECK:LINE_SPACING: Please use a blank line after function/struct/union/enum declarations
#25: FILE: drivers/pci/quirks.c:3714:
+}
+DECLARE_PCI_FIXUP_HEADER(PCI_VENDOR_ID_ATI, 0x67df, quirk_x);

ERROR:MISSING_SIGN_OFF: Missing Signed-off-by: line(s)

total: 2 errors, 2 warnings, 1 checks, 8 lines checked

NOTE: For some of the reported defects, checkpatch may be able to
      mechanically convert to the typical style using --fix or --fix-inplace.

/tmp/bad.patch has style problems, please review.
`;

describe('reading checkpatch.pl output', () => {
  it('findings with level, type, message, patch line and source file:line', () => {
    const r = parseCheckpatch(OUTPUT, 'bad.patch');
    expect(r).toMatchObject({ patch: 'bad.patch', errors: 2, warnings: 2, checks: 1 });
    expect(r.findings).toEqual([
      { level: 'WARNING', type: 'COMMIT_LOG_LONG_LINE', message: 'Possible unwrapped commit description (prefer a maximum 75 chars per line)', patch: 'bad.patch', patchLine: 6 },
      { level: 'ERROR', type: 'TRAILING_WHITESPACE', message: 'trailing whitespace', patch: 'bad.patch', patchLine: 19, file: 'drivers/pci/quirks.c', line: 3708 },
      { level: 'WARNING', type: 'TYPO_SPELLING', message: "'recieve' may be misspelled - perhaps 'receive'?", patch: 'bad.patch', patchLine: 20, file: 'drivers/pci/quirks.c', line: 3709 },
      { level: 'CHECK', type: 'LINE_SPACING', message: 'Please use a blank line after function/struct/union/enum declarations', patch: 'bad.patch', patchLine: 25, file: 'drivers/pci/quirks.c', line: 3714 },
      { level: 'ERROR', type: 'MISSING_SIGN_OFF', message: 'Missing Signed-off-by: line(s)', patch: 'bad.patch' },
    ]);
  });

  it('a clean run has no findings', () => {
    expect(parseCheckpatch('total: 0 errors, 0 warnings, 0 checks, 20 lines checked\n\nx.patch has no obvious style problems and is ready for submission.\n', 'x.patch')).toEqual({ patch: 'x.patch', findings: [], errors: 0, warnings: 0, checks: 0 });
  });

  it('options that change the report layout are not passed on', async () => {
    expect(await checkpatchOptions(['--strict', '--terse', '--no-summary', '--max-line-length=80', '--no-codespell'])).toEqual({ args: ['--strict', '--max-line-length=80', '--no-codespell'] });
  });
});

describe('get_maintainer.pl recipients', () => {
  it('reads the addresses of its output', () => {
    expect(parseAddresses('Bjorn Helgaas <bhelgaas@google.com>\nlinux-pci@vger.kernel.org\n\nnot an address\n')).toEqual(['Bjorn Helgaas <bhelgaas@google.com>', 'linux-pci@vger.kernel.org']);
  });

  it('adds new addresses once, keeps what the series had, and never puts a To address in Cc', () => {
    const merged = mergeRecipients(
      { to: ['Me Myself <me@example.org>'], cc: ['bhelgaas@google.com', 'list@example.org'] },
      { to: ['Bjorn Helgaas <bhelgaas@google.com>', 'Me Myself <ME@example.org>'], cc: ['linux-pci@vger.kernel.org', 'list@example.org'] },
    );
    expect(merged).toEqual({ to: ['Me Myself <me@example.org>', 'Bjorn Helgaas <bhelgaas@google.com>'], cc: ['list@example.org', 'linux-pci@vger.kernel.org'] });
    expect(addressKey('"Doe, J" <J@Example.org>')).toBe('j@example.org');
  });
});
