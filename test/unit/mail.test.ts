import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { formatMailbox, parseMailbox, showMailbox, uniqueMailboxes } from '../../src/mail/address.js';
import { addressListHeader, decodeHeader, nameAddrHeader, rfc2822Date, subjectHeader } from '../../src/mail/headers.js';
import { seriesMessageId } from '../../src/mail/message-id.js';
import { senderIdentity, smtpSettings } from '../../src/mail/smtp.js';
import { gitWrap } from '../../src/lib/wrap.js';

describe('mail addresses', () => {
  it('reads the forms people type', () => {
    expect(parseMailbox('user@example.org', 'x')).toEqual({ address: 'user@example.org' });
    expect(parseMailbox('  Bjorn Helgaas <bhelgaas@google.com> ', 'x')).toEqual({ name: 'Bjorn Helgaas', address: 'bhelgaas@google.com' });
    expect(parseMailbox('"Doe, Jane" <jane@example.org>', 'x')).toEqual({ name: 'Doe, Jane', address: 'jane@example.org' });
    expect(parseMailbox('<jane@example.org>', 'x')).toEqual({ address: 'jane@example.org' });
    expect(parseMailbox('Ælfred Ünïcode <ae@example.org>', 'x')).toEqual({ name: 'Ælfred Ünïcode', address: 'ae@example.org' });
  });

  it.each([
    ['a@example.org\r\nBcc: spy@example.org', /line break or control character/],
    ['a@example.org\nBcc: spy@example.org', /line break or control character/],
    ['Name\t<a@example.org>', /control character/],
    ['a@example.org, b@example.org', /not a single address/],
    ['a@example.org;b@example.org', /not a single address/],
    ['Spy <spy@example.org>, <x@example.org>', /has <, >, a comma/],
    ['group: a@example.org;', /not a single address/],
    ['"unbalanced " quote" <a@example.org>', /unbalanced quote/],
    ['a@', /no user@domain form/],
    ['@example.org', /no user@domain form/],
    ['"quoted local"@example.org', /not a single address/],
    ['Name <a@-bad-.org>', /not a domain name/],
    ['Name <ä@example.org>', /not a plain mailbox name/],
    ['', /is empty/],
  ])('refuses %j', (text, why) => {
    expect(() => parseMailbox(text, '--to')).toThrow(InputError);
    expect(() => parseMailbox(text, '--to')).toThrow(why);
  });

  it('writes names for headers as git does: encoded when not ASCII, quoted when special', () => {
    expect(formatMailbox({ name: 'A U Thor', address: 'a@example.org' })).toBe('A U Thor <a@example.org>');
    expect(formatMailbox({ name: 'Doe, Jane', address: 'j@example.org' })).toBe('"Doe, Jane" <j@example.org>');
    expect(formatMailbox({ name: 'Ælfred Ünïcode', address: 'ae@example.org' })).toBe('=?UTF-8?q?=C3=86lfred=20=C3=9Cn=C3=AFcode?= <ae@example.org>');
    expect(decodeHeader(formatMailbox({ name: 'Ælfred Ünïcode', address: 'ae@example.org' }))).toBe('Ælfred Ünïcode <ae@example.org>');
  });

  it('shows mailboxes so that they read back the same, quoting names only when needed', () => {
    for (const m of [{ name: 'Doe, Jane', address: 'j@example.org' }, { name: 'Jo "JJ" Doe', address: 'jj@example.org' }, { name: 'A. U. Thor', address: 'a@example.org' }, { address: 'b@example.org' }]) {
      expect(parseMailbox(showMailbox(m), 'x')).toEqual(m);
    }
    expect(showMailbox({ name: 'Doe, Jane', address: 'j@example.org' })).toBe('"Doe, Jane" <j@example.org>');
    expect(showMailbox({ name: 'A. U. Thor', address: 'a@example.org' })).toBe('A. U. Thor <a@example.org>');
  });

  it('keeps one recipient per address, first spelling', () => {
    const list = [{ address: 'A@example.org' }, { name: 'A', address: 'a@example.org' }, { address: 'b@example.org' }];
    expect(uniqueMailboxes(list, [{ address: 'b@EXAMPLE.org' }])).toEqual([{ address: 'A@example.org' }]);
  });
});

