/**
 * Tests that need a real component (a Debian package installed by
 * scripts/install-system-deps.sh) skip when it is missing on a developer's machine,
 * saying why, and fail under CI=true, where a missing component means CI is broken.
 * A test never returns early and passes instead.
 */
import type { TestContext } from 'vitest';

const said = new Set<string>();

function whyMissing(name: string, hint: string): string {
  return `${name} is missing (${hint})`;
}

/** For describe.runIf/it.runIf: false (and the reason on stderr, once) when missing; throws under CI. */
export function realComponent(name: string, present: boolean, hint = 'run scripts/install-system-deps.sh'): boolean {
  if (!present && process.env.CI) {
    throw new Error(`real component missing under CI: ${name} (${hint})`);
  }
  if (!present && !said.has(name)) {
    said.add(name);
    process.stderr.write(`skip: ${whyMissing(name, hint)}; the tests that need it do not run\n`);
  }
  return present;
}

/** Inside a test: skips it with the reason when the component is missing; throws under CI. */
export function needReal(ctx: TestContext, name: string, present: boolean, hint = 'run scripts/install-system-deps.sh'): void {
  if (!realComponent(name, present, hint)) ctx.skip(whyMissing(name, hint));
}
