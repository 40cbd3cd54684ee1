import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/errors.js';
import { parseQuirkDocument, serializeQuirkDocument } from '../../src/quirks/document.js';
import { applyEdits } from '../../src/quirks/layout.js';
import { planMerge } from '../../src/quirks/merge.js';

const good = `---
# comment at the top
id: polaris
title: AMD Polaris 10 dies on bus reset   # why
match: { vendor: 0x1002, device: 0x67DF }
actions:
  - no-bus-reset # the one that matters
upstream: { state: merged, fixed-in: [ 6.10, 6.6.70 ] }
---
Body.
`;

function problems(text: string, id = 'polaris'): string[] {
  const r = parseQuirkDocument(text, 'quirks/polaris.md', id);
  return r.ok ? [] : r.problems.map(formatProblem);
}

describe('parseQuirkDocument', () => {
  it('reads a valid quirk into the model', () => {
    const r = parseQuirkDocument(good, 'quirks/polaris.md', 'polaris');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.doc.quirk).toMatchObject({
      id: 'polaris',
      match: { vendor: 0x1002, device: 0x67df },
      actions: [{ type: 'no-bus-reset' }],
      // 6.10 is a kernel version, not the float 6.1.
      upstream: { state: 'merged', fixedIn: ['6.10', '6.6.70'] },
      references: [],
    });
    expect(r.doc.body).toBe('Body.\n');
  });

  it('names file, line and field for each problem', () => {
    const text = `---
id: polaris
title: T
match: { vendor: 0x1002, device: 67df, color: red }
actions:
  - no-bus-reset
  - frobnicate
  - reboot: { now: true }
  - config-write: { offset: 0x7e, width: 32, value: 0x1, when: later }
  - config-write: { offset: 0x7c, width: 8, value: 0x100, when: on-load }
  - rebind: { around: [ suspend ], extra: 1 }
kernels: "lol"
driver: "a b"
upstream: { state: merged, commit: xyz }
references: [ "not a url" ]
---
`;
    expect(problems(text)).toEqual([
      "quirks/polaris.md:4: match.color: unknown key 'color'; expected one of: vendor, device, subvendor, subdevice, class, revision",
      "quirks/polaris.md:4: match.device: expected a 16-bit ID written in hex, e.g. 0x1f9d, got '67df'",
      "quirks/polaris.md:7: actions[1]: unknown value 'frobnicate'; expected one of the flags no-bus-reset, no-pm-reset, no-flr, no-d3, no-msi, no-aspm, or a map with one of rebind, d3hot-delay, config-write",
      "quirks/polaris.md:8: actions[2].reboot: unknown action 'reboot'; expected rebind, d3hot-delay, config-write (flags are written as plain words)",
      'quirks/polaris.md:9: actions[3].config-write.offset: expected an offset aligned to 4 bytes for a 32-bit write, got 126 (0x7e)',
      "quirks/polaris.md:9: actions[3].config-write.when: unknown value 'later'; expected one of: before-reset, after-resume, before-rebind, on-load",
      'quirks/polaris.md:10: actions[4].config-write.value: expected a value that fits in 8 bits, got 256 (0x100)',
      "quirks/polaris.md:11: actions[5].rebind.extra: unknown key 'extra'; expected one of: around, method, settle-ms",
      "quirks/polaris.md:12: kernels: 'lol' is not a range of kernel versions; expected a semver range such as '>=6.1 <6.14'",
      "quirks/polaris.md:13: driver: expected a kernel module name: letters, digits, '_' or '-', at most 55 characters, got 'a b'",
      "quirks/polaris.md:14: upstream.commit: expected a commit id of 12 to 40 lowercase hex digits, got 'xyz'",
      "quirks/polaris.md:15: references[0]: expected an http(s) URL, got 'not a url'",
    ]);
  });

  it('reports missing keys, YAML syntax errors and missing front matter', () => {
    expect(problems('---\nid: polaris\n---\n')).toEqual([
      "quirks/polaris.md:2: missing required key 'title'",
      "quirks/polaris.md:2: missing required key 'match'",
      "quirks/polaris.md:2: missing required key 'actions'",
    ]);
    expect(problems('---\nid: polaris\ntitle: [oops\n---\n')).toEqual(['quirks/polaris.md:4: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]']);
    expect(problems('# no front matter\n')).toEqual(["quirks/polaris.md:1: expected YAML front matter between '---' lines at the top of the file"]);
  });

  it('holds the id to the file name and each action kind to one entry', () => {
    expect(problems(good, 'other')).toEqual(["quirks/polaris.md:3: id: 'polaris' does not match the file name; expected 'other' (or rename the file to polaris.md)"]);
    const twice = good.replace('  - no-bus-reset # the one that matters', '  - rebind: { around: [ suspend ] }\n  - rebind: { around: [ hibernate ] }');
    expect(problems(twice)).toEqual(["quirks/polaris.md:8: actions[1]: a 'rebind' action is already given at actions[0]; merge them into one"]);
    const cls = good.replace('device: 0x67DF }', 'device: 0x67DF, class: { value: 0x030001, mask: 0xff0000 } }');
    expect(problems(cls)).toEqual(['quirks/polaris.md:5: match.class.value: has bits set outside the mask; they would never match']);
  });

  it('keeps comments, key order and hex spelling when edited', () => {
    const r = parseQuirkDocument(good, 'quirks/polaris.md', 'polaris');
    if (!r.ok) throw new Error('fixture invalid');
    applyEdits(r.doc.yaml.doc, planMerge(r.doc.quirk, { actions: [{ type: 'no-flr' }], references: ['https://example.org/x'], driver: 'amdgpu' }));
    expect(serializeQuirkDocument(r.doc)).toBe(`---
# comment at the top
id: polaris
title: AMD Polaris 10 dies on bus reset # why
match: { vendor: 0x1002, device: 0x67DF }
driver: amdgpu
actions:
  - no-bus-reset # the one that matters
  - no-flr
upstream: { state: merged, fixed-in: [ 6.10, 6.6.70 ] }
references:
  - https://example.org/x
---
Body.
`);
  });
});
