/**
 * `quirkctl status`: where each series stands, from what `track` recorded. Pure: series
 * data in, text out; the Markdown report is built as a syntax tree with remark.
 */
import type { List, ListItem, PhrasingContent, Root, RootContent, Table, TableRow } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';
import type { SeriesData, SeriesState } from '../series/model.js';
import type { Evidence, GivenTrailer, NewerRevision, RevisionReview } from '../series/model.js';

export interface PatchTrailer {
  key: string;
  value: string;
  name?: string;
  address?: string;
  date?: string;
  link: string;
  /** Given on the cover letter (so to every patch), or on the patch itself. */
  on: 'cover' | 'patch';
}

export interface SeriesStatus {
  slug: string;
  subject: string;
  /** The newest posted revision, or the series' revision when nothing was posted. */
  revision: number;
  state: SeriesState;
  branch?: string;
  lastActivity?: string;
  link?: string;
  patches: { patch: number; trailers: PatchTrailer[] }[];
  naks: { patch: number; name: string; address: string; link: string }[];
  evidence: Evidence[];
  newer: NewerRevision[];
  /** Where `quirkctl upstream` found the series (src/upstream/). */
  upstream?: { release?: string; tag?: string; stable: string[]; fuzzy: boolean };
}

export function stateLabel(state: SeriesState, latest?: Pick<RevisionReview, 'branch'>): string {
  return state === 'applied' && latest?.branch ? `applied (${latest.branch})` : state;
}

/** `merged in v6.14; stable: 6.12.9, 6.6.70`, or the review state. */
export function statusLabel(s: SeriesStatus): string {
  const u = s.upstream;
  if (!u?.release) return stateLabel(s.state, s);
  return `merged in v${u.release}${u.fuzzy ? ' (fuzzy)' : ''}${u.stable.length ? `; stable: ${u.stable.join(', ')}` : ''}`;
}

/** The trailers each patch has collected, cover-letter ones included. */
export function trailersPerPatch(trailers: GivenTrailer[], count: number): { patch: number; trailers: PatchTrailer[] }[] {
  return [...Array(count).keys()].map((i) => ({
    patch: i + 1,
    trailers: trailers
      .filter((t) => t.patch === 0 || t.patch === i + 1)
      .map(({ patch, key, value, name, address, date, link }) => ({
        key,
        value,
        ...(name !== undefined ? { name } : {}),
        ...(address !== undefined ? { address } : {}),
        ...(date ? { date } : {}),
        link,
        on: patch === 0 ? ('cover' as const) : ('patch' as const),
      })),
  }));
}

export function seriesStatus(slug: string, data: SeriesData): SeriesStatus {
  const latest = data.review?.revisions[data.review.revisions.length - 1];
  const posted = data.history?.find((h) => h.revision === latest?.revision);
  const count = posted?.patches.length ?? data.patches.length;
  return {
    slug,
    subject: data.subject,
    revision: latest?.revision ?? data.revision,
    state: data.state,
    ...(latest?.branch ? { branch: latest.branch } : {}),
    ...(latest?.['last-activity'] ? { lastActivity: latest['last-activity'] } : {}),
    ...(latest?.evidence[0] ? { link: latest.evidence[0].link } : {}),
    patches: trailersPerPatch(latest?.trailers ?? [], count),
    naks: (latest?.naks ?? []).map(({ patch, name, address, link }) => ({ patch, name, address, link })),
    evidence: latest?.evidence ?? [],
    newer: data.review?.newer ?? [],
    ...(data.merged
      ? { upstream: { ...(data.merged.release ? { release: data.merged.release } : {}), ...(data.merged.tag ? { tag: data.merged.tag } : {}), stable: data.merged.stable ?? [], fuzzy: data.merged.fuzzy === true } }
      : {}),
  };
}

const day = (iso?: string) => (iso ? iso.replace('T', ' ').slice(0, 16) : '-');
const who = (t: { name?: string; address?: string; value: string }) => (t.address ? (t.name ? `${t.name} <${t.address}>` : t.address) : t.value);

