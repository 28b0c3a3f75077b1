import { test, beforeEach } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { runEval } from '../../../src/core/engine';
import { RunRecordSchema } from '../../../src/core/runs/schema';
import { listRuns, runsDir } from '../../../src/core/runs/store';
import type { RunEvent } from '../../../src/core/events';
import { createEnvResolver } from '../../../src/core/providers/resolve';
import { CLASSIFIER, classifierRules, resolverFor, useScriptedWorkspace } from '../../fixtures/workspace';

/** Bounded retries with short delays so failing-call tests stay quick. */
const FAST_RETRY = { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 20 };

const scripted = useScriptedWorkspace({ rules: classifierRules }, { fresh: 'each' });

beforeEach(() => {
  scripted.server.setOptions({ capacity: undefined, faults: [], latencyMs: 0 });
  scripted.server.setRules(classifierRules);
  scripted.server.resetStats();
});

async function classifier() {
  const file = scripted.write('cls.prompt.yml', CLASSIFIER);
  return loadPromptFile(file);
}

test('a run covers every case × variant, few-shot changes the verdicts, and the record on disk validates', async () => {
  const spec = await classifier();
  const events: RunEvent[] = [];
  const { record, path: file } = await runEval(spec, { providers: resolverFor(scripted.server.url), root: scripted.root, onEvent: (e) => events.push(e) });
  assert.equal(record.status, 'completed');
  assert.equal(record.cases.length, 3);
  assert.deepEqual(record.variants.map((v) => v.name), ['zero-shot', '2-shot']);
  const zero = record.variants[0];
  const two = record.variants[1];
  assert.equal(zero.passed, 1, 'zero-shot: only the refund case answers JSON');
  assert.equal(zero.failed, 2);
  assert.equal(two.passed, 3);
  assert.equal(zero.categories.format, 2, 'prose instead of JSON is a format failure');
  const failing = record.cases[0].results.find((r) => r.variant === 'zero-shot')!;
  assert.equal(failing.passed, false);
  assert.equal(failing.category, 'format');
  assert.ok(failing.categoryReason);
  // the 2-shot cell carries the exact messages sent: system, 2 pairs, final user
  const shot = record.cases[0].results.find((r) => r.variant === '2-shot')!;
  assert.deepEqual(shot.messages!.map((m) => m.role), ['system', 'user', 'assistant', 'user', 'assistant', 'user']);
  assert.equal(shot.messages!.at(-1)!.content, 'parcel never arrived');
  // one JSON file, schema-valid, equal to what was returned
  assert.ok(file && file.startsWith(runsDir(scripted.root)));
  const onDisk = RunRecordSchema.parse(JSON.parse(readFileSync(file!, 'utf8')));
  assert.equal(onDisk.id, record.id);
  assert.equal(onDisk.status, 'completed');
  assert.ok(!readdirSync(runsDir(scripted.root)).some((n) => n.endsWith('.tmp')), 'no temp files left');
  // events: started, a finished event per cell, finished
  assert.equal(events[0].type, 'run-started');
  assert.equal(events.filter((e) => e.type === 'case-finished').length, 6);
  assert.equal(events.at(-1)!.type, 'run-finished');
  assert.equal(record.calls, 6);
});

test('re-running an unchanged eval is answered from the cache with zero calls; --no-cache calls again', async () => {
  const spec = await classifier();
  await runEval(spec, { providers: resolverFor(scripted.server.url), root: scripted.root });
  assert.equal(scripted.server.stats.chatRequests, 6);
  scripted.server.resetStats();
  const second = await runEval(spec, { providers: resolverFor(scripted.server.url), root: scripted.root });
  assert.equal(scripted.server.stats.chatRequests, 0);
  assert.equal(second.record.calls, 0);
  assert.ok(second.record.cases.every((c) => c.results.every((r) => r.cached)));
  assert.equal(second.record.variants[1].passed, 3, 'cached results are judged the same');
  scripted.server.resetStats();
  await runEval(spec, { providers: resolverFor(scripted.server.url), root: scripted.root, cache: false });
  assert.equal(scripted.server.stats.chatRequests, 6);
});

