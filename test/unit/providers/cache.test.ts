import { test, beforeEach, afterEach } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ResponseCache } from '../../../src/core/providers/cache';
import type { ChatRequest, ChatResult } from '../../../src/core/providers/provider';

let dir: string;
let cache: ResponseCache;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pl-cache-'));
  cache = new ResponseCache(path.join(dir, 'cache'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const request: ChatRequest = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'hi' }],
  params: { temperature: 0, maxTokens: 10 },
};
const result: ChatResult = { text: 'hello', usage: { prompt: 3, completion: 1 }, model: 'gpt-4o-mini' };

test('keyOf is stable across key order and differs by repeat, endpoint and request', () => {
  const a = ResponseCache.keyOf({ endpoint: 'openai:x', request, repeat: 0 });
  const reordered = ResponseCache.keyOf({
    repeat: 0,
    request: { params: { maxTokens: 10, temperature: 0 }, messages: [{ content: 'hi', role: 'user' }], model: 'gpt-4o-mini' },
    endpoint: 'openai:x',
  });
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.equal(a, reordered);
  assert.notEqual(a, ResponseCache.keyOf({ endpoint: 'openai:x', request, repeat: 1 }));
  assert.notEqual(a, ResponseCache.keyOf({ endpoint: 'openai:y', request, repeat: 0 }));
  assert.notEqual(a, ResponseCache.keyOf({ endpoint: 'openai:x', request: { ...request, params: { temperature: 0.5 } }, repeat: 0 }));
});

test('set then get returns the value; an unknown key is a miss', async () => {
  const key = ResponseCache.keyOf({ endpoint: 'e', request, repeat: 0 });
  assert.equal(await cache.get(key), undefined);
  await cache.set(key, result);
  assert.deepEqual(await cache.get(key), result);
  // Sharded: <dir>/ab/cdef….json, and no temp files left behind.
  const shard = readdirSync(cache.dir);
  assert.deepEqual(shard, [key.slice(0, 2)]);
  assert.deepEqual(readdirSync(path.join(cache.dir, shard[0])), [`${key.slice(2)}.json`]);
});

test('a corrupt cache file is treated as a miss and can be overwritten', async () => {
  const key = ResponseCache.keyOf({ endpoint: 'e', request, repeat: 0 });
  await cache.set(key, result);
  const file = path.join(cache.dir, key.slice(0, 2), `${key.slice(2)}.json`);
  writeFileSync(file, '{"key": "trunc');
  assert.equal(await cache.get(key), undefined);
  writeFileSync(file, JSON.stringify({ key: 'someone-else', value: result }));
  assert.equal(await cache.get(key), undefined);
  await cache.set(key, { ...result, text: 'again' });
  assert.equal((await cache.get<ChatResult>(key))?.text, 'again');
});

test('clear removes every entry and reports how many', async () => {
  for (let i = 0; i < 5; i++) await cache.set(ResponseCache.keyOf({ endpoint: 'e', request, repeat: i }), result);
  assert.equal(await cache.clear(), 5);
  assert.equal(await cache.get(ResponseCache.keyOf({ endpoint: 'e', request, repeat: 0 })), undefined);
  assert.equal(await cache.clear(), 0);
  assert.equal(await new ResponseCache(path.join(dir, 'missing')).clear(), 0);
});

test('concurrent writes of one key leave a readable entry', async () => {
  const key = ResponseCache.keyOf({ endpoint: 'e', request, repeat: 0 });
  await Promise.all(Array.from({ length: 20 }, (_, i) => cache.set(key, { ...result, text: `v${i}` })));
  const got = await cache.get<ChatResult>(key);
  assert.match(got?.text ?? '', /^v\d+$/);
  const files = readdirSync(path.join(cache.dir, key.slice(0, 2)));
  assert.deepEqual(files, [`${key.slice(2)}.json`]);
  assert.ok(!readFileSync(path.join(cache.dir, key.slice(0, 2), files[0]), 'utf8').includes('sk-'));
});

test('invalid keys are refused rather than escaping the cache folder', async () => {
  await assert.rejects(cache.set('../../etc/passwd', result));
  assert.equal(await cache.get('../x'), undefined);
});
