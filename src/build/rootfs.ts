/**
 * Root file systems for the bwrap runner: debootstrap's minbase of the target's release,
 * then apt installs dkms, the kernel headers and build tools (no recommends). Made once
 * per recipe into the cache and reused; --refresh makes it again. Making one needs root
 * (debootstrap does) and the network; building in one needs neither.
 *
 * .debs are kept per release under the cache's debs/ (debootstrap's --cache-dir, apt's
 * archives directory while it installs), and on a host of the same release the ones in
 * /var/cache/apt/archives are linked in first, so what this machine has downloaded
 * already is not fetched again. debootstrap and apt check every one against the
 * archive's hashes, so a stale or foreign file is fetched anew, never used.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { onPath } from '../lib/tools.js';
import { InputError } from '../errors.js';
import { replaceDir } from '../workspace/fs.js';
import { once, withFileLock, type PrepareContext } from './cache.js';
import { logLine, runLogged, tailOf, whyLine } from './exec.js';
import { debootstrapScript, rootfsRecipe, type RootfsRecipe } from './recipes.js';
import type { Command } from './runners.js';
import type { Target } from './targets.js';

/** Written last into a finished root file system: its recipe. Without it a directory is half made. */
export const ROOTFS_MARKER = '.quirkctl-rootfs.json';
const HOST_DEBS = '/var/cache/apt/archives';
/** Where the release's .deb cache is mounted while apt installs. */
const DEBS_INSIDE = '/var/cache/quirkctl-debs';
const SCRIPTS = '/usr/share/debootstrap/scripts';
/** What debootstrap checks Ubuntu's Release files with (package ubuntu-keyring on Ubuntu and Debian 13). */
const UBUNTU_KEYRING = '/usr/share/keyrings/ubuntu-archive-keyring.gpg';
/** How long a process waits for another that is making the same root file system. */
const WAIT_MS = 20 * 60_000;

type RootfsContext = Pick<PrepareContext, 'cacheDir' | 'refresh' | 'once' | 'log' | 'progress'>;

export function rootfsPath(cache: string, recipe: RootfsRecipe): string {
  return path.join(cache, 'rootfs', recipe.dirName);
}

export function isMadeRootfs(dir: string): boolean {
  return existsSync(path.join(dir, ROOTFS_MARKER));
}

function osRelease(): Record<string, string> {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return Object.fromEntries([...text.matchAll(/^([A-Z_]+)="?([^"\n]*)"?$/gm)].map((m) => [m[1] as string, m[2] as string]));
  } catch {
    return {};
  }
}

/** Links the host's downloaded .debs into the release's cache when the host runs that release. */
function linkHostDebs(debs: string, recipe: RootfsRecipe): boolean {
  const os = osRelease();
  if (os.ID !== recipe.distro || os.VERSION_CODENAME !== recipe.codename || !existsSync(HOST_DEBS)) return false;
  const have = new Set(readdirSync(debs));
  for (const f of readdirSync(HOST_DEBS)) {
    if (f.endsWith('.deb') && !have.has(f)) symlinkSync(path.join(HOST_DEBS, f), path.join(debs, f));
  }
  // A link to a file the host has cleaned away: debootstrap would download through it into the host's cache.
  for (const f of readdirSync(debs)) {
    const p = path.join(debs, f);
    if (lstatSync(p).isSymbolicLink() && !existsSync(p)) unlinkSync(p);
  }
  return true;
}

