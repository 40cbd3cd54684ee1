/**
 * `quirkctl send`: a series to its list over SMTP, so that a failure half-way never
 * mails anyone twice. Before the first SMTP transaction the whole posting (Message-IDs,
 * Dates, recipients) is written to the series file's `journal`; each mail's state is
 * written again before and after its transaction. `--resume` rebuilds the same mails
 * from the journal and sends only those the server did not accept. After the last
 * mail: the revision goes into `history`, the state becomes `sent`, the revision moves
 * on with a "Changes in" stub, and the journal is removed.
 */
import { isoSeconds } from '../lib/format.js';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { InputError } from '../errors.js';
import { setValue } from '../lib/fmdoc.js';
import { checkValue } from '../lib/schema.js';
import { parseMailbox, showMailbox, uniqueMailboxes, type Mailbox } from '../mail/address.js';
import { composeMail, mailRecipients, type OutgoingMail, type Recipients } from './compose.js';
import { credentialFill } from '../lib/git.js';
import { newPostingToken } from '../mail/message-id.js';
import { describeSmtp, SendError, senderIdentity, smtpSettings, smtpTransport, type MailTransport, type SmtpSettings } from '../mail/smtp.js';
import type { Workspace } from '../workspace/workspace.js';
import { lastCheck, patchesDigest } from './checks.js';
import { coverDiffstat, loadSeries, postingIds, requirePatches, seriesDigest, seriesMails, type LoadedSeries } from './mails.js';
import type { JournalMail, SendJournal, SentRevision } from './model.js';
import { preflight } from './preflight.js';
import { advanceRevision } from './revisions.js';
import { seriesPath, updateSeries, type SeriesDocument } from './store.js';

export interface SendOptions {
  to: string[];
  cc: string[];
  reflect: boolean;
  dryRun: boolean;
  yes: boolean;
  resume: boolean;
  force: boolean;
  /** What --resume does with mails whose fate is unknown. */
  unknown?: 'resend' | 'skip';
  tree?: string;
  mailer: string;
}

export interface SendIo {
  /** The plan and the outcome (stdout). */
  out(text: string): void;
  /** Progress and warnings (stderr). */
  progress(text: string): void;
  /** Asks at a terminal; undefined when there is none to ask at. */
  confirm?: (question: string) => Promise<boolean>;
  env: NodeJS.ProcessEnv;
  /** The transport to use; the real SMTP connection by default. */
  transport?: (settings: SmtpSettings, password: string | undefined) => MailTransport;
}

interface Plan {
  journal: SendJournal;
  mails: OutgoingMail[];
  from: Mailbox;
  /** The posting's own To and Cc, before each patch's Cc: trailers are added. */
  to: Mailbox[];
  cc: Mailbox[];
}

function recipientsOf(m: JournalMail): Recipients {
  return {
    to: m.to.map((a) => parseMailbox(a, 'journal to')),
    cc: (m.cc ?? []).map((a) => parseMailbox(a, 'journal cc')),
  };
}

async function buildPlan(ws: Workspace, s: LoadedSeries, opts: SendOptions, io: SendIo): Promise<Plan> {
  const diffstat = await coverDiffstat(ws, s, opts.tree, (m) => io.progress(`warning: ${m}\n`));
  const j = s.doc.data.journal;
  if (j) {
    const from = parseMailbox(j.from, 'journal from');
    const date = new Date(j.date);
    const mails = seriesMails(s, { from, date, messageIds: j.mails.map((m) => m['message-id']), diffstat });
    const composed = mails.map((m, i) => composeMail(m, recipientsOf(j.mails[i] as JournalMail), i, { from, date, reflect: j.reflect ?? false, mailer: opts.mailer }));
    const first = (composed[0] as OutgoingMail).recipients;
    const common = first.cc.filter((c) => composed.every((m) => m.recipients.cc.some((x) => x.address === c.address)));
    return { journal: j, mails: composed, from, to: first.to, cc: common };
  }
  const from = senderIdentity(s.git);
  const d = s.doc.data;
  const to = [...(d.to ?? []).map((a, i) => parseMailbox(a, `${s.doc.file}: to[${i}]`)), ...opts.to.map((a) => parseMailbox(a, '--to'))];
  const cc = [...(d.cc ?? []).map((a, i) => parseMailbox(a, `${s.doc.file}: cc[${i}]`)), ...opts.cc.map((a) => parseMailbox(a, '--cc'))];
  const date = new Date(Math.floor(Date.now() / 1000) * 1000);
  const ids = postingIds(s, newPostingToken(), from.address.slice(from.address.lastIndexOf('@') + 1));
  const mails = seriesMails(s, { from, date, messageIds: ids, diffstat });
  const recipients = mailRecipients(mails, to, cc);
  const composed = mails.map((m, i) => composeMail(m, recipients[i] as Recipients, i, { from, date, reflect: opts.reflect, mailer: opts.mailer }));
  const journal: SendJournal = {
    revision: d.revision,
    date: isoSeconds(date),
    from: showMailbox(from),
    ...(opts.reflect ? { reflect: true } : {}),
    digest: seriesDigest(s),
    mails: composed.map((m) => ({
      'message-id': m.messageId,
      file: m.key,
      to: m.recipients.to.map(showMailbox),
      ...(m.recipients.cc.length ? { cc: m.recipients.cc.map(showMailbox) } : {}),
      state: 'pending' as const,
    })),
  };
  const listTo = uniqueMailboxes(to);
  const listCc = uniqueMailboxes(cc, to);
  return { journal, mails: composed, from, ...(listTo.length ? { to: listTo, cc: listCc } : { to: listCc, cc: [] }) };
}

