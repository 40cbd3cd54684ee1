import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACTION_TYPES, BARE_ACTIONS, MODULES } from '../../src/actions/registry.js';
import { quirkSchemaText } from '../../src/quirks/schema.js';
import { actionFromData, actionToData, describeAction, explainAction } from '../../src/quirks/model.js';
import { checkValue } from '../../src/lib/schema.js';

describe('the action registry', () => {
  it('the committed schema/quirk.schema.json is the one the registry makes (npm run schema writes it)', () => {
    expect(readFileSync(new URL('../../schema/quirk.schema.json', import.meta.url), 'utf8')).toBe(quirkSchemaText());
  });

  it('names each action once, and each of its add options once', () => {
    expect(new Set(ACTION_TYPES).size).toBe(ACTION_TYPES.length);
    const flags = MODULES.flatMap((m) => m.cli.options.map((o) => o.flags.split(' ')[0]));
    expect(new Set(flags).size).toBe(flags.length);
    for (const m of MODULES) expect(m.cli.names.length, m.type).toBeGreaterThan(0);
  });

  it('every action round-trips through its YAML form, which the schema accepts, and has words for docs and lists', () => {
    const samples: Record<string, unknown> = {
      rebind: { rebind: { around: ['hibernate', 'suspend'], method: 'remove-rescan', 'settle-ms': 50 } },
      'd3hot-delay': { 'd3hot-delay': { ms: 120 } },
      'config-write': { 'config-write': { offset: 0x7c, width: 32, value: 0x39d5e86b, when: 'before-reset' } },
    };
    for (const m of MODULES) {
      const data = samples[m.type] ?? m.type;
      expect(BARE_ACTIONS.includes(m.type)).toBe(typeof data === 'string');
      expect(checkValue('quirk', '/definitions/action', data), m.type).toBeNull();
      const a = actionFromData(data as never);
      expect(a.type).toBe(m.type);
      expect(actionFromData(actionToData(a) as never)).toEqual(a);
      expect(describeAction(a)).toMatch(new RegExp(`^${m.type}|^rebind`));
      expect(explainAction(a, 'drv')).toMatch(/^[A-Z].*\.$/);
    }
  });

  it('refuses an unknown action with the names it knows', () => {
    expect(checkValue('quirk', '/definitions/action', 'no-such-thing')).toContain(BARE_ACTIONS.join(', '));
  });
});
