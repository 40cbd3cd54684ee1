/**
 * For the build tests: workspaces with build targets, and the one real root file system
 * they share. The root file system is Debian 12's, made by quirkctl itself (debootstrap,
 * then dkms and linux-headers-amd64 from deb.debian.org) into
 * ${XDG_CACHE_HOME:-~/.cache}/quirkctl-test/build/, once: later runs reuse it, and test
 * files that ask at the same time wait on quirkctl's own lock for one of them to make it.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { cli, freshWorkspace, REPO } from './cli.js';
import { realComponent } from './real.js';

export const TEST_CACHE = path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'quirkctl-test', 'build');
/** The environment every build test runs quirkctl with: the shared test cache. */
export const BUILD_ENV = { QUIRKCTL_CACHE_DIR: TEST_CACHE };

const onPath = (tool: string) => {
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** The host's Debian 6.1 headers (what the host runner builds against), e.g. 6.1.0-56-amd64. */
export const HOST_KERNEL = (existsSync('/usr/src') ? readdirSync('/usr/src') : [])
  .map((d) => /^linux-headers-(6\.1\.\d+-\d+-amd64)$/.exec(d)?.[1])
  .find((k): k is string => k !== undefined && existsSync(`/lib/modules/${k}/build`));

export const hasBwrap = realComponent('bubblewrap and debootstrap, run as root (making a Debian root file system)', onPath('bwrap') && onPath('debootstrap') && process.getuid?.() === 0);
export const hasHostDkms = realComponent('dkms and linux-headers-6.1.*-amd64 on the host', onPath('dkms') && HOST_KERNEL !== undefined);

/** A target list for quirkctl.yaml, flow style. */
export function targetsYaml(targets: Record<string, unknown>[]): string {
  const flow = (v: unknown): string =>
    typeof v === 'object' && v !== null ? `{ ${Object.entries(v).map(([k, x]) => `${k}: ${flow(x)}`).join(', ')} }` : JSON.stringify(v);
  return `build:\n  targets:\n${targets.map((t) => `    - ${flow(t)}\n`).join('')}`;
}

export const DEBIAN_12 = { name: 'debian-12', distro: 'debian', release: '12', runner: 'bwrap' };
/** The host's own headers, through the host runner. */
export const HOST = { name: 'here', distro: 'debian', release: 'bookworm', runner: 'host' };

/** A fresh workspace with the curated quirks (or none) and these targets. */
export function buildWorkspace(targets: Record<string, unknown>[], opts: { quirks?: boolean } = {}): string {
  const ws = freshWorkspace();
  if (opts.quirks !== false) cpSync(path.join(REPO, 'quirks'), path.join(ws, 'quirks'), { recursive: true });
  writeFileSync(path.join(ws, 'quirkctl.yaml'), `version: 1\n${targetsYaml(targets)}`);
  return ws;
}

/** Adds a quirk with `quirkctl add`. */
export function addQuirk(ws: string, args: string[]): void {
  const r = cli(['add', ...args], { cwd: ws });
  if (r.code !== 0) throw new Error(`quirkctl add ${args.join(' ')}: ${r.stderr}`);
}

/** Makes (or finds) the shared Debian 12 root file system; returns it. For beforeAll. */
export async function debianRootfs(): Promise<string> {
  const ws = buildWorkspace([DEBIAN_12], { quirks: false });
  const { openWorkspace } = await import('../../src/workspace/workspace.js');
  const { readyTarget } = await import('../../src/build/workspace-targets.js');
  const ready = await readyTarget(openWorkspace({ workspace: ws }), 'debian-12', { cacheDir: TEST_CACHE });
  if (ready.env.runner !== 'bwrap') throw new Error('internal: expected a bwrap target');
  return ready.env.rootfs;
}
