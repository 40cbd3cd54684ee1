/**
 * A kernel tree's own tools run inside a target, for checking a patch series against a
 * target's compiler and perl rather than the host's: compiling the objects a series
 * touches (`make olddefconfig`, then `make <obj>.o`), and the tree's checkpatch.pl on
 * patch files. The tree is mounted read-only; the build goes to a directory of its own
 * (`O=`), which may be kept between runs so that make only redoes what changed.
 *
 * What `quirkctl check --in-container` and `quirkctl series build-test` build on.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { checkValue } from '../lib/schema.js';
import { logLine, runCaptured, runLogged } from './exec.js';
import type { ReadyTarget } from './prepare.js';
import { commandIn, INSIDE, mountPoint, type Mount, type RunSpec } from './runners.js';

/** A kbuild object path: relative, no `..`, ends in .o (drivers/pci/quirks.o). */
const OBJECT = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9_][A-Za-z0-9_./+-]*\.o$/;

export function checkObject(object: string): string {
  if (!OBJECT.test(object)) throw new InputError(`object '${object}': expected a path in the kernel tree ending in .o, e.g. drivers/pci/quirks.o`);
  return object;
}

function checkTree(tree: string): void {
  if (!existsSync(path.join(tree, 'Makefile')) || !existsSync(path.join(tree, 'Kconfig'))) {
    throw new InputError(`'${tree}' is not a kernel tree (no Makefile and Kconfig at its top)`);
  }
}

/** git in a target refuses a tree owned by another user unless told it is safe; checkpatch asks git about commits. */
const GIT_SAFE = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'safe.directory', GIT_CONFIG_VALUE_0: '*' };

export interface CompileOptions {
  /** The kernel tree, on the host. */
  tree: string;
  objects: string[];
  /** Where the build goes (O=), on the host; made if missing. */
  buildDir: string;
  /** A .config to start from, copied into the build directory; else the tree's defaults. */
  config?: string;
  jobs?: number;
  log: string;
}

export interface CompileResult {
  /** olddefconfig went through. */
  configured: boolean;
  objects: { object: string; built: boolean }[];
  log: string;
}

function treeSpec(ready: ReadyTarget, tree: string, buildDir: string, argv: (tree: string, out: string) => string[]): RunSpec {
  const inTree = mountPoint(ready.env, tree, `${INSIDE}/linux`);
  const out = mountPoint(ready.env, buildDir, `${INSIDE}/out`);
  return {
    argv: argv(inTree, out),
    mounts: [
      { source: tree, target: inTree, readOnly: true },
      { source: buildDir, target: out, readOnly: false },
    ],
    cwd: out,
    env: GIT_SAFE,
  };
}

/**
 * `make olddefconfig` and then `make -k <objects>` in the target, the tree read-only.
 * Each object counts as built when its .o is there afterwards (old ones are removed first).
 */
export async function compileObjects(ready: ReadyTarget, opts: CompileOptions): Promise<CompileResult> {
  checkTree(opts.tree);
  const objects = opts.objects.map(checkObject);
  if (objects.length === 0) throw new InputError('no objects to compile');
  mkdirSync(opts.buildDir, { recursive: true });
  rmSync(opts.log, { force: true });
  if (opts.config !== undefined) {
    if (!existsSync(opts.config) || !statSync(opts.config).isFile()) throw new InputError(`config '${opts.config}': no such file`);
    copyFileSync(opts.config, path.join(opts.buildDir, '.config'));
  }
  for (const o of objects) rmSync(path.join(opts.buildDir, o), { force: true });
  logLine(opts.log, `# compiling ${objects.join(' ')} of ${opts.tree} in target ${ready.target.name} (${ready.env.runner}), build in ${opts.buildDir}`);
  const make = (tree: string, out: string) => ['make', '-C', tree, `O=${out}`];
  const configured = (await runLogged(commandIn(ready.env, treeSpec(ready, opts.tree, opts.buildDir, (t, o) => [...make(t, o), 'olddefconfig'])), opts.log)) === 0;
  if (configured) {
    const jobs = opts.jobs ?? 1;
    await runLogged(commandIn(ready.env, treeSpec(ready, opts.tree, opts.buildDir, (t, o) => [...make(t, o), `-j${jobs}`, '-k', ...objects])), opts.log);
  }
  return { configured, objects: objects.map((object) => ({ object, built: existsSync(path.join(opts.buildDir, object)) })), log: opts.log };
}

