/**
 * The real kernel source for compiling objects in a target: Debian's linux-source-6.1
 * tarball unpacked whole (about 10 s, 1.5 GB) once into
 * ${XDG_CACHE_HOME:-~/.cache}/quirkctl-test/linux-source-6.1/, under a lock so that test
 * files asking at once unpack it once. Tests mount it read-only and never change it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { TEST_CACHE } from './build-targets.js';
import { realComponent } from './real.js';

export const TARBALL = '/usr/src/linux-source-6.1.tar.xz';
export const hasLinuxSource = realComponent('linux-source-6.1 (/usr/src/linux-source-6.1.tar.xz)', existsSync(TARBALL));

const DIR = path.join(path.dirname(TEST_CACHE), 'linux-source-6.1');
const MARKER = path.join(DIR, '.unpacked');

export async function linuxSource(): Promise<string> {
  if (existsSync(MARKER)) return DIR;
  mkdirSync(path.dirname(DIR), { recursive: true });
  const release = await lockfile.lock(path.dirname(DIR), { lockfilePath: `${DIR}.lock`, realpath: false, stale: 60_000, retries: { retries: 600, factor: 1, minTimeout: 500, maxTimeout: 500 } });
  try {
    if (existsSync(MARKER)) return DIR;
    const tmp = `${DIR}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    rmSync(DIR, { recursive: true, force: true });
    mkdirSync(tmp);
    execFileSync('tar', ['-xJf', TARBALL, '-C', tmp]);
    const [top] = readdirSync(tmp);
    renameSync(path.join(tmp, top as string), DIR);
    rmSync(tmp, { recursive: true, force: true });
    writeFileSync(MARKER, `${TARBALL}\n`);
    return DIR;
  } finally {
    await release();
  }
}
