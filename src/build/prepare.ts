/**
 * Making a target ready to run commands in: its image or root file system made or found
 * in the cache, then a look inside for dkms and the kernels whose headers it carries.
 */
import { InputError } from '../errors.js';
import type { PrepareContext } from './cache.js';
import type { Probe } from './detect.js';
import { runCaptured } from './exec.js';
import { ensureImage } from './images.js';
import { ensureRootfs } from './rootfs.js';
import { commandIn, describeEnvironment, type Environment } from './runners.js';
import { headersPackage, isTargetKernel, KERNEL_RELEASE, type Target } from './targets.js';

export interface ReadyTarget {
  target: Target;
  env: Environment;
  dkms: boolean;
  /** Every kernel release with headers (a build directory with a Makefile) inside. */
  found: string[];
  /** Those of them that are the target's kernel. */
  kernels: string[];
}

/** Run inside a target: prints `dkms` when it has dkms, and `kernel <dir>` per kernel with headers. */
export const PROBE_SCRIPT = `command -v dkms >/dev/null 2>&1 && echo dkms
for d in /lib/modules/*/build /usr/lib/modules/*/build; do
  [ -f "$d/Makefile" ] && echo "kernel \${d%/build}"
done
exit 0`;

/** What PROBE_SCRIPT printed. Releases that are not plausible `uname -r` strings are left out. */
export function parseProbe(out: string): { dkms: boolean; kernels: string[] } {
  const lines = out.split('\n').map((l) => l.trim());
  const kernels = lines.filter((l) => l.startsWith('kernel ')).map((l) => l.slice('kernel '.length).split('/').pop() ?? '');
  return { dkms: lines.includes('dkms'), kernels: [...new Set(kernels.filter((k) => KERNEL_RELEASE.test(k)))].sort() };
}

async function environmentFor(t: Target, runner: Probe, ctx: PrepareContext): Promise<Environment> {
  switch (runner.runner) {
    case 'host':
      return { runner: 'host' };
    case 'bwrap':
      return { runner: 'bwrap', rootfs: await ensureRootfs(t, ctx) };
    default: {
      const image = await ensureImage(runner.runner, t, ctx);
      return runner.user !== undefined ? { runner: runner.runner, image, user: runner.user } : { runner: runner.runner, image };
    }
  }
}

export async function prepareTarget(t: Target, runner: Probe, ctx: PrepareContext): Promise<ReadyTarget> {
  const env = await environmentFor(t, runner, ctx);
  const r = await runCaptured(commandIn(env, { argv: ['sh', '-c', PROBE_SCRIPT], mounts: [], cwd: '/' }), { timeoutMs: 120_000 });
  if (r.exitCode !== 0) throw new InputError(`target ${t.name}: cannot run a command in ${describeEnvironment(env)}: ${r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`}`);
  const { dkms, kernels: found } = parseProbe(r.stdout);
  return { target: t, env, dkms, found, kernels: found.filter((k) => isTargetKernel(t, k)) };
}

/**
 * Refuses a target that cannot build a DKMS package: no dkms, or no headers of its
 * kernel. Said in terms of what to install where.
 */
export function checkBuildable(ready: ReadyTarget): void {
  const t = ready.target;
  const where = describeEnvironment(ready.env);
  const own = t.rootfs !== undefined || t.image !== undefined || ready.env.runner === 'host';
  const hint = own ? `; install ${headersPackage(t)} in it` : '';
  if (ready.found.length === 0) throw new InputError(`target ${t.name}: ${where} has no kernel headers (no /lib/modules/*/build)${hint}`);
  if (ready.kernels.length === 0) {
    const kernel = t.kernel.version !== undefined ? `${t.kernel.version}-${t.kernel.flavour}` : t.kernel.flavour;
    throw new InputError(`target ${t.name}: ${where} has kernel headers for ${ready.found.join(', ')}, none of them for the target's kernel (${kernel})${hint}`);
  }
  if (!ready.dkms) throw new InputError(`target ${t.name}: ${where} has no dkms${own ? '; install dkms in it' : ''}`);
}
