import { test, beforeEach, afterEach } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { ResponseCache } from '../../../src/core/providers/cache';
import { keyOf, valueOf } from '../../fixtures/cache-writer';
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

const logOf = (key: string) => path.join(cache.dir, `log-${key[0]}.jsonl`);

test('set then get returns the value; an unknown key is a miss; a fresh instance reads it from the log', async () => {
  const key = ResponseCache.keyOf({ endpoint: 'e', request, repeat: 0 });
  assert.equal(await cache.get(key), undefined);
  await cache.set(key, result);
  assert.deepEqual(await cache.get(key), result);
  // One append-only log per first hex digit, and no temp files left behind.
  assert.deepEqual(readdirSync(cache.dir), [`log-${key[0]}.jsonl`]);
  assert.deepEqual(await new ResponseCache(cache.dir).get(key), result);
});

test('writes are batched into the logs: 300 entries, at most 16 files, one line each', async () => {
  const keys = Array.from({ length: 300 }, (_, i) => ResponseCache.keyOf({ endpoint: 'e', request, repeat: i }));
  await Promise.all(keys.map((k, i) => cache.set(k, { ...result, text: `t${i}` })));
  const files = readdirSync(cache.dir);
  assert.ok(files.length <= 16 && files.every((f) => /^log-[0-9a-f]\.jsonl$/.test(f)), files.join(', '));
  const lines = files.reduce((n, f) => n + readFileSync(path.join(cache.dir, f), 'utf8').split('\n').filter(Boolean).length, 0);
  assert.equal(lines, 300);
  const fresh = new ResponseCache(cache.dir);
  for (let i = 0; i < 300; i += 37) assert.equal((await fresh.get<ChatResult>(keys[i]))?.text, `t${i}`);
});

test('flush writes pending entries at once, without waiting out the batch window', { timeout: 10_000 }, async (t) => {
  // With timers frozen, a batch window would never end: flush must end it (and open none while it waits).
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const early = ResponseCache.keyOf({ endpoint: 'e', request, repeat: 1 });
  const late = ResponseCache.keyOf({ endpoint: 'e', request, repeat: 2 });
  const first = cache.set(early, { ...result, text: 'early' });
  await cache.flush();
  await first;
  assert.match(readFileSync(logOf(early), 'utf8'), new RegExp(`^${early}\t`, 'm'));
  // an entry set while a flush is under way is written by that flush too
  const flushing = cache.flush();
  const second = cache.set(late, { ...result, text: 'late' });
  await Promise.all([flushing, second]);
  await cache.flush();
  assert.equal((await new ResponseCache(cache.dir).get<ChatResult>(late))?.text, 'late');
});

test('a torn or tampered line is a miss, never served; the entries around it still are', async () => {
  // Entries in one log: keys that share a first digit.
  const digit = ResponseCache.keyOf({ endpoint: 'e', request, repeat: 0 })[0];
  const same = Array.from({ length: 400 }, (_, i) => ResponseCache.keyOf({ endpoint: 'e', request, repeat: i })).filter((k) => k[0] === digit).slice(0, 3);
  assert.equal(same.length, 3);
  for (const [i, k] of same.entries()) await cache.set(k, { ...result, text: `v${i}` });
  const file = logOf(same[0]);
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  assert.equal(lines.length, 3);
  // The middle entry's value altered (its checksum no longer matches), the last one cut off mid-value.
  const tampered = lines[1].replace('"v1"', '"v9"');
  writeFileSync(file, `${lines[0]}\n${tampered}\n${lines[2].slice(0, lines[2].length - 20)}`);
  const fresh = new ResponseCache(cache.dir);
  assert.equal((await fresh.get<ChatResult>(same[0]))?.text, 'v0');
  assert.equal(await fresh.get(same[1]), undefined);
  assert.equal(await fresh.get(same[2]), undefined);
  // The next append starts on a fresh line, so the torn tail does not swallow it.
  await fresh.set(same[2], { ...result, text: 'again' });
  assert.equal((await new ResponseCache(cache.dir).get<ChatResult>(same[2]))?.text, 'again');
  assert.equal((await new ResponseCache(cache.dir).get<ChatResult>(same[0]))?.text, 'v0');
});

