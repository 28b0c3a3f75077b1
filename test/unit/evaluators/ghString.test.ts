// gh `string` evaluator rules (github/gh-models cmd/eval/eval.go runStringEvaluator), table-driven.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EvaluatorSpec } from '../../../src/core/prompt/spec';
import { runEvaluators } from '../../../src/core/evaluators/registry';
import { goToLower, goTrimSpace } from '../../../src/core/evaluators/goStrings';
import { ghTemplate, goFormat } from '../../../src/core/render/ghTemplate';
import { evalInput } from './evalInput';

type StringSpec = Extract<EvaluatorSpec, { kind: 'string' }>;
const str = (criteria: Omit<StringSpec, 'kind' | 'name' | 'line'>): StringSpec => ({ kind: 'string', name: 's', line: 1, ...criteria });

interface Row {
  why: string;
  output: string;
  spec: StringSpec;
  vars?: Record<string, unknown>;
  expected?: string;
  pass: boolean;
}

const rows: Row[] = [
  { why: 'equals is exact', output: 'Paris', spec: str({ equals: 'Paris' }), pass: true },
  { why: 'equals is case-sensitive', output: 'paris', spec: str({ equals: 'Paris' }), pass: false },
  { why: 'equals wants the whole reply', output: 'Paris.', spec: str({ equals: 'Paris' }), pass: false },
  { why: 'equals compares the trimmed reply', output: '  Paris \n', spec: str({ equals: 'Paris' }), pass: true },
  { why: 'equals value is not trimmed', output: 'Paris', spec: str({ equals: ' Paris' }), pass: false },
  { why: 'contains ignores case', output: 'The capital is PARIS.', spec: str({ contains: 'paris' }), pass: true },
  { why: 'contains fails when absent', output: 'The capital is Lyon.', spec: str({ contains: 'paris' }), pass: false },
  { why: 'startsWith ignores case', output: 'YES, it is.', spec: str({ startsWith: 'yes' }), pass: true },
  { why: 'startsWith looks at the trimmed start', output: '\n\t  Yes', spec: str({ startsWith: 'yes' }), pass: true },
  { why: 'startsWith fails elsewhere', output: 'Well, yes', spec: str({ startsWith: 'yes' }), pass: false },
  { why: 'endsWith ignores case', output: 'The answer is NO', spec: str({ endsWith: 'no' }), pass: true },
  { why: 'endsWith looks at the trimmed end', output: 'The answer is no  \n', spec: str({ endsWith: 'no' }), pass: true },
  { why: 'endsWith fails elsewhere', output: 'no, it is not', spec: str({ endsWith: 'no' }), pass: false },
  { why: 'values are templated with the row', output: 'Bonjour Alice!', spec: str({ contains: '{{name}}' }), vars: { name: 'alice' }, pass: true },
  { why: 'templated equals stays exact', output: 'Hello, alice', spec: str({ equals: 'Hello, {{name}}' }), vars: { name: 'Alice' }, pass: false },
  { why: 'numbers are templated as Go prints them', output: 'You owe 42 dollars', spec: str({ contains: '{{n}}' }), vars: { n: 42 }, pass: true },
  { why: '{{expected}} comes from the case', output: 'It is Paris.', spec: str({ contains: '{{expected}}' }), expected: 'paris', pass: true },
  { why: 'unknown placeholders stay literal', output: 'Paris', spec: str({ contains: '{{missing}}' }), pass: false },
  { why: 'spaced placeholders are not gh placeholders', output: 'Paris', spec: str({ contains: '{{ name }}' }), vars: { name: 'Paris' }, pass: false },
  { why: 'only the first criterion counts (equals before contains)', output: 'Paris', spec: str({ equals: 'Paris', contains: 'zzz' }), pass: true },
  { why: 'only the first criterion counts (contains before endsWith)', output: 'Paris', spec: str({ contains: 'zzz', endsWith: 'Paris' }), pass: false },
  { why: 'an empty equals is "not set", like gh', output: 'Paris', spec: str({ equals: '', contains: 'par' }), pass: true },
  { why: 'Go lower-casing: no final-sigma rule', output: 'ΟΔΟΣ', spec: str({ endsWith: 'οσ' }), pass: true },
];