function showPlan(s: LoadedSeries, plan: Plan, smtp: string, io: SendIo): void {
  const j = plan.journal;
  const lines = [`${s.doc.file}: v${j.revision}, ${plan.mails.length} mail${plan.mails.length === 1 ? '' : 's'} from ${j.from}${j.reflect ? ', REFLECTED: delivered to the sender only' : ''}`, `via ${smtp}`];
  const list = (label: string, boxes: Mailbox[]) => boxes.forEach((b, i) => lines.push(`${i === 0 ? label : ' '.repeat(label.length)}${showMailbox(b)}`));
  list('To: ', plan.to);
  list('Cc: ', plan.cc);
  const listed = new Set([...plan.to, ...plan.cc].map((b) => b.address.toLowerCase()));
  j.mails.forEach((m, i) => {
    const mail = plan.mails[i] as OutgoingMail;
    const state = m.state === 'pending' ? '' : `  [${m.state}]`;
    lines.push(`${mail.subject}${state}`, `    <${mail.messageId}>`);
    const extra = [...mail.recipients.to, ...mail.recipients.cc].filter((c) => !listed.has(c.address.toLowerCase()));
    if (extra.length) lines.push(`    +Cc: ${extra.map(showMailbox).join(', ')}`);
  });
  io.out(`${lines.join('\n')}\n`);
}

function dropJournal(doc: SeriesDocument): void {
  doc.yaml.doc.deleteIn(['journal']);
  delete doc.data.journal;
}

/** Writes the journal (or removes it) in the series file, atomically and under the workspace lock. */
async function saveJournal(ws: Workspace, slug: string, journal: SendJournal | undefined, finish?: (doc: SeriesDocument) => void): Promise<void> {
  await updateSeries(ws, slug, (doc) => {
    if (journal) setValue(doc, ['journal'], journal);
    else dropJournal(doc);
    finish?.(doc);
  });
}

/** history's addresses have no quoted names; a name that needs quotes gives way to the bare address. */
function historyAddress(text: string): string {
  return checkValue('series', '/definitions/address', text) ? parseMailbox(text, 'recipient').address : text;
}

/** After the last mail: history, state, the next revision. */
function recordPosting(ws: Workspace, j: SendJournal) {
  return (doc: SeriesDocument) => {
    const cover = j.mails.find((m) => m.file === 'cover');
    const entry: SentRevision = {
      revision: j.revision,
      date: j.date,
      ...(cover ? { cover: cover['message-id'] } : {}),
      patches: j.mails.filter((m) => m.file !== 'cover').map((m) => m['message-id']),
      to: (j.mails[0] as JournalMail).to.map(historyAddress),
      cc: [...new Set(j.mails.flatMap((m) => m.cc ?? []))].map(historyAddress),
      source: 'sent',
    };
    setValue(doc, ['history'], [...(doc.data.history ?? []), entry]);
    setValue(doc, ['state'], 'sent');
    advanceRevision(doc, entry, ws.config.lore?.url);
  };
}

