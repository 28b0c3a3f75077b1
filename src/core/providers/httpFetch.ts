// The `fetch` the `openai` client is given (its public `fetch` option): requests over node:http/https with
// keep-alive agents, replies as real fetch `Response` objects. The engine never streams, so a request is sent
// with its Content-Length, head and body in one write, never chunked, and a reply is read whole before its
// `Response` is built. Requests this cannot send (a `Request` object, multipart uploads, streamed bodies,
// other protocols) go to the built-in fetch.

import * as http from 'node:http';
import type * as Https from 'node:https';

interface Transport {
  request: typeof http.request;
  agent: http.Agent;
}

/** One keep-alive agent per protocol, made on first use (node:https, with TLS, loads only for an https URL). */
let httpTransport: Transport | undefined;
let httpsTransport: Transport | undefined;
function transportOf(protocol: string): Transport | undefined {
  if (protocol === 'http:') return (httpTransport ??= { request: http.request, agent: new http.Agent({ keepAlive: true, maxSockets: 256 }) });
  if (protocol === 'https:') {
    if (!httpsTransport) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- TLS loads only for an https URL
      const https = require('node:https') as typeof Https;
      httpsTransport = { request: https.request, agent: new https.Agent({ keepAlive: true, maxSockets: 256 }) };
    }
    return httpsTransport;
  }
  return undefined;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted', 'AbortError');
}

/** Statuses whose Response has no body (the Response constructor refuses one). */
function nullBodyStatus(status: number): boolean {
  return status === 101 || status === 204 || status === 205 || status === 304;
}

/** The client's request headers as node takes them. */
function requestHeaders(init: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!init) return out;
  (init instanceof Headers ? init : new Headers(init)).forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

/**
 * The reply's headers for the `Response` constructor, which copies them into its own `Headers`: node's parsed
 * record as it is, or name/value pairs when a header came as a list (set-cookie), so each value is kept.
 */
function replyHeaders(h: http.IncomingHttpHeaders): Record<string, string> | [string, string][] {
  if (Object.values(h).every((v) => typeof v === 'string')) return h as Record<string, string>;
  const pairs: [string, string][] = [];
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const one of v) pairs.push([k, one]);
    else pairs.push([k, v]);
  }
  return pairs;
}

/** The request body when it is one this fetch sends itself; null for any other body. */
function plainBody(body: RequestInit['body']): string | Uint8Array | undefined | null {
  if (body == null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return null;
}

export async function httpFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  if (input instanceof Request) return fetch(input, init);
  const url = typeof input === 'string' ? new URL(input) : input;
  const transport = transportOf(url.protocol);
  const body = plainBody(init.body);
  if (!transport || body === null) return fetch(input, init);
  const signal = init.signal ?? undefined;
  if (signal?.aborted) throw abortError(signal);
  const headers = requestHeaders(init.headers);
  if (body !== undefined) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  return new Promise<Response>((resolve, reject) => {
    const req = transport.request(
      {
        protocol: url.protocol,
        // an IPv6 literal without its brackets, as node's own URL-to-options does
        hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: init.method ?? 'GET',
        headers,
        agent: transport.agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          signal?.removeEventListener('abort', onAbort);
          const status = res.statusCode ?? 500;
          const bytes = nullBodyStatus(status) ? null : Buffer.concat(chunks);
          resolve(new Response(bytes, { status, statusText: res.statusMessage ?? '', headers: replyHeaders(res.headers) }));
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
