// `eval --batch` in the core, over real HTTP against the scripted server's Batch API: thousands of cases
// with no live chat call, splitting by model and limits, per-line errors, judge phases, cancel, expiry,
// corrupt output files, cache entry, and the batch rate in the record.

import { test, before, after, beforeEach } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { OpenAI } from 'openai';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { runEval } from '../../../src/core/engine';
import { runEvalViaBatch, batchRefusal, type BatchEvent } from '../../../src/core/batch/runBatch';
import { createEnvResolver } from '../../../src/core/providers/resolve';
import { estimateCostUsd } from '../../../src/core/providers/pricing';
import { batchesDir } from '../../../src/core/batch/state';
import { tempWorkspace, resolverFor, type Workspace } from '../../fixtures/workspace';

let server: ScriptedServer;
let ws: Workspace;

before(async () => {
  server = await startScriptedServer();
});
after(async () => {
  await server.close();
});
beforeEach(() => {
  ws?.dispose();
  ws = tempWorkspace();
  server.setOptions({ batch: {}, faults: [], capacity: undefined, latencyMs: 0 });
  server.setRules([
    { user: 'judge', reply: 'yes' },
    { user: 'item (\\d+)', reply: 'answer $1' },
  ]);
  server.resetStats();
});

const rows = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ n: i, expected: `answer ${i}` })).join('\n') + '\n';

function promptFile(opts: { variants?: string; evaluators?: string; cases?: number } = {}): string {
  ws.write('big.cases.jsonl', rows(opts.cases ?? 20));
  return ws.write(
    'big.prompt.yml',
    `name: Big
model: openai/gpt-4o-mini
messages:
  - role: user
    content: "item {{n}}"
testFile: big.cases.jsonl
${opts.variants ?? ''}
evaluators:
${opts.evaluators ?? `  - name: right
    string:
      equals: "answer {{n}}"`}
`,
  );
}

async function run(file: string, extra: Partial<Parameters<typeof runEvalViaBatch>[1]> = {}) {
  const spec = await loadPromptFile(file);
  const events: BatchEvent[] = [];
  const result = await runEvalViaBatch(spec, { providers: resolverFor(server.url), root: ws.root, pollIntervalMs: 20, onBatch: (e) => events.push(e), ...extra });
  return { result, events, spec };
}

test('3,000 cases go through one batch against a server with live capacity 1: no live chat call, batch rate, results cached', async () => {
  server.setOptions({ capacity: 1, batch: { completionDelayMs: 100 } });
  const file = promptFile({ cases: 3000 });
  const { result, events } = await run(file);
  assert.equal(result.kind, 'finished');
  if (result.kind !== 'finished') return;
  const record = result.record;
  assert.equal(server.stats.chatRequests, 0, 'no live chat call');
  assert.equal(server.stats.batchesCreated, 1);
  assert.equal(server.stats.batchLines, 3000);
  assert.equal(record.status, 'completed');
  assert.equal(record.variants[0].passed, 3000);
  const r = record.cases[1234].results[0];
  assert.equal(r.output, 'answer 1234');
  assert.equal(r.batched, true);
  assert.equal(r.cached, false);
  assert.ok(r.costUsd! > 0);
  assert.ok(Math.abs(r.costUsd! - estimateCostUsd('openai/gpt-4o-mini', r.tokens) / 2) < 1e-12, 'half the live price');
  assert.equal(record.batch?.results, 3000);
  assert.equal(record.batch?.batches.length, 1);
  assert.ok(Math.abs(record.batch!.savedUsd - record.batch!.costUsd) < 1e-5, 'saving = batch cost at 50 %');
  const waits = events.filter((e) => e.type === 'waiting');
  assert.ok(waits.length >= 1, 'status was reported while waiting');
  const last = waits[waits.length - 1];
  assert.ok(last.type === 'waiting' && last.parts[0].status === 'completed' && last.parts[0].completed === 3000);
  assert.ok(!existsSync(path.join(batchesDir(ws.root), readdirSafe(batchesDir(ws.root))[0] ?? 'none')), 'the pending state is gone once the record is written');
  // The answers entered the response cache: a live run now makes no call at all.
  const spec = await loadPromptFile(file);
  const again = await runEval(spec, { providers: resolverFor(server.url), root: ws.root });
  assert.equal(again.record.calls, 0);
  assert.equal(server.stats.chatRequests, 0);
  assert.equal(again.record.cases[1234].results[0].output, 'answer 1234');
});

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
}