/** bwrap into the root file system being made: writable, with the network, as root. */
function prepCommand(root: string, debs: string, hostDebs: boolean, argv: string[]): Command {
  const args = ['--bind', root, '/', '--dev', '/dev', '--proc', '/proc', '--ro-bind', '/etc/resolv.conf', '/etc/resolv.conf'];
  // The links in the .deb cache point into the host's archives: the same path inside resolves them.
  if (hostDebs) args.push('--ro-bind', HOST_DEBS, HOST_DEBS);
  args.push('--bind', debs, DEBS_INSIDE, '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--die-with-parent', '--clearenv');
  for (const [k, v] of Object.entries({ PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' })) args.push('--setenv', k, v);
  return { file: 'bwrap', args: [...args, '--', ...argv] };
}

/** The commands that make a root file system, in order: for the log, --dry-run and tests. */
export function rootfsCommands(recipe: RootfsRecipe, dir: string, debs: string, script: string, hostDebs: boolean): Command[] {
  const apt = ['-q', '-o', 'Acquire::Retries=3', '-o', `Dir::Cache::Archives=${DEBS_INSIDE}/`];
  const keyring = recipe.distro === 'ubuntu' ? [`--keyring=${UBUNTU_KEYRING}`] : [];
  return [
    { file: 'debootstrap', args: ['--variant=minbase', `--cache-dir=${debs}`, ...keyring, recipe.codename, dir, recipe.mirror, path.join(SCRIPTS, script)] },
    prepCommand(dir, debs, hostDebs, ['apt-get', ...apt, 'update']),
    prepCommand(dir, debs, hostDebs, ['apt-get', ...apt, 'install', '-y', '--no-install-recommends', ...recipe.packages]),
  ];
}

async function makeRootfs(t: Target, recipe: RootfsRecipe, dir: string, ctx: RootfsContext): Promise<void> {
  const debs = path.join(ctx.cacheDir, 'debs', `${recipe.distro}-${recipe.codename}`);
  mkdirSync(path.join(debs, 'partial'), { recursive: true });
  const hostDebs = linkHostDebs(debs, recipe);
  const script = debootstrapScript(recipe.distro, recipe.codename, (s) => existsSync(path.join(SCRIPTS, s)));
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const [debootstrap, update, install] = rootfsCommands(recipe, tmp, debs, script, hostDebs) as [Command, Command, Command];
  logLine(ctx.log, `# making the root file system of target ${t.name} (${recipe.distro} ${recipe.codename}, recipe ${recipe.key}) in ${dir}${hostDebs ? `; .debs from ${HOST_DEBS} reused` : ''}`);
  const step = async (what: string, c: Command, before?: () => void) => {
    ctx.progress(what);
    before?.();
    const code = await runLogged(c, ctx.log);
    if (code !== 0) throw new InputError(`target ${t.name}: cannot make its root file system: ${what} failed (exit ${code}): ${whyLine(tailOf(ctx.log, 40), /^E: |^W: Failed|Couldn't|Failed getting|Unable to locate/)}; log: ${ctx.log}`);
  };
  try {
    await step(`debootstrap ${recipe.codename} from ${recipe.mirror}`, debootstrap);
    await step('apt-get update', update, () => {
      writeFileSync(path.join(tmp, 'etc/apt/sources.list'), recipe.sources);
      // No daemons start in a build root (what Debian's chroot tools do).
      writeFileSync(path.join(tmp, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n');
      chmodSync(path.join(tmp, 'usr/sbin/policy-rc.d'), 0o755);
      mkdirSync(path.join(tmp, DEBS_INSIDE), { recursive: true });
    });
    await step(`apt-get install ${recipe.packages.join(' ')}`, install);
    rmSync(path.join(tmp, 'var/lib/apt/lists'), { recursive: true, force: true });
    mkdirSync(path.join(tmp, 'var/lib/apt/lists/partial'), { recursive: true });
    writeFileSync(path.join(tmp, ROOTFS_MARKER), `${JSON.stringify({ target: t.name, made: new Date().toISOString(), ...recipe }, null, 2)}\n`);
    replaceDir(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * The root file system a bwrap target runs in: its own `rootfs` when it names one, else
 * the cached one made from its recipe (made now if missing, or again with --refresh).
 */
export async function ensureRootfs(t: Target, ctx: RootfsContext): Promise<string> {
  if (t.rootfs !== undefined) {
    if (!existsSync(t.rootfs) || !statSync(t.rootfs).isDirectory()) throw new InputError(`target ${t.name}: rootfs '${t.rootfs}' is not a directory`);
    return t.rootfs;
  }
  if (t.distro === 'arch') {
    throw new InputError(`target ${t.name}: bwrap makes root file systems with debootstrap, for Debian and Ubuntu only; give this target a rootfs (an Arch root made with pacstrap) or build it with podman or docker (--runner)`);
  }
  const recipe = rootfsRecipe(t);
  const dir = rootfsPath(ctx.cacheDir, recipe);
  return once(ctx, `rootfs:${recipe.key}`, async () => {
    if (isMadeRootfs(dir) && !ctx.refresh) return dir;
    return withFileLock(`${dir}.lock`, `the root file system ${dir}`, WAIT_MS, async () => {
      // Another process may have made it while this one waited.
      if (isMadeRootfs(dir) && !ctx.refresh) return dir;
      if (process.getuid?.() !== 0) {
        throw new InputError(`target ${t.name}: making its root file system needs root (debootstrap does): run this once as root, or give the target a rootfs`);
      }
      if (!(await onPath('debootstrap'))) throw new InputError(`target ${t.name}: making its root file system needs debootstrap, which is not installed`);
      if (recipe.distro === 'ubuntu' && !existsSync(UBUNTU_KEYRING)) {
        throw new InputError(`target ${t.name}: debootstrap checks Ubuntu's archive with ${UBUNTU_KEYRING}, which is missing (package ubuntu-keyring; Debian 12 does not have it): install it, or build this target with podman or docker`);
      }
      await makeRootfs(t, recipe, dir, ctx);
      return dir;
    });
  });
}
