/**
 * Which kernel vm-test boots and builds for: a vmlinuz, the headers that kbuild builds
 * the module against, and the module tree the emulated device's driver comes from. All
 * three must be of one release; anything missing is named, with where it was looked for.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { compareKernels, parseKernelVersion } from '../kernel/version.js';

export interface KernelChoice {
  /** `uname -r` of the kernel, e.g. 6.1.0-56-amd64. */
  release: string;
  vmlinuz: string;
  /** /lib/modules/<release>: modules.dep and the drivers. */
  modulesDir: string;
  /** A kbuild tree: `make -C <headersDir> M=...`. */
  headersDir: string;
}

export interface KernelOptions {
  kernel?: string;
  modules?: string;
  headers?: string;
}

/** Where a distribution keeps kernels, modules and headers; tests point these at trees of their own. */
export interface KernelRoots {
  boot: string;
  modules: string;
  src: string;
}

const SYSTEM_ROOTS: KernelRoots = { boot: '/boot', modules: '/lib/modules', src: '/usr/src' };

/**
 * The release a bzImage was built as, from its setup header (what `file` prints): the
 * "HdrS" magic at 0x202, and at 0x20e the offset (minus 0x200) of the version string,
 * whose first word is the release.
 */
export function bzImageRelease(image: Buffer): string | null {
  if (image.length < 0x210 || image.toString('latin1', 0x202, 0x206) !== 'HdrS') return null;
  const at = image.readUInt16LE(0x20e) + 0x200;
  if (at >= image.length) return null;
  const end = image.indexOf(0, at);
  const text = image.toString('latin1', at, end < 0 ? Math.min(image.length, at + 256) : end);
  const release = text.split(' ')[0] ?? '';
  return /^[0-9][0-9A-Za-z.+_~-]*$/.test(release) ? release : null;
}

/** UTS_RELEASE from a kbuild tree's include/generated/utsrelease.h. */
export function utsRelease(header: string): string | null {
  return /^#define UTS_RELEASE "([^"]+)"/m.exec(header)?.[1] ?? null;
}

function headersRelease(dir: string): string | null {
  const file = path.join(dir, 'include', 'generated', 'utsrelease.h');
  return existsSync(file) ? utsRelease(readFileSync(file, 'utf8')) : null;
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** Headers for `release`: the module tree's build link (as dkms uses it), else /usr/src/linux-headers-<release>. */
function defaultHeaders(release: string, roots: KernelRoots): string[] {
  return [path.join(roots.modules, release, 'build'), path.join(roots.src, `linux-headers-${release}`)];
}

/** What is missing for `release`, in words; empty when headers and modules are there. */
function missingFor(release: string, roots: KernelRoots, opts: KernelOptions): string[] {
  const missing: string[] = [];
  const modules = opts.modules ?? path.join(roots.modules, release);
  if (!existsSync(path.join(modules, 'modules.dep'))) {
    missing.push(
      opts.modules !== undefined
        ? `--modules ${opts.modules}: no modules.dep (a module tree as /lib/modules/<release> has it; run depmod)`
        : `no modules: ${path.join(modules, 'modules.dep')} does not exist (install the linux-image package of ${release})`,
    );
  }
  if (opts.headers !== undefined) {
    const found = headersRelease(opts.headers);
    if (found === null) missing.push(`--headers ${opts.headers}: not a kbuild tree (no include/generated/utsrelease.h)`);
    else if (found !== release) missing.push(`--headers ${opts.headers}: headers of ${found}, not of ${release}`);
  } else if (!defaultHeaders(release, roots).some((d) => headersRelease(d) === release)) {
    missing.push(`no headers: looked in ${defaultHeaders(release, roots).join(' and ')} (install linux-headers-${release})`);
  }
  return missing;
}

function choice(release: string, vmlinuz: string, roots: KernelRoots, opts: KernelOptions): KernelChoice {
  const headersDir = opts.headers ?? defaultHeaders(release, roots).find((d) => headersRelease(d) === release);
  if (headersDir === undefined) throw new Error(`internal: no headers for ${release}`);
  return { release, vmlinuz, modulesDir: opts.modules ?? path.join(roots.modules, release), headersDir };
}

/**
 * Newest first; releases that are not kernel versions last. Between releases of one
 * version (Debian's 6.1.0-9 and 6.1.0-55 are both 6.1.0 to semver), the higher ABI number.
 */
function byNewest(a: string, b: string): number {
  const pa = parseKernelVersion(a) !== null;
  const pb = parseKernelVersion(b) !== null;
  const byName = b.localeCompare(a, 'en', { numeric: true });
  if (pa && pb) return compareKernels(b, a) || byName;
  return pa === pb ? byName : pa ? -1 : 1;
}

/**
 * The kernel to test on: `--kernel` (its release read from the image), else the newest
 * /boot/vmlinuz-* that has both headers and modules. Throws InputError naming what is
 * missing.
 */
export function findKernel(opts: KernelOptions, roots: KernelRoots = SYSTEM_ROOTS): KernelChoice {
  if (opts.modules !== undefined && !isDir(opts.modules)) throw new InputError(`--modules ${opts.modules}: not a directory`);
  if (opts.headers !== undefined && !isDir(opts.headers)) throw new InputError(`--headers ${opts.headers}: not a directory`);
  if (opts.kernel !== undefined) {
    if (!existsSync(opts.kernel) || !statSync(opts.kernel).isFile()) throw new InputError(`--kernel ${opts.kernel}: no such file`);
    const release = bzImageRelease(readFileSync(opts.kernel));
    if (release === null) throw new InputError(`--kernel ${opts.kernel}: not an x86 kernel image (no bzImage setup header with a version string)`);
    const missing = missingFor(release, roots, opts);
    if (missing.length) throw new InputError(`--kernel ${opts.kernel} (${release}): ${missing.join('; ')}`);
    return choice(release, opts.kernel, roots, opts);
  }
  const images = (isDir(roots.boot) ? readdirSync(roots.boot) : [])
    .map((f) => /^vmlinuz-(.+)$/.exec(f)?.[1])
    .filter((r): r is string => r !== undefined)
    .sort(byNewest);
  if (images.length === 0) throw new InputError(`no kernel to boot: no ${roots.boot}/vmlinuz-*; pass --kernel VMLINUZ (or install linux-image-amd64)`);
  const problems: string[] = [];
  for (const release of images) {
    const missing = missingFor(release, roots, opts);
    if (missing.length === 0) return choice(release, path.join(roots.boot, `vmlinuz-${release}`), roots, opts);
    problems.push(`  ${release}: ${missing.join('; ')}`);
  }
  throw new InputError(`no kernel in ${roots.boot} has both headers and modules:\n${problems.join('\n')}`);
}
