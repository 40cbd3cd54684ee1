/**
 * Tests that need a real component (a Debian package installed by
 * scripts/install-system-deps.sh) skip when it is missing on a developer's machine,
 * and fail under CI=true, where a missing component means CI is broken.
 */
export function realComponent(name: string, present: boolean, hint = 'run scripts/install-system-deps.sh'): boolean {
  if (!present && process.env.CI) {
    throw new Error(`real component missing under CI: ${name} (${hint})`);
  }
  return present;
}
