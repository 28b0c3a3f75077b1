import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAction } from '../../../../../src/shared/actions';
import { check, meta } from '../../../../../src/core/analysis/advisor/rules/reasoning';
import { computeSignals } from '../../../../../src/core/analysis/advisor/signals';
import { failing, plannedRecord } from '../../records';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

test(`${meta.id}: no chain-of-thought variant → add one (command), self-repair and decomposition`, () => {
  const [f] = check(computeSignals(plannedRecord(20, [{ name: 'default', failures: failing([3, 6, 9], 'reasoning') }])));
  assert.equal(f.kind, 'prompt-engineering');
  const cot = f.actions.map(parseAction).find((a) => a.command === 'promptLadder.addChainOfThoughtVariant')!;
  assert.deepEqual(cot.args, [{ rerun: true }], 'a one-click edit that re-runs');
  assert.deepEqual(f.evidence.cases, [3, 6, 9]);
});

test(`${meta.id}: a chain-of-thought variant that fixes them (paired) → keep it; one that does not → decompose`, () => {
  const [keep] = check(computeSignals(plannedRecord(20, [{ name: 'zero-shot', failures: failing(range(0, 10), 'reasoning') }, { name: 'cot', chainOfThought: true, failures: failing([0], 'reasoning') }])));
  assert.match(keep.title!, /cot fixes most reasoning failures/);
  assert.match(keep.why, /10 → 1 of 20, p = 0\.004/);
  const [stuck] = check(computeSignals(plannedRecord(20, [{ name: 'zero-shot', failures: failing(range(0, 10), 'reasoning') }, { name: 'cot', chainOfThought: true, failures: failing(range(0, 9), 'reasoning') }])));
  assert.match(stuck.why, /does not clearly reduce them/);
  assert.ok(stuck.confidence < keep.confidence);
});
