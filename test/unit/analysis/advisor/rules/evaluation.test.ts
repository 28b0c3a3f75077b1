import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, meta } from '../../../../../src/core/analysis/advisor/rules/evaluation';
import { computeSignals } from '../../../../../src/core/analysis/advisor/signals';
import { failing, plannedRecord } from '../../records';

test(`${meta.id}: under 10 cases it outranks everything and says differences are noise`, () => {
  const [f] = check(computeSignals(plannedRecord(6, [{ name: 'v', failures: failing([0, 1], 'knowledge') }])));
  assert.equal(f.kind, 'evaluation');
  assert.equal(f.priority, 2);
  assert.equal(f.evidence.caseCount, 6);
  assert.match(f.why, /6 of 6 cases fixed and none broken gives p = 0\.031/);
});

test(`${meta.id}: 10–19 cases are listed low; 20+ cases or a clean 10+ say nothing`, () => {
  const [f] = check(computeSignals(plannedRecord(12, [{ name: 'v', failures: failing([0], 'format') }])));
  assert.equal(f.priority, 0);
  assert.ok(f.weight < 0.2);
  assert.deepEqual(check(computeSignals(plannedRecord(20, [{ name: 'v', failures: failing([0], 'format') }]))), []);
  assert.deepEqual(check(computeSignals(plannedRecord(12, [{ name: 'v', failures: {} }]))), []);
});