test('lines split by model and at the request limit; the server enforces the same limit', async () => {
  server.setOptions({ batch: { maxRequests: 7 } });
  const file = promptFile({
    cases: 20,
    variants: `variants:
  - name: mini
  - name: big
    model: openai/gpt-4o`,
  });
  const { result } = await run(file, { limits: { maxRequests: 7 } });
  assert.equal(result.kind, 'finished');
  if (result.kind !== 'finished') return;
  // 20 lines per model, at most 7 per batch: 3 + 3 batches, each with one model.
  assert.equal(server.stats.batchesCreated, 6);
  const models = result.record.batch!.batches.map((b) => b.model).sort();
  assert.deepEqual(models, ['openai/gpt-4o', 'openai/gpt-4o', 'openai/gpt-4o', 'openai/gpt-4o-mini', 'openai/gpt-4o-mini', 'openai/gpt-4o-mini']);
  assert.ok(result.record.batch!.batches.every((b) => b.status === 'completed' && b.requests <= 7));
  assert.equal(result.record.variants.find((v) => v.name === 'big')!.passed, 20);
  assert.equal(result.record.variants.find((v) => v.name === 'mini')!.passed, 20);
  assert.equal(server.stats.chatRequests, 0);
});

test('the lines carry the exact body a live call sends, and custom_id names the cell', async () => {
  const file = promptFile({ cases: 2, variants: 'modelParameters:\n  temperature: 0.3\n  maxTokens: 50\nresponseFormat: json_object' });
  const spec = await loadPromptFile(file);
  await runEval(spec, { providers: resolverFor(server.url), root: ws.root, cache: false });
  const liveBodies = server.stats.bodies.filter((b) => (b as { messages?: unknown }).messages) as Record<string, unknown>[];
  assert.equal(liveBodies.length, 2);
  server.resetStats();
  await run(file, { cache: false });
  const client = new OpenAI({ baseURL: server.url, apiKey: 'k' });
  const batch = (await client.batches.list()).data[0];
  const text = await (await client.files.content(batch.input_file_id)).text();
  const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { custom_id: string; method: string; url: string; body: unknown });
  assert.equal(lines.length, 2);
  for (const l of lines) {
    assert.equal(l.method, 'POST');
    assert.equal(l.url, '/v1/chat/completions');
    assert.match(l.custom_id, /^c[01]\.v0\.r0\.p\.[0-9a-f]{64}$/);
  }
  const byCase = (i: number) => lines.find((l) => l.custom_id.startsWith(`c${i}.`))!.body;
  const liveFor = (i: number) => liveBodies.find((b) => JSON.stringify(b).includes(`item ${i}"`));
  assert.deepEqual(byCase(0), liveFor(0));
  assert.deepEqual(byCase(1), liveFor(1));
});

test('a failed line becomes that cell\'s error with the provider\'s reason; every other cell is judged', async () => {
  server.setOptions({ faults: [{ path: 'batch', user: '^item 3$', status: 400, message: 'This prompt was flagged' }] });
  const { result } = await run(promptFile({ cases: 6 }));
  assert.equal(result.kind, 'finished');
  if (result.kind !== 'finished') return;
  const bad = result.record.cases[3].results[0];
  assert.match(bad.error ?? '', /HTTP 400 This prompt was flagged/);
  assert.equal(bad.category, 'error');
  assert.equal(result.record.variants[0].passed, 5);
  assert.equal(result.record.variants[0].errors, 1);
  assert.equal(server.stats.chatRequests, 0);
});

const JUDGE = `  - name: judged
    llm:
      modelId: openai/gpt-4o-mini
      prompt: 'judge this: {{completion}}'
      choices:
        - choice: 'yes'
          score: 1
        - choice: 'no'
          score: 0`;

