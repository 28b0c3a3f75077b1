import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { categorizeResult, summarizeCategories, type CategorizeContext } from '../../../src/core/analysis/categorize';
import type { EvalCase, EvaluatorSpec } from '../../../src/core/prompt/spec';
import type { EvaluatorVerdict } from '../../../src/core/runs/schema';
import { result } from './records';
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

const evalCase = (over: Partial<EvalCase> = {}): EvalCase => ({ index: 0, file: 'x.prompt.yml', line: 1, vars: { q: 'What is the capital of France?' }, ...over });
const fail = (name: string, over: Partial<EvaluatorVerdict> = {}): EvaluatorVerdict => ({ name, passed: false, score: 0, ...over });
const ctx = (specEvaluators: EvaluatorSpec[], over: Partial<CategorizeContext> = {}): CategorizeContext => ({
  evalCase: evalCase(),
  specEvaluators,
  ...over,
});

const JSON_SPEC: EvaluatorSpec = { name: 'valid-json', kind: 'json', line: 1 };
const CONTAINS_PARIS: EvaluatorSpec = { name: 'has-paris', kind: 'string', contains: 'Paris', line: 2 };

test('a transport failure is an error, whatever the evaluators say', async () => {
  const v = await categorizeResult(result('v', { passed: false, error: 'ECONNRESET' }), ctx([JSON_SPEC]));
  assert.equal(v.category, 'error');
  assert.match(v.reason, /ECONNRESET/);
});

test("an evaluator's declared category wins over the JSON shape rule", async () => {
  const spec: EvaluatorSpec = { ...JSON_SPEC, category: 'instruction' };
  const r = result('v', { passed: false, output: 'plain prose', evaluators: [fail('valid-json', { category: 'instruction' })] });
  const v = await categorizeResult(r, ctx([spec]));
  assert.equal(v.category, 'instruction');
  assert.match(v.reason, /declared/);
});

test('a refusal is a refusal even though it also fails the JSON check', async () => {
  const r = result('v', { passed: false, output: "I'm sorry, but I can't help with that.", evaluators: [fail('valid-json', { category: 'format' })] });
  const v = await categorizeResult(r, ctx([JSON_SPEC]));
  assert.equal(v.category, 'refusal');
});

test('JSON and shape failures are format; equals with the right words in the wrong shape is format too', async () => {
  const json = await categorizeResult(result('v', { passed: false, output: 'prose', evaluators: [fail('valid-json')] }), ctx([JSON_SPEC]));
  assert.equal(json.category, 'format');
  const starts: EvaluatorSpec = { name: 'prefix', kind: 'string', startsWith: 'ANSWER:', line: 3 };
  assert.equal((await categorizeResult(result('v', { passed: false, evaluators: [fail('prefix')] }), ctx([starts]))).category, 'format');
  const equals: EvaluatorSpec = { name: 'exact', kind: 'string', equals: 'Paris', line: 4 };
  const shaped = await categorizeResult(result('v', { passed: false, output: 'The answer is Paris.', evaluators: [fail('exact')] }), ctx([equals]));
  assert.equal(shaped.category, 'format');
  const wrong = await categorizeResult(result('v', { passed: false, output: 'London', evaluators: [fail('exact')] }), ctx([equals]));
  assert.equal(wrong.category, 'knowledge', 'a different answer is not a shape problem');
});

test('low faithfulness is grounding; low context recall is retrieval', async () => {
  const faith: EvaluatorSpec = { name: 'faith', kind: 'faithfulness', line: 5 };
  const recall: EvaluatorSpec = { name: 'recall', kind: 'context-recall', line: 6 };
  const g = await categorizeResult(result('v', { passed: false, evaluators: [fail('faith', { score: 0.2 })] }), ctx([faith]));
  assert.equal(g.category, 'grounding');
  assert.match(g.reason, /20%/);
  const r = await categorizeResult(result('v', { passed: false, evaluators: [fail('recall', { score: 0.3 })] }), ctx([recall]));
  assert.equal(r.category, 'retrieval');
});

test('a missing fact that is not in the given context is retrieval; with no context it is knowledge', async () => {
  const r = result('v', { passed: false, output: 'I think it is Lyon', evaluators: [fail('has-paris')], context: ['France is in Europe.'] });
  assert.equal((await categorizeResult(r, ctx([CONTAINS_PARIS]))).category, 'retrieval');
  const noCtx = result('v', { passed: false, output: 'I think it is Lyon', evaluators: [fail('has-paris')] });
  const k = await categorizeResult(noCtx, ctx([CONTAINS_PARIS]));
  assert.equal(k.category, 'knowledge');
  assert.match(k.reason, /Paris/);
});

