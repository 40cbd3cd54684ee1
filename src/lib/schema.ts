/**
 * JSON Schema validation with messages a person can act on. The schemas under schema/
 * are the published contract; `x-expected` in them says, in words, what a field takes.
 */
import { readFileSync } from 'node:fs';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import semver from 'semver';

const Ajv = AjvModule.default;

export type DataPath = (string | number)[];

export interface SchemaIssue {
  path: DataPath;
  message: string;
}

const compiled = new Map<string, ValidateFunction>();

export function schemaPath(name: string): URL {
  return new URL(`../../schema/${name}.schema.json`, import.meta.url);
}

let ajvInstance: InstanceType<typeof Ajv> | undefined;

function ajv(): InstanceType<typeof Ajv> {
  if (!ajvInstance) {
    ajvInstance = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    ajvInstance.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
    ajvInstance.addFormat('semver-range', { type: 'string', validate: (s: string) => semver.validRange(s) !== null });
  }
  return ajvInstance;
}

/** `fragment` is a JSON pointer into the schema, e.g. `/properties/driver`, to check one field. */
function validator(name: string, fragment = ''): ValidateFunction {
  const key = `${name}#${fragment}`;
  let v = compiled.get(key);
  if (!v) {
    const schema = JSON.parse(readFileSync(schemaPath(name), 'utf8')) as { $id: string };
    const a = ajv();
    if (!a.getSchema(schema.$id)) a.addSchema(schema);
    v = a.getSchema(`${schema.$id}#${fragment}`);
    if (!v) throw new Error(`schema ${name} has nothing at ${fragment}`);
    compiled.set(key, v);
  }
  return v;
}

/**
 * Checks one value against the part of a schema at `fragment`; returns what is wrong, or
 * null. Lets the CLI refuse an argument with the same words a file would get.
 */
export function checkValue(name: string, fragment: string, value: unknown): string | null {
  return validateWithSchema(name, value, fragment)[0]?.message ?? null;
}

/** Validates `data` against schema/<name>.schema.json; an empty list means valid. */
export function validateWithSchema(name: string, data: unknown, fragment = ''): SchemaIssue[] {
  const v = validator(name, fragment);
  if (v(data)) return [];
  const seen = new Set<string>();
  const out: SchemaIssue[] = [];
  for (const e of v.errors ?? []) {
    const issue = explain(e);
    if (!issue) continue;
    const key = `${issue.path.join('/')}\0${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(issue);
  }
  return out;
}

function pointerToPath(pointer: string): DataPath {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number') return Number.isInteger(value) && value > 9 ? `${value} (0x${value.toString(16)})` : String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return String(value);
}

function list(values: readonly unknown[]): string {
  return values.map((v) => String(v)).join(', ');
}

function explain(e: ErrorObject): SchemaIssue | null {
  const path = pointerToPath(e.instancePath);
  const expected = (e.parentSchema as Record<string, unknown> | undefined)?.['x-expected'] as string | undefined;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    // Branch keywords only say "a sub-schema failed"; the sub-schema's own error says what.
    case 'if':
    case 'propertyNames':
      return null;
    case 'required':
      return { path, message: `missing required key '${String(p.missingProperty)}'` };
    case 'dependencies':
      return { path, message: `'${String(p.property)}' needs '${String(p.missingProperty)}' as well` };
    case 'additionalProperties': {
      const known = Object.keys(((e.parentSchema as Record<string, unknown>)?.properties as object) ?? {});
      return {
        path: [...path, String(p.additionalProperty)],
        message: `unknown key '${String(p.additionalProperty)}'; expected one of: ${list(known)}`,
      };
    }
    case 'enum': {
      if (e.propertyName !== undefined) {
        return {
          path: [...path, e.propertyName],
          message: `unknown action '${e.propertyName}'; expected ${list(p.allowedValues as unknown[])} (flags are written as plain words)`,
        };
      }
      if (expected) return { path, message: `unknown value ${show(e.data)}; expected ${expected}` };
      return { path, message: `unknown value ${show(e.data)}; expected one of: ${list(p.allowedValues as unknown[])}` };
    }
    case 'format':
      if (p.format === 'semver-range') {
        return { path, message: `${show(e.data)} is not a range of kernel versions; expected a semver range such as '>=6.1 <6.14'` };
      }
      return { path, message: `${show(e.data)} ${e.message ?? 'is not valid'}` };
    default:
      if (expected) return { path, message: `expected ${expected}, got ${show(e.data)}` };
      return { path, message: `${e.message ?? 'is not valid'}${e.data !== undefined ? `, got ${show(e.data)}` : ''}` };
  }
}

/** `actions[2].config-write.width`, the way messages name a field. */
export function formatPath(path: DataPath): string {
  return path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}
