/**
 * Sending over SMTP the way git send-email is configured: sendemail.smtpServer,
 * smtpServerPort, smtpEncryption (ssl: TLS from the start, tls: STARTTLS), smtpUser,
 * smtpDomain, smtpSSLCertPath and from, read from git's configuration. The transport
 * is nodemailer's SMTP connection, kept open across the mails of a series and opened
 * again only when the server closed it while idle; every failure says whether the
 * mail could have been accepted, which is what the send journal needs to know.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { InputError } from '../errors.js';
import { mailboxOf, parseMailbox, type Mailbox } from './address.js';

export type Encryption = 'none' | 'ssl' | 'tls';

export interface SmtpSettings {
  server: string;
  port: number;
  /** Whether the port was configured: git's credential host is `server:port` only then. */
  portSet: boolean;
  encryption: Encryption;
  user?: string;
  /** EHLO name. */
  domain?: string;
  /** PEM certificates to trust instead of the system's; `verify: false` when smtpSSLCertPath is empty. */
  ca?: string[];
  verify: boolean;
}

const CONFIG_HINT = 'git config --global sendemail.smtpServer smtp.example.org (and smtpServerPort, smtpEncryption ssl|tls, smtpUser)';

function readCertificates(where: string): string[] {
  try {
    const files = statSync(where).isDirectory() ? readdirSync(where).filter((f) => /\.(pem|crt)$/.test(f)).map((f) => path.join(where, f)) : [where];
    return files.map((f) => readFileSync(f, 'utf8'));
  } catch (e) {
    throw new InputError(`git config sendemail.smtpSSLCertPath '${where}': ${(e as Error).message}`);
  }
}

/** The SMTP settings from git's configuration (keys lower-cased); exit 2 when they are unusable. */
export function smtpSettings(config: Map<string, string>): SmtpSettings {
  const server = config.get('sendemail.smtpserver');
  if (!server) throw new InputError(`no SMTP server: git config sendemail.smtpServer is not set; ${CONFIG_HINT}`);
  if (server.startsWith('/')) throw new InputError(`git config sendemail.smtpServer '${server}': quirkctl sends over SMTP only, not through a sendmail program; ${CONFIG_HINT}`);
  if (!/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(server)) throw new InputError(`git config sendemail.smtpServer '${server}': expected a host name or address`);
  const raw = (config.get('sendemail.smtpencryption') ?? '').toLowerCase();
  const encryption: Encryption | undefined = ({ '': 'none', none: 'none', ssl: 'ssl', 'ssl/tls': 'ssl', tls: 'tls', starttls: 'tls' } as Record<string, Encryption>)[raw];
  if (!encryption) throw new InputError(`git config sendemail.smtpEncryption '${raw}': expected ssl (TLS from the start, port 465) or tls (STARTTLS)`);
  const portText = config.get('sendemail.smtpserverport');
  const port = portText === undefined ? (encryption === 'ssl' ? 465 : 25) : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InputError(`git config sendemail.smtpServerPort '${portText}': expected a port number`);
  const certPath = config.get('sendemail.smtpsslcertpath');
  const user = config.get('sendemail.smtpuser');
  const domain = config.get('sendemail.smtpdomain');
  return {
    server: server.replace(/^\[|\]$/g, ''),
    port,
    portSet: portText !== undefined,
    encryption,
    ...(user ? { user } : {}),
    ...(domain ? { domain } : {}),
    ...(certPath ? { ca: readCertificates(certPath) } : {}),
    verify: certPath !== '',
  };
}

/** Who the mails are from: sendemail.from, else user.name and user.email, as git send-email decides. */
export function senderIdentity(config: Map<string, string>): Mailbox {
  const from = config.get('sendemail.from');
  if (from) return parseMailbox(from, 'git config sendemail.from');
  const name = config.get('user.name');
  const email = config.get('user.email');
  if (!email) throw new InputError('no sender identity: set git config user.name and user.email (or sendemail.from)');
  return mailboxOf(name, email, 'git config user.email');
}