test('--batch: judge calls run as a second batch phase; --batch=calls runs them live', async () => {
  const file = promptFile({ cases: 5, evaluators: JUDGE });
  const all = await run(file, { cache: false });
  assert.equal(all.result.kind, 'finished');
  if (all.result.kind !== 'finished') return;
  assert.equal(server.stats.batchesCreated, 2, 'the cells, then their judges');
  assert.equal(server.stats.chatRequests, 0);
  assert.equal(all.result.record.variants[0].passed, 5);
  assert.ok(all.events.some((e) => e.type === 'submitted' && e.phase === 2));

  server.resetStats();
  const calls = await run(file, { cache: false, mode: 'calls' });
  assert.equal(calls.result.kind, 'finished');
  if (calls.result.kind !== 'finished') return;
  assert.equal(server.stats.batchesCreated, 1);
  assert.equal(server.stats.chatRequests, 5, 'one live judge call per cell');
  assert.equal(calls.result.record.variants[0].passed, 5);
  assert.equal(calls.result.record.batch?.mode, 'calls');
});

test('a batch cancelled on the provider: answered lines are kept, the rest are errors saying so', async () => {
  // slow enough that the cancel lands mid-batch on a loaded machine too (the test ends at the cancel)
  server.setOptions({ batch: { completionDelayMs: 4000 } });
  const client = new OpenAI({ baseURL: server.url, apiKey: 'k' });
  let cancelled = false;
  const { result } = await run(promptFile({ cases: 10 }), {
    onBatch: (e) => {
      if (e.type === 'waiting' && !cancelled && e.parts[0].completed >= 3 && e.parts[0].id) {
        cancelled = true;
        void client.batches.cancel(e.parts[0].id);
      }
    },
  });
  assert.equal(result.kind, 'finished');
  if (result.kind !== 'finished') return;
  const v = result.record.variants[0];
  assert.ok(v.passed >= 3 && v.passed < 10, `passed ${v.passed}`);
  assert.equal(v.passed + v.errors, 10);
  const err = result.record.cases.flatMap((c) => c.results).find((r) => r.error)!;
  assert.match(err.error!, /cancelled/);
  assert.equal(result.record.batch?.batches[0].status, 'cancelled');
});

test('an expired batch: the answered part counts, the rest are errors naming the expiry', async () => {
  server.setOptions({ batch: { completionDelayMs: 1000, expireAfterMs: 300 } });
  const { result } = await run(promptFile({ cases: 10 }));
  assert.equal(result.kind, 'finished');
  if (result.kind !== 'finished') return;
  const v = result.record.variants[0];
  assert.equal(v.passed, 3);
  assert.equal(v.errors, 7);
  assert.match(result.record.cases[9].results[0].error!, /expired|batch_expired/);
});

