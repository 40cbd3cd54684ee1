/**
 * The send journal's edge cases, with a scripted transport in place of the SMTP server
 * (the real server is in test/e2e/send.test.ts): a connection lost in the middle of a
 * transaction, a process killed during one, a recipient refused, changed patches.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { SendError, type MailTransport } from '../../src/mail/smtp.js';
import { patchesDigest, recordCheck } from '../../src/series/checks.js';
import { abandonSend, sendSeries, type SendIo, type SendOptions } from '../../src/series/send.js';
import { readPatches, readSeries } from '../../src/series/store.js';
import { openWorkspace, type Workspace } from '../../src/workspace/workspace.js';
import { realComponent } from '../helpers/real.js';
import { makeSeriesFixture, type SeriesFixture } from '../helpers/series-fixture.js';

const hasGit = realComponent('git', spawnSync('git', ['--version']).status === 0);

type Step = 'ok' | 'refused' | 'lost' | { rejected: string[] };

function scripted(steps: Step[]) {
  const sent: { to: string[]; raw: string }[] = [];
  const transport = (): MailTransport => ({
    open: async () => undefined,
    async send(_from, to, raw) {
      const step = steps.shift() ?? 'ok';
      if (step === 'refused') throw new SendError('550 mailbox unavailable', false);
      if (step === 'lost') throw new SendError('Connection closed unexpectedly', true);
      sent.push({ to, raw });
      return { accepted: to, rejected: typeof step === 'object' ? step.rejected : [], response: '250 OK' };
    },
    close: () => undefined,
  });
  return { sent, transport };
}

const OPTS: SendOptions = { to: [], cc: [], reflect: false, dryRun: false, yes: true, resume: false, force: false, mailer: 'quirkctl test' };

describe.runIf(hasGit)('send journal', () => {
  let f: SeriesFixture;
  let ws: Workspace;
  let err: string;

  const io = (transport: () => MailTransport): SendIo => ({ out: () => undefined, progress: (t) => (err += t), env: {}, transport });
  const journal = () => readSeries(ws, f.slug).data.journal;

  beforeAll(async () => {
    f = makeSeriesFixture();
    // git (through simple-git) reads the test's identity and sendemail.* from this HOME
    process.env.HOME = f.home;
    process.env.XDG_CONFIG_HOME = path.join(f.home, '.config');
    f.git(['config', '--global', 'sendemail.smtpServer', '127.0.0.1']);
    ws = openWorkspace({ workspace: f.ws });
    await recordCheck(ws, f.slug, { digest: patchesDigest(readPatches(ws, readSeries(ws, f.slug))), date: '2026-11-21T10:00:00Z', errors: 0, warnings: 0, checks: 0 });
  });

  it('marks a mail whose transaction lost its connection as unknown, and resumes only when told what to do with it', async () => {
    err = '';
    const first = scripted(['ok', 'lost']);
    expect(await sendSeries(ws, f.slug, OPTS, io(first.transport))).toBe(1);
    expect(err).toContain('connection lost during the transaction (the server may have taken it)');
    expect(journal()?.mails.map((m) => m.state)).toEqual(['accepted', 'unknown', 'pending', 'pending']);

    err = '';
    const careful = scripted([]);
    expect(await sendSeries(ws, f.slug, { ...OPTS, resume: true }, io(careful.transport))).toBe(1);
    expect(err).toMatch(/may have been delivered.*--resume --unknown resend.*--unknown skip/s);
    expect(careful.sent).toHaveLength(0);

    const skip = scripted([]);
    expect(await sendSeries(ws, f.slug, { ...OPTS, resume: true, unknown: 'skip' }, io(skip.transport))).toBe(0);
    expect(skip.sent).toHaveLength(2); // the unknown one is counted as delivered, not sent again
    expect(skip.sent.map((s) => /^Subject: (\[PATCH \d\/3\])/m.exec(s.raw)?.[1])).toEqual(['[PATCH 2/3]', '[PATCH 3/3]']);
    const s = readSeries(ws, f.slug).data;
    expect(s.journal).toBeUndefined();
    expect(s.history?.[0]?.patches).toHaveLength(3);
    expect(s.revision).toBe(2);
  });

  it('treats a mail left "sending" by a killed process like an unknown one, and --unknown resend sends it again', async () => {
    f = makeSeriesFixture();
    ws = openWorkspace({ workspace: f.ws });
    await recordCheck(ws, f.slug, { digest: patchesDigest(readPatches(ws, readSeries(ws, f.slug))), date: '2026-11-21T10:00:00Z', errors: 0, warnings: 0, checks: 0 });
    const first = scripted(['ok', 'refused']);
    expect(await sendSeries(ws, f.slug, OPTS, io(first.transport))).toBe(1);
    expect(journal()?.mails.map((m) => m.state)).toEqual(['accepted', 'failed', 'pending', 'pending']);
    // as if the process died during the second mail's transaction
    const file = path.join(f.ws, 'series', `${f.slug}.md`);
    writeFileSync(file, readFileSync(file, 'utf8').replace('state: failed', 'state: sending'));
    err = '';
    expect(await sendSeries(ws, f.slug, { ...OPTS, resume: true }, io(scripted([]).transport))).toBe(1);
    expect(err).toContain('may have been delivered');
    const resend = scripted([{ rejected: ['reviewer@example.org'] }]);
    expect(await sendSeries(ws, f.slug, { ...OPTS, resume: true, unknown: 'resend' }, io(resend.transport))).toBe(0);
    expect(resend.sent).toHaveLength(3);
    expect(err).toContain('but the server refused reviewer@example.org');
  });

  it('refuses to resume when the patches changed since the interrupted send, and --abandon forgets it', async () => {
    f = makeSeriesFixture();
    ws = openWorkspace({ workspace: f.ws });
    await recordCheck(ws, f.slug, { digest: patchesDigest(readPatches(ws, readSeries(ws, f.slug))), date: '2026-11-21T10:00:00Z', errors: 0, warnings: 0, checks: 0 });
    expect(await sendSeries(ws, f.slug, OPTS, io(scripted(['ok', 'refused']).transport))).toBe(1);
    const patch = path.join(f.ws, 'patches', f.slug, f.patchNames[2] as string);
    writeFileSync(patch, readFileSync(patch, 'utf8').replace('fails the same way', 'fails likewise'));
    await expect(sendSeries(ws, f.slug, { ...OPTS, resume: true }, io(scripted([]).transport))).rejects.toThrow(/changed since the interrupted send/);
    await expect(sendSeries(ws, f.slug, { ...OPTS, resume: true, to: ['x@example.org'] }, io(scripted([]).transport))).rejects.toThrow(InputError);
    expect(await abandonSend(ws, f.slug)).toBe('forgot the interrupted send of v1 (1 of 4 mails had been accepted)');
    expect(journal()).toBeUndefined();
    await expect(abandonSend(ws, f.slug)).rejects.toThrow(/no interrupted send to abandon/);
  });

  it("keeps a quoted name in the journal, so a resumed mail's headers match, and the bare address in history", async () => {
    f = makeSeriesFixture();
    ws = openWorkspace({ workspace: f.ws });
    const opts = { ...OPTS, force: true, to: ['"Roe, Rick" <rick@example.org>'] };
    expect(await sendSeries(ws, f.slug, opts, io(scripted(['ok', 'refused']).transport))).toBe(1);
    expect(journal()?.mails[1]?.to).toEqual(['Bjorn Helgaas <bhelgaas@example.org>', '"Roe, Rick" <rick@example.org>']);
    const rest = scripted([]);
    expect(await sendSeries(ws, f.slug, { ...OPTS, resume: true }, io(rest.transport))).toBe(0);
    expect(rest.sent[0]?.raw).toMatch(/^To: Bjorn Helgaas <bhelgaas@example.org>, "Roe, Rick" <rick@example.org>$/m);
    expect(readSeries(ws, f.slug).data.history?.[0]?.to).toEqual(['Bjorn Helgaas <bhelgaas@example.org>', 'rick@example.org']);
  });
});
