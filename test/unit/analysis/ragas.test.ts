import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import {
  evaluateAnswerRelevancy,
  evaluateContextPrecision,
  evaluateContextRecall,
  evaluateFaithfulness,
  registerRagasEvaluators,
  splitSentences,
} from '../../../src/core/evaluators/ragas';
import { runEvaluator } from '../../../src/core/evaluators/registry';
import type { EvalInput } from '../../../src/core/evaluators/evaluator';
import type { EvaluatorSpec } from '../../../src/core/prompt/spec';
import { scriptedJudge } from './judge';

let server: ScriptedServer;
before(async () => {
  server = await startScriptedServer({});
});
after(async () => {
  await server.close();
});
beforeEach(() => {
  server.setRules([]);
  server.resetStats();
});

type RagasSpec = Extract<EvaluatorSpec, { kind: 'faithfulness' | 'answer-relevancy' | 'context-precision' | 'context-recall' }>;
const spec = (kind: RagasSpec['kind'], threshold?: number): RagasSpec => ({ name: kind, kind, line: 1, ...(threshold !== undefined ? { threshold } : {}) }) as RagasSpec;

const QUESTION = 'What is the capital of France?';
const input = (over: Partial<EvalInput> = {}, embeddings = false): EvalInput => ({
  output: 'Paris is the capital of France. It has ten million people.',
  vars: {},
  messages: [{ role: 'user', content: QUESTION }],
  question: QUESTION,
  latencyMs: 1,
  costUsd: 0,
  judge: scriptedJudge(server, { embeddings }),
  signal: new AbortController().signal,
  context: ['Paris is the capital and largest city of France.'],
  expected: 'Paris is the capital of France. The Eiffel Tower is in Paris.',
  ...over,
});

test('faithfulness = supported statements / statements, with per-statement verdicts in data', async () => {
  server.setRules([
    { system: 'standalone statements', reply: '{"statements":["Paris is the capital of France.","Paris has ten million people."]}' },
    {
      system: 'directly inferred',
      reply:
        '{"verdicts":[{"statement":"Paris is the capital of France.","verdict":1,"reason":"stated"},{"statement":"Paris has ten million people.","verdict":0,"reason":"population not given"}]}',
    },
  ]);
  const r = await evaluateFaithfulness(spec('faithfulness', 0.6), input());
  assert.equal(r.score, 0.5);
  assert.equal(r.passed, false);
  assert.equal(r.category, 'grounding');
  assert.match(r.details!, /1\/2 statements supported.*ten million/);
  const rows = (r.data as { statements: { statement: string; supported: boolean; reason: string }[] }).statements;
  assert.deepEqual(rows.map((x) => x.supported), [true, false]);
  assert.equal(rows[1].reason, 'population not given');
  // the verifier saw the context and the numbered statements
  const verifyBody = server.stats.bodies.at(-1) as { messages: { content: string }[] };
  assert.match(verifyBody.messages[1].content, /CONTEXT:\n1\. Paris is the capital and largest city/);
});

test('faithfulness without context judged nothing: it fails with category error and calls no model', async () => {
  const r = await evaluateFaithfulness(spec('faithfulness'), input({ context: undefined }));
  assert.equal(r.passed, false);
  assert.equal(r.category, 'error');
  assert.equal(server.stats.chatRequests, 0);
});

