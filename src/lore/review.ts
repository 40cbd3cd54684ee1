/**
 * The review of one posted revision, from the mails of its thread: who gave which trailer
 * to which patch, NAKs, "applied" notices, and the state that follows. Pure: messages in,
 * facts out; links are made by the caller's `link`.
 */
import type { Applied, Evidence, GivenTrailer, Nak, NewerRevision, RevisionReview } from '../series/model.js';
import { isPosting, isPull, parseSubject, positionOf, subjectSummary } from '../mail/subject.js';
import { findApplied, findChangeId, findTrailers, hasNak, ownLines } from './facts.js';
import type { LoreMessage } from './message.js';

export interface PostedRevision {
  revision: number;
  /** ISO date it was posted (from the series history). */
  date: string;
  cover?: string;
  patches: string[];
}

export interface ReviewInput {
  posted: PostedRevision;
  /** Every mail of the revision's thread(s); duplicates and strays are tolerated. */
  messages: LoreMessage[];
  /** Mails found by search (pull requests); only pulls that name every patch count. */
  related?: LoreMessage[];
  /** Mails of the series' other revisions: a reply below one of them is not about this one. */
  foreign?: Set<string>;
  /** Addresses whose mails are not review: the author's, and any the user names. */
  ignore?: string[];
  link: (id: string) => string;
}

const REVIEW_KEYS = new Set(['Reviewed-by', 'Acked-by']);

/** Keeps the first copy of each Message-ID (the sender's copy and the list's are the same mail). */
function dedupe(messages: LoreMessage[]): LoreMessage[] {
  const seen = new Map<string, LoreMessage>();
  for (const m of messages) if (!seen.has(m.id)) seen.set(m.id, m);
  return [...seen.values()];
}

function byDate(a: { date?: string }, b: { date?: string }): number {
  return (a.date ?? '').localeCompare(b.date ?? '');
}

/**
 * The series mail a reply answers: the nearest ancestor that is the cover or a patch.
 * Follows In-Reply-To and References, and through known parents when References are
 * missing; a cycle or a missing parent ends the walk, and so does a mail of another
 * revision. A reply whose parents are all unknown (broken threading) is placed by its
 * subject.
 */
function answeredIndex(
  m: LoreMessage,
  series: { index: Map<string, number>; byId: Map<string, LoreMessage>; subjects: Map<string, number>; foreign?: Set<string> },
): number | undefined {
  const queue = [...m.parents];
  const seen = new Set([m.id]);
  let linked = false;
  while (queue.length) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    if (series.foreign?.has(id)) return undefined;
    const hit = series.index.get(id);
    if (hit !== undefined) return hit;
    const parent = series.byId.get(id);
    if (parent) {
      linked = true;
      queue.push(...parent.parents);
    }
  }
  return linked ? undefined : series.subjects.get(subjectSummary(m.subject));
}

