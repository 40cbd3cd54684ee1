import { describe, expect, it } from 'vitest';
import { renderCoverText } from '../../src/lib/markdown-text.js';
import { rerollCover } from '../../src/series/revisions.js';

describe('cover letter Markdown to mail text', () => {
  it('wraps paragraphs at 72 columns and keeps lists readable with hanging indents', () => {
    const text = renderCoverText(`After a **secondary bus reset** the GPU reads back all ones in config space, and vfio-pci gives up on the card until the next power cycle.

- the first item is long enough that it has to be wrapped onto a second line of the list
- second
  1. nested, numbered

1. one
2. two
`);
    expect(text).toBe(
      [
        'After a *secondary bus reset* the GPU reads back all ones in config',
        'space, and vfio-pci gives up on the card until the next power cycle.',
        '',
        '- the first item is long enough that it has to be wrapped onto a second',
        '  line of the list',
        '- second',
        '  1. nested, numbered',
        '',
        '1. one',
        '2. two',
      ].join('\n'),
    );
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(72);
  });

  it('keeps code blocks and logs verbatim, indented, never wrapped', () => {
    const log = '[  123.456789] vfio-pci 0000:03:00.0: not ready 65535ms after bus reset; giving up';
    expect(renderCoverText(`Seen in dmesg:\n\n\`\`\`\n${log}\n  indented line\n\`\`\`\n`)).toBe(`Seen in dmesg:\n\n  ${log}\n    indented line`);
  });

  it('writes links out and never breaks a URL or a quoted phrase', () => {
    const url = 'https://lore.kernel.org/all/20261121-polaris-v1-0-0123456789ab@example.org/';
    const text = renderCoverText(`See [the earlier thread](${url}) and <https://example.org>; the kernel says \`Unknown PCI header type '127'\` then.`);
    expect(text).toContain(`(${url})`);
    expect(text).toContain('https://example.org;');
    expect(text).toContain("`Unknown PCI header type '127'`");
    expect(text.split('\n').some((l) => l.includes('`Unknown PCI header type') && l.includes("'127'`"))).toBe(true);
  });

  it('underlines headings, quotes blockquotes, aligns tables', () => {
    expect(renderCoverText('# Title\n\n## Symptom\n\n> quoted\n> reply\n\n| a | bb |\n|---|---|\n| ccc | d |\n')).toBe(
      ['Title', '=====', '', 'Symptom', '-------', '', '> quoted reply', '', 'a    bb', '---  --', 'ccc  d'].join('\n'),
    );
  });

  it('keeps a changelog list right under its "Changes in" line', () => {
    expect(renderCoverText('Text.\n\nChanges in v2:\n- fixed\n- Link to v1: https://lore.kernel.org/r/x@y\n')).toBe('Text.\n\nChanges in v2:\n- fixed\n- Link to v1: https://lore.kernel.org/r/x@y');
  });
});

describe('rerolling a cover letter', () => {
  it('adds a "Changes in vN:" stub with an EDITME and the link, newest above older ones', () => {
    const v2 = rerollCover('Why.\n', 2, 'https://lore.kernel.org/all/a@b/');
    expect(v2).toBe('Why.\n\nChanges in v2:\n- EDITME: what changed since v1\n- Link to v1: https://lore.kernel.org/all/a@b/\n');
    const v3 = rerollCover(v2.replace('EDITME: what changed since v1', 'fixed the typo'), 3, 'https://lore.kernel.org/all/c@d/');
    expect(v3).toBe('Why.\n\nChanges in v3:\n- EDITME: what changed since v2\n- Link to v2: https://lore.kernel.org/all/c@d/\n\nChanges in v2:\n- fixed the typo\n- Link to v1: https://lore.kernel.org/all/a@b/\n');
  });
});
