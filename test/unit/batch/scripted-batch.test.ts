// The scripted server's Batch API, driven through the real `openai` client: files, batches, per-line
// failures, limits, cancel, expiry and corrupt output files.

import { test, before, after, beforeEach } from 'node:test';
import * as assert from 'node:assert/strict';
import { OpenAI, toFile } from 'openai';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';

let server: ScriptedServer;
let client: OpenAI;

before(async () => {
  server = await startScriptedServer();
  client = new OpenAI({ baseURL: server.url, apiKey: 'test', maxRetries: 0 });
});
after(async () => {
  await server.close();
});
beforeEach(() => {
  server.setOptions({ batch: {}, faults: [], capacity: undefined });
  server.setRules([]);
  server.resetStats();
});

function line(id: string, user: string, model = 'gpt-4o-mini'): string {
  return JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: user }] } });
}

async function submit(lines: string[]): Promise<OpenAI.Batches.Batch> {
  const file = await client.files.create({ file: await toFile(Buffer.from(lines.join('\n') + '\n'), 'input.jsonl'), purpose: 'batch' });
  return client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { tag: 'x' } });
}

async function jsonl(fileId: string | null | undefined): Promise<Record<string, unknown>[]> {
  if (!fileId) return [];
  const text = await (await client.files.content(fileId)).text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('a batch answers its lines by the chat rules, in the output file, without live chat calls', async () => {
  server.setRules([{ user: 'capital of (\\w+)', reply: 'Paris, $1' }]);
  const b = await submit([line('a', 'capital of France'), line('b', 'hello')]);
  assert.equal(b.status, 'in_progress');
  assert.deepEqual(b.metadata, { tag: 'x' });
  const done = await client.batches.retrieve(b.id);
  assert.equal(done.status, 'completed');
  assert.deepEqual(done.request_counts, { total: 2, completed: 2, failed: 0 });
  const out = await jsonl(done.output_file_id);
  const byId = new Map(out.map((o) => [o.custom_id, o]));
  const body = (id: string) => (byId.get(id)!.response as { body: { choices: { message: { content: string } }[] } }).body;
  assert.equal(body('a').choices[0].message.content, 'Paris, France');
  assert.equal(body('b').choices[0].message.content, 'echo: hello');
  assert.equal(server.stats.chatRequests, 0);
  assert.equal(server.stats.batchLines, 2);
  assert.equal(server.stats.batchesCreated, 1);
  const listed = await client.batches.list({ limit: 10 });
  assert.deepEqual(listed.data.map((x) => x.id), [b.id]);
});

test('progress is linear over the completion delay; per-line faults land in the error file', async () => {
  server.setOptions({ batch: { completionDelayMs: 400 }, faults: [{ path: 'batch', user: 'bad', status: 400, message: 'Invalid content' }] });
  const b = await submit([line('1', 'ok one'), line('2', 'bad one'), line('3', 'ok two'), line('4', 'ok three')]);
  await new Promise((r) => setTimeout(r, 200));
  const mid = await client.batches.retrieve(b.id);
  assert.equal(mid.status, 'in_progress');
  assert.ok(mid.request_counts!.completed >= 1 && mid.request_counts!.completed < 4, JSON.stringify(mid.request_counts));
  await new Promise((r) => setTimeout(r, 250));
  const done = await client.batches.retrieve(b.id);
  assert.equal(done.status, 'completed');
  assert.deepEqual(done.request_counts, { total: 4, completed: 3, failed: 1 });
  const errors = await jsonl(done.error_file_id);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].custom_id, '2');
  assert.match(JSON.stringify(errors[0].response), /"status_code":400.*Invalid content/);
});

test('validation: two models, duplicate ids, a wrong url and the request limit fail the batch with located errors', async () => {
  const mixed = await submit([line('a', 'x', 'gpt-4o-mini'), line('b', 'y', 'gpt-4o')]);
  assert.equal(mixed.status, 'failed');
  assert.equal(mixed.errors?.data?.[0].code, 'model_mismatch');
  assert.equal(mixed.errors?.data?.[0].line, 2);
  const dup = await submit([line('a', 'x'), line('a', 'y')]);
  assert.equal(dup.errors?.data?.[0].code, 'duplicate_custom_id');
  server.setOptions({ batch: { maxRequests: 2 } });
  const big = await submit([line('a', 'x'), line('b', 'y'), line('c', 'z')]);
  assert.equal(big.status, 'failed');
  assert.equal(big.errors?.data?.[0].code, 'too_many_requests');
  assert.equal(server.stats.batchLines, 0);
});

test('cancel: cancelling, then cancelled with the answered part in the output and the rest as batch_cancelled', async () => {
  server.setOptions({ batch: { completionDelayMs: 10_000 } });
  const b = await submit([line('a', 'x'), line('b', 'y')]);
  const c = await client.batches.cancel(b.id);
  assert.equal(c.status, 'cancelling');
  const after = await client.batches.retrieve(b.id);
  assert.equal(after.status, 'cancelled');
  const errors = await jsonl(after.error_file_id);
  assert.deepEqual(errors.map((e) => (e.error as { code: string }).code), ['batch_cancelled', 'batch_cancelled']);
  await assert.rejects(client.batches.cancel(b.id), /409/);
});

test('expiry and corrupt output lines', async () => {
  server.setOptions({ batch: { completionDelayMs: 1000, expireAfterMs: 520, malformedOutputLines: [1] } });
  const b = await submit([line('a', 'x'), line('b', 'y'), line('c', 'z'), line('d', 'w')]);
  await new Promise((r) => setTimeout(r, 560));
  const expired = await client.batches.retrieve(b.id);
  assert.equal(expired.status, 'expired');
  assert.deepEqual(expired.request_counts, { total: 4, completed: 2, failed: 2 });
  const text = await (await client.files.content(expired.output_file_id!)).text();
  const rows = text.split('\n').filter(Boolean);
  assert.equal(rows.length, 2);
  assert.throws(() => JSON.parse(rows[0]));
  assert.doesNotThrow(() => JSON.parse(rows[1]));
  const errors = await jsonl(expired.error_file_id);
  assert.deepEqual(errors.map((e) => (e.error as { code: string }).code), ['batch_expired', 'batch_expired']);
});
