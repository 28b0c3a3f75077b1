import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { caseFingerprint, caseLabel, caseOutcomeOf, caseRefOf, groupOutcomeOf, outcomeOf, promptFingerprint } from '../../../src/extension/testing/outcome';
import { caseRef } from '../../../src/core/runs/caseRef';
import type { CaseResult } from '../../../src/core/runs/schema';
import type { EvalCase, PromptSpec } from '../../../src/core/prompt/spec';

const result = (over: Partial<CaseResult>): CaseResult => ({
  variant: 'zero-shot',
  output: 'It is about delivery.',
  passed: false,
  error: null,
  category: 'format',
  categoryReason: 'the output is not valid JSON',
  latencyMs: 42,
  tokens: { prompt: 10, completion: 5 },
  cached: false,
  evaluators: [
    { name: 'valid-json', passed: false, score: 0, details: 'Unexpected token I' },
    { name: 'intent', passed: true, score: 1 },
  ],
  ...over,
});

test('a failure names its category, reason and every verdict; with an expected output it is a diff', () => {
  const o = outcomeOf(result({}), '{"intent":"delivery"}');
  assert.equal(o.state, 'failed');
  if (o.state !== 'failed') return;
  assert.equal(o.durationMs, 42);
  assert.equal(o.expected, '{"intent":"delivery"}');
  assert.equal(o.actual, 'It is about delivery.');
  assert.equal(o.message.split('\n')[0], 'format: the output is not valid JSON');
  assert.match(o.message, /✗ valid-json \(score 0\): Unexpected token I/);
  assert.match(o.message, /✓ intent \(score 1\)/);
  assert.doesNotMatch(o.message, /Output:/, 'the diff shows the output');
});

test('without an expected output the message carries the output; a chain-of-thought result shows its final answer', () => {
  const o = outcomeOf(result({ output: 'Step 1… Final answer: no', answer: 'no' }), undefined);
  assert.equal(o.state, 'failed');
  if (o.state !== 'failed') return;
  assert.equal(o.expected, undefined);
  assert.equal(o.actual, 'no');
  assert.match(o.message, /Output:\nno$/);
});

test('passed and errored results', () => {
  assert.deepEqual(outcomeOf(result({ passed: true, category: null }), 'x'), { state: 'passed', durationMs: 42 });
  const e = outcomeOf(result({ error: '429 Too Many Requests', category: 'error', latencyMs: 0 }), 'x');
  assert.equal(e.state, 'errored');
  assert.match(e.state === 'errored' ? e.message : '', /The call failed.*429 Too Many Requests/);
});

const evalCase = (over: Partial<EvalCase>): EvalCase => ({ index: 3, file: '/p/a.cases.jsonl', line: 4, vars: { message: 'parcel   never\narrived' }, ...over });

test('case labels: the shared case reference (eval-set line, as CLI, HTML, panel and Problems name it) and the first variable, on one line', () => {
  const prompt = '/p/a.prompt.yml';
  assert.equal(caseLabel(evalCase({}), prompt), 'a.cases.jsonl:4 · parcel never arrived');
  assert.equal(caseLabel(evalCase({ vars: {} }), prompt), 'a.cases.jsonl:4');
  assert.equal(caseLabel(evalCase({ vars: { q: 'x'.repeat(100) } }), prompt).length, 'a.cases.jsonl:4 · '.length + 61);
  // inline testData: the line in the prompt file itself
  assert.equal(caseLabel(evalCase({ file: prompt, line: 12 }), prompt), 'line 12 · parcel never arrived');
  // the same words as the shared reference the rest of the product uses
  assert.equal(caseRefOf(evalCase({}), prompt), caseRef({ file: 'examples/p/a.cases.jsonl', line: 4 }));
  assert.equal(caseRefOf(evalCase({ file: prompt, line: 12 }), prompt), caseRef({ line: 12 }));
});

