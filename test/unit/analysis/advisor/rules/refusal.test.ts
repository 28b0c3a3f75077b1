import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, meta } from '../../../../../src/core/analysis/advisor/rules/refusal';
import { computeSignals } from '../../../../../src/core/analysis/advisor/signals';
import { failing, plannedRecord } from '../../records';

test(`${meta.id}: refusals → prompt-engineering that states the scope; none → nothing`, () => {
  const [f] = check(computeSignals(plannedRecord(20, [{ name: 'v', failures: failing([1, 2, 3, 4, 5], 'refusal') }])));
  assert.equal(f.kind, 'prompt-engineering');
  assert.match(f.why, /5 answers are refusals/);
  assert.deepEqual(check(computeSignals(plannedRecord(20, [{ name: 'v', failures: failing([1], 'format') }]))), []);
});