test('a log full of superseded lines is compacted on load', async () => {
  const key = ResponseCache.keyOf({ endpoint: 'e', request, repeat: 0 });
  await Promise.all(Array.from({ length: 400 }, (_, i) => cache.set(key, { ...result, text: `v${i}` })));
  assert.equal(readFileSync(logOf(key), 'utf8').split('\n').filter(Boolean).length, 400);
  const fresh = new ResponseCache(cache.dir);
  assert.equal((await fresh.get<ChatResult>(key))?.text, 'v399', 'the last write wins');
  await fresh.flush();
  assert.equal(readFileSync(logOf(key), 'utf8').split('\n').filter(Boolean).length, 1);
  assert.deepEqual(readdirSync(cache.dir), [`log-${key[0]}.jsonl`]);
  assert.equal((await new ResponseCache(cache.dir).get<ChatResult>(key))?.text, 'v399');
});

test('clear removes every entry and reports how many', async () => {
  for (let i = 0; i < 5; i++) await cache.set(ResponseCache.keyOf({ endpoint: 'e', request, repeat: i }), result);
  assert.equal(await cache.clear(), 5);
  assert.equal(await cache.get(ResponseCache.keyOf({ endpoint: 'e', request, repeat: 0 })), undefined);
  assert.equal(await new ResponseCache(cache.dir).get(ResponseCache.keyOf({ endpoint: 'e', request, repeat: 0 })), undefined);
  assert.equal(await cache.clear(), 0);
  assert.equal(await new ResponseCache(path.join(dir, 'missing')).clear(), 0);
});

test('the cache folder is made once, and made again when it is removed while in use', async () => {
  const key = (i: number) => ResponseCache.keyOf({ endpoint: 'e', request, repeat: i });
  for (let i = 0; i < 3; i++) await cache.set(key(i), result);
  // another process (a cache clear, a user) removes the whole folder
  rmSync(cache.dir, { recursive: true, force: true });
  for (let i = 3; i < 6; i++) await cache.set(key(i), result);
  await cache.flush();
  const fresh = new ResponseCache(cache.dir);
  for (let i = 3; i < 6; i++) assert.deepEqual(await fresh.get(key(i)), result, `entry ${i} written after the folder went away`);
  assert.equal(await fresh.get(key(0)), undefined, 'what was removed stays removed');
});

test('concurrent writes of one key leave a readable entry: the last one', async () => {
  const key = ResponseCache.keyOf({ endpoint: 'e', request, repeat: 0 });
  await Promise.all(Array.from({ length: 20 }, (_, i) => cache.set(key, { ...result, text: `v${i}` })));
  assert.equal((await cache.get<ChatResult>(key))?.text, 'v19');
  assert.equal((await new ResponseCache(cache.dir).get<ChatResult>(key))?.text, 'v19');
  assert.ok(!readFileSync(logOf(key), 'utf8').includes('sk-'));
});

test('kill -9 while writing never leaves an entry that is served corrupt', async () => {
  const writer = path.resolve('test/fixtures/cache-writer.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', writer, cache.dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let written = 0;
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`writer exited early (${code})`)));
    child.stdout.on('data', (d: Buffer) => {
      written = Math.max(written, ...String(d).split('\n').filter(Boolean).map(Number));
      // Kill it in the middle of its stream of 2 MB appends.
      if (written >= 64) resolve();
    });
  });
  child.removeAllListeners('exit');
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  const fresh = new ResponseCache(cache.dir);
  let served = 0;
  for (let i = 0; i < written + 64; i++) {
    const got = await fresh.get<{ text: string; n: number }>(keyOf(i));
    if (got === undefined) continue;
    assert.deepEqual(got, valueOf(i), `entry ${i} is whole`);
    served++;
  }
  assert.ok(served >= written, `${served} whole entries of the ${written} reported written`);
});

test('invalid keys are refused rather than escaping the cache folder', async () => {
  await assert.rejects(cache.set('../../etc/passwd', result));
  assert.equal(await cache.get('../x'), undefined);
});