export function describeSmtp(s: SmtpSettings): string {
  const how = s.encryption === 'ssl' ? 'TLS' : s.encryption === 'tls' ? 'STARTTLS' : 'no encryption';
  return `${s.server}:${s.port} (${how}${s.user ? `, as ${s.user}` : ''})`;
}

/** A failed SMTP transaction; `maybeDelivered` when the connection broke before the server answered. */
export class SendError extends Error {
  constructor(
    message: string,
    readonly maybeDelivered: boolean,
  ) {
    super(message);
  }
}

export interface SendResult {
  accepted: string[];
  rejected: string[];
  response: string;
}

export interface MailTransport {
  /** Connects and logs in, so that a wrong server or password shows before anything is sent. */
  open(): Promise<void>;
  send(from: string, to: string[], raw: string): Promise<SendResult>;
  close(): void;
}

function explain(e: Error & { code?: string; response?: string }, s: SmtpSettings): string {
  const msg = e.message.replace(/\s+/g, ' ').trim();
  if (e.code === 'EAUTH') return `${s.server} refused the login of ${s.user ?? '(no user)'}: ${msg}`;
  if (/certificate|self.signed|unable to verify/i.test(msg)) {
    return `TLS with ${s.server}: ${msg}; if the server's certificate is not signed by a CA this machine trusts, point git config sendemail.smtpSSLCertPath at it`;
  }
  if (/^(ECONNECTION|ESOCKET|ETIMEDOUT|EDNS)$/.test(e.code ?? '')) return `SMTP server ${s.server}:${s.port}: ${msg} (git config sendemail.smtpServer, smtpServerPort)`;
  return msg;
}

/** An SMTP connection to the configured server, opened on the first mail. */
export function smtpTransport(s: SmtpSettings, password: string | undefined): MailTransport {
  let conn: SMTPConnection | undefined;

  const open = async (): Promise<SMTPConnection> => {
    if (conn && !conn.destroyed) return conn;
    const c = new SMTPConnection({
      host: s.server,
      port: s.port,
      secure: s.encryption === 'ssl',
      requireTLS: s.encryption === 'tls',
      ignoreTLS: s.encryption === 'none',
      ...(s.domain ? { name: s.domain } : {}),
      tls: { rejectUnauthorized: s.verify, ...(s.ca ? { ca: s.ca } : {}) },
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 120_000,
    });
    await new Promise<void>((resolve, reject) => {
      c.once('error', reject);
      c.connect((err) => (err ? reject(err) : resolve()));
    }).catch((e: Error) => {
      c.close();
      throw new SendError(explain(e, s), false);
    });
    // Errors of a transaction in flight reach its callback; the event would otherwise be unhandled.
    c.on('error', () => undefined);
    if (s.user) {
      await new Promise<void>((resolve, reject) => c.login({ user: s.user, pass: password ?? '' }, (err) => (err ? reject(err) : resolve()))).catch((e: Error) => {
        c.close();
        throw new SendError(explain(e, s), false);
      });
    }
    conn = c;
    return c;
  };

  return {
    async open() {
      await open();
    },
    async send(from, to, raw) {
      const c = await open();
      return new Promise<SendResult>((resolve, reject) => {
        c.send({ from, to }, raw, (err, info) => {
          if (err) {
            const e = err as Error & { responseCode?: number; command?: string };
            // An answer from the server means it did not take the mail, as does a refusal by the
            // client itself ('API'); a connection lost without an answer means it may have.
            reject(new SendError(explain(e, s), typeof e.responseCode !== 'number' && e.command !== 'API'));
          } else resolve({ accepted: info?.accepted ?? [], rejected: info?.rejected ?? [], response: info?.response ?? '' });
        });
      });
    },
    close() {
      if (conn && !conn.destroyed) conn.quit();
    },
  };
}