/** The author says the next version will change things: "will fix in v2", "I'll send a v3". */
function authorPromisesRevision(body: string): boolean {
  return ownLines(body).some((l) => /\b(will|I'll|I will|going to)\b.*\b(v\d+|next (version|revision|spin|round|iteration))\b/i.test(l));
}

/** Does a pull request's text name every patch of the series? */
function pullIncludes(pull: LoreMessage, subjects: string[]): boolean {
  if (!subjects.length) return false;
  const text = pull.body.replace(/\s+/g, ' ');
  return subjects.every((s) => text.includes(s));
}

/** `git request-pull`'s "are available in the Git repository at:" line: repository and ref. */
function pullBranch(body: string): string | undefined {
  const m = /available in the Git repository at:?\s*\n\s*\n?\s*(\S+)\s+(\S+)/i.exec(body);
  if (!m) return undefined;
  const repo = m[1]!.replace(/\/$/, '').replace(/\.git$/, '').split('/').pop();
  return `${repo} ${m[2]!}`;
}

export function reviewRevision(input: ReviewInput): RevisionReview {
  const { posted, link } = input;
  const messages = dedupe(input.messages);
  const byId = new Map(messages.map((m) => [m.id, m]));
  const index = new Map<string, number>();
  if (posted.cover) index.set(posted.cover, 0);
  posted.patches.forEach((id, i) => index.set(id, i + 1));
  const count = posted.patches.length;

  const own = [...index.keys()].map((id) => byId.get(id)).filter((m): m is LoreMessage => !!m);
  const ignore = new Set((input.ignore ?? []).map((a) => a.toLowerCase()));
  for (const m of own) if (m.from.address) ignore.add(m.from.address);
  const subjects = new Map<string, number>();
  for (const m of own) subjects.set(subjectSummary(m.subject), index.get(m.id)!);
  const patchSubjects = posted.patches.map((id) => byId.get(id)).filter((m): m is LoreMessage => !!m).map((m) => subjectSummary(m.subject));

  const trailers: GivenTrailer[] = [];
  const naks: Nak[] = [];
  const applied: Applied[] = [];
  const evidence: Evidence[] = [];
  const firstId = posted.cover ?? posted.patches[0];
  if (firstId) evidence.push({ state: 'sent', date: posted.date, link: link(firstId) });
  let lastActivity = own.map((m) => m.date).sort().pop() ?? posted.date;
  const mailLink = (m: LoreMessage) => ({ ...(m.date ? { date: m.date } : {}), link: link(m.id) });
  let firstReview: LoreMessage | undefined;
  let changesAsked: LoreMessage | undefined;

  for (const m of [...messages].sort(byDate)) {
    if (index.has(m.id)) continue;
    const subject = parseSubject(m.subject);
    // A patch posted into the thread (a partial re-roll) is not a reply to review.
    if ((isPosting(subject) || (isPull(subject) && !subject.reply)) && /^diff --git /m.test(m.body)) continue;
    const patch = answeredIndex(m, { index, byId, subjects, ...(input.foreign ? { foreign: input.foreign } : {}) });
    if (patch === undefined) continue;
    if (m.date && m.date > lastActivity) lastActivity = m.date;
    const at = mailLink(m);
    // The author may pass on a trailer someone gave off-list ("Tested-by: X" on X's behalf);
    // the author's own trailers never count.
    for (const t of findTrailers(m.body)) {
      if (t.address && ignore.has(t.address)) continue;
      if (t.key === 'Nacked-by') naks.push({ patch, name: t.name ?? '', address: t.address ?? '', ...at });
      else trailers.push({ patch, ...t, ...at });
    }
    // A maintainer applying their own series says so like anyone else.
    const notice = findApplied(m.body);
    if (notice) applied.push({ patch, ...(notice.branch ? { branch: notice.branch } : {}), name: m.from.name, address: m.from.address, ...at });
    if (ignore.has(m.from.address)) {
      if (authorPromisesRevision(m.body)) changesAsked ??= m;
      continue;
    }
    firstReview ??= m;
    if (hasNak(m.body) && !naks.some((n) => n.link === at.link)) naks.push({ patch, name: m.from.name, address: m.from.address, ...at });
  }
  for (const p of input.related ?? []) {
    if (!isPull(parseSubject(p.subject)) || !pullIncludes(p, patchSubjects)) continue;
    const branch = pullBranch(p.body);
    applied.push({ patch: 0, ...(branch ? { branch } : {}), name: p.from.name, address: p.from.address, ...mailLink(p) });
  }

  // The state machine: sent -> under-review -> changes-requested | reviewed -> applied.
  const everyPatch = (has: (patch: number) => boolean) => count > 0 && [...Array(count).keys()].every((i) => has(i + 1));
  const appliedAll = applied.find((a) => a.patch === 0 || count === 1) ?? (everyPatch((p) => applied.some((a) => a.patch === p)) ? applied[applied.length - 1] : undefined);
  const reviews = trailers.filter((t) => REVIEW_KEYS.has(t.key));
  const reviewedAll = everyPatch((p) => reviews.some((t) => t.patch === 0 || t.patch === p));
  let state: RevisionReview['state'] = 'sent';
  const step = (s: RevisionReview['state'], e: { date?: string; link: string }) => {
    state = s;
    evidence.push({ state: s, ...(e.date ? { date: e.date } : {}), link: e.link });
  };
  if (firstReview) step('under-review', mailLink(firstReview));
  if (naks.length) step('changes-requested', naks[0]!);
  else if (changesAsked) step('changes-requested', mailLink(changesAsked));
  else if (reviewedAll) step('reviewed', [...reviews].sort(byDate).pop()!);
  if (appliedAll) step('applied', appliedAll);
  const branch = appliedAll ? (appliedAll.branch ?? applied.find((a) => a.branch)?.branch) : undefined;
  return {
    revision: posted.revision,
    state,
    ...(branch ? { branch } : {}),
    ...(lastActivity ? { 'last-activity': lastActivity } : {}),
    evidence,
    trailers,
    naks,
    applied,
  };
}

export interface NewerInput {
  /** The highest revision posted so far. */
  revision: number;
  changeId: string;
  /** Subjects of the tracked mails (normalized) and the author's addresses. */
  subjects: string[];
  authors: string[];
  /** Message-IDs already tracked: not news. */
  known: Set<string>;
  messages: LoreMessage[];
  link: (id: string) => string;
}

/** Later postings of the same series: by b4's change-id in the cover, or by subject and author. */
export function findNewerRevisions(input: NewerInput): NewerRevision[] {
  const subjects = new Set(input.subjects);
  const authors = new Set(input.authors);
  const found = new Map<number, NewerRevision & { index: number }>();
  for (const m of input.messages) {
    if (input.known.has(m.id)) continue;
    const s = parseSubject(m.subject);
    if (!isPosting(s) || s.revision <= input.revision) continue;
    const index = positionOf(s).n;
    const byChangeId = findChangeId(m.body) === input.changeId;
    const bySubject = subjects.has(subjectSummary(m.subject)) && authors.has(m.from.address);
    if (!byChangeId && !bySubject) continue;
    const prev = found.get(s.revision);
    // One entry per revision: its cover letter, else its first patch.
    if (prev && (prev.index <= index && !(byChangeId && prev['found-by'] === 'subject'))) continue;
    found.set(s.revision, {
      revision: s.revision,
      subject: m.subject,
      ...(m.date ? { date: m.date } : {}),
      link: input.link(m.id),
      'found-by': byChangeId ? 'change-id' : 'subject',
      index,
    });
  }
  return [...found.values()].sort((a, b) => a.revision - b.revision).map(({ index: _index, ...n }) => n);
}
