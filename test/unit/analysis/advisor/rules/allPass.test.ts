import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, meta } from '../../../../../src/core/analysis/advisor/rules/allPass';
import { computeSignals } from '../../../../../src/core/analysis/advisor/signals';
import { failing, plannedRecord } from '../../records';

test(`${meta.id}: nothing fails with 10+ cases → add harder cases, naming the cheapest variant`, () => {
  const rec = plannedRecord(20, [
    { name: 'zero-shot', failures: {}, promptTokens: 50 },
    { name: '3-shot', shots: 3, failures: {}, promptTokens: 300 },
  ]);
  const [f] = check(computeSignals(rec));
  assert.equal(f.kind, 'evaluation');
  assert.match(f.title!, /harder cases/);
  assert.match(f.why, /zero-shot \(50 prompt tokens per call\)/);
});

test(`${meta.id}: silent when anything fails or there are too few cases`, () => {
  assert.deepEqual(check(computeSignals(plannedRecord(20, [{ name: 'v', failures: failing([3], 'format') }]))), []);
  assert.deepEqual(check(computeSignals(plannedRecord(5, [{ name: 'v', failures: {} }]))), []);
});