test('a 429 storm loses no case and peak concurrency stays within capacity', async () => {
  scripted.server.setOptions({ capacity: 3, latencyMs: 15, retryAfterMs: 5 });
  const cases = Array.from({ length: 40 }, (_, i) => `  - message: refund ${i}\n    intent: refund`).join('\n');
  const file = scripted.write('storm.prompt.yml', CLASSIFIER.replace(/testData:[\s\S]*?examples:/, `testData:\n${cases}\nexamples:`));
  const spec = await loadPromptFile(file);
  const { record } = await runEval(spec, { providers: resolverFor(scripted.server.url), root: scripted.root, cache: false });
  assert.equal(record.cases.length, 40);
  const results = record.cases.flatMap((c) => c.results);
  assert.equal(results.length, 80);
  assert.ok(results.every((r) => !r.error), 'every call eventually succeeded');
  assert.ok(scripted.server.stats.rejected429 > 0, 'the server did push back');
  // Without back-off the opening 16 calls would keep 13 over capacity every round (hundreds of 429s for 80 calls).
  assert.ok(scripted.server.stats.rejected429 < 40, `the scheduler backed off (${scripted.server.stats.rejected429} rejections for 80 calls)`);
  assert.equal(scripted.server.stats.completed, 80, 'no call was duplicated');
});

test('a call that keeps failing becomes an error result with the reason; the rest of the run goes on', async () => {
  scripted.server.setOptions({ faults: [{ status: 500, user: 'refund' }] });
  const spec = await classifier();
  const { record } = await runEval(spec, { providers: resolverFor(scripted.server.url), root: scripted.root, cache: false, timeoutMs: 2000, retry: FAST_RETRY });
  assert.equal(record.status, 'completed');
  const refund = record.cases[1].results;
  assert.ok(refund.every((r) => r.error && /500/.test(r.error) && r.category === 'error' && !r.passed));
  assert.equal(record.variants[1].errors, 1);
  assert.equal(record.variants[1].passed, 2, 'the other cases still ran');
  assert.ok(record.variants[1].passRate < 1, 'errors count as not passed');
});

test('errors are never cached: after the fault clears, a re-run calls the provider for exactly the failed cells', async () => {
  scripted.server.setOptions({ faults: [{ status: 500, user: 'refund' }] });
  const spec = await classifier();
  await runEval(spec, { providers: resolverFor(scripted.server.url), root: scripted.root, timeoutMs: 2000, retry: FAST_RETRY });
  scripted.server.setOptions({ faults: [] });
  scripted.server.resetStats();
  const { record } = await runEval(spec, { providers: resolverFor(scripted.server.url), root: scripted.root });
  assert.equal(scripted.server.stats.chatRequests, 2);
  assert.ok(record.cases[1].results.every((r) => !r.error));
});

test('cancelling keeps the partial results, with status cancelled, on disk', async () => {
  scripted.server.setOptions({ latencyMs: 300, capacity: 2 });
  const cases = Array.from({ length: 20 }, (_, i) => `  - message: refund ${i}\n    intent: refund`).join('\n');
  const file = scripted.write('slow.prompt.yml', CLASSIFIER.replace(/testData:[\s\S]*?examples:/, `testData:\n${cases}\nexamples:`));
  const spec = await loadPromptFile(file);
  const controller = new AbortController();
  let finished = 0;
  const { record, path: recordPath } = await runEval(spec, {
    providers: resolverFor(scripted.server.url),
    root: scripted.root,
    concurrency: 2,
    signal: controller.signal,
    onEvent: (e) => {
      if (e.type === 'case-finished' && ++finished === 3) controller.abort();
    },
  });
  assert.equal(record.status, 'cancelled');
  const done = record.cases.flatMap((c) => c.results).length;
  assert.ok(done >= 3 && done < 40, `partial results kept (${done})`);
  const runs = await listRuns(scripted.root);
  assert.equal(runs.length, 1);
  assert.equal(runs[0].record.status, 'cancelled');
  assert.equal(runs[0].path, recordPath);
  assert.equal(runs[0].record.cases.flatMap((c) => c.results).length, done);
});

