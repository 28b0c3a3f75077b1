import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, meta } from '../../../../../src/core/analysis/advisor/rules/transport';
import { computeSignals } from '../../../../../src/core/analysis/advisor/signals';
import { failing, plannedRecord } from '../../records';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

test(`${meta.id}: errors dominating → evaluation "fix the provider and re-run" with the reasons, first of all`, () => {
  const rec = plannedRecord(30, [
    { name: 'zero-shot', errorMessage: '503 Service Unavailable', failures: { ...failing(range(0, 20), 'error'), ...failing([25, 26], 'knowledge') } },
  ]);
  const [f] = check(computeSignals(rec));
  assert.equal(f.kind, 'evaluation');
  assert.equal(f.priority, 3);
  assert.match(f.title!, /fix the provider and re-run/);
  assert.match(f.why, /20 × 503 Service Unavailable/);
  assert.match(f.why, /not model failures/);
  assert.deepEqual(f.evidence.cases, range(0, 20));
  assert.ok(f.actions.some((a) => a.startsWith('command:promptLadder.runEval|')));
});

test(`${meta.id}: a minority of errors is a low note; none or a handful says nothing`, () => {
  const [f] = check(computeSignals(plannedRecord(20, [{ name: 'v', failures: failing([0, 1, 2, 3], 'error') }])));
  assert.equal(f.priority, 0);
  assert.match(f.why, /less certain/);
  assert.deepEqual(check(computeSignals(plannedRecord(20, [{ name: 'v', failures: failing([0], 'error') }]))), []);
  assert.deepEqual(check(computeSignals(plannedRecord(20, [{ name: 'v', failures: {} }]))), []);
});
