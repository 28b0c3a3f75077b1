import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, meta } from '../../../../../src/core/analysis/advisor/rules/cachedFewShot';
import { computeSignals } from '../../../../../src/core/analysis/advisor/signals';
import { compareAlternatives } from '../../../../../src/core/finetune/economics';
import { failing, plannedRecord } from '../../records';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const record = (zeroTokens: number, fewTokens: number, fewFails: number[]) =>
  plannedRecord(24, [
    { name: 'zero-shot', failures: failing(range(0, 12), 'format'), promptTokens: zeroTokens },
    { name: '3-shot', shots: 3, failures: failing(fewFails, 'format'), promptTokens: fewTokens },
  ]);

test(`${meta.id}: a short few-shot prefix cannot be cached, and the fine-tuned model's price is compared per 1,000 calls`, () => {
  const [f] = check(computeSignals(record(100, 400, [0, 1, 2])), { callsPerMonth: 100_000 });
  assert.equal(f.kind, 'fine-tuning', 'joins the fine-tuning card when examples reduce the failures');
  const cost = f.evidence.costPer1000Calls as Record<string, number>;
  // gpt-4o-mini: $0.15/$0.60 per 1M; fine-tuned $0.30/$1.20; 10 completion tokens per call
  assert.equal(cost['few-shot'], 0.066);
  assert.equal(cost['cached few-shot'], 0.066, 'a 300-token prefix is under the 1,024-token minimum: no discount');
  assert.equal(cost['structured output'], 0.021);
  assert.equal(f.evidence.cacheApplies, false);
  assert.match(f.why, /no cache discount: the 300-token stable prefix is under the 1024-token minimum/);
  assert.equal(f.evidence.cheaperForTokens, 'fine-tuned');
});

test(`${meta.id}: a long cached prefix beats the fine-tuned model (training included) at a tiny volume; examples that clear the failures join the keep-them card`, () => {
  const [f] = check(computeSignals(record(100, 3100, [])), { callsPerMonth: 10 });
  assert.equal(f.kind, 'prompt-engineering');
  assert.equal(f.evidence.cacheApplies, true);
  assert.equal(f.evidence.cheaperForTokens, 'cached few-shot');
  assert.match(f.why, /keeping the examples under prompt caching is cheaper/);
  assert.ok(f.actions.some((a) => /first and unchanged/.test(a)));
});

test(`${meta.id}: no few-shot movement, or no known price → nothing`, () => {
  assert.deepEqual(check(computeSignals(record(100, 400, range(0, 12))), {}), []);
  const unpriced = plannedRecord(24, [
    { name: 'zero-shot', model: 'ollama/llama3.2', failures: failing(range(0, 12), 'format') },
    { name: '3-shot', model: 'ollama/llama3.2', shots: 3, failures: failing([0], 'format') },
  ]);
  assert.deepEqual(check(computeSignals(unpriced), {}), []);
});

test('the comparison: training is spread over the first month, so volume decides between fine-tuned and cached few-shot', () => {
  const input = { model: 'openai/gpt-4.1-mini', fewShotPromptTokens: 2500, zeroShotPromptTokens: 200, stablePrefixTokens: 2300, completionTokens: 20, trainingExamples: 500 };
  const small = compareAlternatives({ ...input, callsPerMonth: 1_000 })!;
  const large = compareAlternatives({ ...input, callsPerMonth: 10_000_000 })!;
  // training: 500 × 220 tokens × 3 epochs × $5/1M = $1.65
  assert.equal(small.trainingUsd, 1.65);
  assert.equal(small.cheaperForTokens, 'cached few-shot');
  assert.equal(large.cheaperForTokens, 'fine-tuned');
  // cached: 2300 × $0.10 + 200 × $0.40 + 20 × $1.60 per 1M → $0.342 per 1,000 calls
  assert.equal(large.perThousand['cached few-shot'], 0.342);
  assert.equal(compareAlternatives({ ...input, model: 'ollama/llama3.2' }), undefined);
});