describe('gh string evaluator', () => {
  for (const row of rows) {
    it(`${row.why}: ${JSON.stringify(row.output)} → ${row.pass ? 'pass' : 'fail'}`, async () => {
      const verdict = await runEvaluators([row.spec], evalInput(row.output, { vars: row.vars ?? {}, expected: row.expected }));
      assert.equal(verdict.results[0].passed, row.pass, verdict.results[0].details);
      assert.equal(verdict.results[0].score, row.pass ? 1 : 0);
      assert.equal(verdict.passed, row.pass);
    });
  }

  it("uses gh's details wording", async () => {
    const v = await runEvaluators(
      [str({ contains: 'x' }), str({ equals: 'y' }), str({ startsWith: 'z' }), str({ endsWith: 'w' })],
      evalInput('abc'),
    );
    assert.deepEqual(
      v.results.map((r) => r.details),
      ["Expected to contain: 'x'", "Expected exact match: 'y'", "Expected to start with: 'z'", "Expected to end with: 'w'"],
    );
  });

  it('a string evaluator with no criterion fails (gh errors) without crashing', async () => {
    const v = await runEvaluators([str({})], evalInput('abc'));
    assert.equal(v.passed, false);
    assert.match(v.results[0].details ?? '', /no string evaluation criteria/);
  });

  it('a case passes only if every evaluator passes', async () => {
    const ok = await runEvaluators([str({ contains: 'paris' }), str({ startsWith: 'the' })], evalInput('The capital is Paris'));
    assert.equal(ok.passed, true);
    const one = await runEvaluators([str({ contains: 'paris' }), str({ startsWith: 'paris' })], evalInput('The capital is Paris'));
    assert.equal(one.passed, false);
    assert.deepEqual(one.results.map((r) => r.passed), [true, false]);
  });

  it('categories: equals/startsWith/endsWith are format, contains is left to the categorizer', async () => {
    const v = await runEvaluators(
      [str({ equals: 'a' }), str({ startsWith: 'a' }), str({ endsWith: 'a' }), str({ contains: 'a' }), { ...str({ contains: 'a' }), category: 'knowledge' }],
      evalInput('b'),
    );
    assert.deepEqual(v.results.map((r) => r.category), ['format', 'format', 'format', undefined, 'knowledge']);
  });
});

describe('Go string semantics', () => {
  it('TrimSpace trims NEL but not the BOM, unlike String.prototype.trim', () => {
    assert.equal(goTrimSpace('\u0085 hi \u3000'), 'hi');
    assert.equal(goTrimSpace('\ufeffhi'), '\ufeffhi');
  });
  it('ToLower maps per code point', () => {
    assert.equal(goToLower('ΟΔΟΣ'), 'οδοσ');
    assert.equal(goToLower('\u0130STANBUL'), 'istanbul');
    assert.equal(goToLower('ABC'), 'abc');
  });
});

describe('gh templating of evaluator values', () => {
  it("prints values like Go's %v", () => {
    assert.deepEqual(
      [42, 3.5, 1234567.5, 0.00001, true, null, ['a', 1], { b: 1, a: 'x' }].map(goFormat),
      ['42', '3.5', '1.2345675e+06', '1e-05', 'true', '<nil>', '[a 1]', 'map[a:x b:1]'],
    );
  });
  it('replaces only exact {{key}} placeholders, in one pass, and leaves {% %} alone', () => {
    assert.equal(ghTemplate('{{a}}|{{ a }}|{{b}}|{% if a %}', { a: 'A{{b}}', b: 'B' }), 'A{{b}}|{{ a }}|B|{% if a %}');
  });
  it('a key holding braces: the longest placeholder at a position wins, and the scan goes on after it', () => {
    assert.equal(ghTemplate('{{a}}b}}/{{a}}/{{{a}}', { a: 1, 'a}}b': 2 }), '2/1/{1');
    assert.equal(ghTemplate('{{x}}{{y}}{{', { x: '{{', y: 'y}}' }), '{{y}}{{');
  });
});
