// A small `fetch` for the `openai` client over node:http/https with keep-alive agents. The engine never
// streams, so a reply is read whole; what it costs per call is what matters when hundreds of calls finish
// at once:
// - the request goes out with a Content-Length (header and body in one write, never chunked); the client's
//   `Headers` are read once, not copied, and each URL is parsed once (the chat URL is the same every call);
// - a JSON reply (what every API call but a file download gets) comes back as a `BufferedResponse`: the
//   members of a fetch `Response` over the bytes already read, with no web stream and no `Headers` copy
//   (the `openai` client reads `ok`, `status`, `headers.get`/`entries`, `json()` and `text()`). Touching
//   `body` (or `blob()`, `formData()`) builds the real `Response` then, so nothing is missing. Any other
//   reply (a file download, an HTML error page, plain text) is a real `Response`.
// Requests this cannot send (a `Request` object, multipart uploads, streamed bodies, other protocols) go to
// the built-in fetch.

import * as http from 'node:http';
import type * as Https from 'node:https';

/** One keep-alive agent per protocol, made on first use (node:https, with TLS, loads only for an https URL). */
let httpAgent: { request: typeof http.request; agent: http.Agent } | undefined;
let httpsAgent: { request: typeof http.request; agent: http.Agent } | undefined;
function agentOf(protocol: string): { request: typeof http.request; agent: http.Agent } | undefined {
  if (protocol === 'http:') return (httpAgent ??= { request: http.request, agent: new http.Agent({ keepAlive: true, maxSockets: 256 }) });
  if (protocol === 'https:') {
    if (!httpsAgent) {
      const https = require('node:https') as typeof Https;
      httpsAgent = { request: https.request, agent: new https.Agent({ keepAlive: true, maxSockets: 256 }) };
    }
    return httpsAgent;
  }
  return undefined;
}

interface Target {
  request: typeof http.request;
  agent: http.Agent;
  protocol: string;
  hostname: string;
  port: string;
  path: string;
}

/** Parsed URLs by their text; null for a protocol this fetch does not speak. Bounded: file ids vary. */
const targets = new Map<string, Target | null>();
const MAX_TARGETS = 256;

function targetOf(url: string): Target | null {
  const known = targets.get(url);
  if (known !== undefined) return known;
  const u = new URL(url);
  const via = agentOf(u.protocol);
  const target: Target | null = via
    ? {
        request: via.request,
        agent: via.agent,
        protocol: u.protocol,
        // an IPv6 literal without its brackets, as node's own URL-to-options does
        hostname: u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname,
        port: u.port,
        path: u.pathname + u.search,
      }
    : null;
  if (targets.size >= MAX_TARGETS) targets.clear();
  targets.set(url, target);
  return target;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted', 'AbortError');
}

/** Statuses whose Response has no body (the Response constructor refuses one). */
function nullBodyStatus(status: number): boolean {
  return status === 101 || status === 204 || status === 205 || status === 304;
}

function isJSONType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const media = contentType.split(';')[0].trim().toLowerCase();
  return media === 'application/json' || media.endsWith('+json');
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The reply's headers, read-only, over node's parsed header object (names lower-case, repeated headers
 * joined by ', ' as fetch joins them). The same reading members as a fetch `Headers`.
 */
