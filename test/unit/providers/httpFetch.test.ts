// The `fetch` the openai client gets (src/core/providers/httpFetch.ts), over real HTTP: what a request puts on
// the wire, and that every reply the client can get (large, empty, 204, not JSON, an HTML error page, a file
// download) still reaches it with its status, headers and body. Through the real openai client against the
// scripted server; a raw socket where only the bytes on the wire can tell.

import { test, before, after, beforeEach } from 'node:test';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { APIError, toFile } from 'openai';
import type OpenAI from 'openai';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { createOpenAIProvider } from '../../../src/core/providers/openai';
import { httpFetch } from '../../../src/core/providers/httpFetch';
import { ProviderError, type Provider } from '../../../src/core/providers/provider';
import { rejection } from './rejection';

let server: ScriptedServer;
let provider: Provider;
let client: OpenAI;
const KEY = 'sk-test-httpfetch-0123456789';
const never = new AbortController().signal;

before(async () => {
  server = await startScriptedServer();
  provider = createOpenAIProvider({ kind: 'openai', baseURL: server.url, apiKey: KEY });
  assert.ok(provider.batch);
  client = provider.batch.client as OpenAI;
});
after(async () => {
  await server.close();
});
beforeEach(() => {
  server.setOptions({ capacity: undefined, faults: [], latencyMs: 0, retryAfterMs: 50, retryAfterSec: undefined });
  server.setRules([]);
  server.resetStats();
});

const ask = (content: string) => provider.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], params: {} }, never);

test('a chat request carries its Content-Length (multi-byte text counted in bytes) and is never chunked', async () => {
  const content = 'héllo ✓ 😀 '.repeat(2000);
  const res = await ask(content);
  assert.equal(res.text, `echo: ${content}`);
  const h = server.stats.headers.at(-1) ?? {};
  const sent = server.stats.bodies.at(-1);
  assert.equal(h['transfer-encoding'], undefined);
  assert.equal(h['content-length'], String(Buffer.byteLength(JSON.stringify(sent))));
  assert.equal(h.authorization, `Bearer ${KEY}`);
});

test('the request head and body reach the socket together, as one write', async () => {
  // A raw socket shows how the bytes arrived: a request written in one piece is read in one piece.
  const reads: number[] = [];
  const body = JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] });
  const raw = net.createServer((socket) => {
    let got = '';
    let n = 0;
    socket.on('data', (d) => {
      n++;
      got += d.toString('latin1');
      const end = got.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)\r\n/i.exec(got.slice(0, end + 2));
      if (end >= 0 && length && got.length >= end + 4 + Number(length[1])) {
        reads.push(n);
        socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
      }
    });
  });
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
  try {
    const port = (raw.address() as net.AddressInfo).port;
    const p = createOpenAIProvider({ kind: 'custom', baseURL: `http://127.0.0.1:${port}/v1`, apiKey: KEY });
    for (let i = 0; i < 3; i++) {
      const res = await p.chat({ model: 'm', messages: [{ role: 'user', content: `one write ${i}` }], params: {} }, never);
      assert.equal(res.text, 'ok');
    }
    assert.deepEqual(reads, [1, 1, 1]);
  } finally {
    await new Promise<void>((r) => raw.close(() => r()));
  }
});

test('a large reply (about 2 MB, many chunks, multi-byte characters across chunk edges) arrives whole', async () => {
  const big = 'ü😀 ascii '.repeat(150_000);
  server.setRules([{ user: '^big$', reply: big }]);
  const res = await ask('big');
  assert.equal(res.text.length, big.length);
  assert.equal(res.text, big);
});

test('response headers reach the client: x-request-id on the result and on errors, retry-after on a 429', async () => {
  const { data, request_id, response } = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
  assert.match(request_id ?? '', /^req_scripted_\d+$/);
  assert.equal((data as { _request_id?: string | null })._request_id, request_id);
  assert.equal(response.headers.get('Content-Type'), 'application/json');
  assert.equal(response.status, 200);
  assert.equal(response.ok, true);

  server.setOptions({ capacity: 0, retryAfterMs: 1500, retryAfterSec: 2 });
  const err = await rejection(client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }, { maxRetries: 0 }));
  assert.ok(err instanceof APIError);
  assert.equal(err.status, 429);
  assert.match(err.requestID ?? '', /^req_scripted_\d+$/);
  assert.equal(err.headers?.get('retry-after-ms'), '1500');
  assert.equal(err.headers?.get('Retry-After'), '2');
  const mapped = (await rejection(ask('x'))) as ProviderError;
  assert.equal(mapped.status, 429);
  assert.equal(mapped.retryAfterMs, 1500);
});

