import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, meta } from '../../../../../src/core/analysis/advisor/rules/structuredOutput';
import { computeSignals } from '../../../../../src/core/analysis/advisor/signals';
import type { PromptSpec } from '../../../../../src/core/prompt/spec';
import { failing, plannedRecord } from '../../records';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const spec = (over: Partial<PromptSpec> = {}) => ({ evaluators: [{ kind: 'json', name: 'valid-json' }], variants: [], messages: [], cases: [], ...over }) as unknown as PromptSpec;
const reduced = (model = 'gpt-4o-mini') =>
  plannedRecord(24, [
    { name: 'zero-shot', model, failures: failing(range(0, 12), 'format'), promptTokens: 100 },
    { name: '3-shot', model, shots: 3, failures: failing([0, 1, 2], 'format'), promptTokens: 400 },
  ]);

test(`${meta.id}: JSON format failures on a model with strict schemas → structured output, priced at the zero-shot prompt`, () => {
  const s = computeSignals(reduced(), spec());
  const [f] = check(s, { spec: s.spec });
  assert.equal(f.kind, 'prompt-engineering');
  assert.match(f.title!, /structured output/);
  assert.match(f.why, /15 results fail on format and the output is JSON; gpt-4o-mini accepts response_format json_schema with strict: true/);
  assert.match(f.why, /zero-shot price, \$0\.0\d+ per 1,000 calls/);
  assert.deepEqual(f.evidence.structuredOutput, { model: 'gpt-4o-mini', strict: true });
  assert.ok(f.weight > 1, 'ranks above the fine-tuning finding of the same failures');
});

test(`${meta.id}: silent when the prompt already asks for a schema, the model cannot take one, the task is not JSON, or nothing fails on format`, () => {
  const already = computeSignals(reduced(), spec({ responseFormat: { type: 'json_schema', name: 'x', schema: {} } }));
  assert.deepEqual(check(already, {}), []);
  assert.deepEqual(check(computeSignals(reduced('ollama/llama3.2'), spec()), {}), []);
  assert.deepEqual(check(computeSignals(reduced('gpt-3.5-turbo'), spec()), {}), []);
  assert.deepEqual(check(computeSignals(reduced(), spec({ evaluators: [] })), {}), [], 'no JSON evaluator, no JSON expected output');
  const instructionOnly = plannedRecord(20, [{ name: 'v', failures: failing(range(0, 8), 'instruction') }]);
  assert.deepEqual(check(computeSignals(instructionOnly, spec()), {}), [], 'a schema does not fix instruction failures');
});

test(`${meta.id}: a Mistral profile counts as able to take a schema`, () => {
  const [f] = check(computeSignals(reduced('lab/mistral-small-latest'), spec()), { profileKinds: { lab: 'mistral' } });
  assert.equal(f?.kind, 'prompt-engineering');
});
