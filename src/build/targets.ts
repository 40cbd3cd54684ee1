/**
 * Build targets: a distribution, a release and a kernel flavour (and ABI) whose headers
 * a DKMS package is built against. Pure: the `build` section of quirkctl.yaml in,
 * resolved targets and the problems found out; which headers package a target installs
 * and which kernel releases belong to it.
 */
import path from 'node:path';
import { InputError, type Problem } from '../errors.js';
import { formatPath, type DataPath } from '../lib/schema.js';
import type { WorkspaceConfig } from '../workspace/workspace.js';

export type BuildConfig = NonNullable<WorkspaceConfig['build']>;
export type TargetConfig = NonNullable<BuildConfig['targets']>[number];
export type Distro = TargetConfig['distro'];
export type RunnerName = NonNullable<TargetConfig['runner']>;
export type RunnerChoice = NonNullable<BuildConfig['runner']>;

export const RUNNERS: readonly RunnerName[] = ['host', 'bwrap', 'podman', 'docker'];

export interface Target {
  name: string;
  distro: Distro;
  /** As written in the config (12, bookworm); 'rolling' for Arch. */
  release: string;
  /** What debootstrap and image tags take: bookworm, noble; 'rolling' for Arch. */
  codename: string;
  kernel: { flavour: string; version?: string };
  runner?: RunnerName;
  image?: string;
  /** Absolute. */
  rootfs?: string;
  mirror: string;
}

/** The targets a workspace gets when its quirkctl.yaml names none; the bundled workspace lists them. */
export const DEFAULT_TARGETS: TargetConfig[] = [
  { name: 'debian-12', distro: 'debian', release: 'bookworm', kernel: { flavour: 'amd64' } },
  { name: 'ubuntu-22.04', distro: 'ubuntu', release: 'jammy', kernel: { flavour: 'generic' } },
  { name: 'ubuntu-24.04', distro: 'ubuntu', release: 'noble', kernel: { flavour: 'generic' } },
  { name: 'arch', distro: 'arch', kernel: { flavour: 'linux' } },
  { name: 'arch-lts', distro: 'arch', kernel: { flavour: 'linux-lts' } },
];

/** Release numbers people write, and the codenames debootstrap and image tags take. */
const CODENAMES: Record<'debian' | 'ubuntu', Record<string, string>> = {
  debian: { '10': 'buster', '11': 'bullseye', '12': 'bookworm', '13': 'trixie', '14': 'forky' },
  ubuntu: { '20.04': 'focal', '22.04': 'jammy', '24.04': 'noble', '24.10': 'oracular', '25.04': 'plucky', '25.10': 'questing' },
};

const DEFAULT_FLAVOUR: Record<Distro, string> = { debian: 'amd64', ubuntu: 'generic', arch: 'linux' };
const DEFAULT_MIRROR: Record<Distro, string> = { debian: 'http://deb.debian.org/debian', ubuntu: 'http://archive.ubuntu.com/ubuntu', arch: '' };
const DISTRO_NAME: Record<Distro, string> = { debian: 'Debian', ubuntu: 'Ubuntu', arch: 'Arch' };

/** A kernel release as `uname -r` prints it and dkms -k takes it. */
export const KERNEL_RELEASE = /^[0-9][A-Za-z0-9._+~-]{0,127}$/;

interface PathProblem {
  path: DataPath;
  message: string;
}

function resolveOne(c: TargetConfig, root: string): { target?: Target; problems: PathProblem[] } {
  const problems: PathProblem[] = [];
  let codename = 'rolling';
  let release = 'rolling';
  if (c.distro === 'arch') {
    if (c.release !== undefined) problems.push({ path: ['release'], message: 'Arch is rolling and has no releases; leave release out' });
    if (c.kernel?.version !== undefined) {
      problems.push({ path: ['kernel', 'version'], message: 'Arch is rolling: a target gets the current headers of its kernel package; leave version out' });
    }
  } else if (c.release !== undefined) {
    release = c.release;
    const known = CODENAMES[c.distro];
    if (/^[a-z]+$/.test(c.release)) {
      codename = c.release;
    } else if (known[c.release] !== undefined) {
      codename = known[c.release] as string;
    } else {
      problems.push({ path: ['release'], message: `${DISTRO_NAME[c.distro]} ${c.release} is not a release quirkctl knows by number (${Object.keys(known).join(', ')}); write its codename` });
    }
  }
  if (c.mirror !== undefined && c.distro === 'arch') problems.push({ path: ['mirror'], message: 'mirror is for debootstrap (Debian, Ubuntu); Arch targets use their image' });
  if (problems.length) return { problems };
  const target: Target = {
    name: c.name,
    distro: c.distro,
    release,
    codename,
    kernel: { flavour: c.kernel?.flavour ?? DEFAULT_FLAVOUR[c.distro], ...(c.kernel?.version !== undefined ? { version: c.kernel.version } : {}) },
    mirror: (c.mirror ?? DEFAULT_MIRROR[c.distro]).replace(/\/+$/, ''),
  };
  if (c.runner !== undefined) target.runner = c.runner;
  if (c.image !== undefined) target.image = c.image;
  if (c.rootfs !== undefined) target.rootfs = path.resolve(root, c.rootfs);
  return { target, problems };
}

