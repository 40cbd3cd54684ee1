/**
 * What the Subject of list mail says: `Re:`, the `[RFC PATCH net-next v2 03/12]` groups,
 * the summary after them. One reading for importing a series, following it on lore and
 * matching it upstream.
 */
export interface SubjectParts {
  /** A `Re:`, `Aw:`, `Sv:` or `Fwd:` was in front. */
  reply: boolean;
  /** Words of the bracket groups other than the revision and counter: PATCH, RFC, net-next, GIT, PULL. */
  prefixes: string[];
  /** From `vN`; 1 when there is none. */
  revision: number;
  /** From `n/M`: 0 is the cover letter. */
  counter?: { n: number; of: number };
  /** The text after the groups: what git calls the commit's subject. */
  summary: string;
}

const REPLY = /^(?:re|aw|sv|fwd?)\s*:\s*/i;
const GROUP = /^\[([^\]]*)\]\s*/;

export function parseSubject(subject: string): SubjectParts {
  let s = subject.replace(/\s+/g, ' ').trim();
  const parts: SubjectParts = { reply: false, prefixes: [], revision: 1, summary: s };
  // Mailers and people stack them in any order: `Re: [PATCH] Re: ...`, `[RFC][PATCH 1/2]`.
  for (;;) {
    const r = REPLY.exec(s);
    if (r) {
      parts.reply = true;
      s = s.slice(r[0].length);
      continue;
    }
    const g = GROUP.exec(s);
    if (!g) break;
    for (const word of (g[1] as string).split(/[\s,]+/).filter(Boolean)) {
      const v = /^v(\d+)$/i.exec(word);
      const c = /^(\d+)\/(\d+)$/.exec(word);
      if (v) parts.revision = Number(v[1]);
      else if (c) parts.counter = { n: Number(c[1]), of: Number(c[2]) };
      else parts.prefixes.push(word);
    }
    s = s.slice(g[0].length);
  }
  parts.summary = s;
  return parts;
}

/** A posted patch or cover letter: `[PATCH ...]` or `[RFC ...]`, not a reply. */
export function isPosting(s: SubjectParts): boolean {
  return !s.reply && !isPull(s) && s.prefixes.some((p) => /^(PATCH|RFC)$/i.test(p));
}

/** `[GIT PULL]`, `[GIT PULL v2]`, `[GIT]`: a pull request. */
export function isPull(s: SubjectParts): boolean {
  return /\bGIT PULL\b/i.test(s.prefixes.join(' ')) || s.prefixes[0]?.toUpperCase() === 'GIT';
}

/** The position of a posting in its series: 0 for the cover, 1 for a lone patch. */
export function positionOf(s: SubjectParts): { n: number; of: number } {
  return s.counter ?? { n: 1, of: 1 };
}

/** The summary, for matching one mail's subject with another's. */
export function subjectSummary(subject: string): string {
  return parseSubject(subject).summary;
}
