/**
 * Refreshing what lore knows about a series: fetch its threads, parse what is new, and
 * turn the mails into a review per posted revision.
 *
 * Cost: a series whose threads did not change costs one small request, a search for
 * mail received since the last refresh (public-inbox answers 404 when there is none);
 * a quiet inbox costs one request for all series (new.atom). Parsed mails are cached by
 * content hash under the workspace's .quirkctl/lore/, so nothing is parsed twice.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setValue } from '../lib/fmdoc.js';
import type { SentRevision, SeriesReview, SeriesState } from '../series/model.js';
import { patchesDir, updateSeries, type SeriesDocument } from '../series/store.js';
import { readJsonCache, writeJsonCache } from '../workspace/fs.js';
import type { Workspace } from '../workspace/workspace.js';
import { LoreError, type LoreClient, type Validators } from './client.js';
import { subjectSummary } from '../mail/subject.js';
import { headerFields, splitMbox } from '../mail/mbox.js';
import { parseMessage, rawHash, type LoreMessage } from './message.js';
import { findNewerRevisions, reviewRevision, type PostedRevision } from './review.js';

/** Mail received shortly before a refresh may be indexed after it: look back this far. */
export const PROBE_MARGIN_S = 3600;

interface ThreadCache {
  /** The posted revision the thread was fetched for. */
  revision: number;
  validators: Validators;
  hashes: string[];
}

export interface SeriesCache {
  version: 1;
  /** What the cache was made for: lore URL, tracked Message-IDs, change-id. */
  key: string;
  /** Unix seconds of the last successful refresh. */
  checked: number;
  threads: Record<string, ThreadCache>;
  related: string[];
  messages: Record<string, LoreMessage>;
}

export interface TrackTarget {
  slug: string;
  changeId: string;
  /** Subjects of the cover and the patch files, for finding replies and re-rolls by search. */
  subjects: string[];
  history: SentRevision[];
}

export interface RefreshResult {
  review: SeriesReview;
  cache: SeriesCache;
  /** Mails parsed in this refresh (not taken from the cache). */
  parsed: number;
}

export type Warn = (message: string) => void;

function cacheFile(ws: Workspace, slug: string): string {
  return path.join(ws.stateDir, 'lore', `${slug}.json`);
}

export function readCache(ws: Workspace, slug: string): SeriesCache | undefined {
  return readJsonCache<SeriesCache | undefined>(cacheFile(ws, slug), undefined, (c) => c?.version === 1);
}

export async function writeCache(ws: Workspace, slug: string, cache: SeriesCache): Promise<void> {
  await writeJsonCache(cacheFile(ws, slug), cache);
}

export function postedRevisions(history: SentRevision[]): PostedRevision[] {
  return history
    .filter((h) => h.patches.length > 0)
    .map((h) => ({ revision: h.revision, date: h.date, ...(h.cover ? { cover: bare(h.cover) } : {}), patches: h.patches.map(bare) }))
    .sort((a, b) => a.revision - b.revision);
}

function bare(id: string): string {
  return id.replace(/^<|>$/g, '');
}

/** A Xapian phrase: public-inbox's query parser has no escape for '"'. */
function phrase(prefix: string, text: string): string {
  return `${prefix}:"${text.replace(/["()]/g, ' ').replace(/\s+/g, ' ').trim()}"`;
}

/**
 * One search that finds everything new about a series: replies (their subjects keep the
 * patch's), re-rolls (b4's change-id in the cover, or the same subject), and pull requests
 * that list its patches.
 */
export function relatedQuery(target: TrackTarget): string {
  const subjects = [...new Set(target.subjects.map(subjectSummary).filter((s) => s.length >= 8))].slice(0, 30);
  const terms = [phrase('nq', `change-id: ${target.changeId}`), ...subjects.map((s) => phrase('s', s))];
  if (subjects.length) terms.push(`(s:"GIT PULL" AND (${subjects.map((s) => phrase('b', s)).join(' OR ')}))`);
  return terms.join(' OR ');
}

/** Xapian ends a boolean term at a space or parenthesis; such rare IDs are simply not excluded. */
const PLAIN_ID = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~@-]+$/;

/**
 * The related search, limited to mail received since the last refresh. Mails already
 * known that fall in the look-back margin are excluded by Message-ID, so an unchanged
 * series gets public-inbox's empty 404 answer.
 */
export function probeQuery(target: TrackTarget, cache: SeriesCache): string {
  const since = cache.checked - PROBE_MARGIN_S;
  // A day of slack for senders' clocks: Date is all we know of a cached mail's receipt.
  const recent = Object.values(cache.messages)
    .filter((m) => !m.date || Date.parse(m.date) / 1000 >= since - 86_400)
    .map((m) => m.id)
    .filter((id) => PLAIN_ID.test(id));
  const known = [...new Set(recent)].slice(-100);
  return `(${relatedQuery(target)}) AND rt:${since}..${known.length ? ` NOT (${known.map((id) => `m:${id}`).join(' OR ')})` : ''}`;
}