describe('headers as git writes them', () => {
  it('folds long ASCII subjects at word boundaries, 78 columns', () => {
    expect(subjectHeader('[PATCH v2 1/3]', 'PCI: Mark Polaris GPUs to avoid bus reset because the card stops responding forever after reset')).toBe(
      'Subject: [PATCH v2 1/3] PCI: Mark Polaris GPUs to avoid bus reset because the\n card stops responding forever after reset',
    );
  });

  it('Q-encodes non-ASCII subjects in words of at most 76 columns, never splitting a character', () => {
    expect(subjectHeader('[PATCH v2 2/3]', 'PCI: Add ünicode thing')).toBe('Subject: [PATCH v2 2/3] =?UTF-8?q?PCI:=20Add=20=C3=BCnicode=20thing?=');
    const long = subjectHeader('[PATCH]', 'PCI: ünïcödé '.repeat(6).trim());
    for (const line of long.split('\n')) expect(line.length).toBeLessThanOrEqual(76);
    expect(decodeHeader(long.slice('Subject: '.length))).toBe(`[PATCH] ${'PCI: ünïcödé '.repeat(6).trim()}`);
    expect(long).not.toMatch(/=C3\?=\n/);
  });

  it('puts From: names as git does', () => {
    expect(nameAddrHeader('From', 'A. U. Thor', 'a@example.org')).toBe('From: "A. U. Thor" <a@example.org>');
    expect(nameAddrHeader('From', undefined, 'a@example.org')).toBe('From: a@example.org');
  });

  it('dates in RFC 2822, day unpadded, in the given offset', () => {
    const d = new Date('2026-11-01T05:06:07Z');
    expect(rfc2822Date(d, 0)).toBe('Sun, 1 Nov 2026 05:06:07 +0000');
    expect(rfc2822Date(d, -330)).toBe('Sat, 31 Oct 2026 23:36:07 -0530');
  });

  it('folds long address lists one address a line', () => {
    const many = Array.from({ length: 5 }, (_, i) => `person-number-${i}@example.org`);
    expect(addressListHeader('Cc', many.slice(0, 2))).toBe('Cc: person-number-0@example.org, person-number-1@example.org');
    expect(addressListHeader('Cc', many)).toBe(`Cc: ${many.join(',\n\t')}`);
  });

  it('wraps like git: indents, hanging lines, a word too long stays whole', () => {
    expect(gitWrap('one two three four', 2, 4, 12)).toBe('  one two\n    three\n    four');
    expect(gitWrap('averyveryverylongword x', 0, 1, 10)).toBe('averyveryverylongword\n x');
  });
});

describe('b4 Message-IDs', () => {
  it('carries the change-id without its hex, the revision, the number and one token per posting', () => {
    expect(seriesMessageId('20261121-polaris-3f2a9c1b7e40', 3, 0, '0123456789ab', 'example.org')).toBe('20261121-polaris-v3-0-0123456789ab@example.org');
  });
});

describe("git's sendemail.* settings", () => {
  const cfg = (o: Record<string, string>) => new Map(Object.entries(o));
  it('reads server, port, encryption and user as git send-email does', () => {
    expect(smtpSettings(cfg({ 'sendemail.smtpserver': 'smtp.example.org', 'sendemail.smtpencryption': 'ssl', 'sendemail.smtpuser': 'me' }))).toMatchObject({ server: 'smtp.example.org', port: 465, encryption: 'ssl', user: 'me', portSet: false, verify: true });
    expect(smtpSettings(cfg({ 'sendemail.smtpserver': 'smtp.example.org', 'sendemail.smtpencryption': 'tls' }))).toMatchObject({ port: 25, encryption: 'tls' });
    expect(smtpSettings(cfg({ 'sendemail.smtpserver': 'smtp.example.org', 'sendemail.smtpserverport': '587', 'sendemail.smtpsslcertpath': '' }))).toMatchObject({ port: 587, portSet: true, encryption: 'none', verify: false });
  });

  it.each([
    [{}, /sendemail.smtpServer is not set/],
    [{ 'sendemail.smtpserver': '/usr/sbin/sendmail' }, /over SMTP only, not through a sendmail program/],
    [{ 'sendemail.smtpserver': 'smtp.example.org', 'sendemail.smtpencryption': 'tsl' }, /smtpEncryption 'tsl': expected ssl .* or tls/],
    [{ 'sendemail.smtpserver': 'smtp.example.org', 'sendemail.smtpserverport': '99999' }, /smtpServerPort '99999': expected a port number/],
    [{ 'sendemail.smtpserver': 'smtp.example.org\nx' }, /expected a host name/],
  ])('refuses %j with exit 2', (o, why) => {
    expect(() => smtpSettings(cfg(o as Record<string, string>))).toThrow(why);
  });

  it('takes the sender from sendemail.from, else user.name and user.email', () => {
    expect(senderIdentity(cfg({ 'user.name': 'A U Thor', 'user.email': 'a@example.org' }))).toEqual({ name: 'A U Thor', address: 'a@example.org' });
    expect(senderIdentity(cfg({ 'user.name': 'Doe, Jane', 'user.email': 'j@example.org' }))).toEqual({ name: 'Doe, Jane', address: 'j@example.org' });
    expect(senderIdentity(cfg({ 'sendemail.from': 'Other <o@example.org>', 'user.email': 'a@example.org' }))).toEqual({ name: 'Other', address: 'o@example.org' });
    expect(() => senderIdentity(cfg({ 'user.name': 'x' }))).toThrow(/set git config user.name and user.email/);
    expect(() => senderIdentity(cfg({ 'user.name': 'x\ny', 'user.email': 'a@example.org' }))).toThrow(/line break/);
  });
});
