import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { cancelFineTuneJob, fineTunedVariantYaml, startFineTuneJob, waitForFineTuneJob } from '../../../src/core/finetune/jobs/openai';
import { apiModelName } from '../../../src/core/finetune/jobs/adapter';

let server: ScriptedServer;
let client: OpenAI;
before(async () => {
  server = await startScriptedServer({ fineTunePolls: 2 });
  client = new OpenAI({ baseURL: server.url, apiKey: 'test', maxRetries: 0 });
});
after(async () => {
  await server.close();
});

const line = JSON.stringify({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }] });

test('a job uploads train and validation files, starts on the API model name, and ends with a model to add as a variant', async () => {
  const started = await startFineTuneJob(client, { train: `${line}\n${line}\n`, validation: `${line}\n`, model: 'openai/gpt-4o-mini', suffix: 'tickets' });
  assert.equal(started.baseModel, 'gpt-4o-mini');
  assert.equal(started.state, 'queued');
  assert.ok(started.validationFile);
  assert.equal(server.stats.byPath['/v1/files'], 2);
  const seen: string[] = [];
  const done = await waitForFineTuneJob(client, started.id, { intervalMs: 1, onStatus: (s) => seen.push(s.state) });
  assert.deepEqual(seen, ['running', 'succeeded']);
  assert.match(done.fineTunedModel!, /^ft:gpt-4o-mini:/);
  assert.equal(fineTunedVariantYaml(done), `  - name: fine-tuned\n    model: openai/${done.fineTunedModel}\n    shots: 0\n`);
});

test('an empty training file is refused before any upload; a cancelled job reports cancelled', async () => {
  server.resetStats();
  await assert.rejects(startFineTuneJob(client, { train: '  ', model: 'gpt-4o-mini' }), /training file is empty/);
  assert.equal(server.stats.requests, 0);
  const job = await startFineTuneJob(client, { train: line, model: 'gpt-4o-mini' });
  assert.equal((await cancelFineTuneJob(client, job.id)).state, 'cancelled');
  assert.throws(() => fineTunedVariantYaml({ ...job, state: 'cancelled' }), /no model yet/);
  assert.equal(apiModelName('github/openai/gpt-4o'), 'gpt-4o');
});