function cacheKey(base: string, target: TrackTarget, posted: PostedRevision[]): string {
  return createHash('sha256').update(JSON.stringify([base, target.changeId, posted.map((p) => [p.revision, p.cover, p.patches])])).digest('hex');
}

/** Is there nothing in the inbox newer than `since`? One request answers it for every series. */
export async function inboxQuietSince(client: LoreClient, since: number): Promise<boolean> {
  const feed = await client.newAtom();
  const updated = /<updated>([^<]+)<\/updated>/.exec(feed)?.[1];
  const t = updated ? Date.parse(updated) / 1000 : NaN;
  return Number.isFinite(t) && t < since - PROBE_MARGIN_S;
}

/**
 * The mails of an mbox, parsed unless `known` has them already (by content hash). A mail
 * that cannot be parsed or threaded is skipped with a warning naming it, never fatal.
 */
export async function parseMbox(
  mbox: Buffer,
  where: string,
  warn: Warn,
  known: (hash: string) => LoreMessage | undefined = () => undefined,
): Promise<{ messages: LoreMessage[]; parsed: number }> {
  const messages: LoreMessage[] = [];
  let parsed = 0;
  for (const [i, raw] of splitMbox(mbox).entries()) {
    const hash = rawHash(raw);
    let m = known(hash);
    if (!m) {
      try {
        m = await parseMessage(raw, hash);
        parsed++;
      } catch (e) {
        warn(`${where}: message ${i + 1} skipped: ${(e as Error).message}`);
        continue;
      }
    }
    messages.push(m);
  }
  return { messages, parsed };
}

export async function refreshSeries(
  client: LoreClient,
  target: TrackTarget,
  cached: SeriesCache | undefined,
  opts: { now: number; warn: Warn; quiet?: boolean; full?: boolean },
): Promise<RefreshResult> {
  const posted = postedRevisions(target.history);
  const key = cacheKey(client.base, target, posted);
  const warm = cached?.key === key ? cached : undefined;
  const messages: Record<string, LoreMessage> = {};
  let parsed = 0;

  const parseAll = async (mbox: Buffer, where: string): Promise<string[]> => {
    const r = await parseMbox(mbox, where, opts.warn, (h) => messages[h] ?? warm?.messages[h]);
    parsed += r.parsed;
    for (const m of r.messages) messages[m.hash] = m;
    return r.messages.map((m) => m.hash);
  };

  let related: string[];
  const threads: Record<string, ThreadCache> = {};
  if (warm && !opts.full) {
    if (opts.quiet) return reuse(warm, target, posted, client, opts.now);
    const probe = await client.search(probeQuery(target, warm));
    // Only mails not seen before are parsed; if there are none, nothing changed.
    const found = probe ? await parseAll(probe, 'search results') : [];
    if (!found.some((h) => !warm.messages[h])) return reuse(warm, target, posted, client, opts.now);
    related = [...new Set([...warm.related.filter((h) => warm.messages[h]), ...found])];
  } else {
    const found = await client.search(relatedQuery(target));
    related = found ? await parseAll(found, 'search results') : [];
  }

  // Every revision's thread (and those fetched before); a patch that is not in its
  // cover's thread (sent unthreaded) brings its own.
  const roots = new Map<string, number>([
    ...posted.map((p): [string, number] => [p.cover ?? p.patches[0]!, p.revision]),
    ...Object.entries(warm?.threads ?? {}).map(([root, t]): [string, number] => [root, t.revision]),
  ]);
  const have = new Set<string>();
  const fetchThread = async (root: string, revision: number) => {
    const before = warm?.threads[root];
    let r;
    try {
      r = await client.thread(root, before?.validators);
    } catch (e) {
      if (e instanceof LoreError && (e.status === 404 || e.status === 410)) {
        opts.warn(`${target.slug}: ${e.message}`);
        return;
      }
      throw e;
    }
    const hashes = r.notModified ? before!.hashes : await parseAll(r.body, `thread of <${root}>`);
    for (const h of hashes) messages[h] ??= warm!.messages[h]!;
    threads[root] = { revision, validators: r.validators, hashes };
    for (const h of hashes) have.add(messages[h]!.id);
  };
  for (const [root, revision] of roots) await fetchThread(root, revision);
  for (const p of posted) {
    for (const id of p.patches) if (!have.has(id) && !threads[id]) await fetchThread(id, p.revision);
  }
  const cache: SeriesCache = { version: 1, key, checked: opts.now, threads, related, messages: {} };
  for (const h of [...Object.values(threads).flatMap((t) => t.hashes), ...related]) cache.messages[h] = messages[h]!;
  return { review: analyze(cache, target, posted, client), cache, parsed };
}

function reuse(warm: SeriesCache, target: TrackTarget, posted: PostedRevision[], client: LoreClient, now: number): RefreshResult {
  const cache = { ...warm, checked: now };
  return { review: analyze(cache, target, posted, client), cache, parsed: 0 };
}

