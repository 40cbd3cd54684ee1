/**
 * Building the packages with the distributions' own tools: dpkg-buildpackage for the
 * .deb, makepkg for the Arch package. Each build runs in a scratch directory so that the
 * output keeps only sources and the built package.
 */
import { lastLines } from '../lib/format.js';
import { chownSync, cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { readGitConfig } from '../lib/git.js';

async function run(what: string, file: string, args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<void> {
  const r = await execa(file, args, { cwd: opts.cwd, env: { LC_ALL: 'C', ...opts.env }, reject: false, all: true, stdin: 'ignore' });
  if (r.exitCode !== 0) throw new Error(`${what} failed (exit ${r.exitCode}):\n${lastLines(r.all ?? '', 40)}`);
}

/**
 * Builds the binary package of the Debian source tree `srcDir` and puts the .deb into
 * `destDir`; returns its file name.
 */
export async function buildDeb(srcDir: string, destDir: string): Promise<string> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'quirkctl-deb-'));
  try {
    const tree = path.join(scratch, path.basename(srcDir));
    cpSync(srcDir, tree, { recursive: true });
    await run('dpkg-buildpackage', 'dpkg-buildpackage', ['-b', '-us', '-uc'], { cwd: tree });
    const deb = readdirSync(scratch).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`dpkg-buildpackage made no .deb in ${scratch}`);
    cpSync(path.join(scratch, deb), path.join(destDir, deb));
    return deb;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The unprivileged user that makepkg runs as when quirkctl runs as root (makepkg refuses root). */
const MAKEPKG_USER = 'nobody';

/**
 * Builds the Arch package from `srcDir` (PKGBUILD and sources) into `destDir`, as a
 * .pkg.tar.zst like Arch's own makepkg.conf; returns its file name.
 */
export async function buildArch(srcDir: string, destDir: string): Promise<string> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'quirkctl-arch-'));
  try {
    cpSync(srcDir, scratch, { recursive: true });
    const env = { BUILDDIR: path.join(scratch, 'build'), PKGDEST: path.join(scratch, 'out'), SRCDEST: scratch, PKGEXT: '.pkg.tar.zst' };
    const args = ['--nodeps', '--force', '--noconfirm', '--noprogressbar'];
    if (process.getuid?.() === 0) {
      const { uid, gid } = await userIds(MAKEPKG_USER);
      for (const f of ['', ...readdirSync(scratch)]) chownSync(path.join(scratch, f), uid, gid);
      await run(`makepkg (as ${MAKEPKG_USER})`, 'runuser', ['-u', MAKEPKG_USER, '--', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'makepkg', ...args], { cwd: scratch });
    } else {
      await run('makepkg', 'makepkg', args, { cwd: scratch, env });
    }
    const out = path.join(scratch, 'out');
    const pkg = readdirSync(out).find((f) => f.endsWith('.pkg.tar.zst'));
    if (!pkg) throw new Error(`makepkg made no .pkg.tar.zst in ${out}`);
    cpSync(path.join(out, pkg), path.join(destDir, pkg));
    return pkg;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function userIds(user: string): Promise<{ uid: number; gid: number }> {
  const r = await execa('id', ['-u', user], { reject: false });
  const g = await execa('id', ['-g', user], { reject: false });
  if (r.exitCode !== 0 || g.exitCode !== 0) throw new Error(`makepkg refuses to run as root, and there is no user '${user}' to run it as`);
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** `Name <email>` from git's user.name and user.email, as Signed-off-by lines take it; undefined when unset. */
export async function gitUser(cwd: string): Promise<string | undefined> {
  const config = await readGitConfig(cwd).catch(() => new Map<string, string>());
  const [name, email] = [config.get('user.name')?.trim(), config.get('user.email')?.trim()];
  return name && email ? `${name} <${email}>` : undefined;
}
