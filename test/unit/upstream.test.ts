import { describe, expect, it } from 'vitest';
import { summarize, type PatchStatus } from '../../src/upstream/detect.js';
import { messageIdsIn } from '../../src/upstream/scan.js';
import { upstreamCommitsIn } from '../../src/upstream/stable.js';
import { filesTouched, looseSubject } from '../../src/upstream/tracked.js';

const sha = (c: string) => c.repeat(40);

describe('upstream parsing', () => {
  it('takes Message-IDs from the Link: forms maintainers use', () => {
    const values = [
      'https://lore.kernel.org/r/20250105-iosm-v2-1-abc@example.org',
      'https://lore.kernel.org/linux-pci/20250105.123456.1-x@mail.example.com/',
      'https://patch.msgid.link/20250105-fix-v3-2-0f0f0f0f0f0f%40kernel.org',
      '<CAHk-=wi@mail.gmail.com>',
      'https://bugzilla.kernel.org/show_bug.cgi?id=1',
    ].join('\x01');
    expect(messageIdsIn(values)).toEqual([
      '20250105-iosm-v2-1-abc@example.org',
      '20250105.123456.1-x@mail.example.com',
      '20250105-fix-v3-2-0f0f0f0f0f0f@kernel.org',
      'CAHk-=wi@mail.gmail.com',
    ]);
  });

  it('reads the upstream commit of a stable backport in both customary forms', () => {
    expect(upstreamCommitsIn(`PCI: Fix\n\ncommit ${sha('a')} upstream.\n\nbody`)).toEqual([sha('a')]);
    expect(upstreamCommitsIn(`PCI: Fix\n\n[ Upstream commit ${sha('b')} ]\n\nbody`)).toEqual([sha('b')]);
    expect(upstreamCommitsIn(`PCI: Fix\n\nThis reverts commit ${sha('c')}.\n`)).toEqual([]);
  });

  it('compares subjects loosely and lists the files a patch touches', () => {
    expect(looseSubject('[PATCH v2 3/5] PCI: Mark  Foo to avoid bus reset.')).toBe('pci: mark foo to avoid bus reset');
    expect(filesTouched('diff --git a/drivers/pci/quirks.c b/drivers/pci/quirks.c\n--- a\n+++ b\ndiff --git a/x b/y\n')).toEqual(['drivers/pci/quirks.c', 'y']);
  });
});

describe('summarize', () => {
  const patch = (tag: string | undefined, stable: [string, string][], fuzzy = false): PatchStatus => ({
    file: 'p',
    subject: 's',
    ...(tag ? { mainline: { commit: sha('1'), how: fuzzy ? ('subject' as const) : ('message-id' as const), fuzzy, tag, release: tag.slice(1).replace(/-rc\d+$/, '') } } : {}),
    stable: stable.map(([line, t]) => ({ line, commit: sha('2'), tag: t, release: t.slice(1) })),
  });

  it('a series is merged in the release that carries its last patch, per stable line likewise', () => {
    const s = summarize('x', [patch('v6.14-rc1', [['6.12', 'v6.12.9'], ['6.6', 'v6.6.70']]), patch('v6.14-rc3', [['6.12', 'v6.12.11']])]);
    expect(s.merged).toEqual({ release: '6.14', tag: 'v6.14-rc3', fuzzy: false });
    // 6.6 has only one of the two patches: not fixed there.
    expect(s.stable).toEqual(['6.12.11']);
  });

  it('is not merged while a patch is missing, and fuzzy when any match is', () => {
    expect(summarize('x', [patch('v6.14-rc1', []), patch(undefined, [])]).merged).toBeUndefined();
    expect(summarize('x', [patch('v6.14-rc1', [], true)]).merged?.fuzzy).toBe(true);
  });
});
