/**
 * Kernel release strings and semver. Everything in quirkctl that compares kernel versions
 * goes through here: `6.1.192`, `6.12-rc3`, `v6.14`, and the release strings of distro
 * kernels (`6.1.0-56-amd64`, `6.8.0-45-generic`, `6.12.4-arch1-1`).
 *
 * The mapping: MAJOR.MINOR[.SUBLEVEL] is the semver core (SUBLEVEL 0 when absent); `-rcN`
 * is the prerelease `rc.N`, so 6.12-rc3 < 6.12; whatever a distro appends is build
 * metadata, which semver ignores when comparing. Note that Debian and Ubuntu name their
 * kernels by ABI, not by sublevel: 6.1.0-56-amd64 is a 6.1.192 kernel but compares as 6.1.0.
 */
import semver, { SemVer } from 'semver';

export interface KernelVersion {
  major: number;
  minor: number;
  sublevel: number;
  /** Release candidate number, when this is an -rc. */
  rc?: number;
  /** What followed the version in the release string: `56-amd64`, `arch1-1`, `45-generic`. */
  local?: string;
}

const RELEASE = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-rc(\d+))?(?:[-+_.~](.+))?$/;

/** Parses a kernel release string; null when it is not one. */
export function parseKernelVersion(text: string): KernelVersion | null {
  const m = RELEASE.exec(text.trim());
  if (!m) return null;
  const v: KernelVersion = { major: Number(m[1]), minor: Number(m[2]), sublevel: m[3] === undefined ? 0 : Number(m[3]) };
  if (m[4] !== undefined) v.rc = Number(m[4]);
  if (m[5] !== undefined) v.local = m[5];
  return v;
}

/** The semver string for a kernel release: 6.12-rc3 -> 6.12.0-rc.3, 6.1.0-56-amd64 -> 6.1.0+56-amd64. */
export function kernelToSemver(text: string): string | null {
  const v = parseKernelVersion(text);
  if (!v) return null;
  const core = `${v.major}.${v.minor}.${v.sublevel}`;
  const pre = v.rc !== undefined ? `-rc.${v.rc}` : '';
  // Build metadata allows [0-9A-Za-z-] in dot-separated identifiers only.
  const build = v.local ? `+${v.local.replace(/[^0-9A-Za-z.-]/g, '-').replace(/\.{2,}/g, '.').replace(/^\.|\.$/g, '')}` : '';
  return `${core}${pre}${build}`;
}

/** A SemVer object for comparisons; throws on a string that is not a kernel release. */
export function kernelSemver(text: string): SemVer {
  const s = kernelToSemver(text);
  if (s === null) throw new Error(`'${text}' is not a kernel release (expected e.g. 6.1.192, 6.12-rc3, 6.8.0-45-generic)`);
  return new SemVer(s);
}

/** The kernel's own spelling of a semver version: 6.14.0 -> 6.14, 6.12.0-rc.3 -> 6.12-rc3. */
export function semverToKernel(version: string | SemVer): string {
  const v = typeof version === 'string' ? new SemVer(version) : version;
  const base = v.patch === 0 ? `${v.major}.${v.minor}` : `${v.major}.${v.minor}.${v.patch}`;
  const rc = v.prerelease[0] === 'rc' && typeof v.prerelease[1] === 'number' ? `-rc${v.prerelease[1]}` : '';
  return `${base}${rc}`;
}

export function compareKernels(a: string, b: string): number {
  return semver.compare(kernelSemver(a), kernelSemver(b));
}

/**
 * Whether a kernel release lies in a semver range such as ">=6.1 <6.14". An -rc kernel
 * counts as the release it leads to: 6.14-rc1 already carries what was merged for 6.14,
 * so it is in ">=6.14" and not in "<6.14" (plain semver would put it in neither).
 */
export function kernelSatisfies(release: string, range: string): boolean {
  const v = kernelSemver(release);
  return semver.satisfies(`${v.major}.${v.minor}.${v.patch}`, range);
}

/**
 * The release a kernel tree's top-level Makefile describes (VERSION, PATCHLEVEL,
 * SUBLEVEL, EXTRAVERSION): `6.1.192`, `6.12-rc3`. SUBLEVEL 0 is left out, as the kernel
 * does; undefined when the text is not a kernel Makefile.
 */
export function makefileRelease(makefile: string): string | undefined {
  const get = (key: string) => new RegExp(`^${key}\\s*=[ \\t]*(\\S*)`, 'm').exec(makefile)?.[1];
  const [version, patchlevel, sublevel] = [get('VERSION'), get('PATCHLEVEL'), get('SUBLEVEL')];
  if (!version || !patchlevel || !/^\d+$/.test(version) || !/^\d+$/.test(patchlevel)) return undefined;
  const release = `${version}.${patchlevel}${sublevel && sublevel !== '0' ? `.${sublevel}` : ''}${get('EXTRAVERSION') ?? ''}`;
  return parseKernelVersion(release) ? release : undefined;
}
