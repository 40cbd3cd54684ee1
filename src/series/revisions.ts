/**
 * Series files and their revisions: a new series (blank, or drafted from a quirk), the
 * next revision with b4's "Changes in vN:" stub linking the previous posting on lore,
 * and the lore links themselves. Pure: texts and data in, texts out.
 */
import { isMap, isSeq } from 'yaml';
import { joinFrontMatter } from '../lib/frontmatter.js';
import { setValue } from '../lib/fmdoc.js';
import { newYamlDocument, yamlToString } from '../lib/yaml.js';
import type { SentRevision } from './model.js';
import type { SeriesDocument } from './store.js';

export const DEFAULT_LORE = 'https://lore.kernel.org/all';

export interface NewSeries {
  subject: string;
  changeId: string;
  prefixes: string[];
  to: string[];
  cc: string[];
  quirk?: string;
  cover: string;
}

/** The text of a new series/<slug>.md: front matter in the schema's key order, then the cover letter. */
export function draftSeriesText(s: NewSeries): string {
  const doc = newYamlDocument({
    subject: s.subject,
    'change-id': s.changeId,
    revision: 1,
    prefixes: s.prefixes,
    to: s.to,
    cc: s.cc,
    ...(s.quirk ? { quirk: s.quirk } : {}),
    patches: [],
    state: 'drafted',
  });
  doc.commentBefore = ' Patch series: the Markdown below is the cover letter (quirkctl series edit).';
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items) if (isSeq(pair.value) && pair.value.items.length <= 4) pair.value.flow = true;
  }
  return joinFrontMatter(doc.toString(yamlToString), `\n${s.cover.trim()}\n`);
}

/** A lore link for a Message-ID under the configured archive (`lore.url`). */
export function loreLink(messageId: string, base = DEFAULT_LORE): string {
  return `${base.replace(/\/+$/, '')}/${messageId.replace(/^<|>$/g, '')}/`;
}

/** The Message-ID that names a posted revision: its cover letter, else its first patch. */
export function postingId(r: SentRevision): string | undefined {
  return r.cover ?? r.patches[0];
}

const CHANGES = /^Changes in v\d+:/m;

/**
 * The cover letter of the next revision: a "Changes in vN:" stub with an EDITME line
 * (so that send refuses it until filled in) and the link to the previous posting,
 * above older changelogs, or at the end when there are none.
 */
export function rerollCover(cover: string, newRevision: number, previousLink: string | undefined): string {
  const stub = [`Changes in v${newRevision}:`, `- EDITME: what changed since v${newRevision - 1}`, `- Link to v${newRevision - 1}: ${previousLink ?? 'EDITME (not posted with quirkctl; give the lore link)'}`].join('\n');
  const at = cover.search(CHANGES);
  if (at >= 0) return `${cover.slice(0, at)}${stub}\n\n${cover.slice(at)}`;
  return `${cover.replace(/\s+$/, '')}\n\n${stub}\n`;
}

/** Moves a series on from a posted revision: revision + 1, its cover with the changelog stub. */
export function advanceRevision(doc: SeriesDocument, posted: SentRevision, loreBase?: string): void {
  const next = posted.revision + 1;
  const id = postingId(posted);
  setValue(doc, ['revision'], next);
  doc.body = `\n${rerollCover(doc.body.trim(), next, id ? loreLink(id, loreBase) : undefined).trim()}\n`;
}
