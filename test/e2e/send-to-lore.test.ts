/**
 * The whole way round: `quirkctl send` to a real SMTP server on 127.0.0.1, the mails it
 * accepted delivered into a real public-inbox, replies from reviewers and the maintainer,
 * then `quirkctl track` reading them back from public-inbox-httpd by the Message-IDs
 * that send recorded, and `quirkctl trailers --update` putting them into the patches.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { patchesDigest, recordCheck } from '../../src/series/checks.js';
import { readPatches, readSeries } from '../../src/series/store.js';
import { openWorkspace } from '../../src/workspace/workspace.js';
import { cliAsync } from '../helpers/cli.js';
import { reply, subjectOf } from '../helpers/mails.js';
import { hasPublicInbox, startPublicInbox, type PublicInbox } from '../helpers/public-inbox.js';
import { makeSeriesFixture } from '../helpers/series-fixture.js';
import { hasOpenssl, startSmtp, type TestSmtp } from '../helpers/smtp.js';

const stop: (PublicInbox | TestSmtp)[] = [];
afterAll(async () => {
  await Promise.all(stop.map((s) => ('stop' in s ? s.stop() : s.close())));
});

describe.runIf(hasPublicInbox && hasOpenssl())('send, then track on lore', () => {
  it('a series sent by quirkctl send is followed on public-inbox: trailers per patch, applied branch, trailers into the patches', async () => {
    const pi = await startPublicInbox();
    stop.push(pi);
    const smtp = await startSmtp({ users: { author: 'pw' } });
    stop.push(smtp);

    const f = makeSeriesFixture({ to: ['Bjorn Helgaas <bhelgaas@example.org>'], cc: [pi.address] });
    for (const [k, v] of [
      ['sendemail.smtpServer', '127.0.0.1'],
      ['sendemail.smtpServerPort', String(smtp.port)],
      ['sendemail.smtpEncryption', 'tls'],
      ['sendemail.smtpUser', 'author'],
      ['sendemail.smtpSSLCertPath', smtp.certFile],
    ]) {
      f.git(['config', '--global', k as string, v as string]);
    }
    const ws = openWorkspace({ workspace: f.ws });
    await recordCheck(ws, f.slug, { digest: patchesDigest(readPatches(ws, readSeries(ws, f.slug))), date: '2026-11-21T10:00:00Z', errors: 0, warnings: 0, checks: 0 });
    const env = { ...f.env, QUIRKCTL_SMTP_PASS: 'pw' };

    const sent = await cliAsync(['send', f.slug, '--yes'], { cwd: f.ws, env });
    expect(sent.stderr).not.toContain('quirkctl:');
    expect(sent.code).toBe(0);
    expect(smtp.mails).toHaveLength(4);
    // What the list received is what lore archives.
    const listMails = smtp.mails.filter((m) => m.to.includes(pi.address)).map((m) => m.raw);
    expect(listMails).toHaveLength(4);

    const history = readSeries(ws, f.slug).data.history ?? [];
    expect(history).toHaveLength(1);
    const cover = history[0]?.cover as string;
    const [p1, p2, p3] = history[0]?.patches as [string, string, string];
    expect([cover, p1, p2, p3].every((id) => listMails.some((m) => m.includes(`<${id}>`)))).toBe(true);

    await pi.deliver([
      ...listMails,
      reply({ from: 'Rob Reviewer <rob@example.org>', id: 'rob-1@example.org', to: p2, refs: [cover, p2], subject: subjectOf(listMails[2] as string), body: '> +\treturn 0;\n\nLooks right to me.\n\nReviewed-by: Rob Reviewer <rob@example.org>' }),
      reply({ from: 'Carol Maintainer <carol@example.org>', id: 'carol-1@example.org', to: cover, refs: [cover], subject: subjectOf(listMails[0] as string), body: 'For the series:\n\nAcked-by: Carol Maintainer <carol@example.org>' }),
      reply({ from: 'Bjorn Helgaas <bhelgaas@example.org>', id: 'bjorn-1@example.org', to: cover, refs: [cover], subject: subjectOf(listMails[0] as string), body: 'Applied to pci/virtualization, thanks!' }),
    ]);

    const tracked = await cliAsync(['track', f.slug, '--lore', pi.url, '--json'], { cwd: f.ws, env });
    expect(tracked.stderr).not.toMatch(/warning|quirkctl:/);
    expect(tracked.code).toBe(0);
    const [outcome] = JSON.parse(tracked.stdout) as { state: string; review: { revisions: { branch: string; trailers: { patch: number; key: string; address: string }[] }[] } }[];
    expect(outcome?.state).toBe('applied');
    const rev = outcome?.review.revisions[0];
    expect(rev?.branch).toBe('pci/virtualization');
    expect(rev?.trailers.map((t) => [t.patch, t.key, t.address])).toEqual([
      [2, 'Reviewed-by', 'rob@example.org'],
      [0, 'Acked-by', 'carol@example.org'],
    ]);

    const status = await cliAsync(['status', f.slug], { cwd: f.ws, env });
    expect(status.stdout).toMatch(/^SERIES +REV +STATE .*\npolaris +v1 +applied \(pci\/virtualization\) /);

    const updated = await cliAsync(['trailers', f.slug, '--update'], { cwd: f.ws, env });
    expect(updated.code).toBe(0);
    const patch2 = readFileSync(path.join(f.ws, 'patches', f.slug, f.patchNames[1] as string), 'utf8');
    expect(patch2).toMatch(/Signed-off-by: A U Thor <author@example\.org>\nReviewed-by: Rob Reviewer <rob@example\.org>\nAcked-by: Carol Maintainer <carol@example\.org>\n---\n/);
    const patch1 = readFileSync(path.join(f.ws, 'patches', f.slug, f.patchNames[0] as string), 'utf8');
    expect(patch1).toContain('Acked-by: Carol Maintainer <carol@example.org>');
    expect(patch1).not.toContain('Reviewed-by: Rob');
  });
});
