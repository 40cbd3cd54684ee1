/**
 * A real SMTP server on 127.0.0.1 for the send tests (the smtp-server package): STARTTLS
 * or TLS from the start with a self-signed certificate made for the run, AUTH required,
 * every received mail recorded with its envelope, every TCP connection counted, and a
 * way to drop the connection after the Nth mail and refuse service until told to recover.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { tempDir } from './cli.js';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  /** TLS was on when the mail came in. */
  secure: boolean;
  user: string | undefined;
}

export interface TestSmtp {
  port: number;
  /** PEM file of the server's certificate, for sendemail.smtpSSLCertPath. */
  certFile: string;
  mails: ReceivedMail[];
  /** TCP connections accepted so far. */
  connections: number;
  /** Logins refused so far. */
  failedLogins: number;
  /** After the nth accepted mail (counted from now), close the connection and refuse service. */
  dropAfter(n: number): void;
  /** Serve again after a drop. */
  recover(): void;
  close(): Promise<void>;
}

let certDir: string | undefined;

/** A self-signed certificate for 127.0.0.1 and localhost, made once per test run. */
export function selfSignedCertificate(): { key: string; cert: string; certFile: string } {
  if (!certDir) {
    certDir = tempDir('quirkctl-smtp-cert-');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', path.join(certDir, 'key.pem'), '-out', path.join(certDir, 'cert.pem')], { stdio: 'ignore' });
  }
  const certFile = path.join(certDir, 'cert.pem');
  return { key: readFileSync(path.join(certDir, 'key.pem'), 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

export function hasOpenssl(): boolean {
  return ['/usr/bin/openssl', '/bin/openssl'].some((p) => existsSync(p));
}

export async function startSmtp(opts: { users: Record<string, string>; implicitTls?: boolean }): Promise<TestSmtp> {
  const { key, cert, certFile } = selfSignedCertificate();
  let dropAt: number | undefined;
  let down = false;
  const state = { mails: [] as ReceivedMail[], connections: 0, failedLogins: 0 };
  const server: SMTPServer = new SMTPServer({
    secure: opts.implicitTls ?? false,
    key,
    cert,
    logger: false,
    authMethods: ['PLAIN', 'LOGIN'],
    // AUTH only after STARTTLS: a client that does not upgrade cannot log in.
    allowInsecureAuth: false,
    onConnect(_session, cb) {
      if (down) return cb(Object.assign(new Error('Service not available, closing transmission channel'), { responseCode: 421 }));
      cb();
    },
    onAuth(auth, _session, cb) {
      if (auth.username && opts.users[auth.username] === auth.password) return cb(null, { user: auth.username });
      state.failedLogins++;
      cb(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        state.mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8').replace(/\r\n/g, '\n'),
          secure: session.secure,
          user: session.user as string | undefined,
        });
        cb(null);
        if (dropAt !== undefined && state.mails.length >= dropAt) {
          down = true;
          dropAt = undefined;
          const conn = [...(server as unknown as { connections: Set<{ session: { id: string }; _socket: { end(): void } }> }).connections].find((c) => c.session.id === session.id);
          setImmediate(() => conn?._socket.end());
        }
      });
    },
  });
  server.server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    certFile,
    get mails() {
      return state.mails;
    },
    get connections() {
      return state.connections;
    },
    get failedLogins() {
      return state.failedLogins;
    },
    dropAfter(n) {
      dropAt = state.mails.length + n;
    },
    recover() {
      down = false;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