export interface CheckpatchOptions {
  /** The kernel tree, on the host: checkpatch's --root. */
  tree: string;
  /** checkpatch.pl to run, on the host (default: the tree's scripts/checkpatch.pl). Its directory must hold its data files. */
  checkpatch?: string;
  patches: string[];
  /** checkpatch options, e.g. --strict; the forms kernel.checkpatch-args takes. */
  args: string[];
  /** codespell's dictionary on the host, for --codespell. */
  codespell?: string;
}

export interface CheckpatchRun {
  patch: string;
  exitCode: number;
  /** What checkpatch printed, as it printed it (parse it with the kernel module's parser). */
  output: string;
}

/** Runs checkpatch.pl inside the target on each patch, one run per patch, the tree read-only. */
export async function checkpatchInTarget(ready: ReadyTarget, opts: CheckpatchOptions): Promise<CheckpatchRun[]> {
  checkTree(opts.tree);
  for (const a of opts.args) {
    const bad = checkValue('config', '/properties/kernel/properties/checkpatch-args/items', a);
    if (bad) throw new InputError(`checkpatch option '${a}': ${bad}`);
  }
  const script = path.resolve(opts.checkpatch ?? path.join(opts.tree, 'scripts', 'checkpatch.pl'));
  if (!existsSync(script)) throw new InputError(`checkpatch '${script}': no such file`);
  const inTree = mountPoint(ready.env, opts.tree, `${INSIDE}/linux`);
  const mounts: Mount[] = [{ source: opts.tree, target: inTree, readOnly: true }];
  let inScript: string;
  const rel = path.relative(opts.tree, script);
  if (!rel.startsWith('..') && !path.isAbsolute(rel)) {
    inScript = path.posix.join(inTree, ...rel.split(path.sep));
  } else {
    const dir = mountPoint(ready.env, path.dirname(script), `${INSIDE}/checkpatch`);
    mounts.push({ source: path.dirname(script), target: dir, readOnly: true });
    inScript = path.posix.join(dir, path.basename(script));
  }
  const extra: string[] = [];
  if (opts.codespell !== undefined) {
    const file = mountPoint(ready.env, opts.codespell, `${INSIDE}/codespell.txt`);
    mounts.push({ source: opts.codespell, target: file, readOnly: true });
    extra.push('--codespell', `--codespellfile=${file}`);
  }
  const runs: CheckpatchRun[] = [];
  for (const [i, patch] of opts.patches.entries()) {
    const file = path.resolve(patch);
    if (!existsSync(file)) throw new InputError(`patch '${patch}': no such file`);
    const inPatch = mountPoint(ready.env, file, `${INSIDE}/patches/${i}-${path.basename(file)}`);
    const spec: RunSpec = {
      argv: ['perl', inScript, `--root=${inTree}`, ...extra, ...opts.args, inPatch],
      mounts: [...mounts, { source: file, target: inPatch, readOnly: true }],
      cwd: inTree,
      env: GIT_SAFE,
    };
    const r = await runCaptured(commandIn(ready.env, spec), { timeoutMs: 600_000 });
    // checkpatch names the file it was given: the user's path, not where it was mounted.
    const output = `${r.stdout}${r.stderr ? `\n${r.stderr}` : ''}`.split(inPatch).join(patch);
    runs.push({ patch, exitCode: r.exitCode, output });
  }
  return runs;
}
