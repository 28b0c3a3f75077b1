import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { caseFingerprint, caseLabel, caseOutcomeOf, caseRefOf, outcomeOf, promptFingerprint } from '../../../src/extension/testing/outcome';
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