test('answer relevancy: mean cosine of generated questions to the real one; 0 when noncommittal', async () => {
  server.setRules([
    { system: 'questions that this answer', user: 'I am not sure', reply: '{"questions":["What is the capital of France?"],"noncommittal":1}' },
    {
      system: 'questions that this answer',
      reply: '{"questions":["What is the capital of France?","Which city is the capital of France?","What is the capital city of France?"],"noncommittal":0}',
    },
  ]);
  const r = await evaluateAnswerRelevancy(spec('answer-relevancy'), input({}, true));
  assert.ok(r.score > 0.7, `score ${r.score}`);
  assert.equal(r.passed, true);
  assert.equal((r.data as { method: string }).method, 'embeddings');
  assert.equal(server.stats.embeddingRequests, 1);
  const lexical = await evaluateAnswerRelevancy(spec('answer-relevancy'), input({}, false));
  assert.equal((lexical.data as { method: string }).method, 'lexical');
  assert.ok(lexical.score > 0.5);
  const vague = await evaluateAnswerRelevancy(spec('answer-relevancy'), input({ output: 'I am not sure, it depends.' }, true));
  assert.equal(vague.score, 0);
  assert.equal(vague.passed, false);
  assert.match(vague.details!, /noncommittal/);
});

test('context precision is the average precision of per-chunk usefulness verdicts (rank matters)', async () => {
  server.setRules([
    { system: 'was useful', anyMessage: 'PASSAGE:\\nParis', reply: '{"reason":"names the capital","verdict":1}' },
    { system: 'was useful', reply: '{"reason":"off topic","verdict":0}' },
  ]);
  const good = ['Paris is the capital of France.', 'Bananas are yellow.'];
  const first = await evaluateContextPrecision(spec('context-precision'), input({ context: good }));
  assert.equal(first.score, 1);
  const second = await evaluateContextPrecision(spec('context-precision'), input({ context: [...good].reverse() }));
  assert.equal(second.score, 0.5);
  assert.equal(second.category, 'retrieval');
  const chunks = (second.data as { chunks: { rank: number; useful: boolean }[] }).chunks;
  assert.deepEqual(chunks.map((c) => c.useful), [false, true]);
  const none = await evaluateContextPrecision(spec('context-precision'), input({ context: ['Bananas are yellow.'] }));
  assert.equal(none.score, 0);
});

test('context recall = reference sentences attributable to the context / sentences', async () => {
  server.setRules([
    {
      system: 'attributed to the context',
      reply:
        '{"classifications":[{"statement":"Paris is the capital of France.","attributed":1,"reason":"stated"},{"statement":"The Eiffel Tower is in Paris.","attributed":0,"reason":"not mentioned"}]}',
    },
  ]);
  const r = await evaluateContextRecall(spec('context-recall'), input());
  assert.equal(r.score, 0.5);
  assert.equal(r.passed, true);
  assert.equal(r.category, 'retrieval');
  assert.match(r.details!, /missing: "The Eiffel Tower is in Paris\."/);
  const body = server.stats.bodies.at(-1) as { messages: { content: string }[] };
  assert.match(body.messages[1].content, /REFERENCE SENTENCES:\n1\. Paris is the capital of France\.\n2\. The Eiffel Tower is in Paris\./);
  const noRef = await evaluateContextRecall(spec('context-recall'), input({ expected: undefined }));
  assert.equal(noRef.category, 'error');
});

test('a judge reply of the wrong shape becomes an evaluator error through the registry', async () => {
  registerRagasEvaluators();
  server.setRules([{ system: 'attributed to the context', reply: 'sure, looks fine' }]);
  const r = await runEvaluator(spec('context-recall'), input());
  assert.equal(r.passed, false);
  assert.equal(r.category, 'error');
  assert.match(r.details!, /not JSON/);
});

test('registered kinds run through the registry and keep a declared category', async () => {
  registerRagasEvaluators();
  server.setRules([{ system: 'attributed to the context', reply: '{"classifications":[{"statement":"a","attributed":0,"reason":"x"},{"statement":"b","attributed":0,"reason":"y"}]}' }]);
  const r = await runEvaluator({ ...spec('context-recall'), category: 'knowledge' }, input());
  assert.equal(r.score, 0);
  assert.equal(r.category, 'knowledge');
});

test('reference sentences split on sentence ends and lines', () => {
  assert.deepEqual(splitSentences('One. Two!\nThree? 四。五'), ['One.', 'Two!', 'Three?', '四。', '五']);
});
