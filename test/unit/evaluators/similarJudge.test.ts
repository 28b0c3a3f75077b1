// similar (embedding cosine, lexical fallback) and judge (rubric → JSON score) evaluators; model calls go
// through a real `openai` client to the scripted server.

import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EvaluatorSpec } from '../../../src/core/prompt/spec';
import { runEvaluators } from '../../../src/core/evaluators/registry';
import { lexicalCosine } from '../../../src/core/evaluators/similar';
import { parseJudgeReply } from '../../../src/core/evaluators/judge';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { DEFAULT_EMBEDDING_MODEL, DEFAULT_JUDGE_MODEL, openAiJudge } from './judgeClient';
import { evalInput } from './evalInput';

let server: ScriptedServer;
before(async () => {
  server = await startScriptedServer({});
});
after(async () => {
  await server.close();
});
beforeEach(() => server.resetStats());

const similar = (threshold: number, more: { reference?: string; model?: string } = {}): EvaluatorSpec => ({
  kind: 'similar',
  name: 'sim',
  line: 1,
  threshold,
  ...more,
});

describe('similar evaluator', () => {
  it('uses the judge embeddings when available', async () => {
    const input = evalInput('The capital of France is Paris', { expected: 'Paris is the capital of France', judge: openAiJudge(server) });
    const v = await runEvaluators([similar(0.9)], input);
    assert.equal(v.results[0].passed, true, v.results[0].details);
    assert.match(v.results[0].details ?? '', /embedding cosine/);
    assert.equal(server.stats.embeddingRequests, 1);
    const body = server.stats.bodies.at(-1) as { model: string; input: string[] };
    assert.equal(body.model, DEFAULT_EMBEDDING_MODEL);
    assert.deepEqual(body.input, ['The capital of France is Paris', 'Paris is the capital of France']);
  });
  it('fails below the threshold', async () => {
    const input = evalInput('Bananas are yellow', { expected: 'Paris is the capital of France', judge: openAiJudge(server) });
    const v = await runEvaluators([similar(0.5)], input);
    assert.equal(v.results[0].passed, false);
    assert.ok(v.results[0].score < 0.5);
  });
  it('passes the declared embedding model', async () => {
    await runEvaluators([similar(0.5, { model: 'text-embedding-3-small' })], evalInput('a', { expected: 'a', judge: openAiJudge(server) }));
    assert.equal((server.stats.bodies.at(-1) as { model: string }).model, 'text-embedding-3-small');
  });
  it('falls back to a lexical cosine without embeddings, and says so', async () => {
    const input = evalInput('the capital of france is paris', { expected: 'Paris is the capital of France', judge: openAiJudge(server, { embeddings: false }) });
    const v = await runEvaluators([similar(0.99)], input);
    assert.equal(v.results[0].passed, true);
    assert.match(v.results[0].details ?? '', /lexical cosine \(no embedding model available\)/);
    assert.equal(server.stats.requests, 0);
  });
  it('falls back to the lexical cosine when the embedding call fails', async () => {
    server.setOptions({ faults: [{ status: 404, path: 'embeddings' }] });
    try {
      const v = await runEvaluators([similar(0.5)], evalInput('paris', { expected: 'paris', judge: openAiJudge(server) }));
      assert.equal(v.results[0].passed, true);
      assert.match(v.results[0].details ?? '', /lexical cosine \(embedding call failed/);
    } finally {
      server.setOptions({ faults: [] });
    }
  });
  it('templates the reference with the row', async () => {
    const input = evalInput('Lyon', { vars: { city: 'Lyon' }, judge: openAiJudge(server, { embeddings: false }) });
    assert.equal((await runEvaluators([similar(0.99, { reference: '{{city}}' })], input)).passed, true);
  });
  it('fails clearly when there is no reference', async () => {
    const v = await runEvaluators([similar(0.5)], evalInput('Paris', { judge: openAiJudge(server) }));
    assert.equal(v.passed, false);
    assert.match(v.results[0].details ?? '', /No reference text/);
  });
  it('lexical cosine tokenizes CJK per character', () => {
    assert.ok(lexicalCosine('巴黎是法国的首都', '法国的首都是巴黎') > 0.99);
    assert.equal(lexicalCosine('abc', 'xyz'), 0);
    assert.ok(Math.abs(lexicalCosine('a a b', 'a b') - 3 / Math.sqrt(10)) < 1e-12);
  });
});

const judge = (threshold?: number, model?: string): EvaluatorSpec => ({
  kind: 'judge',
  name: 'rubric',
  line: 1,
  rubric: 'The answer names {{expected}} and is one sentence.',
  ...(threshold !== undefined ? { threshold } : {}),
  ...(model ? { model } : {}),
});

describe('judge evaluator', () => {
  it('asks the judge with the rubric, question and response, and passes at score ≥ threshold', async () => {
    server.setRules([{ reply: '{"score": 0.8, "reason": "Names Paris in one sentence."}' }]);
    const v = await runEvaluators([judge()], evalInput('It is Paris.', { expected: 'Paris', judge: openAiJudge(server) }));
    const r = v.results[0];
    assert.equal(r.passed, true);
    assert.equal(r.score, 0.8);
    assert.match(r.details ?? '', /^Names Paris in one sentence\./);
    const body = server.stats.bodies.at(-1) as { model: string; messages: { content: string }[]; response_format?: unknown };
    assert.equal(body.model, DEFAULT_JUDGE_MODEL);
    assert.deepEqual(body.response_format, { type: 'json_object' });
    assert.match(body.messages[1].content, /The answer names Paris and is one sentence\./);
    assert.match(body.messages[1].content, /What is the capital of France\?/);
    assert.match(body.messages[1].content, /# Response to grade\nIt is Paris\./);
  });
  it('fails below the threshold and uses the declared model', async () => {
    server.setRules([{ reply: '```json\n{"score": 0.4, "reason": "Too long."}\n```' }]);
    const v = await runEvaluators([judge(0.5, 'openai/gpt-4o')], evalInput('x', { judge: openAiJudge(server) }));
    assert.equal(v.results[0].passed, false);
    assert.equal(v.results[0].score, 0.4);
    assert.equal((server.stats.bodies.at(-1) as { model: string }).model, 'openai/gpt-4o');
  });
  it('fails with the reply in details when no score can be read', async () => {
    server.setRules([{ reply: 'I think it is fine.' }]);
    const v = await runEvaluators([judge()], evalInput('x', { judge: openAiJudge(server) }));
    assert.equal(v.results[0].passed, false);
    assert.match(v.results[0].details ?? '', /no usable score: 'I think it is fine\.'/);
  });

  const parses: [string, number | undefined][] = [
    ['{"score": 0.7, "reason": "ok"}', 0.7],
    ['{"score": 1}', 1],
    ['{"score": 0}', 0],
    ['{"score": 4, "reason": "good"}', 0.75],
    ['{"score": 5}', 1],
    ['{"score": "3/4"}', 0.75],
    ['{"score": "80%"}', 0.8],
    ['{"score": 8}', 0.8],
    ['{"Score": 2, "Reasoning": "meh"}', 0.25],
    ['{"rating": 7, "out_of": 10}', 0.7],
    ['Sure! {"score": 0.9, "reason": "fine"} Hope that helps.', 0.9],
    ['```json\n{"score": 0.6}\n```', 0.6],
    ["score: 0.55, reason: 'close'", 0.55],
    ['Score = 4/5', 0.8],
    ['0.3', 0.3],
    ['{"score": -1}', undefined],
    ['{"score": 1000}', undefined],
    ['no idea', undefined],
  ];
  for (const [text, want] of parses) {
    it(`parses ${JSON.stringify(text)} → ${want}`, () => {
      const got = parseJudgeReply(text);
      if (want === undefined) assert.equal(got, undefined);
      else assert.ok(got && Math.abs(got.score - want) < 1e-9, JSON.stringify(got));
    });
  }
  it('keeps the reason', () => {
    assert.equal(parseJudgeReply('{"score": 0.2, "reason": "Missing the city."}')?.reason, 'Missing the city.');
  });
});
