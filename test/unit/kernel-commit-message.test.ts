import { describe, expect, it } from 'vitest';
import { aboutDevice, commitMessage, commitSubject, descriptionParagraphs, referenceTrailers } from '../../src/kernel/commit-message.js';

const BODY = `
## Symptom

Handing the card between the host and a VFIO guest works once; after a later secondary bus reset the card's config space reads back as all ones and the kernel reports \`Unknown PCI header type '127'\`.

\`\`\`
vfio-pci 0000:01:00.0: not ready 65535ms after bus reset; giving up
\`\`\`

## Why this workaround

The bus reset is what kills it:

- a bus reset loses the card
- [the gist](https://gist.github.com/shatsky/2c8959eb3b9d2528ee8a7b9f58467aa0) has a script

## Notes for me

Not in the commit message.
`;

const prose = { body: BODY, file: 'quirks/polaris.md', bodyLine: 12 };
const signer = { name: 'Jane Developer', email: 'jane@example.org' };

describe('commit messages in the PCI subsystem style', () => {
  it('subjects per kind of fix', () => {
    expect(commitSubject('no-bus-reset', 'AMD Polaris 10')).toBe('PCI: Mark AMD Polaris 10 to avoid bus reset');
    expect(commitSubject('no-flr', 'AMD Starship USB 3.0')).toBe('PCI: Avoid FLR for AMD Starship USB 3.0');
    expect(commitSubject('device-reset', 'AMD Polaris 10')).toBe('PCI: Add device-specific reset for AMD Polaris 10');
  });

  it('a body from the Symptom and Why sections, wrapped at 75, code kept, then the trailers', () => {
    const msg = commitMessage({
      kind: 'no-bus-reset',
      actions: [{ type: 'no-bus-reset' }],
      device: 'AMD Polaris 10',
      prose,
      references: ['https://www.reddit.com/r/VFIO/comments/enmnnj/trying_to_understand_amd_polaris_reset_bug/', 'https://bugzilla.kernel.org/show_bug.cgi?id=206225'],
      stable: true,
      signer,
    });
    expect(msg).toBe(`PCI: Mark AMD Polaris 10 to avoid bus reset

Handing the card between the host and a VFIO guest works once; after a
later secondary bus reset the card's config space reads back as all ones
and the kernel reports Unknown PCI header type '127'.

  vfio-pci 0000:01:00.0: not ready 65535ms after bus reset; giving up

The bus reset is what kills it:

- a bus reset loses the card
- the gist
  (https://gist.github.com/shatsky/2c8959eb3b9d2528ee8a7b9f58467aa0) has a
  script

Mark AMD Polaris 10 with PCI_DEV_FLAGS_NO_BUS_RESET so that it is never
reset with a secondary bus reset.

Link: https://www.reddit.com/r/VFIO/comments/enmnnj/trying_to_understand_amd_polaris_reset_bug/
Closes: https://bugzilla.kernel.org/show_bug.cgi?id=206225
Cc: stable@vger.kernel.org
Signed-off-by: Jane Developer <jane@example.org>
`);
  });

  it('refuses a description that still has EDITME, naming the file and line', () => {
    const body = '\n## Symptom\n\nEDITME: what fails on the device.\n';
    expect(() => descriptionParagraphs({ body, file: 'quirks/x.md', bodyLine: 10 })).toThrow(/^quirks\/x\.md:13: the quirk's description still has an EDITME placeholder/);
    expect(() => descriptionParagraphs({ body: '\n', file: 'quirks/x.md', bodyLine: 10 })).toThrow(/quirks\/x\.md:10: the quirk has no description/);
  });

  it('refuses a summary line longer than 75 characters', () => {
    expect(() =>
      commitMessage({ kind: 'device-reset', actions: [], device: 'Advanced Micro Devices Ellesmere Radeon RX 470', prose, references: [], stable: false, signer }),
    ).toThrow(/the summary line 'PCI: Add device-specific reset for Advanced Micro Devices Ellesmere Radeon RX 470' is 81 characters; the limit is 75: pass a shorter device name with --name/);
  });

  it('bug trackers close, everything else links', () => {
    expect(referenceTrailers(['https://gitlab.freedesktop.org/drm/amd/-/issues/1234', 'https://github.com/x/y/issues/7', 'https://lore.kernel.org/r/abc@d'])).toEqual([
      'Closes: https://gitlab.freedesktop.org/drm/amd/-/issues/1234',
      'Closes: https://github.com/x/y/issues/7',
      'Link: https://lore.kernel.org/r/abc@d',
    ]);
  });

  it('the comment above generated code: the title and the first sentence of the symptom', () => {
    expect(aboutDevice('AMD Polaris 10 GPU dies after a bus reset', { body: '## Symptom\n\nIt dies. Then more.\n', file: 'q.md', bodyLine: 1 })).toEqual(['AMD Polaris 10 GPU dies after a bus reset.', 'It dies.']);
  });
});

describe('the word wrapper (lib/wrap.ts)', () => {
  it('measures display columns: East Asian wide characters take two, combining marks none', async () => {
    const { displayWidth, wrapWords } = await import('../../src/lib/wrap.js');
    expect(displayWidth('漢字')).toBe(4);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('abc')).toBe(3);
    // Ten wide characters are 20 columns: at width 12 each line holds two words of 4 columns and a space.
    expect(wrapWords('漢字 漢字 漢字 漢字 漢字', 12)).toEqual(['漢字 漢字', '漢字 漢字', '漢字']);
    // A no-break space holds the words it joins; a word longer than the line stands alone.
    expect(wrapWords('a\u00a0b https://example.org/a/very/long/url c', 10, ' * ')).toEqual([' * a\u00a0b', ' * https://example.org/a/very/long/url', ' * c']);
  });
});

describe('commit message prose through the one Markdown-to-text plugin', () => {
  it('keeps reference-link URLs, renders block quotes and tables, and drops marks and rules', () => {
    const body = `## Symptom

The card dies after a **bus reset**, see [the report][bug] and \`lspci -vv\`.

> Unknown PCI header type '127'
> for device 0000:01:00.0

| kernel | result |
| --- | --- |
| 6.1 | dead |

---

[bug]: https://bugzilla.kernel.org/show_bug.cgi?id=1
`;
    expect(descriptionParagraphs({ body, file: 'q.md', bodyLine: 5 })).toEqual([
      'The card dies after a bus reset, see the report\n(https://bugzilla.kernel.org/show_bug.cgi?id=1) and lspci -vv.',
      "> Unknown PCI header type '127' for device 0000:01:00.0",
      'kernel  result\n------  ------\n6.1     dead',
    ]);
  });
});
