/**
 * The JSON Schema of one entry of a quirk's `actions`, from the registry: a bare name,
 * or a map with one key whose value the action's own schema checks.
 */
import { MODULES, BARE_ACTIONS } from './registry.js';

export function actionSchema(): Record<string, unknown> {
  const withParams = MODULES.filter((m) => m.schema);
  const maps = withParams.map((m) => m.type).join(', ');
  const flags = `one of the flags ${BARE_ACTIONS.join(', ')}`;
  return {
    if: { type: 'string' },
    then: { enum: [...BARE_ACTIONS], 'x-expected': `${flags}, or a map with one of ${maps}` },
    else: {
      type: 'object',
      minProperties: 1,
      maxProperties: 1,
      'x-expected': `${flags}, or a map with exactly one of ${maps}`,
      propertyNames: { enum: withParams.map((m) => m.type) },
      properties: Object.fromEntries(withParams.map((m) => [m.type, m.schema])),
    },
  };
}