async function password(ws: Workspace, smtp: SmtpSettings, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (!smtp.user) return undefined;
  if (env.QUIRKCTL_SMTP_PASS !== undefined) return env.QUIRKCTL_SMTP_PASS;
  const host = smtp.portSet ? `${smtp.server}:${smtp.port}` : smtp.server;
  try {
    const pass = await credentialFill(ws.root, host, smtp.user);
    if (pass !== undefined) return pass;
  } catch (e) {
    throw new InputError(`no SMTP password for ${smtp.user}@${host}: set QUIRKCTL_SMTP_PASS or configure a git credential helper (${(e as Error).message.trim()})`);
  }
  throw new InputError(`no SMTP password for ${smtp.user}@${host}: set QUIRKCTL_SMTP_PASS or configure a git credential helper`);
}

/** Runs `send`; returns the exit status. */
export async function sendSeries(ws: Workspace, slug: string, opts: SendOptions, io: SendIo): Promise<number> {
  const s = await loadSeries(ws, slug);
  requirePatches(s);
  const j = s.doc.data.journal;
  if (j && !opts.resume) {
    const done = j.mails.filter((m) => m.state === 'accepted').length;
    throw new InputError(`series '${slug}': a send of v${j.revision} was interrupted (${done} of ${j.mails.length} mails accepted); 'quirkctl send ${slug} --resume' sends the rest with the same Message-IDs, 'quirkctl send ${slug} --abandon' forgets it`);
  }
  if (opts.resume) {
    if (!j) throw new InputError(`series '${slug}': no interrupted send to resume`);
    if (opts.to.length || opts.cc.length || opts.reflect) throw new InputError('--resume sends to the recipients of the interrupted send; --to, --cc and --reflect cannot change them');
    if (j.digest !== seriesDigest(s)) {
      throw new InputError(`series '${slug}': the cover letter or patches changed since the interrupted send; resuming would send mails that do not match the ones already out. Restore them, or 'quirkctl send ${slug} --abandon' and send again`);
    }
  }
  let smtp: SmtpSettings | undefined;
  let smtpProblem = '';
  try {
    smtp = smtpSettings(s.git);
  } catch (e) {
    smtpProblem = (e as Error).message;
  }
  const plan = await buildPlan(ws, s, opts, io);
  showPlan(s, plan, smtp ? describeSmtp(smtp) : `(${smtpProblem})`, io);

  let blocked = false;
  if (!opts.resume) {
    const checks = preflight({
      slug,
      file: s.doc.file,
      subject: s.doc.data.subject,
      cover: s.doc.body,
      coverLine: s.doc.bodyLine,
      recipients: plan.to.length + plan.cc.length,
      check: lastCheck(ws, slug),
      digest: patchesDigest(s.texts),
      patches: s.patches,
      sender: plan.from,
    });
    io.out(`Pre-flight:\n${checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.message}`).join('\n')}\n`);
    blocked = checks.some((c) => !c.ok);
    if (blocked && opts.force) {
      io.progress('warning: sending despite the failed pre-flight checks (--force)\n');
      blocked = false;
    }
  }
  if (opts.dryRun) {
    io.out(`Dry run: nothing sent${blocked ? '; the pre-flight checks would block the send' : ''}.\n`);
    return blocked ? 1 : 0;
  }
  if (blocked) {
    io.progress(`quirkctl: pre-flight checks failed; nothing sent. Fix them, or pass --force to send anyway\n`);
    return 1;
  }
  const nobody = plan.mails.find((m) => m.envelope.length === 0);
  if (nobody) throw new InputError(`${nobody.subject}: nobody to send it to; set to/cc in ${s.doc.file} or pass --to`);
  if (!opts.yes) {
    const pending = plan.journal.mails.filter((m) => m.state !== 'accepted').length;
    if (!io.confirm) {
      io.out(`Nothing sent: this is what 'quirkctl send ${slug}' would do. Add --yes to send.\n`);
      return 0;
    }
    if (!(await io.confirm(`Send ${pending} mail${pending === 1 ? '' : 's'} via ${smtp ? describeSmtp(smtp) : '?'}? [y/N] `))) {
      io.out('Nothing sent.\n');
      return 0;
    }
  }
  if (!smtp) throw new InputError(smtpProblem);
  return deliver(ws, slug, plan, smtp, await password(ws, smtp, io.env), opts, io);
}

async function deliver(ws: Workspace, slug: string, plan: Plan, smtp: SmtpSettings, pass: string | undefined, opts: SendOptions, io: SendIo): Promise<number> {
  mkdirSync(ws.stateDir, { recursive: true });
  const release = await lockfile
    .lock(seriesPath(ws, slug), { lockfilePath: path.join(ws.stateDir, `send-${slug}.lock`), stale: 30_000, retries: 0 })
    .catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'ELOCKED' ? new Error(`another 'quirkctl send ${slug}' is running`) : e;
    });
  const transport = (io.transport ?? smtpTransport)(smtp, pass);
  const j: SendJournal = structuredClone(plan.journal);
  try {
    const uncertain = j.mails.filter((m) => m.state === 'sending' || m.state === 'unknown');
    if (uncertain.length && !opts.unknown) {
      io.progress(
        `quirkctl: ${uncertain.map((m) => `<${m['message-id']}> (${m.file})`).join(', ')} may have been delivered: the connection broke during ${uncertain.length === 1 ? 'its' : 'their'} SMTP transaction. ` +
          `Look for ${uncertain.length === 1 ? 'it' : 'them'} in the list archive or your mailbox, then run 'quirkctl send ${slug} --resume --unknown resend' (send again) or '--unknown skip' (count as delivered)\n`,
      );
      return 1;
    }
    await transport.open().catch((e: Error) => {
      throw new Error(`${e.message}; nothing sent`);
    });
    await saveJournal(ws, slug, j);
    for (const [i, m] of j.mails.entries()) {
      const mail = plan.mails[i] as OutgoingMail;
      if (m.state === 'accepted') continue;
      if ((m.state === 'sending' || m.state === 'unknown') && opts.unknown === 'skip') {
        m.state = 'accepted';
        await saveJournal(ws, slug, j);
        continue;
      }
      m.state = 'sending';
      delete m.error;
      await saveJournal(ws, slug, j);
      const label = `[${i + 1}/${j.mails.length}] ${mail.subject}`;
      try {
        const result = await transport.send(plan.from.address, mail.envelope, mail.raw);
        m.state = 'accepted';
        if (result.rejected.length) m.rejected = result.rejected;
        await saveJournal(ws, slug, j);
        io.progress(`${label}: accepted${result.rejected.length ? `, but the server refused ${result.rejected.join(', ')}` : ''}\n`);
      } catch (e) {
        const err = e instanceof SendError ? e : new SendError((e as Error).message, true);
        m.state = err.maybeDelivered ? 'unknown' : 'failed';
        m.error = err.message.slice(0, 2000);
        await saveJournal(ws, slug, j);
        const done = j.mails.filter((x) => x.state === 'accepted').length;
        io.progress(
          `${label}: ${err.maybeDelivered ? 'connection lost during the transaction (the server may have taken it)' : 'not sent'}: ${err.message}\n` +
            `quirkctl: send of '${slug}' v${j.revision} stopped: ${done} of ${j.mails.length} mails accepted. The journal in ${path.relative(ws.root, seriesPath(ws, slug))} keeps their state; 'quirkctl send ${slug} --resume' sends the rest with the same Message-IDs and threading\n`,
        );
        return 1;
      }
    }
    if (j.reflect) {
      await saveJournal(ws, slug, undefined);
      io.out(`Reflected ${j.mails.length} mails to ${j.from}; the series is unchanged.\n`);
    } else {
      await saveJournal(ws, slug, undefined, recordPosting(ws, j));
      io.out(`Sent v${j.revision}: ${j.mails.length} mail${j.mails.length === 1 ? '' : 's'} accepted. Recorded in history; the series is now at v${j.revision + 1}.\n`);
    }
    return 0;
  } finally {
    transport.close();
    await release();
  }
}

/** Forgets an interrupted send (the mails it sent stay sent). */
export async function abandonSend(ws: Workspace, slug: string): Promise<string> {
  let summary = '';
  await updateSeries(ws, slug, (doc) => {
    const j = doc.data.journal;
    if (!j) throw new InputError(`series '${slug}': no interrupted send to abandon`);
    summary = `forgot the interrupted send of v${j.revision} (${j.mails.filter((m) => m.state === 'accepted').length} of ${j.mails.length} mails had been accepted)`;
    dropJournal(doc);
  });
  return summary;
}