test('what the rules cannot place goes to the judge; its reply is validated', async () => {
  server.setRules([{ system: 'You classify why', reply: '{"category":"reasoning","reason":"added the numbers wrong"}' }]);
  const r = result('v', { passed: false, output: 'Lyon', evaluators: [fail('has-paris')] });
  const v = await categorizeResult(r, ctx([CONTAINS_PARIS], { judge: scriptedJudge(server) }));
  assert.equal(v.category, 'reasoning');
  assert.equal(v.reason, 'judge: added the numbers wrong');
  assert.equal(server.stats.chatRequests, 1);
  const body = server.stats.bodies.at(-1) as { messages: { content: string }[] };
  assert.match(body.messages[1].content, /has-paris/, 'the judge sees the failed check');
});

test('an unusable judge reply falls back to the rules and says so', async () => {
  server.setRules([{ system: 'You classify why', reply: '{"category":"vibes","reason":"?"}' }]);
  const r = result('v', { passed: false, output: 'Lyon', evaluators: [fail('has-paris')] });
  const v = await categorizeResult(r, ctx([CONTAINS_PARIS], { judge: scriptedJudge(server) }));
  assert.equal(v.category, 'knowledge');
  assert.match(v.reason, /judge unusable/);
});

test('a deterministic signal never calls the judge; useJudge false never calls it either', async () => {
  const judge = scriptedJudge(server);
  await categorizeResult(result('v', { passed: false, evaluators: [fail('valid-json')] }), ctx([JSON_SPEC], { judge }));
  await categorizeResult(result('v', { passed: false, output: 'Lyon', evaluators: [fail('has-paris')] }), ctx([CONTAINS_PARIS], { judge, useJudge: false }));
  assert.equal(server.stats.chatRequests, 0);
});

test('fallback without a judge: wrong arithmetic over given numbers is reasoning, rubric failures instruction, else a labelled guess', async () => {
  const exact: EvaluatorSpec = { name: 'exact', kind: 'string', equals: '{{expected}}', line: 1 };
  const math = result('v', { passed: false, output: 'The total is 42.', evaluators: [fail('exact')] });
  math.messages = [{ role: 'user', content: 'I bought 12 apples and 25 pears. How many fruits?' }];
  const m = await categorizeResult(math, ctx([exact], { evalCase: evalCase({ expected: '37' }) }));
  assert.equal(m.category, 'reasoning');
  const rubric: EvaluatorSpec = { name: 'tone', kind: 'judge', rubric: 'polite', line: 1 };
  assert.equal((await categorizeResult(result('v', { passed: false, evaluators: [fail('tone')] }), ctx([rubric]))).category, 'instruction');
  const guess = await categorizeResult(result('v', { passed: false, evaluators: [] }), ctx([]));
  assert.equal(guess.category, 'instruction');
  assert.match(guess.reason, /guess/);
});

test('an evaluator that could not run makes the result an error, not a model failure', async () => {
  const faith: EvaluatorSpec = { name: 'faith', kind: 'faithfulness', line: 5 };
  const r = result('v', { passed: false, evaluators: [fail('faith', { category: 'error', details: 'Evaluator error: 500' })] });
  assert.equal((await categorizeResult(r, ctx([faith]))).category, 'error');
});

test('reasons are one line', async () => {
  const r = result('v', { passed: false, output: 'x', evaluators: [fail('valid-json', { details: 'line one\nline two\n' + 'z'.repeat(400) })] });
  const v = await categorizeResult(r, ctx([JSON_SPEC]));
  assert.ok(!v.reason.includes('\n'));
  assert.ok(v.reason.length <= 160);
});

test('summarizeCategories counts failing results only, errors included', () => {
  const counts = summarizeCategories([
    result('v', { passed: true }),
    result('v', { passed: false, category: 'format' }),
    result('v', { passed: false, category: 'format' }),
    result('v', { passed: false, error: 'boom' }),
    result('v', { passed: false }),
  ]);
  assert.deepEqual(counts, { format: 2, error: 1, uncategorized: 1 });
});
