import { test, before, after, beforeEach } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { APIError } from 'openai';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { createOpenAIProvider, parseRetryAfter, toProviderError } from '../../../src/core/providers/openai';
import { ProviderError, type Provider } from '../../../src/core/providers/provider';
import { rejection } from './rejection';

let server: ScriptedServer;
let provider: Provider;
const KEY = 'sk-test-provider-0123456789';

before(async () => {
  server = await startScriptedServer();
  provider = createOpenAIProvider({ kind: 'custom', baseURL: server.url, apiKey: KEY, keyHint: 'check TEST_KEY' });
});
after(async () => {
  await server.close();
});
beforeEach(() => {
  server.setOptions({ capacity: undefined, faults: [], latencyMs: 0, retryAfterMs: 50, retryAfterSec: undefined });
  server.setRules([]);
  server.resetStats();
});

const never = new AbortController().signal;
const ask = (content: string, extra: Partial<Parameters<Provider['chat']>[0]> = {}) =>
  provider.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], params: {}, ...extra }, never);

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

test('chat returns text, usage and model through the openai client', async () => {
  server.setRules([{ user: 'capital of (\\w+)', reply: 'Paris is the capital of $1', usage: { prompt_tokens: 11, completion_tokens: 7 } }]);
  const res = await ask('capital of France?');
  assert.equal(res.text, 'Paris is the capital of France');
  assert.deepEqual(res.usage, { prompt: 11, completion: 7 });
  assert.equal(res.model, 'gpt-4o-mini');
  assert.equal(server.stats.headers.at(-1)?.authorization, `Bearer ${KEY}`);
});

test('modelParameters and json_schema response_format reach the request body in snake_case', async () => {
  const schema = { type: 'object', properties: { a: { type: 'string' } } };
  await ask('hi', {
    params: { maxTokens: 50, temperature: 0.2, topP: 0.9, presencePenalty: 0.1, seed: 7, stop: ['\n'], unset: undefined },
    responseFormat: { type: 'json_schema', name: 'answer', schema, strict: true },
  });
  const body = server.stats.bodies.at(-1) as Record<string, unknown>;
  assert.equal(body.max_tokens, 50);
  assert.equal(body.temperature, 0.2);
  assert.equal(body.top_p, 0.9);
  assert.equal(body.presence_penalty, 0.1);
  assert.equal(body.seed, 7);
  assert.deepEqual(body.stop, ['\n']);
  assert.ok(!('unset' in body));
  assert.deepEqual(body.response_format, { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } });
});

test('json_object response format and reasoning models use the right fields', async () => {
  const openai = createOpenAIProvider({ kind: 'openai', baseURL: server.url, apiKey: KEY });
  await openai.chat({ model: 'o3-mini', messages: [{ role: 'user', content: 'x' }], params: { maxTokens: 9 }, responseFormat: { type: 'json_object' } }, never);
  const body = server.stats.bodies.at(-1) as Record<string, unknown>;
  assert.equal(body.max_completion_tokens, 9);
  assert.ok(!('max_tokens' in body));
  assert.deepEqual(body.response_format, { type: 'json_object' });
  await ask('plain', { responseFormat: { type: 'text' } });
  assert.ok(!('response_format' in (server.stats.bodies.at(-1) as Record<string, unknown>)));
});

test('429 becomes a retryable ProviderError with retry-after-ms', async () => {
  server.setOptions({ capacity: 0 });
  const err = await rejection(ask('x'));
  assert.ok(err instanceof ProviderError);
  assert.equal(err.status, 429);
  assert.equal(err.retryable, true);
  assert.equal(err.retryAfterMs, 50);
});

test('429 with only retry-after (seconds) is converted to milliseconds', async () => {
  server.setOptions({ capacity: 0, retryAfterMs: null, retryAfterSec: 3 });
  const err = (await rejection(ask('x'))) as ProviderError;
  assert.equal(err.retryAfterMs, 3000);
});

test('500 is retryable, 400 is not; both name the status', async () => {
  server.setRules([
    { user: 'boom', status: 500 },
    { user: 'bad', status: 400 },
  ]);
  const e500 = (await rejection(ask('boom'))) as ProviderError;
  assert.equal(e500.status, 500);
  assert.equal(e500.retryable, true);
  assert.match(e500.message, /HTTP 500/);
  const e400 = (await rejection(ask('bad'))) as ProviderError;
  assert.equal(e400.status, 400);
  assert.equal(e400.retryable, false);
});

test('401 mentions the key hint, never the key', async () => {
  server.setRules([{ user: '.*', status: 401 }]);
  const err = (await rejection(ask('x'))) as ProviderError;
  assert.equal(err.retryable, false);
  assert.match(err.message, /check TEST_KEY/);
  assert.ok(!err.message.includes(KEY));
  const echoed = toProviderError(new APIError(401, { message: `Incorrect API key provided: ${KEY}` }, undefined, new Headers()), {
    label: 'X',
    apiKey: KEY,
  });
  assert.ok(!echoed.message.includes(KEY));
});

test('malformed body, reset connection and refused connection are retryable ProviderErrors', async () => {
  server.setOptions({ faults: [{ kind: 'malformed', times: 1 }, { kind: 'reset', times: 1 }] });
  const malformed = (await rejection(ask('x'))) as ProviderError;
  assert.ok(malformed instanceof ProviderError);
  assert.equal(malformed.opts.code, 'malformed_response');
  assert.equal(malformed.retryable, true);
  const reset = (await rejection(ask('x'))) as ProviderError;
  assert.ok(reset instanceof ProviderError);
  assert.equal(reset.retryable, true);
  const port = await freePort();
  const dead = createOpenAIProvider({ kind: 'custom', baseURL: `http://127.0.0.1:${port}/v1`, apiKey: KEY });
  const refused = (await rejection(dead.chat({ model: 'm', messages: [{ role: 'user', content: 'x' }], params: {} }, never))) as ProviderError;
  assert.ok(refused instanceof ProviderError);
  assert.equal(refused.retryable, true);
  assert.match(refused.message, /connection refused/);
  assert.ok(!refused.message.includes(KEY));
});