test('a corrupt output line is a located problem; the other lines are used and the file is kept', async () => {
  server.setOptions({ batch: { malformedOutputLines: [2] } });
  const { result, events } = await run(promptFile({ cases: 5 }));
  assert.equal(result.kind, 'finished');
  if (result.kind !== 'finished') return;
  assert.equal(result.record.variants[0].passed, 4);
  assert.equal(result.record.variants[0].errors, 1);
  const problem = (result.record.problems ?? []).find((p) => /line 2: not valid JSON/.test(p));
  assert.ok(problem, JSON.stringify(result.record.problems));
  assert.match(problem!, /^batch batch_scripted_\d+, file file-scripted-\d+, line 2/);
  assert.ok(events.some((e) => e.type === 'problem' && /kept at \.promptladder\/batches\//.test(e.message)));
  assert.ok(readdirSync(batchesDir(ws.root)).some((n) => n.endsWith('.jsonl')));
  // The lost line is submitted again by the next run (its answer is not cached), and nothing else is.
  server.setOptions({ batch: {} });
  server.resetStats();
  const again = await run(promptFile({ cases: 5 }));
  assert.equal(server.stats.batchLines, 1);
  assert.equal(again.result.kind === 'finished' && again.result.record.variants[0].passed, 5);
});

test('--detach returns after submitting; the same run again attaches to that batch instead of creating one', async () => {
  server.setOptions({ batch: { completionDelayMs: 300 } });
  const file = promptFile({ cases: 8 });
  const first = await run(file, { detach: true });
  assert.equal(first.result.kind, 'detached');
  assert.equal(server.stats.batchesCreated, 1);
  const second = await run(file);
  assert.equal(second.result.kind, 'finished');
  assert.ok(second.events.some((e) => e.type === 'attached'));
  assert.equal(server.stats.batchesCreated, 1, 'no second batch');
  assert.equal(second.result.kind === 'finished' && second.result.record.variants[0].passed, 8);
});

test('providers without a Batch API are refused with a one-line reason', async () => {
  const file = ws.write('local.prompt.yml', 'name: L\nmodel: ollama/llama3\nmessages:\n  - role: user\n    content: hi\ntestData:\n  - a: 1\n');
  const spec = await loadPromptFile(file);
  const why = batchRefusal(spec, createEnvResolver({}), {});
  assert.match(why ?? '', /^--batch: model ollama\/llama3 runs on Ollama.*has no Batch API/);
  assert.ok(!why!.includes('\n'));
  const gh = batchRefusal(spec, createEnvResolver({ GITHUB_TOKEN: 'gh-test-token-123' }), {});
  assert.match(gh ?? '', /Ollama/);
  const ghSpec = await loadPromptFile(ws.write('gh.prompt.yml', 'name: G\nmodel: github/openai/gpt-4o\nmessages:\n  - role: user\n    content: hi\ntestData:\n  - a: 1\n'));
  assert.match(batchRefusal(ghSpec, createEnvResolver({ GITHUB_TOKEN: 'gh-test-token-123' }), {}) ?? '', /GitHub Models, which has no Batch API/);
  const okSpec = await loadPromptFile(promptFile({ cases: 1 }));
  assert.equal(batchRefusal(okSpec, resolverFor(server.url), {}), undefined);
});

test('Azure OpenAI: lines address the deployment under /chat/completions; files and batches go to the resource with its api-version', async () => {
  const base = server.url.replace(/\/v1$/, '');
  const resolver = createEnvResolver({ AZURE_OPENAI_ENDPOINT: base, AZURE_OPENAI_API_KEY: 'az', OPENAI_API_VERSION: '2025-01-01-preview' });
  ws.write('az.cases.jsonl', rows(3));
  const file = ws.write('az.prompt.yml', 'name: Az\nmodel: azure/my-deployment\nmessages:\n  - role: user\n    content: "item {{n}}"\ntestFile: az.cases.jsonl\n');
  const spec = await loadPromptFile(file);
  const result = await runEvalViaBatch(spec, { providers: resolver, root: ws.root, pollIntervalMs: 20 });
  assert.equal(result.kind, 'finished');
  if (result.kind !== 'finished') return;
  assert.equal(result.record.cases[2].results[0].output, 'answer 2');
  assert.equal(server.stats.chatRequests, 0);
  const h = server.stats.headers.find((x) => x['api-key'] === 'az');
  assert.ok(h, 'the Azure key header was sent');
  assert.ok(server.stats.urls.some((u) => u === 'POST /openai/batches?api-version=2025-01-01-preview'), server.stats.urls.join('\n'));
  assert.ok(server.stats.urls.some((u) => u === 'POST /openai/files?api-version=2025-01-01-preview'));
  const client = new OpenAI({ baseURL: server.url, apiKey: 'k' });
  const b = (await client.batches.list()).data[0];
  assert.equal(b.endpoint, '/chat/completions');
  const line = JSON.parse((await (await client.files.content(b.input_file_id)).text()).split('\n')[0]) as { url: string; body: { model: string } };
  assert.equal(line.url, '/chat/completions');
  assert.equal(line.body.model, 'my-deployment');
});

test('a crash between creating the batch and saving its id: the next run finds the batch by its input file', async () => {
  server.setOptions({ batch: { completionDelayMs: 200 } });
  const file = promptFile({ cases: 4 });
  const first = await run(file, { detach: true });
  assert.equal(first.result.kind, 'detached');
  if (first.result.kind !== 'detached') return;
  // What a kill -9 right after batches.create leaves on disk: the uploaded file's id, no batch id.
  const state = JSON.parse(readFileSync(first.result.stateFile, 'utf8')) as { phases: { parts: { batchId?: string; fileId?: string; status?: string }[] }[] };
  const part = state.phases[0].parts[0];
  assert.ok(part.fileId && part.batchId);
  const id = part.batchId;
  delete part.batchId;
  delete part.status;
  writeFileSync(first.result.stateFile, JSON.stringify(state));
  const second = await run(file);
  assert.equal(second.result.kind, 'finished');
  if (second.result.kind !== 'finished') return;
  assert.equal(server.stats.batchesCreated, 1, 'found, not created again');
  assert.equal(server.stats.filesUploaded, 1);
  assert.equal(second.result.record.batch?.batches[0].id, id);
  assert.equal(second.result.record.variants[0].passed, 4);
});
