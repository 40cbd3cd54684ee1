/**
 * What a target is made from: a Containerfile for podman and docker, a debootstrap
 * recipe for bwrap. Pure: a target in, the recipe and the key it is cached under out.
 * The key changes when anything that goes into the image or root file system changes,
 * so an edited template or another kernel version makes a new one, and an unchanged
 * recipe is reused until --refresh.
 */
import { createHash } from 'node:crypto';
import { renderTemplate } from '../lib/templates.js';
import { targetPackages, type Target } from './targets.js';

/** Bumped when the way root file systems are made changes, so old ones are not reused. */
const ROOTFS_REVISION = 1;

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface ImageRecipe {
  containerfile: string;
  key: string;
  /** Local tag of the built image: localhost/quirkctl/<target>:<key>. */
  tag: string;
}

/** templates/containers/<distro>.Containerfile for the target (the workspace's copy wins). */
export function imageRecipe(t: Target, templatesDir?: string): ImageRecipe {
  const containerfile = renderTemplate(`containers/${t.distro}.Containerfile`, { target: t, packages: targetPackages(t) }, templatesDir);
  const key = digest(containerfile).slice(0, 16);
  return { containerfile, key, tag: `localhost/quirkctl/${t.name}:${key}` };
}

export interface RootfsRecipe {
  distro: 'debian' | 'ubuntu';
  codename: string;
  mirror: string;
  /** /etc/apt/sources.list of the root file system. */
  sources: string;
  packages: string[];
  key: string;
  /** Directory name in the cache: <distro>-<codename>-<key>. */
  dirName: string;
}

/**
 * The suites apt reads: the release, its updates and its security fixes (where kernel
 * ABIs move on). Debian's security archive sits beside the main one (debian-security);
 * Ubuntu's -security pocket is in the main archive. sid has neither.
 */
export function sourcesList(distro: 'debian' | 'ubuntu', codename: string, mirror: string): string {
  const components = distro === 'ubuntu' ? 'main universe' : 'main';
  const lines = [`deb ${mirror} ${codename} ${components}`];
  if (codename !== 'sid' && codename !== 'unstable') {
    lines.push(`deb ${mirror} ${codename}-updates ${components}`);
    if (distro === 'ubuntu') lines.push(`deb ${mirror} ${codename}-security ${components}`);
    else if (mirror.endsWith('/debian')) lines.push(`deb ${mirror}-security ${codename}-security ${components}`);
  }
  return `${lines.join('\n')}\n`;
}

export function rootfsRecipe(t: Target): RootfsRecipe {
  if (t.distro === 'arch') throw new Error('internal: debootstrap makes Debian and Ubuntu root file systems only');
  const sources = sourcesList(t.distro, t.codename, t.mirror);
  const packages = targetPackages(t);
  const key = digest(JSON.stringify({ revision: ROOTFS_REVISION, distro: t.distro, codename: t.codename, mirror: t.mirror, sources, packages })).slice(0, 16);
  return { distro: t.distro, codename: t.codename, mirror: t.mirror, sources, packages, key, dirName: `${t.distro}-${t.codename}-${key}` };
}

/**
 * debootstrap's script for a suite: its own when this debootstrap has one, else the one
 * every newer suite of the distribution links to (sid for Debian, gutsy for Ubuntu), so an
 * older debootstrap can still make a newer release (Debian 12's knows no noble).
 */
export function debootstrapScript(distro: 'debian' | 'ubuntu', codename: string, has: (script: string) => boolean): string {
  if (has(codename)) return codename;
  return distro === 'ubuntu' ? 'gutsy' : 'sid';
}
