/**
 * A public-inbox HTTP client for the endpoints lore.kernel.org serves: a thread as
 * gzipped mboxrd (`<msgid>/t.mbox.gz`), search results
 * (`POST ?q=...&x=m`, 404 when nothing matches) and the inbox feed (`new.atom`).
 *
 * Servers are slow and sometimes fail: every request has a timeout, 5xx answers and
 * network errors are retried with backoff, and no body may grow past a cap, compressed
 * or not (a small gzip can inflate to gigabytes).
 */
import { gunzipSync } from 'node:zlib';

export const DEFAULT_LORE_URL = 'https://lore.kernel.org/all';

export interface ClientOptions {
  /** Per attempt, in milliseconds. */
  timeoutMs?: number;
  /** Retries after the first attempt, for 5xx answers and network errors. */
  retries?: number;
  /** First backoff delay; doubled on each retry. */
  backoffMs?: number;
  /** Largest body accepted, after decompression. */
  maxBytes?: number;
  userAgent?: string;
}

/** Validators of an earlier answer, for a conditional GET. */
export interface Validators {
  etag?: string;
  lastModified?: string;
}

export type Fetched = { notModified: true; validators: Validators } | { notModified: false; body: Buffer; validators: Validators };

export class LoreError extends Error {
  override name = 'LoreError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** A Message-ID as public-inbox wants it in a path: '/' escaped, '@' and the rest readable. */
export function msgidPath(id: string): string {
  return encodeURIComponent(id.replace(/^<|>$/g, '')).replace(/%40/g, '@').replace(/%2B/g, '+').replace(/%3D/g, '=');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LoreClient {
  readonly base: string;
  /** Requests made and bytes received: what a refresh costs. */
  readonly stats = { requests: 0, bytes: 0 };
  private readonly opts: Required<ClientOptions>;

  constructor(base: string, opts: ClientOptions = {}) {
    this.base = base.replace(/\/+$/, '');
    this.opts = { timeoutMs: 30_000, retries: 3, backoffMs: 500, maxBytes: 64 * 1024 * 1024, userAgent: 'quirkctl', ...opts };
  }

  /** The web page of one message: the evidence link. */
  link(id: string): string {
    return `${this.base}/${msgidPath(id)}/`;
  }

  /** A whole thread, as mboxrd bytes. `validators` from the last answer make it conditional. */
  async thread(id: string, validators: Validators = {}): Promise<Fetched> {
    const url = `${this.base}/${msgidPath(id)}/t.mbox.gz`;
    const r = (await this.request(url, { method: 'GET', validators, what: `thread of <${id}>` }))!;
    return r.notModified ? r : { ...r, body: this.gunzip(r.body, url) };
  }

  /** Search results as mboxrd bytes; null when nothing matches (public-inbox answers 404). */
  async search(query: string): Promise<Buffer | null> {
    const url = `${this.base}/?q=${encodeURIComponent(query)}&x=m`;
    const body = await this.body(url, { method: 'POST', what: `search ${JSON.stringify(query)}`, notFoundIsNull: true });
    return body && this.gunzip(body, url);
  }

  async newAtom(): Promise<string> {
    return (await this.body(`${this.base}/new.atom`, { method: 'GET', what: 'the inbox feed' }))!.toString('utf8');
  }

  /** An unconditional request's body; null for a 404 the caller expects. */
  private async body(url: string, how: { method: 'GET' | 'POST'; what: string; notFoundIsNull?: boolean }): Promise<Buffer | null> {
    const r = await this.request(url, how);
    return r && !r.notModified ? r.body : null;
  }

  private gunzip(body: Buffer, url: string): Buffer {
    // Some servers (or proxies) send the mbox already inflated.
    if (body.length < 2 || body[0] !== 0x1f || body[1] !== 0x8b) return body;
    try {
      return gunzipSync(body, { maxOutputLength: this.opts.maxBytes });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
        throw new LoreError(`${url}: the answer inflates to more than ${this.opts.maxBytes} bytes; stopped reading (a damaged or hostile server?)`);
      }
      throw new LoreError(`${url}: not a valid gzip body: ${(e as Error).message}`);
    }
  }

  private async request(
    url: string,
    how: { method: 'GET' | 'POST'; what: string; validators?: Validators; notFoundIsNull?: boolean },
  ): Promise<Fetched | null> {
    const headers: Record<string, string> = { 'user-agent': this.opts.userAgent, accept: '*/*' };
    if (how.validators?.etag) headers['if-none-match'] = how.validators.etag;
    if (how.validators?.lastModified) headers['if-modified-since'] = how.validators.lastModified;
    let lastError = '';
    for (let attempt = 0; attempt <= this.opts.retries; attempt++) {
      if (attempt > 0) await sleep(this.opts.backoffMs * 2 ** (attempt - 1));
      this.stats.requests++;
      let res: Response;
      try {
        res = await fetch(url, { method: how.method, headers, signal: AbortSignal.timeout(this.opts.timeoutMs) });
      } catch (e) {
        const err = e as Error & { cause?: { code?: string; message?: string } };
        lastError = err.name === 'TimeoutError' ? `no answer within ${this.opts.timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? err.message);
        continue;
      }
      if (res.status >= 500 || res.status === 429) {
        lastError = `HTTP ${res.status} ${res.statusText}`;
        await res.body?.cancel();
        continue;
      }
      const validators: Validators = {
        ...(res.headers.get('etag') ? { etag: res.headers.get('etag')! } : {}),
        ...(res.headers.get('last-modified') ? { lastModified: res.headers.get('last-modified')! } : {}),
      };
      if (res.status === 304) return { notModified: true, validators: { ...how.validators, ...validators } };
      if (res.status === 404 && how.notFoundIsNull) {
        await res.body?.cancel();
        return null;
      }
      if (res.status === 404) {
        await res.body?.cancel();
        throw new LoreError(`${how.what}: not found at ${this.base} (404): not archived there (yet), or the wrong inbox; check the lore URL`, 404);
      }
      if (res.status === 410) {
        await res.body?.cancel();
        throw new LoreError(`${how.what}: gone from ${this.base} (410): the archive removed it`, 410);
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new LoreError(`${how.what}: ${url} answered HTTP ${res.status} ${res.statusText}`, res.status);
      }
      const body = await this.readCapped(res, url);
      this.stats.bytes += body.length;
      return { notModified: false, body, validators };
    }
    throw new LoreError(`${how.what}: ${url} failed after ${this.opts.retries + 1} attempts: ${lastError}`);
  }

  /** Reads a body, stopping at the cap (fetch may be inflating a Content-Encoding as it reads). */
  private async readCapped(res: Response, url: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    if (!res.body) return Buffer.alloc(0);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      // Leaving the loop by throwing cancels the stream.
      if (size > this.opts.maxBytes) {
        throw new LoreError(`${url}: the answer is larger than ${this.opts.maxBytes} bytes; stopped reading (a damaged or hostile server?)`);
      }
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
  }
}
