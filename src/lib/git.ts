/**
 * git as quirkctl runs it (simple-git): the user's configuration is read as git reads it,
 * and the few GIT_* variables that say where that configuration lives are passed on
 * (simple-git drops every other GIT_* variable of the environment).
 */
import { simpleGit, type SimpleGit } from 'simple-git';

const PASSED_ON = ['GIT_CONFIG_GLOBAL', 'GIT_CONFIG_SYSTEM', 'GIT_CONFIG_NOSYSTEM', 'GIT_INDEX_FILE'];
const KEPT = ['PATH', 'HOME', 'XDG_CONFIG_HOME', 'LANG', 'TZ', 'TMPDIR'];

export function gitIn(dir: string, opts: { env?: Record<string, string>; input?: string } = {}): SimpleGit {
  const git = simpleGit({
    baseDir: dir,
    allowEnvironment: PASSED_ON,
    ...(opts.input !== undefined ? { input: () => opts.input } : {}),
  });
  if (!opts.env) return git;
  // simple-git refuses explicitly passed variables it guards (EDITOR, PAGER, most GIT_*): pass what git needs.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && (KEPT.includes(k) || PASSED_ON.includes(k) || k.startsWith('LC_')))) as Record<string, string>;
  return git.env({ ...base, ...opts.env });
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
