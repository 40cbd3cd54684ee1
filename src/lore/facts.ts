/**
 * Review facts in one mail's text: trailers, NAKs, "applied" notices and pull requests.
 * Pure: a body in, facts out. Quoted text (`> ...`) never counts, whoever wrote it.
 */
import { parsePerson } from '../mail/address.js';
import { isPersonKey, trailerKey, type Trailer } from '../mail/trailer.js';

const TRAILER_LINE = /^([A-Za-z][A-Za-z-]*):[ \t]*(.*)$/;
/** Keys taken from a reply besides the `*-by` and Cc ones, as b4 takes them. */
const OTHER_KEYS = new Set(['Fixes', 'Link', 'Closes']);

/** The lines a reply's author wrote: quoted lines and everything after the signature go. */
export function ownLines(body: string): string[] {
  const out: string[] = [];
  for (const raw of body.replace(/\r\n?/g, '\n').split('\n')) {
    if (raw === '-- ') break;
    if (/^\s*>/.test(raw)) {
      // Keep the position, lose the text: a quoted line also ends a folded trailer.
      out.push('');
      continue;
    }
    out.push(raw);
  }
  return out;
}

function trailerOf(key: string, value: string): Trailer | undefined {
  const v = value.trim();
  if (isPersonKey(key)) {
    const p = parsePerson(v);
    if (!p) return undefined;
    // The value as given, trimmed after the address: mailers add nothing useful behind it.
    const close = v.indexOf('>');
    return { key, value: close >= 0 ? v.slice(0, close + 1) : v, name: p.name, address: p.address.toLowerCase() };
  }
  if (key === 'Link' || key === 'Closes') return /^https?:\/\/\S+$/.test(v) ? { key, value: v } : undefined;
  // Fixes: 12+ hex digits and the subject in ("...").
  return /^[0-9a-f]{8,40} \(".+"\)$/.test(v) ? { key, value: v } : undefined;
}

/**
 * Trailers in a reply. A trailer folded onto the next line (`Reviewed-by: Name` then
 * ` <addr>`, as some mailers wrap) is joined first.
 */
export function findTrailers(body: string): Trailer[] {
  const lines = ownLines(body);
  const found: Trailer[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = TRAILER_LINE.exec(lines[i]!.trimEnd());
    if (!m) continue;
    const key = trailerKey(m[1]!);
    if (!isPersonKey(key) && !OTHER_KEYS.has(key)) continue;
    let value = m[2]!;
    // Folded by the mailer (` <addr>` on the next line), or soft-wrapped by format=flowed
    // (`<addr>` at the start of the next line while the value has no address yet).
    while (i + 1 < lines.length && (/^[ \t]+\S/.test(lines[i + 1]!) || (!value.includes('@') && /^<[^<>\s]+@[^<>\s]+>/.test(lines[i + 1]!)))) {
      value += ` ${lines[++i]!.trim()}`;
    }
    const t = trailerOf(key, value);
    if (t) found.push(t);
  }
  return found;
}

/** A NAK: a line of its own saying NAK/NACK (the Nacked-by trailer is found with the others). */
export function hasNak(body: string): boolean {
  return ownLines(body).some((l) => /^\s*(NAK|NACK|Nak|Nack)\b(?![-'])[.!,:;]?(\s|$)/.test(l));
}

export interface AppliedNotice {
  /** Where it went, as the maintainer named it: `pci/resource`, `netdev/net.git (main)`. */
  branch?: string;
  /** The line that says so. */
  line: string;
}

const APPLIED_LINE = /^\s*(?:(?:thanks|thank you)[,!.]?\s+)?(?:(?:i've|i have|i)\s+)?(?:now\s+)?(applied|queued)\b(.*)$/i;
const BOT_LINE = /^This (?:patch|series) was applied to (.+?)(?:\s+by\s.*)?:?$/;

function branchFrom(rest: string): string | undefined {
  const m = /^\s*(?:it|this|them|the series|the patches|the whole series|all|patches?\s[\d,\s-]+)?\s*(?:to|on|in|into)\s+(.+)$/i.exec(rest);
  if (!m) return undefined;
  // The branch ends where the sentence goes on: "for v6.11", ", thanks", ", hoping ...".
  const branch = m[1]!.split(/\s+for\s|[,;!]|\.\s|\.$|\s+thanks|\s+hoping|\s+with\s/i)[0]!.trim();
  return branch && branch.length <= 80 ? branch : undefined;
}

/**
 * A maintainer's "Applied to <branch>, thanks", "Thanks, applied", "Queued for ...",
 * "Applied." or a patchwork-bot notice. A line that merely mentions applying ("I did
 * apply the above series" from a tester, "queued up in patchwork") is not one.
 */
export function findApplied(body: string): AppliedNotice | undefined {
  for (const raw of ownLines(body)) {
    const line = raw.trim();
    if (!line || line.length > 160) continue;
    const bot = BOT_LINE.exec(line);
    if (bot) return { branch: bot[1]!.trim(), line };
    const m = APPLIED_LINE.exec(line);
    if (!m) continue;
    const rest = m[2]!;
    // "Applied." / "Applied, thanks." / "Queued, thanks": no branch named.
    if (/^\s*[.,!]?\s*(thanks[.!]?|thank you[.!]?)?\s*$/i.test(rest)) return { line };
    if (/^\s+up\b/i.test(rest)) continue;
    // "Applied for v6.14", "Queued for the next merge window": no branch named.
    if (/^\s+for\s/i.test(rest)) return { line };
    const branch = branchFrom(rest);
    if (branch) return { branch, line };
  }
  return undefined;
}

/** The `change-id: ...` line b4 and `quirkctl series format` put at the end of a cover. */
export function findChangeId(body: string): string | undefined {
  return /^change-id:\s*(\S+)\s*$/m.exec(body)?.[1];
}
