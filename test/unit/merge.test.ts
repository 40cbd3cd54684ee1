import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planMerge, type RequestedAction } from '../../src/quirks/merge.js';
import { parseQuirkDocument, serializeQuirkDocument } from '../../src/quirks/document.js';
import { applyEdits } from '../../src/quirks/layout.js';
import type { Action, Quirk } from '../../src/quirks/model.js';

function quirk(actions: Action[], extra: Partial<Quirk> = {}): Quirk {
  return { id: 'q', title: 'T', match: { vendor: 0x1f9d, device: 0x1100 }, actions, upstream: { state: 'none', fixedIn: [] }, references: [], ...extra };
}

const changes = (q: Quirk, actions: RequestedAction[], more = {}) => planMerge(q, { actions, references: [], ...more }).map((e) => e.change);

describe('planMerge', () => {
  it('adds new actions and nothing for ones already there', () => {
    const q = quirk([{ type: 'no-bus-reset' }]);
    expect(changes(q, [{ type: 'no-bus-reset' }])).toEqual([]);
    expect(changes(q, [{ type: 'no-flr' }])).toEqual(['action no-flr']);
  });

  it('widens a rebind instead of adding a second one, and keeps its method unless told', () => {
    const q = quirk([{ type: 'rebind', around: ['hibernate'], method: 'remove-rescan' }]);
    expect(changes(q, [{ type: 'rebind', around: ['suspend'] }])).toEqual(['rebind around: hibernate -> suspend+hibernate']);
    expect(changes(q, [{ type: 'rebind', around: ['hibernate'] }])).toEqual([]);
    expect(changes(q, [{ type: 'rebind', around: ['hibernate'], method: 'unbind-bind' }])).toEqual(['rebind method: remove-rescan -> unbind-bind']);
  });

  it('replaces a config write to the same register at the same stage', () => {
    const q = quirk([{ type: 'config-write', offset: 0x7c, width: 32, value: 1, when: 'before-reset' }]);
    expect(changes(q, [{ type: 'config-write', offset: 0x7c, width: 32, value: 1, when: 'before-reset' }])).toEqual([]);
    expect(changes(q, [{ type: 'config-write', offset: 0x7c, width: 32, value: 2, when: 'before-reset' }])).toEqual(['config-write at before-reset: 7c.l=00000001 -> 7c.l=00000002']);
    expect(changes(q, [{ type: 'config-write', offset: 0x7c, width: 32, value: 2, when: 'on-load' }])).toEqual(['action config-write 7c.l=00000002 on-load']);
  });

  it('sets fields and appends references once', () => {
    const q = quirk([], { driver: 'old', references: ['https://a.example/'] });
    expect(changes(q, [], { driver: 'new', references: ['https://a.example/', 'https://b.example/'] })).toEqual(['driver: old -> new', 'reference https://b.example/']);
  });

  it('is idempotent through the file: add, write, read back, add again plans nothing', () => {
    const action = fc.oneof(
      fc.constantFrom<RequestedAction>({ type: 'no-bus-reset' }, { type: 'no-flr' }, { type: 'no-pm-reset' }, { type: 'no-d3' }),
      fc.record({ type: fc.constant('d3hot-delay' as const), ms: fc.integer({ min: 0, max: 10000 }) }),
      fc.record({
        type: fc.constant('rebind' as const),
        around: fc.subarray(['suspend', 'hibernate'] as const, { minLength: 1 }).map((a) => [...a]),
        method: fc.constantFrom('unbind-bind' as const, 'remove-rescan' as const),
      }),
      fc.record({
        type: fc.constant('config-write' as const),
        offset: fc.integer({ min: 0, max: 0x3ff }).map((n) => n * 4),
        width: fc.constant(32 as const),
        value: fc.integer({ min: 0, max: 0xffffffff }),
        when: fc.constantFrom('before-reset' as const, 'on-load' as const),
      }),
    );
    const start = '---\nid: q\ntitle: T # keep me\nmatch: { vendor: 0x1f9d, device: 0x1100 }\nactions:\n  - no-d3\n---\nbody\n';
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 5 }), (wanted) => {
        let text = start;
        for (const want of wanted) {
          const r = parseQuirkDocument(text, 'quirks/q.md', 'q');
          if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('; '));
          applyEdits(r.doc.yaml.doc, planMerge(r.doc.quirk, { actions: [want], references: [] }));
          text = serializeQuirkDocument(r.doc);
        }
        const r = parseQuirkDocument(text, 'quirks/q.md', 'q');
        if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('; '));
        expect(planMerge(r.doc.quirk, { actions: [wanted[wanted.length - 1] as RequestedAction], references: [] })).toEqual([]);
        expect(text).toContain('title: T # keep me');
      }),
    );
  });
});
