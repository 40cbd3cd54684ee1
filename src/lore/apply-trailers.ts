/**
 * Collected trailers into a git format-patch file, as `b4 trailers -u` would: into the
 * trailer block above `---`, de-duplicated, in the order the kernel's maintainers use
 * (Documentation/process/maintainer-tip.rst, "Ordering of commit tags"): Fixes,
 * Reported-by, Closes, Suggested-by, the Signed-off-by chain, then Tested-by, Reviewed-by,
 * Acked-by, Cc, Link. Lines already there are never moved. Pure.
 */
import { InputError } from '../errors.js';
import type { SeriesData } from '../series/model.js';
import { parsePerson } from '../mail/address.js';

const ORDER = ['fixes', 'reported-by', 'closes', 'originally-by', 'suggested-by', 'co-developed-by', 'signed-off-by', 'tested-by', 'reviewed-by', 'acked-by', 'cc', 'link'];

export interface NewTrailer {
  key: string;
  value: string;
  address?: string;
}

function rank(key: string): number {
  const r = ORDER.indexOf(key.toLowerCase());
  return r < 0 ? ORDER.length : r;
}

function trailerKey(line: string): string | undefined {
  return /^([A-Za-z][A-Za-z0-9-]*):\s/.exec(line)?.[1];
}

/** Same trailer: same key and the same person (by address), or the same text. */
function same(a: NewTrailer, line: string): boolean {
  const key = trailerKey(line);
  if (!key || key.toLowerCase() !== a.key.toLowerCase()) return false;
  const value = line.slice(key.length + 1).trim();
  const address = parsePerson(value)?.address.toLowerCase();
  return a.address && address ? a.address === address : value === a.value;
}

/** The patch's author (From: header), whose own trailers are never added. */
export function patchAuthor(patch: string): string | undefined {
  const head = patch.slice(0, patch.search(/\n\n/) + 1);
  const from = /^From:\s*(.*)$/m.exec(head)?.[1];
  return from ? parsePerson(from)?.address.toLowerCase() : undefined;
}

/**
 * Adds trailers to a patch's commit message; returns the new text and what was added.
 * Throws when the patch has no `---` line to find the message's end by.
 */
export function addTrailers(patch: string, trailers: NewTrailer[], ignore: string[] = []): { text: string; added: string[] } {
  const lines = patch.split('\n');
  const bodyStart = lines.indexOf('') + 1;
  const sep = lines.findIndex((l, i) => i >= bodyStart && l === '---');
  if (bodyStart === 0 || sep < 0) throw new Error("not a git format-patch file: no '---' line after the commit message");
  // The trailer block: the last paragraph before '---', if every line of it is a trailer.
  let end = sep;
  while (end > bodyStart && lines[end - 1] === '') end--;
  let start = end;
  while (start > bodyStart && lines[start - 1] !== '' && (trailerKey(lines[start - 1]!) || /^\s/.test(lines[start - 1]!))) start--;
  const block = lines.slice(start, end);
  const hasBlock = block.length > 0 && (start === bodyStart || lines[start - 1] === '');
  const existing = hasBlock ? block : [];

  const skip = new Set([...ignore, patchAuthor(patch)].filter((a): a is string => !!a).map((a) => a.toLowerCase()));
  const added: string[] = [];
  const result = [...existing];
  for (const t of trailers) {
    if (t.address && skip.has(t.address.toLowerCase())) continue;
    if (result.some((l) => same(t, l))) continue;
    const line = `${t.key}: ${t.value}`;
    const r = rank(t.key);
    // After the last trailer that sorts at or before it (and its continuation lines), so
    // Fixes and Reported-by land above the sign-offs and reviews below them.
    let at = 0;
    let follows = false;
    result.forEach((l, i) => {
      const k = trailerKey(l);
      if (k) follows = rank(k) <= r;
      if (follows) at = i + 1;
    });
    result.splice(at, 0, line);
    added.push(line);
  }
  if (!added.length) return { text: patch, added };
  const next = hasBlock ? [...lines.slice(0, start), ...result, ...lines.slice(end)] : [...lines.slice(0, end), '', ...result, ...lines.slice(sep)];
  return { text: next.join('\n'), added };
}

export interface TrailerPlan {
  name: string;
  before: string;
  after: string;
  added: string[];
}

/**
 * What `quirkctl trailers` would change: the trailers collected for the newest reviewed
 * revision, into the series' patch files (patch k of the revision is the k-th file).
 */
export function planTrailers(data: SeriesData, patches: { name: string; text: string }[], ignore: string[]): TrailerPlan[] {
  const latest = data.review?.revisions[data.review.revisions.length - 1];
  if (!latest) throw new InputError("no review recorded for this series; run 'quirkctl track' first");
  const posted = data.history?.find((h) => h.revision === latest.revision);
  const count = posted?.patches.length ?? 0;
  if (count !== patches.length) {
    throw new InputError(`v${latest.revision} was posted with ${count} patches but the series lists ${patches.length}; the collected trailers cannot be matched to the patch files`);
  }
  const byDate = [...latest.trailers].sort((a, b) => (a.date ?? '').localeCompare(b.date ?? ''));
  return patches.map((p, i) => {
    const mine = byDate.filter((t) => t.patch === 0 || t.patch === i + 1).map((t) => ({ key: t.key, value: t.value, ...(t.address ? { address: t.address } : {}) }));
    let r;
    try {
      r = addTrailers(p.text, mine, ignore);
    } catch (e) {
      throw new InputError(`${p.name}: ${(e as Error).message}`);
    }
    return { name: p.name, before: p.text, after: r.text, added: r.added };
  });
}