test('fingerprints ignore where a case or key sits, not what it says', () => {
  assert.equal(caseFingerprint(evalCase({})), caseFingerprint(evalCase({ line: 40, index: 3 })));
  assert.notEqual(caseFingerprint(evalCase({})), caseFingerprint(evalCase({ expected: 'delivery' })));
  const spec = {
    format: 'prompt.yml',
    file: '/p/a.prompt.yml',
    name: 'a',
    modelParameters: {},
    messages: [{ role: 'user', content: '{{message}}', line: 5 }],
    evaluators: [],
    cases: [evalCase({})],
    examples: [],
    variants: [{ name: 'default', line: 1 }],
    problems: [],
    keyLines: { messages: 3 },
  } as PromptSpec;
  const moved = { ...spec, messages: [{ ...spec.messages[0], line: 9 }], cases: [], keyLines: { messages: 7 } } as PromptSpec;
  assert.equal(promptFingerprint(spec), promptFingerprint(moved), 'moving lines or changing cases leaves the prompt itself unchanged');
  const edited = { ...spec, messages: [{ ...spec.messages[0], content: 'Classify: {{message}}' }] } as PromptSpec;
  assert.notEqual(promptFingerprint(spec), promptFingerprint(edited));
});

test('a case that is the test: passed when every variant passed, else one line per result that did not pass', () => {
  const pass = (variant: string, latencyMs = 10) => result({ variant, passed: true, category: undefined, categoryReason: undefined, latencyMs });
  assert.deepEqual(caseOutcomeOf([pass('a', 10), pass('b', 30)], '4'), { state: 'passed', durationMs: 30 });

  const failed = caseOutcomeOf([pass('a'), result({ variant: 'b', output: '5' }), result({ variant: 'c', error: 'HTTP 400', output: '' })], '4');
  assert.equal(failed.state, 'failed');
  if (failed.state !== 'failed') return;
  assert.equal(failed.message, '2 of 3 results did not pass:\nb: format: the output is not valid JSON\nc: The call failed, so the model was never judged: HTTP 400');
  assert.equal(failed.expected, '4');
  assert.equal(failed.actual, '5');
  assert.equal(failed.durationMs, 42);

  const errored = caseOutcomeOf([pass('a'), result({ variant: 'b', error: 'timeout', repeat: 1 })], undefined);
  assert.equal(errored.state, 'errored');
  assert.match(errored.state === 'errored' ? errored.message : '', /^1 of 2 results did not pass:\nb \(repeat 2\): The call failed/);
});

test('a group of cases: failed or errored naming its first cases, passed when all passed, skipped or partial when the run ended', () => {
  const tally = (passed: number, failed: string[], errored: string[], total = passed + failed.length + errored.length) => ({ total, passed, failed, errored });
  assert.equal(groupOutcomeOf(tally(3, [], [], 5), false), undefined, 'cases still to come');
  assert.deepEqual(groupOutcomeOf(tally(5, [], []), false), { state: 'passed' });

  const refs = Array.from({ length: 12 }, (_, i) => `big.cases.jsonl:${i + 2}`);
  const failed = groupOutcomeOf(tally(86, refs, ['big.cases.jsonl:40']), false);
  assert.equal(failed?.state, 'failed');
  assert.equal(
    failed?.message,
    '12 of 99 cases failed: big.cases.jsonl:2, big.cases.jsonl:3, big.cases.jsonl:4, big.cases.jsonl:5, big.cases.jsonl:6, big.cases.jsonl:7, ' +
      'big.cases.jsonl:8, big.cases.jsonl:9, big.cases.jsonl:10, big.cases.jsonl:11 and 2 more\n' +
      '1 of 99 cases errored: big.cases.jsonl:40\nExpand the group for each case, or open the results panel.',
  );
  assert.equal(groupOutcomeOf(tally(1, [], ['line 3']), false)?.state, 'errored', 'errored when none failed');

  // the run ended (cancelled) before some of them
  assert.deepEqual(groupOutcomeOf(tally(2, [], [], 10), true), { state: 'skipped', message: '8 of 10 cases did not run: the run ended before them.' });
  const partial = groupOutcomeOf(tally(2, ['a.jsonl:1'], [], 10), true);
  assert.equal(partial?.state, 'failed');
  assert.match(partial?.message ?? '', /^1 of 10 cases failed: a\.jsonl:1\n7 of 10 cases did not run/);
});
