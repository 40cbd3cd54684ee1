/**
 * Everything quirkctl generates comes from a template (Eta syntax). The built-in ones ship
 * in the package's templates/; a file of the same name in the workspace's templates/
 * overrides it. Templates get data that the model has already validated; they do no
 * escaping of their own, because C, shell and YAML each need a different kind.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';

export const BUILTIN_TEMPLATES = fileURLToPath(new URL('../../templates/', import.meta.url));

const eta = new Eta({ autoEscape: false, autoTrim: false, useWith: false, cache: false });

/** The file a template name resolves to: the workspace's override, else the built-in. */
export function templateFile(name: string, overridesDir?: string): string {
  if (overridesDir) {
    const own = path.join(overridesDir, name);
    if (existsSync(own)) return own;
  }
  return path.join(BUILTIN_TEMPLATES, name);
}

export function renderTemplate(name: string, data: object, overridesDir?: string): string {
  const file = templateFile(name, overridesDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`template '${name}' not found (looked in ${overridesDir ? `${overridesDir} and ` : ''}${BUILTIN_TEMPLATES})`);
  }
  try {
    return eta.renderString(text, data);
  } catch (e) {
    throw new Error(`template ${file}: ${(e as Error).message}`);
  }
}
