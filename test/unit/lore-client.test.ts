/**
 * The client's failure handling against a small fake HTTP server on 127.0.0.1 (the main
 * path is tested against the real public-inbox-httpd in test/e2e/lore-track.test.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { LoreClient, msgidPath } from '../../src/lore/client.js';
import { cliAsync, freshWorkspace, treeHash } from '../helpers/cli.js';

const servers: Server[] = [];

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/all`;
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const mbox = 'From mboxrd@z Thu Jan  1 00:00:00 1970\nMessage-ID: <a@x>\nSubject: [PATCH] x\n\nbody\n\n';
const fast = { backoffMs: 10, timeoutMs: 2000 };

describe('LoreClient', () => {
  it('retries 5xx answers with backoff and succeeds on the third attempt', async () => {
    let calls = 0;
    const base = await serve((req, res) => {
      calls++;
      if (calls <= 2) {
        res.writeHead(500).end('busy');
        return;
      }
      expect(req.url).toBe('/all/a@x/t.mbox.gz');
      res.writeHead(200, { 'content-type': 'application/gzip' }).end(gzipSync(mbox));
    });
    const client = new LoreClient(base, fast);
    const r = await client.thread('a@x');
    expect(r.notModified).toBe(false);
    expect(r.notModified ? '' : r.body.toString()).toBe(mbox);
    expect(client.stats.requests).toBe(3);
  });

  it('gives up after the retries with the last error named', async () => {
    const base = await serve((_req, res) => res.writeHead(503, 'Service Unavailable').end());
    const client = new LoreClient(base, { ...fast, retries: 2 });
    await expect(client.thread('a@x')).rejects.toThrow(/thread of <a@x>: .*t\.mbox\.gz failed after 3 attempts: HTTP 503 Service Unavailable/);
  });

  it('stops a gzip bomb at the cap with a clear error', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const base = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/gzip' }).end(bomb));
    expect(bomb.length).toBeLessThan(100_000);
    const client = new LoreClient(base, { ...fast, maxBytes: 1024 * 1024 });
    await expect(client.thread('a@x')).rejects.toThrow(/inflates to more than 1048576 bytes; stopped reading/);
  });

  it('stops a body that is too large as sent, or inflated by Content-Encoding', async () => {
    const base = await serve((_req, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(Buffer.alloc(8 * 1024 * 1024))));
    const client = new LoreClient(base, { ...fast, maxBytes: 1024 * 1024 });
    await expect(client.newAtom()).rejects.toThrow(/larger than 1048576 bytes; stopped reading/);
  });

  it('says clearly what a 404 and a 410 mean; a search 404 is "no match"', async () => {
    const base = await serve((req, res) => res.writeHead(req.url!.includes('gone') ? 410 : 404).end());
    const client = new LoreClient(base, fast);
    await expect(client.thread('a@x')).rejects.toThrow(/thread of <a@x>: not found at http:\/\/127\.0\.0\.1:\d+\/all \(404\): not archived there \(yet\), or the wrong inbox/);
    await expect(client.thread('gone@x')).rejects.toThrow(/thread of <gone@x>: gone from .* \(410\)/);
    expect(await client.search('s:"nothing"')).toBeNull();
  });

  it('times out a server that does not answer', async () => {
    const base = await serve(() => undefined);
    const client = new LoreClient(base, { backoffMs: 10, timeoutMs: 150, retries: 1 });
    await expect(client.thread('a@x')).rejects.toThrow(/failed after 2 attempts: no answer within 150 ms/);
  });

  it('makes a conditional GET from validators and takes a 304 as unchanged', async () => {
    const base = await serve((req, res) => {
      if (req.headers['if-none-match'] === '"v1"') res.writeHead(304).end();
      else res.writeHead(200, { etag: '"v1"', 'last-modified': 'Sat, 21 Nov 2026 10:00:00 GMT' }).end(gzipSync(mbox));
    });
    const client = new LoreClient(base, fast);
    const first = await client.thread('a@x');
    expect(first.validators).toEqual({ etag: '"v1"', lastModified: 'Sat, 21 Nov 2026 10:00:00 GMT' });
    const second = await client.thread('a@x', first.validators);
    expect(second).toEqual({ notModified: true, validators: first.validators });
    expect(client.stats.bytes).toBeGreaterThan(0);
  });

  it('escapes / in Message-IDs as public-inbox wants', () => {
    expect(msgidPath('<a/b+c=d@x.org>')).toBe('a%2Fb+c=d@x.org');
  });
});

describe('quirkctl track when lore fails', () => {
  function trackedWorkspace(base: string): string {
    const ws = freshWorkspace();
    writeFileSync(path.join(ws, 'quirkctl.yaml'), `version: 1\nlore: { url: "${base}" }\n`);
    mkdirSync(path.join(ws, 'series'), { recursive: true });
    writeFileSync(
      path.join(ws, 'series', 'x.md'),
      '---\nsubject: "PCI: x"\nchange-id: 20261121-x-000000000000\nrevision: 1\npatches: []\nstate: sent\nhistory:\n  - { revision: 1, date: "2026-11-21T10:00:00Z", cover: c@x, patches: [ p1@x ] }\n---\nCover.\n',
    );
    return ws;
  }

  it('leaves the series file unchanged after a failed refresh, and says why', async () => {
    const base = await serve((_req, res) => res.writeHead(500, 'Internal Server Error').end());
    const ws = trackedWorkspace(base);
    const before = treeHash(ws, ['.quirkctl']);
    const r = await cliAsync(['track', 'x'], { cwd: ws });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/quirkctl: x: search .* failed after 4 attempts: HTTP 500 Internal Server Error; series file left unchanged/);
    expect(treeHash(ws, ['.quirkctl'])).toBe(before);
  });

  it('stops at the cap on a gzip bomb and writes nothing', async () => {
    const bomb = gzipSync(Buffer.alloc(80 * 1024 * 1024));
    const base = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/gzip' }).end(bomb));
    const ws = trackedWorkspace(base);
    const before = treeHash(ws, ['.quirkctl']);
    const r = await cliAsync(['track', 'x'], { cwd: ws });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/inflates to more than 67108864 bytes; stopped reading .*; series file left unchanged/);
    expect(treeHash(ws, ['.quirkctl'])).toBe(before);
  });
});
