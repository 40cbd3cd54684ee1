/**
 * The tree's own scripts/checkpatch.pl, run on patch files, its report read into
 * findings. Parsing is pure (parseCheckpatch); running is at the edge (runCheckpatch).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { InputError } from '../errors.js';

export type Level = 'ERROR' | 'WARNING' | 'CHECK';

export interface Finding {
  level: Level;
  /** checkpatch's type, e.g. TRAILING_WHITESPACE, LONG_LINE, MISSING_SIGN_OFF. */
  type: string;
  message: string;
  /** The patch file the finding is in. */
  patch: string;
  /** Line in the patch file, when checkpatch names one. */
  patchLine?: number;
  /** Source file and line the finding is about, when it is about the diff. */
  file?: string;
  line?: number;
}

export interface CheckResult {
  patch: string;
  findings: Finding[];
  errors: number;
  warnings: number;
  checks: number;
}

export const DEFAULT_CHECKPATCH_ARGS = ['--strict'];

// Options that change the report's layout, which the parser relies on.
const LAYOUT_OPTIONS = /^--(terse|emacs|no-summary|summary-file|quiet|color|colour|show-types|no-show-types|list-types|fix|fix-inplace)\b|^-q$/;

const HEAD = /^(ERROR|WARNING|CHECK):([A-Z0-9_]+): ?(.*)$/;
const WHERE = /^#(\d+): ?(?:FILE: (.+):(\d+):)?\s*$/;

/** checkpatch.pl --show-types output (not --terse) as findings. */
export function parseCheckpatch(output: string, patch: string): CheckResult {
  const findings: Finding[] = [];
  let current: Finding | undefined;
  let located = false;
  for (const line of output.split('\n')) {
    const head = HEAD.exec(line);
    if (head) {
      current = { level: head[1] as Level, type: head[2] as string, message: head[3] as string, patch };
      findings.push(current);
      located = false;
      continue;
    }
    if (!current) continue;
    if (line === '' || line.startsWith('total: ')) {
      current = undefined;
      continue;
    }
    const where = located ? null : WHERE.exec(line);
    if (where) {
      current.patchLine = Number(where[1]);
      if (where[2] !== undefined) {
        current.file = where[2];
        current.line = Number(where[3]);
      }
      located = true;
    } else if (!located) {
      // A message that runs on over more lines, before its location.
      current.message = `${current.message} ${line.trim()}`.trim();
    }
  }
  const count = (l: Level) => findings.filter((f) => f.level === l).length;
  return { patch, findings, errors: count('ERROR'), warnings: count('WARNING'), checks: count('CHECK') };
}

/** The codespell dictionary checkpatch --codespell would read, if codespell is installed. */
export async function codespellDictionary(): Promise<string | undefined> {
  const fixed = '/usr/share/codespell/dictionary.txt';
  if (existsSync(fixed)) return fixed;
  for (const python of ['python3', '/usr/bin/python3']) {
    const r = await execa(python, ['-c', 'import codespell_lib, os; print(os.path.join(os.path.dirname(codespell_lib.__file__), "data", "dictionary.txt"), end="")'], { reject: false });
    if (r.exitCode === 0 && existsSync(r.stdout)) return r.stdout;
  }
  return undefined;
}

export interface CheckpatchOptions {
  /** Configured options (default --strict), without those that change the report's layout. */
  args: string[];
  /** codespell's dictionary, for --codespell, when codespell is installed and not told otherwise. */
  codespell?: string;
}

/** What checkpatch.pl gets: configured options (default --strict), codespell when it can. */
export async function checkpatchOptions(configured: string[] | undefined): Promise<CheckpatchOptions> {
  const args = (configured ?? DEFAULT_CHECKPATCH_ARGS).filter((a) => !LAYOUT_OPTIONS.test(a));
  const dict = args.some((a) => a.startsWith('--codespell') || a === '--no-codespell') ? undefined : await codespellDictionary();
  return dict ? { args, codespell: dict } : { args };
}

/** The options as one checkpatch.pl command line takes them. */
export function checkpatchArgs(opts: CheckpatchOptions): string[] {
  return opts.codespell ? [...opts.args, '--codespell', `--codespellfile=${opts.codespell}`] : opts.args;
}

/** One run's report as findings; 0 is clean, 1 problems found, anything else checkpatch failing to run. */
export function checkpatchResult(patch: string, exitCode: number, stdout: string, stderr = ''): CheckResult {
  if (exitCode !== 0 && exitCode !== 1) throw new Error(`checkpatch.pl failed on ${patch}: ${(stderr || stdout).trim().split('\n').slice(-3).join(' ')}`);
  if (exitCode === 1 && !/^total: /m.test(stdout)) throw new Error(`checkpatch.pl: ${(stdout || stderr).trim().split('\n')[0]}`);
  return parseCheckpatch(stdout, patch);
}

/** Runs the tree's checkpatch.pl on each patch file, one run per file. */
export async function runCheckpatch(treeRoot: string, patches: string[], opts: CheckpatchOptions): Promise<CheckResult[]> {
  const script = path.join(treeRoot, 'scripts', 'checkpatch.pl');
  if (!existsSync(script)) throw new InputError(`${treeRoot}: no scripts/checkpatch.pl; expected a Linux kernel tree`);
  const results: CheckResult[] = [];
  for (const patch of patches) {
    const r = await execa('perl', [script, '--show-types', ...checkpatchArgs(opts), patch], { cwd: treeRoot, reject: false, env: { LC_ALL: 'C.UTF-8' } });
    results.push(checkpatchResult(patch, r.exitCode ?? -1, r.stdout, r.stderr));
  }
  return results;
}