test('repeat runs every case n times with distinct calls; variant and case filters narrow the run', async () => {
  const spec = await classifier();
  const { record } = await runEval(spec, { providers: resolverFor(scripted.server.url), root: scripted.root, repeat: 2, variants: ['2-shot'], caseIndexes: [0, 2] });
  assert.deepEqual(record.variants.map((v) => v.name), ['2-shot']);
  assert.deepEqual(record.cases.map((c) => c.index), [0, 2]);
  assert.equal(record.cases[0].results.length, 2);
  assert.deepEqual(record.cases[0].results.map((r) => r.repeat), [0, 1]);
  assert.equal(scripted.server.stats.chatRequests, 4, 'each repeat is its own call (own cache key)');
});

test('a model with no key configured makes error results naming the variable, not a crash', async () => {
  const spec = await classifier();
  const { record } = await runEval(spec, { providers: createEnvResolver({}), root: scripted.root, write: false });
  assert.equal(record.status, 'failed');
  assert.match(record.statusReason ?? '', /OPENAI_API_KEY/);
  assert.equal(scripted.server.stats.chatRequests, 0);
  // Advisor v2: when errors dominate (here every call failed) the one piece of advice is to fix the provider
  // and re-run (kind evaluation, with the reason) — never a rung, which is what the old empty advice protected.
  const recs = record.advice?.recommendations ?? [];
  assert.deepEqual(recs.map((r) => r.kind), ['evaluation'], 'nothing the model did could be judged: only the provider advice');
  assert.match(recs[0].title ?? '', /fix the provider and re-run/);
  assert.match(recs[0].why, /OPENAI_API_KEY/);
});

test('the run record never contains the API key', async () => {
  const spec = await classifier();
  const { path: p } = await runEval(spec, { providers: resolverFor(scripted.server.url), root: scripted.root });
  assert.ok(!readFileSync(p!, 'utf8').includes('test-key'));
  const cacheFiles = readdirSync(path.join(scripted.root, '.promptladder', 'cache'), { recursive: true }) as string[];
  for (const f of cacheFiles) {
    const full = path.join(scripted.root, '.promptladder', 'cache', f);
    try {
      assert.ok(!readFileSync(full, 'utf8').includes('test-key'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EISDIR') throw e;
    }
  }
});

test('a chain-of-thought variant keeps the reasoning in the record and evaluators see only the final answer', async () => {
  scripted.server.setRules([
    { system: 'Final answer', reply: 'The parcel is late, so this is about delivery.\nFinal answer: {"intent":"delivery"}' },
    ...classifierRules,
  ]);
  const file = scripted.write('cot.prompt.yml', CLASSIFIER.replace('  - name: 2-shot\n    shots: 2', '  - name: cot\n    chainOfThought: true'));
  const spec = await loadPromptFile(file);
  const { record } = await runEval(spec, { providers: resolverFor(scripted.server.url), root: scripted.root, variants: ['cot'], caseIndexes: [0] });
  const r = record.cases[0].results[0];
  assert.match(r.messages![0].content, /Think step by step/);
  assert.match(r.output, /so this is about delivery/);
  assert.equal(r.answer, '{"intent":"delivery"}');
  assert.equal(r.passed, true, 'valid-json judged the final answer, not the reasoning');
});

test('a self-repair variant feeds failed reference-free checks back and keeps the repaired reply', async () => {
  scripted.server.setRules([
    { user: 'failed these checks', reply: '{"intent":"delivery"}' },
    { user: 'parcel', reply: 'It is about delivery.' },
  ]);
  const file = scripted.write('repair.prompt.yml', CLASSIFIER.replace('  - name: 2-shot\n    shots: 2', '  - name: repair\n    selfRepair: 2'));
  const spec = await loadPromptFile(file);
  const { record } = await runEval(spec, { providers: resolverFor(scripted.server.url), root: scripted.root, variants: ['repair'], caseIndexes: [0], cache: false });
  const r = record.cases[0].results[0];
  assert.equal(r.attempts, 2);
  assert.equal(r.passed, true);
  assert.deepEqual(r.messages!.map((m) => m.role), ['system', 'user', 'assistant', 'user']);
  assert.match(r.messages![3].content, /valid-json/);
  assert.equal(scripted.server.stats.chatRequests, 2);
  assert.ok(r.tokens.prompt > 0);
});