export const STATUS_HEAD = ['SERIES', 'REV', 'STATE', 'LAST ACTIVITY', 'LORE'];

export function statusRows(list: SeriesStatus[]): string[][] {
  return list.map((s) => [s.slug, `v${s.revision}`, statusLabel(s), day(s.lastActivity), s.link ?? '-']);
}

/** Below the table: each series' trailers per patch, NAKs and newer revisions. */
export function statusDetails(list: SeriesStatus[]): string {
  const out: string[] = [];
  for (const s of list) {
    const details: string[] = [];
    const total = s.patches.length;
    for (const p of s.patches) {
      for (const t of p.trailers) {
        details.push(`  ${p.patch}/${total}  ${t.key}: ${who(t)}${t.on === 'cover' ? ' (on the cover letter)' : ''}  ${day(t.date)}`);
      }
    }
    for (const n of s.naks) details.push(`  ${n.patch === 0 ? 'series' : `${n.patch}/${total}`}  NAK from ${n.name ? `${n.name} <${n.address}>` : n.address}  ${n.link}`);
    for (const n of s.newer) details.push(`  newer: v${n.revision} (found by ${n['found-by']})  ${n.link}`);
    if (details.length) out.push('', `${s.slug} v${s.revision}:`, ...details);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

const text = (value: string): PhrasingContent => ({ type: 'text', value });
const linkTo = (url: string, label: string): PhrasingContent => ({ type: 'link', url, children: [text(label)] });
const item = (...children: PhrasingContent[]): ListItem => ({ type: 'listItem', spread: false, children: [{ type: 'paragraph', children }] });

function trailerTable(s: SeriesStatus): Table {
  const row = (cells: PhrasingContent[][]): TableRow => ({ type: 'tableRow', children: cells.map((children) => ({ type: 'tableCell', children })) });
  const total = s.patches.length;
  return {
    type: 'table',
    align: [],
    children: [
      row([[text('Patch')], [text('Trailer')], [text('Given by')], [text('Date')], [text('Mail')]]),
      ...s.patches.flatMap((p) =>
        p.trailers.map((t) =>
          row([[text(`${p.patch}/${total}${t.on === 'cover' ? ' (cover)' : ''}`)], [text(t.key)], [{ type: 'inlineCode', value: who(t) }], [text(day(t.date))], [linkTo(t.link, 'lore')]]),
        ),
      ),
    ],
  };
}

export function renderStatusMarkdown(list: SeriesStatus[]): string {
  const children: RootContent[] = [{ type: 'heading', depth: 1, children: [text('Patch series status')] }];
  for (const s of list) {
    children.push({ type: 'heading', depth: 2, children: [{ type: 'inlineCode', value: s.slug }, text(`: ${s.subject}`)] });
    const facts: ListItem[] = [
      item(text(`Revision: v${s.revision}`)),
      item(text(`State: ${statusLabel(s)}`)),
      item(text(`Last activity: ${day(s.lastActivity)}`)),
      ...(s.link ? [item(text('Thread: '), linkTo(s.link, s.link))] : []),
      ...s.evidence.map((e) => item(text(`${e.state}${e.date ? ` (${day(e.date)})` : ''}: `), linkTo(e.link, e.link))),
      ...s.naks.map((n) => item(text(`NAK from ${n.name || n.address}: `), linkTo(n.link, n.link))),
      ...s.newer.map((n) => item(text(`Newer revision v${n.revision} (found by ${n['found-by']}): `), linkTo(n.link, n.link))),
    ];
    const list: List = { type: 'list', ordered: false, spread: false, children: facts };
    children.push(list);
    if (s.patches.some((p) => p.trailers.length)) children.push(trailerTable(s));
  }
  const root: Root = { type: 'root', children };
  return unified().use(remarkGfm).use(remarkStringify, { bullet: '-' }).stringify(root);
}