/**
 * The configured targets (or the defaults), checked beyond what the schema can say:
 * names unique, a codename for each release, nothing Arch cannot have. `root` resolves
 * relative rootfs paths. Problems carry their data path under `build.targets`.
 */
export function resolveTargets(build: BuildConfig | undefined, root: string): { targets: Target[]; problems: PathProblem[] } {
  const configs = build?.targets ?? DEFAULT_TARGETS;
  const targets: Target[] = [];
  const problems: PathProblem[] = [];
  const seen = new Map<string, number>();
  configs.forEach((c, i) => {
    const at = (p: PathProblem): PathProblem => ({ path: ['build', 'targets', i, ...p.path], message: p.message });
    const first = seen.get(c.name);
    if (first !== undefined) problems.push(at({ path: ['name'], message: `'${c.name}' names build.targets[${first}] already; target names must be unique` }));
    seen.set(c.name, i);
    const r = resolveOne(c, root);
    problems.push(...r.problems.map(at));
    if (r.target) targets.push(r.target);
  });
  return { targets, problems };
}

/** Problems as `quirkctl.yaml:LINE: build.targets[2].release: ...`, given a line finder. */
export function targetProblems(problems: PathProblem[], file: string, lineOf: (p: DataPath) => number): Problem[] {
  return problems.map((p) => ({ file, line: lineOf(p.path), field: formatPath(p.path), message: p.message }));
}

/** `--target` names (or every target when none is given), unknown names refused with the known ones. */
export function selectTargets(targets: Target[], names: string[]): Target[] {
  if (names.length === 0) return targets;
  const unknown = names.filter((n) => !targets.some((t) => t.name === n));
  if (unknown.length) {
    const known = targets.map((t) => t.name).join(', ') || 'none';
    throw new InputError(`--target ${unknown.map((n) => `'${n}'`).join(', ')}: no such target; the workspace's targets are: ${known} (build.targets in quirkctl.yaml)`);
  }
  return targets.filter((t) => names.includes(t.name));
}

/** The package that brings the target's kernel headers (and, through it, kbuild). */
export function headersPackage(t: Target): string {
  if (t.distro === 'arch') return `${t.kernel.flavour}-headers`;
  return t.kernel.version !== undefined ? `linux-headers-${t.kernel.version}-${t.kernel.flavour}` : `linux-headers-${t.kernel.flavour}`;
}

/**
 * Everything a target installs: dkms, its kernel's headers, a compiler and make, perl
 * and git (checkpatch), and what a kernel tree's own build needs (bc, bison, flex,
 * libelf, openssl).
 */
export function targetPackages(t: Target): string[] {
  if (t.distro === 'arch') return ['dkms', headersPackage(t), 'base-devel', 'perl', 'git', 'bc', 'libelf', 'openssl'];
  return ['dkms', headersPackage(t), 'build-essential', 'perl', 'git', 'kmod', 'bc', 'bison', 'flex', 'libelf-dev', 'libssl-dev'];
}

/**
 * Whether a kernel release found in a target (or on the host) is the target's kernel:
 * Debian and Ubuntu releases end in the flavour (6.1.0-56-amd64, 6.8.0-31-generic), Arch's
 * in -archN-M for `linux` and in the package's suffix for the others (6.6.63-1-lts).
 */
export function isTargetKernel(t: Target, release: string): boolean {
  const { flavour, version } = t.kernel;
  if (t.distro === 'arch') return flavour === 'linux' ? /-arch\d+-\d+$/.test(release) : release.endsWith(`-${flavour.replace(/^linux-/, '')}`);
  if (version !== undefined) return release === `${version}-${flavour}`;
  return release.endsWith(`-${flavour}`);
}

/** Checks a --kernel argument: a release or the start of one (6.1, 6.1.0-56, 6.1.0-56-amd64). */
export function checkKernelArg(text: string): string {
  if (!KERNEL_RELEASE.test(text)) throw new InputError(`--kernel '${text}': expected a kernel release or its start, e.g. 6.1, 6.1.0-56 or 6.1.0-56-amd64`);
  return text;
}

/** Whether `release` is what `--kernel <wanted>` asks for: the same, or it starts with it up to a '.' or '-'. */
export function kernelWanted(release: string, wanted: string[]): boolean {
  if (wanted.length === 0) return true;
  return wanted.some((w) => release === w || (release.startsWith(w) && /^[.-]/.test(release.slice(w.length))));
}

export function describeTarget(t: Target): string {
  const release = t.distro === 'arch' ? '' : ` ${t.release}`;
  const kernel = t.kernel.version !== undefined ? `${t.kernel.version}-${t.kernel.flavour}` : t.kernel.flavour;
  return `${DISTRO_NAME[t.distro]}${release}, ${headersPackage(t)} (kernel ${kernel})`;
}