test('a 204 to a chat call is a retryable malformed response, not a crash', async () => {
  server.setOptions({ faults: [{ status: 204, kind: 'empty' }] });
  const err = (await rejection(ask('x'))) as ProviderError;
  assert.ok(err instanceof ProviderError);
  assert.equal(err.opts.code, 'malformed_response');
  assert.equal(err.retryable, true);
  const res = await httpFetch(`${server.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(res.status, 204);
  assert.equal(res.ok, true);
  assert.equal(await res.text(), '');
});

test('an HTML error page with a 502 is a retryable HTTP 502; an HTML page or plain text served as 200 is a malformed response', async () => {
  server.setOptions({ faults: [{ status: 502, kind: 'html', times: 1 }, { kind: 'html', times: 1 }, { kind: 'not-json', times: 1 }] });
  const e502 = (await rejection(ask('x'))) as ProviderError;
  assert.equal(e502.status, 502);
  assert.equal(e502.retryable, true);
  assert.match(e502.message, /HTTP 502/);
  const html = (await rejection(ask('x'))) as ProviderError;
  assert.equal(html.opts.code, 'malformed_response');
  assert.match(html.message, /an HTML page instead of JSON/);
  const text = (await rejection(ask('x'))) as ProviderError;
  assert.equal(text.opts.code, 'malformed_response');
  assert.match(text.message, /invalid JSON/);
  assert.ok(!`${e502.message} ${html.message} ${text.message}`.includes(KEY));
});

test('a JSON reply is a real fetch Response: headers by any case, iteration, json(), one read only, clone, body stream', async () => {
  const res = await httpFetch(`${server.url}/models`, { headers: { authorization: `Bearer ${KEY}` } });
  assert.ok(res instanceof Response);
  assert.equal(res.status, 200);
  assert.equal(res.ok, true);
  assert.equal(res.headers.get('CONTENT-TYPE'), 'application/json');
  assert.equal(res.headers.has('x-request-id'), true);
  assert.equal(res.headers.get('no-such-header'), null);
  assert.equal(res.headers.get('constructor'), null, 'only the reply headers, nothing inherited');
  assert.ok([...res.headers].some(([k, v]) => k === 'content-type' && v === 'application/json'));
  assert.ok([...res.headers.keys()].includes('content-length'));
  const copy = res.clone();
  assert.equal(res.bodyUsed, false);
  const models = (await res.json()) as { data: { id: string }[] };
  assert.ok(models.data.some((m) => m.id === 'gpt-4o-mini'));
  assert.equal(res.bodyUsed, true);
  await assert.rejects(res.text(), TypeError);
  assert.deepEqual(await copy.json(), models);

  const streamed = await httpFetch(`${server.url}/models`);
  assert.ok(streamed.body);
  const chunks: Uint8Array[] = [];
  for await (const c of streamed.body as unknown as AsyncIterable<Uint8Array>) chunks.push(c);
  assert.deepEqual(JSON.parse(Buffer.concat(chunks).toString('utf8')), models);
  assert.equal(streamed.bodyUsed, true);
  await assert.rejects(streamed.text(), TypeError);

  const bytes = await httpFetch(`${server.url}/models`);
  assert.deepEqual(JSON.parse(Buffer.from(await bytes.arrayBuffer()).toString('utf8')), models);
});

test('a repeated reply header keeps every value (set-cookie each on its own, others joined as fetch joins them)', async () => {
  const raw = http.createServer((_req, res) => {
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    res.setHeader('x-many', ['one', 'two']);
    res.setHeader('content-type', 'application/json');
    res.end('{}');
  });
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
  try {
    const res = await httpFetch(`http://127.0.0.1:${(raw.address() as net.AddressInfo).port}/x`);
    assert.deepEqual(res.headers.getSetCookie(), ['a=1', 'b=2']);
    assert.equal(res.headers.get('x-many'), 'one, two');
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.deepEqual(await res.json(), {});
  } finally {
    await new Promise<void>((r) => raw.close(() => r()));
  }
});

test('a file upload (multipart) and its download (octet-stream, a real Response) round-trip through the client', async () => {
  const content = '{"custom_id":"a","method":"POST"}\n{"custom_id":"ü😀","method":"POST"}\n';
  const file = await client.files.create({ file: await toFile(Buffer.from(content, 'utf8'), 'in.jsonl'), purpose: 'batch' });
  assert.equal(server.stats.filesUploaded, 1);
  const download = await client.files.content(file.id);
  assert.ok(download instanceof Response);
  assert.equal(download.headers.get('content-type'), 'application/octet-stream');
  assert.equal(await download.text(), content);
  const missing = await rejection(client.files.content('file-nope'));
  assert.ok(missing instanceof APIError);
  assert.equal(missing.status, 404);
});

test('an abort while the reply is awaited destroys the request; a signal already aborted sends nothing', async () => {
  server.setOptions({ latencyMs: 5000 });
  const ctrl = new AbortController();
  const pending = httpFetch(`${server.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: ctrl.signal });
  setTimeout(() => ctrl.abort(new Error('stop now')), 30);
  const err = (await rejection(pending)) as Error;
  assert.equal(err.message, 'stop now');
  for (let i = 0; i < 100 && server.stats.aborted === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(server.stats.aborted, 1);
  const before = server.stats.requests;
  const gone = (await rejection(httpFetch(`${server.url}/models`, { signal: AbortSignal.abort() }))) as Error;
  assert.equal(gone.name, 'AbortError');
  assert.equal(server.stats.requests, before);
});
