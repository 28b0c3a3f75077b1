import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { applyVariantEvidence, categorizeResult, summarizeCategories, type CategorizeContext } from '../../../src/core/analysis/categorize';
import { isComputedAnswer } from '../../../src/core/analysis/computedAnswer';
import type { EvalCase, EvaluatorSpec } from '../../../src/core/prompt/spec';
import type { EvaluatorVerdict, RunRecord } from '../../../src/core/runs/schema';
import { failing, plannedRecord, result } from './records';
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

test('a retrieval variant that found nothing (empty context) fails on retrieval, not a guessed knowledge gap', async () => {
  const r = result('rag', { passed: false, output: 'I do not know', evaluators: [fail('has-paris')], context: [] });
  const v = await categorizeResult(r, ctx([CONTAINS_PARIS]));
  assert.equal(v.category, 'retrieval');
  assert.equal(v.basis, 'certain');
  assert.match(v.reason, /context was empty: retrieval found nothing/);
  const blank = result('rag', { passed: false, output: 'I do not know', evaluators: [fail('has-paris')], context: ['  '] });
  assert.equal((await categorizeResult(blank, ctx([CONTAINS_PARIS]))).category, 'retrieval', 'whitespace-only passages are empty too');
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

test('a gh string equals on a well-formed wrong answer is content (knowledge, a guess), not format, even though equals reports format', async () => {
  const equals: EvaluatorSpec = { name: 'exact-code', kind: 'string', equals: '{{code}}', line: 1 };
  const c = evalCase({ vars: { product: 'P3', code: 'C3X' } });
  // the evaluator's own verdict carries category 'format' (gh's equals), as the string evaluator reports it
  const r = result('v', { passed: false, output: 'C9X', evaluators: [fail('exact-code', { category: 'format' })] });
  const v = await categorizeResult(r, ctx([equals], { evalCase: c }));
  assert.equal(v.category, 'knowledge');
  assert.equal(v.basis, 'guess');
  assert.match(v.reason, /^guess: /);
  // the right content in the wrong shape is still format, and certain
  const shaped = await categorizeResult(result('v', { passed: false, output: 'The code is C3X.', evaluators: [fail('exact-code', { category: 'format' })] }), ctx([equals], { evalCase: c }));
  assert.equal(shaped.category, 'format');
  assert.equal(shaped.basis, 'certain');
});

test('a configured judge re-classifies a guessed content failure; shape failures never reach it', async () => {
  server.setRules([{ system: 'You classify why', reply: '{"category":"reasoning","reason":"the code is derived from the product number and was derived wrong"}' }]);
  const equals: EvaluatorSpec = { name: 'exact-code', kind: 'string', equals: '{{code}}', line: 1 };
  const c = evalCase({ vars: { product: 'P3', code: 'C3X' } });
  const judge = scriptedJudge(server);
  const v = await categorizeResult(result('v', { passed: false, output: 'C9X', evaluators: [fail('exact-code', { category: 'format' })] }), ctx([equals], { evalCase: c, judge }));
  assert.equal(v.category, 'reasoning');
  assert.equal(v.basis, 'judge');
  await categorizeResult(result('v', { passed: false, output: 'prose', evaluators: [fail('valid-json', { category: 'format' })] }), ctx([JSON_SPEC], { judge }));
  assert.equal(server.stats.chatRequests, 1, 'the JSON failure stayed deterministic');
});

test('without a judge, computed answers (times, dates, durations, money, units) over given quantities are reasoning guesses', async () => {
  const exact: EvaluatorSpec = { name: 'exact', kind: 'string', equals: '{{expected}}', line: 1 };
  const cases: [string, string, string][] = [
    ['The train leaves at 14:35 and the trip takes 95 minutes. When does it arrive?', '16:10', '16:00'],
    ['The invoice is dated 2025-01-28 with 30 days to pay. What is the due date?', '2025-02-27', '2025-02-28'],
    ['A 3 h 20 min flight is delayed by 45 min. How long from the planned departure to landing?', '4 h 5 min', '4 h 20 min'],
    ['Three items cost $4.20, $5.35 and $1.10. What is the total?', '$10.65', '$10.55'],
    ['会议上午9点开始，持续150分钟。几点结束？', '11点30分', '11点'],
    ['A car drives 150 km in 2 hours. What is its average speed?', '75 km/h', '70 km/h'],
  ];
  for (const [q, expected, answer] of cases) {
    const r = result('v', { passed: false, output: answer, evaluators: [fail('exact', { category: 'format' })] });
    r.messages = [{ role: 'user', content: q }];
    const v = await categorizeResult(r, ctx([exact], { evalCase: evalCase({ expected }) }));
    assert.equal(v.category, 'reasoning', `${q} → ${answer}`);
    assert.equal(v.basis, 'guess');
  }
  // a looked-up number (no quantities to compute from) stays knowledge; a code with digits is a fact
  const fact = result('v', { passed: false, output: '1878', evaluators: [fail('exact')] });
  fact.messages = [{ role: 'user', content: 'In which year was Einstein born?' }];
  assert.equal((await categorizeResult(fact, ctx([exact], { evalCase: evalCase({ expected: '1879' }) }))).category, 'knowledge');
  assert.equal(isComputedAnswer('C3X'), false);
  assert.equal(isComputedAnswer('2小时30分钟'), true);
});

test("a chain-of-thought variant's evidence wins over guessed knowledge: the failures were reasoning", () => {
  const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
  const rec = plannedRecord(20, [
    { name: 'zero-shot', basis: 'guess', failures: { ...failing(range(0, 10), 'knowledge'), 15: 'format' } },
    { name: 'cot', chainOfThought: true, basis: 'guess', failures: failing([0, 1], 'knowledge') },
  ]);
  const changed = applyVariantEvidence(rec);
  assert.equal(changed.results, 12, '10 in zero-shot, 2 in cot; the certain format failure is left alone');
  assert.deepEqual(changed.cases.map((c) => c.index), range(0, 10), 'the cases holding them, once each, in record order');
  assert.ok(changed.cases.every((c, i) => c === rec.cases[i]), 'the record\'s own case objects');
  assert.equal(changed.signals, undefined, 'relabelled: the advice computes the signals again');
  const r = rec.cases[3].results[0];
  assert.equal(r.category, 'reasoning');
  assert.equal(r.categoryBasis, 'variant');
  assert.match(r.categoryReason!, /^inferred from cot: it passes 8 of the 10 cases/);
  assert.equal(rec.cases[15].results[0].category, 'format');
  assert.deepEqual(rec.variants[0].categories, { reasoning: 10, format: 1 });
});

test('variant evidence inside noise, or against certain categories, changes nothing', () => {
  const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
  const noisy = plannedRecord(20, [
    { name: 'zero-shot', basis: 'guess', failures: failing(range(0, 4), 'knowledge') },
    { name: 'cot', chainOfThought: true, basis: 'guess', failures: { ...failing([0, 1], 'knowledge'), ...failing([10, 11], 'knowledge') } },
  ]);
  const unchanged = (record: RunRecord) => {
    const r = applyVariantEvidence(record);
    // nothing relabelled: the signals it computed still hold, and the advice reuses them
    assert.equal(r.signals?.record, record);
    return { results: r.results, cases: r.cases };
  };
  assert.deepEqual(unchanged(noisy), { results: 0, cases: [] }, '2 fixed, 2 broken');
  const certain = plannedRecord(20, [
    { name: 'zero-shot', failures: failing(range(0, 10), 'knowledge') },
    { name: 'cot', chainOfThought: true, failures: {} },
  ]);
  assert.deepEqual(unchanged(certain), { results: 0, cases: [] });
});
