/**
 * The four ways into a target behind one interface: the command line that runs a
 * command inside it. `host` runs it here, `bwrap` in a bubblewrap sandbox over a root
 * file system, `podman` and `docker` in a container. Pure: these functions only build
 * argument vectors; running them is the caller's business (exec.ts).
 *
 * Every runner gives a command the same world: the target's files read-only, the host
 * directories it is given mounted where it asks (read-only unless said otherwise), a
 * private /tmp, no network, and an environment of PATH, HOME, LC_ALL and what it sets.
 */
import { InputError } from '../errors.js';
import type { RunnerName } from './targets.js';

/** What a prepared target runs in: a root file system (bwrap), an image (podman, docker), or the host. */
export type Environment =
  | { runner: 'host' }
  | { runner: 'bwrap'; rootfs: string }
  | { runner: 'podman' | 'docker'; image: string; /** docker only: run as this uid:gid so files written to mounts are the user's. */ user?: string };

export interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

export interface RunSpec {
  argv: string[];
  mounts: Mount[];
  /** Working directory, as seen inside. */
  cwd: string;
  env?: Record<string, string>;
}

export interface Command {
  file: string;
  args: string[];
  /** For the host runner, which has no sandbox to carry them. */
  cwd?: string;
  env?: Record<string, string>;
}

/** Where quirkctl mounts what a command works on, inside a target. */
export const INSIDE = '/tmp/quirkctl';

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function baseEnv(spec: RunSpec): Record<string, string> {
  return { PATH, HOME: '/tmp', LC_ALL: 'C', ...spec.env };
}

/**
 * Where a host directory is seen inside the target: at `wanted` in a sandbox or
 * container, at its own path on the host (which has nothing to mount it with).
 */
export function mountPoint(env: Environment, source: string, wanted: string): string {
  return env.runner === 'host' ? source : wanted;
}

/** bubblewrap over a read-only root file system, with a tmpfs /tmp and no network. */
export function bwrapCommand(rootfs: string, spec: RunSpec): Command {
  const args = ['--ro-bind', rootfs, '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp'];
  for (const m of spec.mounts) args.push(m.readOnly ? '--ro-bind' : '--bind', m.source, m.target);
  args.push('--unshare-all', '--die-with-parent', '--new-session', '--clearenv');
  for (const [k, v] of Object.entries(baseEnv(spec))) args.push('--setenv', k, v);
  args.push('--chdir', spec.cwd, '--', ...spec.argv);
  return { file: 'bwrap', args };
}

/** `--mount` takes comma-separated key=value pairs, so a path with a comma cannot be said. */
function mountOption(m: Mount): string {
  for (const p of [m.source, m.target]) {
    if (p.includes(',')) throw new InputError(`'${p}': podman and docker cannot mount a path that contains ','; move it`);
  }
  return `--mount=type=bind,source=${m.source},target=${m.target}${m.readOnly ? ',readonly=true' : ''}`;
}

/**
 * `podman run` / `docker run` of an image made beforehand (never pulled here), without
 * network. SELinux labels are left alone (label=disable) rather than relabelling the
 * user's directories with :Z.
 */
export function engineRunCommand(engine: 'podman' | 'docker', image: string, spec: RunSpec, user?: string): Command {
  const args = ['run', '--rm', '--pull=never', '--network=none', '--security-opt=label=disable'];
  if (user !== undefined) args.push(`--user=${user}`);
  for (const m of spec.mounts) args.push(mountOption(m));
  args.push(`--workdir=${spec.cwd}`);
  for (const [k, v] of Object.entries(baseEnv(spec))) args.push(`--env=${k}=${v}`);
  args.push(image, ...spec.argv);
  return { file: engine, args };
}

/** The host runner: the command itself, in the given directory, mounts being the paths themselves. */
export function hostCommand(spec: RunSpec): Command {
  for (const m of spec.mounts) {
    if (m.source !== m.target) throw new Error(`internal: the host runner cannot mount ${m.source} at ${m.target}`);
  }
  const [file, ...args] = spec.argv;
  if (file === undefined) throw new Error('internal: empty command');
  return { file, args, cwd: spec.cwd, env: { LC_ALL: 'C', ...spec.env } };
}

export function commandIn(env: Environment, spec: RunSpec): Command {
  switch (env.runner) {
    case 'host':
      return hostCommand(spec);
    case 'bwrap':
      return bwrapCommand(env.rootfs, spec);
    default:
      return engineRunCommand(env.runner, env.image, spec, env.runner === 'docker' ? env.user : undefined);
  }
}

/** `image inspect`: exit 0 when the image is there. */
export function engineImageExistsCommand(engine: 'podman' | 'docker', image: string): Command {
  return { file: engine, args: ['image', 'inspect', '--format={{.Id}}', image] };
}

export function enginePullCommand(engine: 'podman' | 'docker', image: string): Command {
  return { file: engine, args: ['pull', image] };
}

/**
 * `build` of a Containerfile with an empty context (the recipes copy nothing in);
 * `refresh` pulls the base image again and ignores cached layers.
 */
export function engineBuildCommand(engine: 'podman' | 'docker', opts: { tag: string; key: string; file: string; context: string; refresh: boolean }): Command {
  const args = ['build', `--tag=${opts.tag}`, `--label=org.quirkctl.recipe=${opts.key}`, `--file=${opts.file}`];
  if (opts.refresh) args.push(engine === 'podman' ? '--pull=always' : '--pull', '--no-cache');
  args.push(opts.context);
  return { file: engine, args };
}

/** Shows a command as a shell would take it, for logs and --dry-run. */
export function showCommand(c: Command): string {
  const quote = (s: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return [c.file, ...c.args].map(quote).join(' ');
}

export function describeEnvironment(env: Environment): string {
  switch (env.runner) {
    case 'host':
      return 'this machine';
    case 'bwrap':
      return `root file system ${env.rootfs}`;
    default:
      return `image ${env.image}`;
  }
}

export const RUNNER_ORDER_AUTO: readonly RunnerName[] = ['podman', 'docker', 'bwrap'];
