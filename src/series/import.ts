/**
 * `quirkctl series import`: a series posted to a list (an mbox from lore, say) becomes
 * patches/<slug>/ and series/<slug>.md, like `b4 am`: the cover letter becomes the
 * series' cover, each patch keeps its author, date, subject and trailers, replies are
 * skipped, and the posted Message-IDs go into the series history so that the series is
 * tracked on lore like one quirkctl sent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { checkValue } from '../lib/schema.js';
import { slugify } from '../quirks/add.js';
import type { Workspace } from '../workspace/workspace.js';
import { splitMbox } from '../mail/mbox.js';
import { parseSubject } from '../mail/subject.js';
import type { Person } from '../mail/address.js';
import { pickSeries, parseMessage, type MailMessage, type PostedSeries } from './mbox.js';
import { newChangeId, type SentRevision, type SeriesData } from './model.js';
import { patchFileName, renderPatchMail } from './patch-mail.js';
import type { PatchText } from '../kernel/git-patches.js';
import { saveSeries, type SeriesWritten } from './save.js';
import { checkSlug, seriesPath } from './store.js';
import { coverText } from './cover.js';

export interface ImportRequest {
  mbox: string;
  slug?: string;
  revision?: number;
}

export interface ImportOutcome {
  slug: string;
  series: PostedSeries;
  data: SeriesData;
  written: SeriesWritten;
}

function address(p: Person): string | undefined {
  const full = p.name ? `${p.name} <${p.address}>` : p.address;
  if (checkValue('series', '/definitions/address', full) === null) return full;
  return checkValue('series', '/definitions/address', p.address) === null ? p.address : undefined;
}

function addresses(list: Person[]): string[] {
  return list.map(address).filter((a): a is string => a !== undefined);
}

function patchFiles(posted: PostedSeries): PatchText[] {
  return posted.patches.map((m, i) => ({
    name: patchFileName(i + 1, parseSubject(m.subject).summary),
    text: renderPatchMail({ author: m.author, date: m.date, subject: m.subject, body: m.body }),
  }));
}

function sentRevision(posted: PostedSeries, head: MailMessage): SentRevision | undefined {
  const ids = posted.patches.map((p) => p.messageId);
  const valid = (id: string) => checkValue('series', '/definitions/message-id', id) === null;
  if (!head.isoDate || !ids.every(valid) || (posted.cover && !valid(posted.cover.messageId))) return undefined;
  const to = addresses(head.to);
  const cc = addresses(head.cc);
  return {
    revision: posted.revision,
    date: head.isoDate,
    ...(posted.cover ? { cover: posted.cover.messageId } : {}),
    patches: ids,
    ...(to.length ? { to } : {}),
    ...(cc.length ? { cc } : {}),
    source: 'imported',
  };
}

export async function importSeries(ws: Workspace, req: ImportRequest): Promise<ImportOutcome> {
  if (!existsSync(req.mbox)) throw new InputError(`'${req.mbox}': no such file`);
  const raw = splitMbox(readFileSync(req.mbox));
  if (raw.length === 0) throw new InputError(`'${req.mbox}': no messages in it`);
  const messages = await Promise.all(raw.map(parseMessage));
  const posted = pickSeries(messages, req.revision);
  const head = posted.cover ?? (posted.patches[0] as MailMessage);
  const summary = parseSubject(head.subject).summary;

  const slug = req.slug ?? slugify(summary);
  checkSlug(slug, req.slug !== undefined ? '--slug' : 'series (from the subject; pass --slug)');
  if (existsSync(seriesPath(ws, slug))) throw new InputError(`series '${slug}' already exists; pass --slug to import under another name`);

  const cover = posted.cover ? coverText(posted.cover.body) : undefined;
  const patches = patchFiles(posted);
  const changeId = cover?.changeId && checkValue('series', '/properties/change-id', cover.changeId) === null ? cover.changeId : newChangeId(slug);
  const prefixes = posted.prefixes.filter((p) => checkValue('series', '/properties/prefixes/items', p) === null);
  const history = sentRevision(posted, head);
  const data: SeriesData = {
    subject: summary,
    'change-id': changeId,
    revision: posted.revision,
    prefixes: prefixes.length ? prefixes : ['PATCH'],
    ...(addresses(head.to).length ? { to: addresses(head.to) } : {}),
    ...(addresses(head.cc).length ? { cc: addresses(head.cc) } : {}),
    ...(cover?.baseCommit ? { 'base-commit': cover.baseCommit } : {}),
    patches: patches.map((p) => p.name),
    state: 'sent',
    ...(history ? { history: [history] } : {}),
  };
  const written = await saveSeries(ws, {
    slug,
    patches,
    create: () => ({ data, body: cover ? `\n${cover.text}` : '' }),
    update: () => {
      throw new InputError(`series '${slug}' already exists; pass --slug to import under another name`);
    },
  });
  return { slug, series: posted, data, written };
}