export class ReplyHeaders {
  readonly #h: http.IncomingHttpHeaders;
  constructor(h: http.IncomingHttpHeaders) {
    this.#h = h;
  }
  get(name: string): string | null {
    const key = name.toLowerCase();
    if (!hasOwn.call(this.#h, key)) return null;
    const v = this.#h[key];
    if (v === undefined) return null;
    return Array.isArray(v) ? v.join(', ') : v;
  }
  has(name: string): boolean {
    return this.get(name) !== null;
  }
  getSetCookie(): string[] {
    const v = this.#h['set-cookie'];
    return v === undefined ? [] : Array.isArray(v) ? [...v] : [v];
  }
  *entries(): IterableIterator<[string, string]> {
    for (const key of Object.keys(this.#h)) {
      const v = this.get(key);
      if (v !== null) yield [key, v];
    }
  }
  *keys(): IterableIterator<string> {
    for (const [k] of this.entries()) yield k;
  }
  *values(): IterableIterator<string> {
    for (const [, v] of this.entries()) yield v;
  }
  forEach(cb: (value: string, key: string, parent: ReplyHeaders) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) cb.call(thisArg, v, k, this);
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
  /** A real `Headers` with the same entries. */
  toHeaders(): Headers {
    const out = new Headers();
    for (const [k, v] of Object.entries(this.#h)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const one of v) out.append(k, one);
      else out.append(k, v);
    }
    return out;
  }
}

/**
 * A fetch `Response` over a body already read whole. Reading it as text or JSON decodes the bytes directly;
 * `body`, `blob()` and `formData()` go through a real `Response` built on first use.
 */
export class BufferedResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly url: string;
  readonly headers: ReplyHeaders;
  readonly redirected = false;
  readonly type = 'basic';
  #bytes: Buffer | null;
  #used = false;
  #real: Response | undefined;

  constructor(bytes: Buffer | null, init: { status: number; statusText: string; url: string; headers: ReplyHeaders }) {
    this.#bytes = bytes;
    this.status = init.status;
    this.statusText = init.statusText;
    this.ok = init.status >= 200 && init.status <= 299;
    this.url = init.url;
    this.headers = init.headers;
  }

  get bodyUsed(): boolean {
    return this.#real ? this.#real.bodyUsed : this.#used;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.real().body;
  }

  /** The bytes, once; a second read fails as a Response's does. */
  #take(): Buffer {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    const bytes = this.#bytes ?? Buffer.alloc(0);
    this.#bytes = null;
    return bytes;
  }

  private real(): Response {
    if (!this.#real) {
      if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
      const bytes = this.#bytes;
      this.#bytes = null;
      this.#real = new Response(nullBodyStatus(this.status) ? null : (bytes as BodyInit | null), { status: this.status, statusText: this.statusText, headers: this.headers.toHeaders() });
    }
    return this.#real;
  }

  async text(): Promise<string> {
    if (this.#real) return this.#real.text();
    const s = this.#take().toString('utf8');
    // as fetch decodes: a leading byte-order mark is not part of the text
    return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    if (this.#real) return this.#real.arrayBuffer();
    const b = this.#take();
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.arrayBuffer());
  }

  blob(): Promise<Blob> {
    return this.real().blob();
  }

  formData(): Promise<FormData> {
    return this.real().formData();
  }

  clone(): BufferedResponse {
    if (this.#real) throw new TypeError('Response.clone: a response whose body was opened cannot be cloned here');
    if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
    return new BufferedResponse(this.#bytes, { status: this.status, statusText: this.statusText, url: this.url, headers: this.headers });
  }
}

/** The client's request headers as node wants them, read without copying the `Headers`. */
function plainHeaders(init: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!init) return out;
  const h = init instanceof Headers ? init : new Headers(init);
  h.forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

export async function httpFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  if (input instanceof Request) return fetch(input, init);
  const url = typeof input === 'string' ? input : input.href;
  const target = targetOf(url);
  if (!target) return fetch(input, init);
  let body: string | Uint8Array | undefined;
  if (typeof init.body === 'string' || init.body instanceof Uint8Array) body = init.body;
  else if (init.body instanceof ArrayBuffer) body = new Uint8Array(init.body);
  else if (init.body != null) return fetch(input, init); // multipart uploads and streams: the built-in fetch
  const signal = init.signal ?? undefined;
  if (signal?.aborted) throw abortError(signal);
  const headers = plainHeaders(init.headers);
  // the length up front: head and body leave in one write, never as chunks
  if (body !== undefined) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  return new Promise<Response>((resolve, reject) => {
    const req = target.request(
      { protocol: target.protocol, hostname: target.hostname, port: target.port, path: target.path, method: init.method ?? 'GET', headers, agent: target.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          signal?.removeEventListener('abort', onAbort);
          const status = res.statusCode ?? 500;
          const bytes = nullBodyStatus(status) ? null : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
          const replyHeaders = new ReplyHeaders(res.headers);
          const statusText = res.statusMessage ?? '';
          if (isJSONType(res.headers['content-type'])) {
            resolve(new BufferedResponse(bytes, { status, statusText, url, headers: replyHeaders }) as unknown as Response);
          } else {
            resolve(new Response(bytes as BodyInit | null, { status, statusText, headers: replyHeaders.toHeaders() }));
          }
        });
      },
    );
    const onAbort = () => {
      const err = abortError(signal!);
      req.destroy(err instanceof Error ? err : undefined);
      reject(err);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(signal?.aborted ? abortError(signal) : err);
    });
    req.end(body);
  });
}
