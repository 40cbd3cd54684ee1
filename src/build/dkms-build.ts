/**
 * One cell of the matrix: `dkms add` and `dkms build -k <kernel>` of the package inside
 * a target, in a private dkms tree under the workspace cache (nothing touches the
 * target's or the host's /var/lib/dkms), with everything said into one log.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { PackagePlan } from '../dkms/model.js';
import { logLine, runLogged } from './exec.js';
import type { ReadyTarget } from './prepare.js';
import { commandIn, describeEnvironment, INSIDE, mountPoint } from './runners.js';

/**
 * Run by `sh -c` inside the target: $1 the source tree (holding <name>-<version>/),
 * $2 the work directory (the dkms tree goes there), $3 name, $4 version, $5 kernel.
 * dkms exits 77 when BUILD_EXCLUSIVE rules the kernel out.
 */
export const DKMS_BUILD_SCRIPT = `set -eu
src=$1 work=$2 name=$3 version=$4 kernel=$5
set -- --sourcetree "$src" --dkmstree "$work/tree" --installtree "$work/install"
mkdir -p "$work/tree" "$work/install"
dkms add -m "$name" -v "$version" "$@"
exec dkms build -m "$name" -v "$version" -k "$kernel" "$@"`;

/** dkms's exit status for a package whose BUILD_EXCLUSIVE_* does not match the kernel. */
export const DKMS_EXCLUDED = 77;

export type Outcome =
  | { status: 'passed'; module: string }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string };

/** The compiler's first error in a make.log, its path cut to the file name: `mod.c:1:9: error: ...`. */
export function firstCompileError(makeLog: string): string | undefined {
  const line = makeLog.split('\n').find((l) => /: (fatal )?error: /.test(l));
  return line?.trim().replace(/^\S*\//, '');
}

/** What a dkms run came to, from its exit status, the module it left (if any) and its make.log. */
export function outcomeOf(exitCode: number, module: string | undefined, kernel: string, plan: PackagePlan, makeLog = ''): Outcome {
  if (exitCode === DKMS_EXCLUDED) return { status: 'skipped', reason: `BUILD_EXCLUSIVE_KERNEL rules ${kernel} out: the package is for ${plan.kernels.range}` };
  if (exitCode !== 0) {
    const error = firstCompileError(makeLog);
    return { status: 'failed', reason: error ? `does not compile: ${error}` : `dkms build exited ${exitCode}` };
  }
  if (module === undefined) return { status: 'failed', reason: 'dkms build succeeded but left no module in the dkms tree' };
  return { status: 'passed', module };
}

/** <work>/tree/<name>/<version>/<kernel>/<arch>/module/<module>.ko (or .ko.zst/.ko.xz where the kernel compresses modules). */
export function findModule(work: string, plan: PackagePlan, kernel: string): string | undefined {
  const dir = path.join(work, 'tree', plan.name, plan.version, kernel);
  if (!existsSync(dir)) return undefined;
  for (const arch of readdirSync(dir)) {
    const mod = path.join(dir, arch, 'module');
    const ko = existsSync(mod) ? readdirSync(mod).find((f) => f === `${plan.module}.ko` || f.startsWith(`${plan.module}.ko.`)) : undefined;
    if (ko) return path.join(mod, ko);
  }
  return undefined;
}

export interface CellResult {
  outcome: Outcome;
  log: string;
}

/**
 * Builds the package whose sources are `<sources>/<name>-<version>/` for `kernel` in a
 * ready target. `work` is emptied first and holds the log and the dkms tree afterwards.
 */
export async function buildCell(ready: ReadyTarget, kernel: string, plan: PackagePlan, sources: string, work: string): Promise<CellResult> {
  rmSync(work, { recursive: true, force: true });
  const log = path.join(work, 'build.log');
  logLine(log, `# quirkctl build: ${plan.name} ${plan.version} for ${kernel} in target ${ready.target.name} (${ready.env.runner}: ${describeEnvironment(ready.env)})`);
  const src = mountPoint(ready.env, sources, `${INSIDE}/src`);
  const dir = mountPoint(ready.env, work, `${INSIDE}/work`);
  const spec = {
    argv: ['sh', '-c', DKMS_BUILD_SCRIPT, 'sh', src, dir, plan.name, plan.version, kernel],
    mounts: [
      { source: sources, target: src, readOnly: true },
      { source: work, target: dir, readOnly: false },
    ],
    cwd: dir,
  };
  const code = await runLogged(commandIn(ready.env, spec), log);
  const makeLogFile = path.join(work, 'tree', plan.name, plan.version, 'build', 'make.log');
  const makeLog = code !== 0 && existsSync(makeLogFile) ? readFileSync(makeLogFile, 'utf8') : '';
  const outcome = outcomeOf(code, findModule(work, plan, kernel), kernel, plan, makeLog);
  if (makeLog) logLine(log, `# ${makeLogFile}:\n${makeLog}`);
  return { outcome, log };
}
