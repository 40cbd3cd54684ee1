/**
 * The tree's scripts/get_maintainer.pl, asked the way b4's --auto-to-cc asks it: once
 * without lists for To (maintainers and reviewers), once without maintainers for Cc
 * (lists), git history never consulted. Reading the output is pure (mergeRecipients).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { InputError } from '../errors.js';

const BASE_ARGS = ['--nogit', '--nogit-fallback', '--nogit-chief-penguins', '--norolestats'];

export interface Recipients {
  to: string[];
  cc: string[];
}

/** The mail address inside `Name <addr>` or a bare address, lowercased, to compare by. */
export function addressKey(entry: string): string {
  return (/<([^<>]+)>\s*$/.exec(entry)?.[1] ?? entry).trim().toLowerCase();
}

/**
 * Adds addresses to the lists in order, each once; anyone in To is not repeated in Cc.
 * Existing entries (the user's own additions among them) stay first.
 */
export function mergeRecipients(existing: Recipients, more: Recipients): Recipients {
  const seen = new Set<string>();
  const unique = (list: string[]) =>
    list.filter((a) => {
      const k = addressKey(a);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  const to = unique([...existing.to, ...more.to]);
  return { to, cc: unique([...existing.cc, ...more.cc]) };
}

/** get_maintainer.pl output lines that are addresses (it also prints notes on stderr). */
export function parseAddresses(output: string): string[] {
  return output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^([^<>,;]*<[^\s<>@,;]+@[^\s<>@,;]+>|[^\s<>@,;]+@[^\s<>@,;]+)$/.test(l));
}

/** To and Cc for a set of patch files, as b4 would put them on the series. */
export async function recipientsFor(treeRoot: string, patches: string[]): Promise<Recipients> {
  const script = path.join(treeRoot, 'scripts', 'get_maintainer.pl');
  if (!existsSync(script)) throw new InputError(`${treeRoot}: no scripts/get_maintainer.pl; expected a Linux kernel tree`);
  let all: Recipients = { to: [], cc: [] };
  const run = async (which: '--nol' | '--nom', patch: string) => {
    const r = await execa('perl', [script, ...BASE_ARGS, which, patch], { cwd: treeRoot, reject: false, env: { LC_ALL: 'C.UTF-8' } });
    if (r.exitCode !== 0) throw new Error(`get_maintainer.pl failed on ${patch}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
    return parseAddresses(r.stdout);
  };
  for (const patch of patches) {
    const [to, cc] = await Promise.all([run('--nol', patch), run('--nom', patch)]);
    all = mergeRecipients(all, { to, cc });
  }
  return all;
}
