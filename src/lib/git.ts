/**
 * git as quirkctl runs it, one way for every caller (simple-git for commands, execa for
 * the streams of a whole history):
 * - the user's configuration is read as git reads it: the GIT_CONFIG_* variables that
 *   say where it lives, and the GIT_AUTHOR_* and GIT_COMMITTER_* ones a user or a
 *   reproducible build exports, are passed on; every other GIT_* variable (GIT_DIR,
 *   GIT_WORK_TREE, GIT_INDEX_FILE, ...) is dropped, so nothing steers git elsewhere;
 * - no hooks run and no background gc starts (quirkctl's commits and `git am` runs
 *   happen in throw-away worktrees, where a commit-msg hook adding a Change-Id, say,
 *   has no place);
 * - settings go in as `-c` options, so nothing is written to the user's configuration.
 */
import { execa, type Options as ExecaOptions } from 'execa';
import { simpleGit, type SimpleGit } from 'simple-git';

const PASSED_ON = [
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_SYSTEM',
  'GIT_CONFIG_NOSYSTEM',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_AUTHOR_DATE',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_COMMITTER_DATE',
];

/** The `-c` settings of every run. */
export const GIT_SETTINGS = ['core.hooksPath=/dev/null', 'gc.auto=0'];

export interface GitOptions {
  /** The author and committer of commits made, as config: an exported GIT_COMMITTER_* still wins, as in git. */
  identity?: { name: string; email: string };
  /** Check out only the paths of info/sparse-checkout. */
  sparse?: boolean;
  /** Variables for this run on top of the passed-on ones (GIT_INDEX_FILE for a scratch index, say). */
  env?: Record<string, string>;
  /** Standard input of every command. */
  input?: string;
  maxConcurrentProcesses?: number;
}

/** The environment git runs with: this process's, less the GIT_* variables not passed on, plus `extra`. */
export function gitEnv(extra: Record<string, string> = {}): Record<string, string> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && (!k.startsWith('GIT_') || PASSED_ON.includes(k)))) as Record<string, string>;
  return { ...base, ...extra };
}

/** `-c` options for a git command line that does not go through simple-git. */
export function gitConfigArgs(): string[] {
  return GIT_SETTINGS.flatMap((s) => ['-c', s]);
}

export function gitIn(dir: string, opts: GitOptions = {}): SimpleGit {
  const config = [...GIT_SETTINGS];
  if (opts.identity) config.push(`user.name=${opts.identity.name}`, `user.email=${opts.identity.email}`);
  if (opts.sparse) config.push('core.sparseCheckout=true');
  // simple-git strips the GIT_* variables it inherits unless named, and refuses ones passed with .env().
  const extra = Object.keys(opts.env ?? {});
  const git = simpleGit({
    baseDir: dir,
    config,
    allowEnvironment: [...PASSED_ON, ...extra],
    unsafe: { allowUnsafeHooksPath: true },
    ...(opts.maxConcurrentProcesses ? { maxConcurrentProcesses: opts.maxConcurrentProcesses } : {}),
    ...(opts.input !== undefined ? { input: () => opts.input } : {}),
  });
  if (!opts.env) return git;
  // Passed explicitly, the environment holds what git needs and nothing simple-git guards (EDITOR, PAGER).
  const kept = Object.fromEntries(Object.entries(gitEnv()).filter(([k]) => ['PATH', 'HOME', 'XDG_CONFIG_HOME', 'LANG', 'TZ', 'TMPDIR'].includes(k) || k.startsWith('LC_') || PASSED_ON.includes(k)));
  return git.env({ ...kept, ...opts.env });
}

/** git through execa, for output streamed or piped: the same environment and settings. */
export function gitProcess<O extends ExecaOptions>(args: string[], opts: O) {
  return execa('git', [...gitConfigArgs(), ...args], { ...opts, env: gitEnv(), extendEnv: false });
}

/** git's configuration as seen from `dir` (repository, global, system), keys lower-cased. */
export async function readGitConfig(dir: string): Promise<Map<string, string>> {
  const list = await gitIn(dir).listConfig();
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(list.all)) {
    out.set(key.toLowerCase(), Array.isArray(value) ? (value[value.length - 1] as string) : String(value));
  }
  return out;
}

/**
 * The password git's credential helpers hold for an SMTP account (`git credential
 * fill`, as git send-email asks). It is returned to the caller only, never stored.
 */
export async function credentialFill(dir: string, host: string, username: string): Promise<string | undefined> {
  const out = await gitIn(dir, { input: `protocol=smtp\nhost=${host}\nusername=${username}\n\n` }).raw(['credential', 'fill']);
  return /^password=(.*)$/m.exec(out)?.[1];
}
