/**
 * `quirkctl send` against a real SMTP server on 127.0.0.1 (smtp-server: STARTTLS or TLS
 * with a certificate made for the run, AUTH required), a real git repository, real
 * git am, and mailparser reading back what the server received.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { recordCheck, patchesDigest } from '../../src/series/checks.js';
import { readPatches, readSeries } from '../../src/series/store.js';
import { openWorkspace } from '../../src/workspace/workspace.js';
import { cliAsync, treeHash } from '../helpers/cli.js';
import { realComponent } from '../helpers/real.js';
import { makeSeriesFixture, SENDER, type FixtureOptions, type SeriesFixture } from '../helpers/series-fixture.js';
import { hasOpenssl, startSmtp, type TestSmtp } from '../helpers/smtp.js';

const ready = realComponent('git and openssl (the test SMTP server’s certificate)', spawnSync('git', ['--version']).status === 0 && hasOpenssl());
const PASSWORD = 's3cret-smtp-pass';

interface Setup {
  f: SeriesFixture;
  smtp: TestSmtp;
  env: NodeJS.ProcessEnv;
  send(args: string[], env?: NodeJS.ProcessEnv): ReturnType<typeof cliAsync>;
  series(): ReturnType<typeof readSeries>;
}

const servers: TestSmtp[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** What `quirkctl check` records when checkpatch passes, for tests that are not about checkpatch. */
async function checkpatchPassed(f: SeriesFixture, errors = 0): Promise<void> {
  const ws = openWorkspace({ workspace: f.ws });
  await recordCheck(ws, f.slug, { digest: patchesDigest(readPatches(ws, readSeries(ws, f.slug))), date: '2026-11-21T10:00:00Z', errors, warnings: 0, checks: 0 });
}

async function setup(o: FixtureOptions & { encryption?: 'tls' | 'ssl'; checked?: boolean } = {}): Promise<Setup> {
  const f = makeSeriesFixture(o);
  const smtp = await startSmtp({ users: { author: PASSWORD }, implicitTls: o.encryption === 'ssl' });
  servers.push(smtp);
  const config: [string, string][] = [
    ['sendemail.smtpServer', '127.0.0.1'],
    ['sendemail.smtpServerPort', String(smtp.port)],
    ['sendemail.smtpEncryption', o.encryption ?? 'tls'],
    ['sendemail.smtpUser', 'author'],
    ['sendemail.smtpSSLCertPath', smtp.certFile],
  ];
  for (const [k, v] of config) f.git(['config', '--global', k, v]);
  if (o.checked ?? true) await checkpatchPassed(f);
  const env = { ...f.env, QUIRKCTL_SMTP_PASS: PASSWORD };
  return {
    f,
    smtp,
    env,
    send: (args, e = env) => cliAsync(['send', f.slug, ...args], { cwd: f.ws, env: e }),
    series: () => readSeries(openWorkspace({ workspace: f.ws }), f.slug),
  };
}

const addresses = (p: ParsedMail, field: 'to' | 'cc') => {
  const v = p[field];
  return (Array.isArray(v) ? v : v ? [v] : []).flatMap((a) => a.value.map((x) => x.address as string));
};

/** Every file in the workspace, for proving a secret never reached the disk. */
function allText(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((n) => path.join(dir, n))
    .filter((p) => statSync(p).isFile())
    .map((p) => readFileSync(p, 'utf8'))
    .join('\n');
}