/** The review, from the cached mails alone (no network, no parsing). */
function analyze(cache: SeriesCache, target: TrackTarget, posted: PostedRevision[], client: Pick<LoreClient, 'link'>): SeriesReview {
  const link = (id: string) => client.link(id);
  const threads = Object.values(cache.threads);
  const threadMessages = threads.flatMap((t) => t.hashes.map((h) => cache.messages[h]!));
  const related = cache.related.map((h) => cache.messages[h]!).filter(Boolean);
  const idsOf = (p: PostedRevision) => [...(p.cover ? [p.cover] : []), ...p.patches];
  const known = new Set(posted.flatMap(idsOf));
  const revisions = posted.map((p) => {
    const mine = new Set(idsOf(p));
    return reviewRevision({
      posted: p,
      messages: threads.filter((t) => t.revision === p.revision).flatMap((t) => t.hashes.map((h) => cache.messages[h]!)),
      related,
      foreign: new Set([...known].filter((id) => !mine.has(id))),
      link,
    });
  });
  const own = threadMessages.filter((m) => known.has(m.id));
  const newer = findNewerRevisions({
    revision: Math.max(0, ...posted.map((p) => p.revision)),
    changeId: target.changeId,
    subjects: [...target.subjects, ...own.map((m) => m.subject)].map(subjectSummary),
    authors: own.map((m) => m.from.address),
    known,
    messages: [...threadMessages, ...related],
    link,
  });
  return { revisions, ...(newer.length ? { newer } : {}) };
}

export interface TrackOutcome {
  slug: string;
  /** Absent when the refresh failed. */
  state?: SeriesState;
  previous: SeriesState;
  review?: SeriesReview;
  /** Whether the series file was (or, with dryRun, would be) rewritten. */
  updated: boolean;
  parsed: number;
  error?: string;
}

/** The series state that follows from the newest posted revision; `merged` is upstream's to set. */
export function seriesStateFrom(current: SeriesState, review: SeriesReview): SeriesState {
  if (current === 'merged') return current;
  const latest = review.revisions[review.revisions.length - 1];
  return latest ? latest.state : current;
}

/** Subjects a series is known by: its cover's and its patch files'. */
export function seriesSubjects(ws: Workspace, doc: SeriesDocument): string[] {
  const subjects = [doc.data.subject];
  for (const name of doc.data.patches) {
    try {
      const raw = readFileSync(path.join(patchesDir(ws, doc.slug), name));
      const subject = headerFields(raw).find(([k]) => k === 'subject')?.[1];
      if (subject) subjects.push(subject);
    } catch {
      // A missing patch file is `series`' business; the cover's subject still finds the thread.
    }
  }
  return subjects;
}

/**
 * Refreshes the given series from lore and writes what changed. Each series is its own
 * unit: a failed refresh leaves its file (and cache) as they were and is reported.
 */
export async function trackSeries(
  ws: Workspace,
  client: LoreClient,
  docs: SeriesDocument[],
  opts: { dryRun?: boolean; full?: boolean; warn: Warn; progress?: (line: string) => void; now?: number },
): Promise<TrackOutcome[]> {
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const caches = new Map(docs.map((d) => [d.slug, readCache(ws, d.slug)]));
  const checked = [...caches.values()].map((c) => c?.checked);
  let quiet = false;
  if (!opts.full && docs.length > 1 && checked.every((c) => c !== undefined)) {
    quiet = await inboxQuietSince(client, Math.min(...(checked as number[]))).catch(() => false);
  }
  const outcomes: TrackOutcome[] = [];
  for (const [i, doc] of docs.entries()) {
    opts.progress?.(`[${i + 1}/${docs.length}] ${doc.slug}`);
    const previous = doc.data.state;
    try {
      const target: TrackTarget = { slug: doc.slug, changeId: doc.data['change-id'], subjects: seriesSubjects(ws, doc), history: doc.data.history ?? [] };
      const r = await refreshSeries(client, target, caches.get(doc.slug), { now, warn: opts.warn, quiet, ...(opts.full ? { full: true } : {}) });
      const review = JSON.parse(JSON.stringify(r.review)) as SeriesReview;
      const state = seriesStateFrom(previous, review);
      const updated = state !== previous || JSON.stringify(doc.data.review ?? null) !== JSON.stringify(review);
      if (!opts.dryRun) {
        if (updated) {
          await updateSeries(ws, doc.slug, (d) => {
            setValue(d, ['review'], review);
            setValue(d, ['state'], state);
          });
        }
        await writeCache(ws, doc.slug, r.cache);
      }
      outcomes.push({ slug: doc.slug, state, previous, review, updated, parsed: r.parsed });
    } catch (e) {
      if (!(e instanceof LoreError)) throw e;
      outcomes.push({ slug: doc.slug, previous, updated: false, parsed: 0, error: e.message });
    }
  }
  return outcomes;
}
