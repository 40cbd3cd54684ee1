/**
 * Which runner can enter a target on this machine. A binary on PATH proves little: podman
 * installs on hosts where it cannot start a container (cgroup v1 hybrids), and a docker
 * client often has no engine behind it. So each probe starts something, cheaply and
 * without an image or network: podman runs a missing command in an empty root file
 * system, docker in an empty imported image (an engine that starts containers gets as
 * far as looking for the command, exit 127), bwrap runs `true` in a sandbox.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InputError } from '../errors.js';
import { runCaptured, whyLine, type Captured } from './exec.js';
import { RUNNER_ORDER_AUTO } from './runners.js';
import type { RunnerChoice, RunnerName } from './targets.js';

export interface Probe {
  runner: RunnerName;
  works: boolean;
  /** A sentence that starts with the runner's name: what was found. */
  detail: string;
  /** docker with a rootful engine, run by a user other than root: run containers as this uid:gid. */
  user?: string;
}

const TIMEOUT = 60_000;
/** Containers told to run this find nothing: exit 127 means the engine got that far. */
const MISSING_COMMAND = '/quirkctl-probe';
/** Exit status of podman and docker when the command in the container does not exist. */
const COMMAND_NOT_FOUND = 127;

/** What an engine said went wrong, without its `Error: `. */
function why(r: Captured): string {
  return (whyLine(`${r.stdout}\n${r.stderr}`) || `exit ${r.exitCode}`).replace(/^Error: /, '');
}

async function probePodman(): Promise<Probe> {
  const v = await runCaptured({ file: 'podman', args: ['version', '--format={{.Client.Version}}'] }, { timeoutMs: TIMEOUT });
  if (v.missing) return { runner: 'podman', works: false, detail: 'podman is not installed' };
  const info = await runCaptured({ file: 'podman', args: ['info', '--format={{.Host.OCIRuntime.Name}}'] }, { timeoutMs: TIMEOUT });
  if (info.exitCode !== 0) return { runner: 'podman', works: false, detail: `podman is installed but 'podman info' fails (${why(info)})` };
  const empty = mkdtempSync(path.join(tmpdir(), 'quirkctl-probe-'));
  try {
    const r = await runCaptured({ file: 'podman', args: ['run', '--rm', '--network=none', '--security-opt=label=disable', '--rootfs', empty, MISSING_COMMAND] }, { timeoutMs: TIMEOUT });
    if (r.exitCode === COMMAND_NOT_FOUND) return { runner: 'podman', works: true, detail: `podman ${v.stdout.trim()} starts containers` };
    return { runner: 'podman', works: false, detail: `podman is installed but cannot start a container (${why(r)})` };
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}

const PROBE_IMAGE = 'quirkctl-probe:empty';

async function probeDocker(): Promise<Probe> {
  const v = await runCaptured({ file: 'docker', args: ['version', '--format={{.Server.Version}}'] }, { timeoutMs: TIMEOUT });
  if (v.missing) return { runner: 'docker', works: false, detail: 'docker is not installed' };
  if (v.exitCode !== 0) return { runner: 'docker', works: false, detail: `docker is installed but no engine answers (${why(v)})` };
  // An empty tar archive: 1024 zero bytes.
  const imported = await runCaptured({ file: 'docker', args: ['import', '-', PROBE_IMAGE] }, { timeoutMs: TIMEOUT, input: Buffer.alloc(1024) });
  if (imported.exitCode !== 0) return { runner: 'docker', works: false, detail: `docker's engine answers but cannot import an image (${why(imported)})` };
  try {
    const r = await runCaptured({ file: 'docker', args: ['run', '--rm', '--network=none', PROBE_IMAGE, MISSING_COMMAND] }, { timeoutMs: TIMEOUT });
    if (r.exitCode !== COMMAND_NOT_FOUND) return { runner: 'docker', works: false, detail: `docker's engine answers but cannot start a container (${why(r)})` };
  } finally {
    await runCaptured({ file: 'docker', args: ['image', 'rm', PROBE_IMAGE] }, { timeoutMs: TIMEOUT });
  }
  const probe: Probe = { runner: 'docker', works: true, detail: `docker ${v.stdout.trim()} starts containers` };
  const security = await runCaptured({ file: 'docker', args: ['info', '--format={{json .SecurityOptions}}'] }, { timeoutMs: TIMEOUT });
  const uid = process.getuid?.();
  // A rootful engine writes files into mounts as root; rootless maps its root to the user already.
  if (uid !== undefined && uid !== 0 && !security.stdout.includes('rootless')) probe.user = `${uid}:${process.getgid?.() ?? uid}`;
  return probe;
}

async function probeBwrap(): Promise<Probe> {
  const r = await runCaptured({ file: 'bwrap', args: ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-all', '--die-with-parent', 'true'] }, { timeoutMs: TIMEOUT });
  if (r.missing) return { runner: 'bwrap', works: false, detail: 'bwrap is not installed (package bubblewrap)' };
  if (r.exitCode !== 0) return { runner: 'bwrap', works: false, detail: `bwrap is installed but cannot make a sandbox (${why(r)})` };
  const v = await runCaptured({ file: 'bwrap', args: ['--version'] });
  return { runner: 'bwrap', works: true, detail: `${v.stdout.trim() || 'bwrap'} makes sandboxes` };
}

export async function probeRunner(runner: RunnerName): Promise<Probe> {
  switch (runner) {
    case 'host':
      return { runner, works: true, detail: "host builds against this machine's own kernel headers" };
    case 'bwrap':
      return probeBwrap();
    case 'podman':
      return probePodman();
    case 'docker':
      return probeDocker();
  }
}

export interface Choice {
  runner: RunnerName;
  /** Why this one, in words: "auto: podman is not installed; docker ...; bwrap 0.8.0 makes sandboxes". */
  reason: string;
  probe: Probe;
}

/**
 * The runner for `choice`: a named one if it works (`from` says where it was named, for
 * the message when it does not), or for `auto` the first of podman, docker and bwrap that
 * does, with what was found on the way.
 */
export async function chooseRunner(choice: RunnerChoice, from: string, probe: (r: RunnerName) => Promise<Probe> = probeRunner): Promise<Choice> {
  if (choice !== 'auto') {
    const p = await probe(choice);
    if (!p.works) throw new InputError(`${from} ${choice}: ${p.detail}; choose another runner (auto, host, bwrap, podman, docker)`);
    return { runner: choice, reason: `${from}; ${p.detail}`, probe: p };
  }
  const seen: Probe[] = [];
  for (const r of RUNNER_ORDER_AUTO) {
    const p = await probe(r);
    seen.push(p);
    if (p.works) return { runner: r, reason: `auto: ${seen.map((s) => s.detail).join('; ')}`, probe: p };
  }
  throw new InputError(
    `no runner can enter a target here: ${seen.map((s) => s.detail).join('; ')}. Install podman, docker or bubblewrap, or pass --runner host to build against this machine's kernel headers`,
  );
}