describe.runIf(ready)('send over SMTP (real server on 127.0.0.1, real git)', () => {
  it('delivers a 3-patch series as 4 threaded mails that git am turns back into the same commits', async () => {
    const t = await setup();
    const r = await t.send(['--yes']);
    expect(r.stderr).not.toContain('quirkctl:');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Sent v1: 4 mails accepted');
    const got = t.smtp.mails;
    expect(got).toHaveLength(4);
    for (const m of got) {
      expect(m.secure).toBe(true); // STARTTLS before AUTH and DATA
      expect(m.user).toBe('author');
      expect(m.from).toBe(SENDER.email);
    }
    const parsed = await Promise.all(got.map((m) => simpleParser(m.raw)));
    const [cover, ...patches] = parsed as [ParsedMail, ...ParsedMail[]];
    expect(parsed.map((p) => p.subject)).toEqual([
      '[PATCH 0/3] PCI: Keep AMD Polaris GPUs away from bus resets',
      '[PATCH 1/3] PCI: Mark AMD Polaris 10 GPUs to avoid bus reset',
      '[PATCH 2/3] PCI: Add a config-space reset for Polaris GPUs',
      '[PATCH 3/3] PCI: Cover Polaris 11 in the bus reset quirk as well, since the same failure shows up on the RX 460',
    ]);
    // b4's Message-IDs; shallow threading: every patch answers the cover, and only the cover
    const ids = parsed.map((p) => (p.messageId as string).replace(/^<|>$/g, ''));
    ids.forEach((id, i) => expect(id).toMatch(new RegExp(`^20261121-polaris-v1-${i}-[0-9a-f]{12}@example\\.org$`)));
    expect(new Set(ids.map((id) => id.split('-')[4])).size).toBe(1);
    expect(cover.inReplyTo).toBeUndefined();
    for (const p of patches) {
      expect(p.inReplyTo).toBe(`<${ids[0]}>`);
      expect(p.references).toBe(`<${ids[0]}>`);
    }
    // Dates one second apart, cover first
    const dates = parsed.map((p) => (p.date as Date).getTime());
    expect(dates.map((d) => d - (dates[0] as number))).toEqual([0, 1000, 2000, 3000]);
    // envelope = To + Cc + the patch's own Cc: trailers (all of them for the cover)
    const list = ['bhelgaas@example.org', 'linux-pci@vger.example.org'];
    expect(got.map((m) => [...m.to].sort())).toEqual([
      [...list, 'reviewer@example.org', 'stable@vger.kernel.org'].sort(),
      [...list, 'stable@vger.kernel.org'].sort(),
      [...list, 'reviewer@example.org'].sort(),
      [...list].sort(),
    ]);
    // headers name exactly the envelope: nobody hidden, nobody shown who does not get it
    parsed.forEach((p, i) => {
      expect(addresses(p, 'to')).toEqual(['bhelgaas@example.org']);
      expect([...addresses(p, 'to'), ...addresses(p, 'cc')].sort()).toEqual([...(got[i] as { to: string[] }).to].sort());
      expect(p.headers.has('bcc')).toBe(false);
      expect(p.from?.value[0]?.address).toBe(SENDER.email);
    });
    expect(readFileSync(path.join(t.f.ws, 'patches/polaris', t.f.patchNames[1] as string), 'utf8')).toContain('From: =?UTF-8?q?=C3=86lfred');
    expect(patches[1]?.text).toMatch(/^From: Ælfred Ünïcode <ae@example\.org>\n\n/); // the author, in the body
    expect(cover.text).toContain('base-commit: ' + t.f.base);
    expect(cover.text).toContain('change-id: 20261121-polaris-3f2a9c1b7e40');

    // mailparser's reading of the received mails, fed to git am on the base, gives the same commits
    const mbox = patches.map((p) => `From mailparser Mon Sep 17 00:00:00 2001\nFrom: ${p.from?.text}\nDate: ${(p.date as Date).toUTCString()}\nSubject: ${p.subject}\n\n${(p.text as string).replace(/\n*$/, '\n')}`).join('\n');
    t.f.git(['checkout', '-q', '-b', 'from-mail', t.f.base]);
    t.f.git(['am', '-q'], { input: mbox });
    const applied = t.f.git(['rev-list', '--reverse', `${t.f.base}..HEAD`]).trim().split('\n');
    expect(applied).toHaveLength(3);
    applied.forEach((sha, i) => {
      const orig = t.f.commits[i] as string;
      expect(t.f.git(['rev-parse', `${sha}^{tree}`])).toBe(t.f.git(['rev-parse', `${orig}^{tree}`]));
      expect(t.f.git(['log', '-1', '--format=%an <%ae>%n%B', sha])).toBe(t.f.git(['log', '-1', '--format=%an <%ae>%n%B', orig]));
    });

    // the posting is recorded for tracking on lore; the series moves on to v2
    const s = t.series();
    expect(s.data.journal).toBeUndefined();
    expect(s.data.state).toBe('sent');
    expect(s.data.revision).toBe(2);
    expect(s.data.history).toEqual([
      {
        revision: 1,
        date: new Date(dates[0] as number).toISOString().replace('.000Z', 'Z'),
        cover: ids[0],
        patches: ids.slice(1),
        to: ['Bjorn Helgaas <bhelgaas@example.org>'],
        cc: ['linux-pci@vger.example.org', 'stable@vger.kernel.org', 'Reviewer Person <reviewer@example.org>'],
        source: 'sent',
      },
    ]);
    expect(s.body).toContain(`Changes in v2:\n- EDITME: what changed since v1\n- Link to v1: https://lore.kernel.org/all/${ids[0]}/\n`);
    expect(allText(t.f.ws)).not.toContain(PASSWORD);
  });

  it('stops when the server drops the connection after the 3rd mail; --resume sends the rest with the same IDs and threading', async () => {
    const t = await setup();
    t.smtp.dropAfter(3);
    const first = await t.send(['--yes']);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/\[4\/4\] \[PATCH 3\/3\] .*: not sent: .*421/);
    expect(first.stderr).toContain("3 of 4 mails accepted");
    expect(first.stderr).toContain("'quirkctl send polaris --resume'");
    expect(t.smtp.mails).toHaveLength(3);
    const journal = t.series().data.journal;
    expect(journal?.mails.map((m) => m.state)).toEqual(['accepted', 'accepted', 'accepted', 'failed']);
    expect(journal?.mails[3]?.error).toMatch(/421/);

    t.smtp.recover();
    const again = await t.send(['--yes']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('a send of v1 was interrupted (3 of 4 mails accepted)');
    expect(t.smtp.mails).toHaveLength(3);

    const resumed = await t.send(['--resume', '--yes']);
    expect(resumed.stderr).toContain('[4/4]');
    expect(resumed.stderr).not.toContain('[1/4]');
    expect(resumed.code).toBe(0);
    const parsed = await Promise.all(t.smtp.mails.map((m) => simpleParser(m.raw)));
    const ids = parsed.map((p) => p.messageId);
    expect(new Set(ids).size).toBe(4); // every Message-ID received exactly once
    expect(ids).toEqual(journal?.mails.map((m) => `<${m['message-id']}>`));
    expect(parsed[3]?.inReplyTo).toBe(ids[0]);
    expect((parsed[3]?.date as Date).getTime() - (parsed[0]?.date as Date).getTime()).toBe(3000);
    const s = t.series();
    expect(s.data.journal).toBeUndefined();
    expect(s.data.history).toHaveLength(1);
    expect(s.data.revision).toBe(2);
  });

  it('shows what would go where without connecting: --dry-run, and the default without --yes', async () => {
    const t = await setup();
    const before = treeHash(t.f.ws);
    for (const args of [['--dry-run'], [], ['--dry-run', '--yes']]) {
      const r = await t.send(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`via 127.0.0.1:${t.smtp.port} (STARTTLS, as author)`);
      expect(r.stdout).toContain('To: Bjorn Helgaas <bhelgaas@example.org>\nCc: linux-pci@vger.example.org\n');
      expect(r.stdout).toMatch(/\[PATCH 1\/3\] PCI: Mark AMD Polaris 10 GPUs to avoid bus reset\n {4}<20261121-polaris-v1-1-[0-9a-f]{12}@example\.org>\n {4}\+Cc: stable@vger\.kernel\.org\n/);
      expect(r.stdout).toContain('+Cc: Reviewer Person <reviewer@example.org>');
      expect(r.stdout).toMatch(/Dry run: nothing sent|Add --yes to send/);
    }
    expect(t.smtp.connections).toBe(0);
    expect(treeHash(t.f.ws)).toBe(before);
  });

  it('blocks the send on each failed pre-flight check, and sends anyway with --force', async () => {
    const cases: { name: string; fixture: FixtureOptions & { checked?: boolean }; prepare?: (t: Setup) => Promise<void> | void; expect: RegExp }[] = [
      { name: 'EDITME', fixture: { cover: 'EDITME: say why.\n' }, expect: /FAIL {2}the cover letter still says EDITME \(series\/polaris\.md:\d+\)/ },
      { name: 'no recipients', fixture: { to: [], cc: [] }, expect: /FAIL {2}no recipients: set to\/cc in series\/polaris\.md/ },
      { name: 'checkpatch not run', fixture: { checked: false }, expect: /FAIL {2}checkpatch has not been run on these patches: run 'quirkctl check polaris'/ },
      {
        name: 'checkpatch stale',
        fixture: {},
        prepare: (t) => writeFileSync(path.join(t.f.ws, 'patches/polaris', t.f.patchNames[2] as string), readFileSync(path.join(t.f.ws, 'patches/polaris', t.f.patchNames[2] as string), 'utf8').replace('fails the same way', 'fails the very same way')),
        expect: /FAIL {2}the patches changed after checkpatch last ran/,
      },
      { name: 'checkpatch failed', fixture: {}, prepare: (t) => checkpatchPassed(t.f, 2), expect: /FAIL {2}checkpatch found 2 errors/ },
      {
        name: 'no Signed-off-by of the sender',
        fixture: {},
        prepare: (t) => void t.f.git(['config', '--global', 'sendemail.from', 'Other Sender <other@example.org>']),
        expect: /FAIL {2}no 'Signed-off-by: \.\.\. <other@example\.org>' \(the sender's\) in 0001-/,
      },
    ];
    for (const c of cases) {
      const t = await setup(c.fixture);
      await c.prepare?.(t);
      const blocked = await t.send(['--yes']);
      expect(blocked.stdout, c.name).toMatch(c.expect);
      expect(blocked.stderr, c.name).toContain('pre-flight checks failed; nothing sent');
      expect(blocked.code, c.name).toBe(1);
      expect(t.smtp.connections, c.name).toBe(0);
      expect(t.series().data.journal, c.name).toBeUndefined();
      if (c.name === 'no recipients') continue; // forced, it would go to the trailers' Ccs only
      const forced = await t.send(['--yes', '--force']);
      expect(forced.code, c.name).toBe(0);
      expect(forced.stderr, c.name).toContain('sending despite the failed pre-flight checks (--force)');
      expect(t.smtp.mails, c.name).toHaveLength(4);
    }
  });

  it('refuses addresses with line breaks, malformed ones and header injection with exit 2, sending and writing nothing', async () => {
    const t = await setup();
    const before = treeHash(t.f.ws);
    const bad: [string[], RegExp][] = [
      [['--to', 'victim@example.org\r\nBcc: spy@example.org'], /--to .*: contains a line break or control character/],
      [['--cc', 'Name <victim@example.org>\nBcc: spy@example.org'], /--cc .*: contains a line break or control character/],
      [['--to', 'not an address'], /--to "not an address": .*expected one mail address/],
      [['--to', 'victim@example.org, spy@example.org'], /--to .*: is not a single address/],
      [['--cc', 'Spy <spy@example.org>, <x@example.org>'], /--cc .*: has <, >, a comma/],
      [['--to', 'user@@example.org'], /--to "user@@example.org": 'user@' is not a plain mailbox name/],
      [['--to', 'Name <user@exa mple.org>'], /--to .*: 'exa mple.org' is not a domain name/],
    ];
    for (const [args, message] of bad) {
      const r = await t.send([...args, '--yes']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(t.smtp.connections).toBe(0);
    expect(treeHash(t.f.ws)).toBe(before);

    // the same words from the series file and from a patch's Cc: trailer
    const file = path.join(t.f.ws, 'series/polaris.md');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('cc: [ "linux-pci@vger.example.org" ]', 'cc: [ "linux-pci@vger.example.org\\r\\nBcc: spy@example.org" ]'));
    const fromFile = await t.send(['--yes']);
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toMatch(/series\/polaris\.md:\d+: cc\[0\]: expected one mail address/);
    writeFileSync(file, text);
    const patch = path.join(t.f.ws, 'patches/polaris', t.f.patchNames[0] as string);
    writeFileSync(patch, readFileSync(patch, 'utf8').replace('Cc: stable@vger.kernel.org # 6.1+', 'Cc: stable@vger.kernel.org, spy@example.org'));
    const fromTrailer = await t.send(['--yes', '--force']);
    expect(fromTrailer.code).toBe(2);
    expect(fromTrailer.stderr).toMatch(/patches\/polaris\/0001-[^:]+:\d+: Cc: Cc: .*is not a single address/);
    expect(t.smtp.connections).toBe(0);
    expect(t.smtp.mails).toHaveLength(0);
  });

  it('takes the password from git credential fill and speaks TLS from the start with smtpEncryption ssl', async () => {
    const t = await setup({ encryption: 'ssl' });
    const asked = path.join(t.f.home, 'credential-request');
    t.f.git(['config', '--global', 'credential.helper', `!f() { test "$1" = get || exit 0; cat > ${asked}; printf 'username=author\\npassword=${PASSWORD}\\n'; }; f`]);
    const env = { ...t.f.env };
    const r = await t.send(['--yes'], env);
    expect(r.stderr).not.toContain('quirkctl:');
    expect(r.code).toBe(0);
    expect(t.smtp.mails).toHaveLength(4);
    expect(t.smtp.mails.every((m) => m.secure && m.user === 'author')).toBe(true);
    expect(readFileSync(asked, 'utf8')).toBe(`protocol=smtp\nhost=127.0.0.1:${t.smtp.port}\nusername=author\n`);
    expect(allText(t.f.ws)).not.toContain(PASSWORD);
  });

  it('reports a refused login clearly and leaves no journal behind', async () => {
    const t = await setup();
    const r = await t.send(['--yes'], { ...t.env, QUIRKCTL_SMTP_PASS: 'wrong' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/quirkctl: 127\.0\.0\.1 refused the login of author: .*535/);
    expect(t.smtp.failedLogins).toBe(1);
    expect(t.smtp.mails).toHaveLength(0);
    expect(t.series().data.journal).toBeUndefined();
  });

  it('--reflect delivers to the sender only, with the headers the list would see, and records nothing', async () => {
    const t = await setup();
    const r = await t.send(['--reflect', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('REFLECTED');
    expect(t.smtp.mails).toHaveLength(4);
    expect(t.smtp.mails.every((m) => m.to.length === 1 && m.to[0] === SENDER.email)).toBe(true);
    const cover = await simpleParser((t.smtp.mails[0] as { raw: string }).raw);
    expect(addresses(cover, 'to')).toEqual(['bhelgaas@example.org']);
    const s = t.series();
    expect(s.data).toMatchObject({ revision: 1, state: 'drafted' });
    expect(s.data.history).toBeUndefined();
    expect(s.data.journal).toBeUndefined();
  });
});