test("the caller's signal aborts the HTTP request", async () => {
  server.setOptions({ latencyMs: 5000 });
  const ctrl = new AbortController();
  const call = provider.chat({ model: 'm', messages: [{ role: 'user', content: 'slow' }], params: {} }, ctrl.signal);
  setTimeout(() => ctrl.abort(), 50);
  const err = (await rejection(call)) as Error;
  assert.equal(err.name, 'AbortError');
  for (let i = 0; i < 100 && server.stats.aborted === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(server.stats.aborted, 1);
  assert.equal(server.stats.completed, 0);
});

test("no key: no Authorization header is sent, even with the openai package's env vars set", async () => {
  const saved = { key: process.env.OPENAI_API_KEY, org: process.env.OPENAI_ORG_ID, base: process.env.OPENAI_BASE_URL };
  process.env.OPENAI_API_KEY = 'sk-from-env-must-not-leak';
  process.env.OPENAI_ORG_ID = 'org-from-env';
  process.env.OPENAI_BASE_URL = 'http://127.0.0.1:1/v1';
  try {
    const open = createOpenAIProvider({ kind: 'custom', baseURL: server.url });
    await open.chat({ model: 'm', messages: [{ role: 'user', content: 'x' }], params: {} }, never);
    const h = server.stats.headers.at(-1) ?? {};
    assert.equal(h.authorization, undefined);
    assert.equal(h['openai-organization'], undefined);
    assert.ok(!Object.values(h).join(' ').includes('sk-from-env'));
  } finally {
    for (const [name, value] of [['OPENAI_API_KEY', saved.key], ['OPENAI_ORG_ID', saved.org], ['OPENAI_BASE_URL', saved.base]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});

test('Azure: deployment path, api-version and api-key header', async () => {
  const azure = createOpenAIProvider({ kind: 'azure', baseURL: `http://127.0.0.1:${server.port}`, apiKey: KEY, apiVersion: '2024-10-21' });
  const res = await azure.chat({ model: 'my-deployment', messages: [{ role: 'user', content: 'hello' }], params: {} }, never);
  assert.equal(res.text, 'echo: hello');
  const h = server.stats.headers.at(-1) ?? {};
  assert.equal(h['api-key'], KEY);
  assert.equal(h.authorization, undefined);
  assert.equal(server.stats.byPath['/v1/chat/completions'], 1);
  assert.match(azure.endpointKey, /^azure:/);
});

test('repeated calls each carry their key and their own path (an Azure deployment per model)', async () => {
  for (let i = 0; i < 3; i++) await ask(`call ${i}`);
  const azure = createOpenAIProvider({ kind: 'azure', baseURL: `http://127.0.0.1:${server.port}`, apiKey: 'azure-key-0123456789', apiVersion: '2024-10-21' });
  for (const deployment of ['dep-a', 'dep-b', 'dep-a']) await azure.chat({ model: deployment, messages: [{ role: 'user', content: 'x' }], params: {} }, never);
  const headers = server.stats.headers.slice(-6);
  assert.deepEqual(headers.map((h) => h.authorization ?? h['api-key']), [`Bearer ${KEY}`, `Bearer ${KEY}`, `Bearer ${KEY}`, 'azure-key-0123456789', 'azure-key-0123456789', 'azure-key-0123456789']);
  assert.ok(headers.slice(3).every((h) => h.authorization === undefined));
  assert.deepEqual(server.stats.urls.slice(-6), [
    'POST /v1/chat/completions',
    'POST /v1/chat/completions',
    'POST /v1/chat/completions',
    'POST /openai/deployments/dep-a/chat/completions?api-version=2024-10-21',
    'POST /openai/deployments/dep-b/chat/completions?api-version=2024-10-21',
    'POST /openai/deployments/dep-a/chat/completions?api-version=2024-10-21',
  ]);
});

test('embed returns one vector per text, in order', async () => {
  assert.ok(provider.embed);
  const vectors = await provider.embed(['the cat sat on the mat', 'the cat sat on a mat', 'quantum field theory'], 'text-embedding-3-small', never);
  assert.equal(vectors.length, 3);
  assert.equal(vectors[0].length, 64);
  const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
  assert.ok(cos(vectors[0], vectors[1]) > cos(vectors[0], vectors[2]));
  assert.ok(Math.abs(cos(vectors[0], vectors[0]) - 1) < 1e-5);
});

test('parseRetryAfter reads ms, seconds and HTTP dates', () => {
  assert.equal(parseRetryAfter({ 'retry-after-ms': '250', 'retry-after': '9' }), 250);
  assert.equal(parseRetryAfter({ 'retry-after': '2' }), 2000);
  const now = Date.parse('2025-01-01T00:00:00Z');
  assert.equal(parseRetryAfter({ 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' }, now), 5000);
  assert.equal(parseRetryAfter({}), undefined);
  assert.equal(parseRetryAfter(new Headers({ 'retry-after-ms': '10' })), 10);
});

test('endpointKey and label never contain the key', () => {
  assert.ok(!provider.endpointKey.includes(KEY));
  assert.ok(!provider.label.includes(KEY));
  assert.equal(provider.endpointKey, `custom:${server.url}`);
});
