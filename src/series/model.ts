/**
 * The series model: one patch series, as series/<slug>.md holds it. Pure data; files
 * live in store.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Trailer } from '../mail/trailer.js';

export const SERIES_STATES = ['drafted', 'sent', 'under-review', 'changes-requested', 'reviewed', 'applied', 'merged'] as const;
export type SeriesState = (typeof SERIES_STATES)[number];

export interface SentRevision {
  revision: number;
  /** ISO 8601, UTC. */
  date: string;
  /** Message-ID of the cover letter (absent for a single-patch series). */
  cover?: string;
  /** Message-IDs of the patches, in order. */
  patches: string[];
  to?: string[];
  cc?: string[];
  source?: 'sent' | 'imported';
}

/** Where one mail of a send stands; see `journal` in schema/series.schema.json. */
export const MAIL_STATES = ['pending', 'sending', 'accepted', 'failed', 'unknown'] as const;
export type MailState = (typeof MAIL_STATES)[number];

export interface JournalMail {
  'message-id': string;
  /** 'cover' or the patch file name. */
  file: string;
  to: string[];
  cc?: string[];
  state: MailState;
  error?: string;
  rejected?: string[];
}

/** A send in progress, kept in the series file so that an interrupted send can resume. */
export interface SendJournal {
  revision: number;
  /** ISO 8601 UTC: the first mail's Date; each next mail is one second later. */
  date: string;
  from: string;
  reflect?: boolean;
  digest: string;
  mails: JournalMail[];
}

/** Front matter as YAML holds it once the schema has accepted it. */
export interface SeriesData {
  subject: string;
  'change-id': string;
  revision: number;
  prefixes?: string[];
  to?: string[];
  cc?: string[];
  'base-commit'?: string;
  base?: string;
  quirk?: string;
  patches: string[];
  state: SeriesState;
  history?: SentRevision[];
  /** What `quirkctl track` found on lore (src/lore/). */
  review?: SeriesReview;
  merged?: MergedUpstream;
  journal?: SendJournal;
}

/** Where a series' patches landed, as `quirkctl upstream` last found it. */
export interface MergedUpstream {
  checked: string;
  /** The mainline release carrying every patch (6.14), when there is one. */
  release?: string;
  tag?: string;
  /** True when some patch was matched by subject and author only. */
  fuzzy?: boolean;
  /** Per stable line, the first release carrying every patch. */
  stable?: string[];
  patches: { file: string; commit?: string; how?: 'message-id' | 'patch-id' | 'subject'; tag?: string; stable?: string[] }[];
}

export const SLUG_RE = /^[a-z0-9][a-z0-9-]*$/;

/** b4's change-id: the creation date, the slug and 12 random hex digits. */
export function newChangeId(slug: string, date = new Date()): string {
  const ymd = date.toISOString().slice(0, 10).replace(/-/g, '');
  return `${ymd}-${slug.slice(0, 40).replace(/-+$/, '')}-${randomBytes(6).toString('hex')}`;
}

/* What `quirkctl track` records under a series' `review` key (lore/review.ts works it out). */

export interface Evidence {
  state: SeriesState;
  date?: string;
  link: string;
}

/** A trailer given in a reply. patch 0 is the cover letter: it applies to every patch. */
export interface GivenTrailer extends Trailer {
  patch: number;
  date?: string;
  link: string;
}

export interface Nak {
  patch: number;
  name: string;
  address: string;
  date?: string;
  link: string;
}

export interface Applied {
  patch: number;
  branch?: string;
  name: string;
  address: string;
  date?: string;
  link: string;
}

export interface NewerRevision {
  revision: number;
  subject: string;
  date?: string;
  link: string;
  'found-by': 'change-id' | 'subject';
}

export interface RevisionReview {
  revision: number;
  state: Exclude<SeriesState, 'drafted' | 'merged'>;
  branch?: string;
  'last-activity'?: string;
  evidence: Evidence[];
  trailers: GivenTrailer[];
  naks: Nak[];
  applied: Applied[];
}

/** What `track` writes under the series' `review` key. */
export interface SeriesReview {
  revisions: RevisionReview[];
  newer?: NewerRevision[];
}

