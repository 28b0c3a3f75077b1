import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, meta } from '../../../../../src/core/analysis/advisor/rules/grounding';
import { computeSignals } from '../../../../../src/core/analysis/advisor/signals';
import { failing, plannedRecord } from '../../records';

test(`${meta.id}: ungrounded answers → prompt-engineering first, fine-tuning as the weaker second step`, () => {
  const [first, then] = check(computeSignals(plannedRecord(20, [{ name: 'rag', retrieval: true, failures: failing([1, 2, 3, 4], 'grounding') }])));
  assert.equal(first.kind, 'prompt-engineering');
  assert.match(first.why, /only from the context/);
  assert.equal(then.kind, 'fine-tuning');
  assert.ok(then.weight * then.confidence < first.weight * first.confidence);
  assert.deepEqual(check(computeSignals(plannedRecord(20, [{ name: 'v', failures: failing([1], 'format') }]))), []);
});
