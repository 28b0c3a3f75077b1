// Fine-tuning job adapters over real HTTP against the scripted server, whose Mistral and Together endpoints follow
// those platforms' API references (test/fixtures/fineTunePlatforms.ts): the request shapes, the state sequence,
// the fine-tuned model id, failure, cancellation, a refused key, and OpenAI's wind-down refusal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { mistralAdapter } from '../../../src/core/finetune/jobs/mistral';
import { togetherAdapter } from '../../../src/core/finetune/jobs/together';
import { openaiAdapter } from '../../../src/core/finetune/jobs/openai';
import { FineTuneJobError, waitForJob, type FineTuneJobAdapter } from '../../../src/core/finetune/jobs/adapter';

let server: ScriptedServer;
const origin = () => server.url.replace(/\/v1$/, '');
before(async () => {
  server = await startScriptedServer({ fineTunePlatforms: { apiKey: 'key-good', polls: 2 } });
});
after(async () => {
  await server.close();
});

const line = JSON.stringify({ messages: [{ role: 'system', content: 'Reply with JSON.' }, { role: 'user', content: 'parcel late' }, { role: 'assistant', content: '{"intent":"delivery"}' }] });
const TRAIN = `${line}\n`.repeat(12);
const adapters: Record<'mistral' | 'together', (key: string) => FineTuneJobAdapter> = {
  mistral: (key) => mistralAdapter({ baseURL: `${origin()}/mistral/v1`, apiKey: key }),
  together: (key) => togetherAdapter({ baseURL: `${origin()}/together/v1`, apiKey: key }),
};
const BASE = { mistral: 'open-mistral-7b', together: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference' };

test('mistral: the documented create request, queued → validating → running → succeeded, and an ft: model id', async () => {
  server.resetStats();
  const a = adapters.mistral('key-good');
  const started = await a.start({ train: TRAIN, validation: `${line}\n`, model: `mistral/${BASE.mistral}`, suffix: 'tickets', epochs: 2 });
  assert.equal(started.state, 'queued');
  const create = server.stats.bodies.find((b) => (b as { training_files?: unknown }).training_files) as Record<string, unknown>;
  assert.equal(create.model, 'open-mistral-7b', 'the API model name, without the provider prefix');
  assert.deepEqual(create.training_files, [{ file_id: started.trainingFile, weight: 1 }]);
  assert.deepEqual(create.validation_files, [started.validationFile]);
  assert.deepEqual(create.hyperparameters, { epochs: 2 });
  assert.equal(create.auto_start, true);
  const seen: string[] = [];
  const done = await waitForJob(a, started.id, { intervalMs: 1, onStatus: (s) => seen.push(s.state) });
  assert.deepEqual(seen, ['validating_files', 'running', 'succeeded']);
  assert.match(done.fineTunedModel!, /^ft:open-mistral-7b:/);
  assert.equal(done.trainedTokens, 1200);
  assert.ok(server.stats.headers.every((h) => h.authorization === 'Bearer key-good'));
});

test('together: the documented upload and create requests, pending → queued → running → completed, and the output model name', async () => {
  server.resetStats();
  const a = adapters.together('key-good');
  const started = await a.start({ train: TRAIN, model: BASE.together, suffix: 'tickets' });
  assert.equal(started.state, 'queued');
  assert.equal(server.stats.byPath['/v1/together/v1/files/upload'], 1, 'one upload: no validation file');
  const create = server.stats.bodies.find((b) => (b as { training_file?: unknown }).training_file) as Record<string, unknown>;
  assert.deepEqual(create, { training_file: started.trainingFile, model: BASE.together, n_epochs: 3, suffix: 'tickets' });
  const seen: string[] = [];
  const done = await waitForJob(a, started.id, { intervalMs: 1, onStatus: (s) => seen.push(s.state) });
  assert.deepEqual(seen, ['queued', 'running', 'succeeded']);
  assert.match(done.fineTunedModel!, /^scripted\/Meta-Llama-3\.1-8B-Instruct-Reference-tickets-/);
});

for (const platform of ['mistral', 'together'] as const) {
  test(`${platform}: a file the platform cannot read fails with its message; a failed run and a cancel end as such`, async () => {
    const a = adapters[platform]('key-good');
    const bad = await a.start({ train: '{"prompt":"q","completion":"a"}\n', model: BASE[platform] });
    const failed = await waitForJob(a, bad.id, { intervalMs: 1 });
    assert.equal(failed.state, 'failed');
    assert.match(failed.error!, /messages/);
    server.setOptions({ fineTunePlatforms: { apiKey: 'key-good', polls: 1, outcome: 'failed' } });
    try {
      const diverged = await waitForJob(a, (await a.start({ train: TRAIN, model: BASE[platform] })).id, { intervalMs: 1 });
      assert.equal(diverged.state, 'failed');
      assert.equal(diverged.fineTunedModel, undefined);
    } finally {
      server.setOptions({ fineTunePlatforms: { apiKey: 'key-good', polls: 2 } });
    }
    const job = await a.start({ train: TRAIN, model: BASE[platform] });
    assert.equal((await a.cancel(job.id)).state, 'cancelled');
    assert.equal((await a.get(job.id)).state, 'cancelled');
  });

  test(`${platform}: a refused key is one line naming the platform, without the key; nothing is created`, async () => {
    server.resetStats();
    const a = adapters[platform]('key-wrong-123');
    const err = await a.start({ train: TRAIN, model: BASE[platform] }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof FineTuneJobError, String(err));
    assert.equal(err.status, 401);
    assert.match(err.message, new RegExp(`^${platform}: the API key was rejected \\(401`));
    assert.ok(!err.message.includes('key-wrong-123'));
    assert.ok(!err.message.includes('\n'));
    assert.deepEqual(Object.keys(server.stats.byPath).filter((p) => /fine_tuning\/jobs|fine-tunes/.test(p)), [], 'no create call after the refused upload');
  });
}

test('openai: the wind-down refusal is one line with the cut-off date and the alternatives; Azure\'s errors stay its own', async () => {
  server.setOptions({ fineTunePlatforms: { openaiRefusal: true } });
  try {
    const client = new OpenAI({ baseURL: server.url, apiKey: 'sk-test', maxRetries: 0 });
    const err = await openaiAdapter(client, 'openai').start({ train: TRAIN, model: 'openai/gpt-4.1-mini' }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof FineTuneJobError, String(err));
    assert.match(err.message, /^OpenAI no longer creates fine-tuning jobs .*2027-01-06.*Azure OpenAI, Mistral, Together.*--format vertex.*--format bedrock.*--format local/);
    assert.ok(!/403|invalid_request_error/.test(err.message), 'not the raw 4xx');
    assert.ok(!err.message.includes('\n'));
    const compatible = await openaiAdapter(client, 'azure').start({ train: TRAIN, model: 'gpt-4.1-mini' }).then(() => undefined, (e: unknown) => e);
    assert.ok(compatible instanceof OpenAI.APIError && compatible.status === 403, 'not translated for another platform');
  } finally {
    server.setOptions({ fineTunePlatforms: { apiKey: 'key-good', polls: 2 } });
  }
});
