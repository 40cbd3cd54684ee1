/**
 * A real public-inbox on 127.0.0.1, as lore.kernel.org runs it: a v2 inbox with Xapian
 * search, mail delivered by public-inbox-mda, served by public-inbox-httpd. Everything
 * lives in a temporary directory (PI_CONFIG and HOME point into it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import path from 'node:path';
import { tempDir } from './cli.js';
import { realComponent } from './real.js';

export const hasPublicInbox = realComponent(
  'public-inbox with Xapian search (public-inbox, libsearch-xapian-perl)',
  existsSync('/usr/bin/public-inbox-httpd') && spawnSync('perl', ['-MSearch::Xapian', '-e', '1']).status === 0,
);

export interface PublicInbox {
  /** Base URL of the inbox, like https://lore.kernel.org/linux-pci. */
  url: string;
  address: string;
  /**
   * Delivers raw mails (an mbox From_ line is allowed), indexes them, and waits until the
   * server's search sees them. public-inbox-httpd keeps its view of the Xapian index until
   * an idle timer (30 s) drops it, as lore lags a little too; a SIGHUP reloads it at once.
   */
  deliver(mails: string[]): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ host: '127.0.0.1', port }, () => {
      c.end();
      resolve(true);
    });
    c.on('error', () => resolve(false));
  });
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): void {
  const r = spawnSync(cmd, args, { env, input: input ?? '', encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
}

export async function startPublicInbox(name = 'linux-pci'): Promise<PublicInbox> {
  const dir = tempDir('quirkctl-pi-');
  const address = `${name}@vger.example.org`;
  const env = { ...process.env, HOME: dir, PI_CONFIG: path.join(dir, 'config') };
  const inbox = path.join(dir, name);
  run('public-inbox-init', ['-V2', name, inbox, `http://127.0.0.1/${name}`, address], env);
  run('git', ['config', '-f', env.PI_CONFIG, 'publicinboxmda.spamcheck', 'none'], env);

  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    const c = spawn('public-inbox-httpd', ['-W0', '-l', `http://127.0.0.1:${port}`], { env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    c.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    for (let i = 0; i < 100 && c.exitCode === null; i++) {
      if (await listening(port)) {
        child = c;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!child) {
      if (c.exitCode === null) process.kill(-c.pid!, 'SIGKILL');
      if (attempt === 4) throw new Error(`public-inbox-httpd did not start: ${stderr}`);
    }
  }
  const httpd = child!;
  return {
    url: `http://127.0.0.1:${port}/${name}`,
    address,
    async deliver(mails: string[]) {
      for (const mail of mails) run('public-inbox-mda', ['--no-precheck'], { ...env, ORIGINAL_RECIPIENT: address }, mail);
      run('public-inbox-index', [inbox], env);
      process.kill(httpd.pid!, 'SIGHUP');
      const ids = mails.map((m) => /^Message-ID:\s*<([^>]+)>/im.exec(m)?.[1]).filter((id): id is string => !!id);
      for (const id of ids) {
        for (let i = 0; ; i++) {
          const r = await fetch(`http://127.0.0.1:${port}/${name}/?q=${encodeURIComponent(`m:${id}`)}&x=m`, { method: 'POST' });
          await r.body?.cancel();
          if (r.status === 200) break;
          if (i === 50) throw new Error(`public-inbox: <${id}> delivered but not searchable after 10 s`);
          await new Promise((res) => setTimeout(res, 200));
        }
      }
    },
    async stop() {
      if (httpd.exitCode === null) {
        const exited = new Promise((r) => httpd.once('exit', r));
        process.kill(-httpd.pid!, 'SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
