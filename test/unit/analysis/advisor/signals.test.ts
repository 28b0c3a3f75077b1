import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeSignals } from '../../../../src/core/analysis/advisor/signals';
import { signTestP, wilson, formatP } from '../../../../src/core/analysis/advisor/stats';
import { failing, plannedRecord } from '../records';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

test('the exact sign test: 2 fixed 0 broken is p = 0.5, 10–0 is p ≈ 0.002, no discordant cases is 1', () => {
  assert.equal(signTestP(2, 0), 0.5);
  assert.equal(signTestP(0, 2), 0.5);
  assert.ok(Math.abs(signTestP(10, 0) - 0.001953125) < 1e-9);
  assert.ok(Math.abs(signTestP(5, 1) - 0.21875) < 1e-9);
  assert.equal(signTestP(0, 0), 1);
  assert.equal(signTestP(3, 3), 1);
  assert.equal(formatP(0.5), 'p = 0.5');
  assert.equal(formatP(0.0004), 'p < 0.001');
});

test('the Wilson interval brackets the rate and narrows with more cases', () => {
  const [lo, hi] = wilson(10, 20);
  assert.ok(lo < 0.5 && hi > 0.5);
  const [lo2, hi2] = wilson(100, 200);
  assert.ok(hi2 - lo2 < hi - lo);
  assert.deepEqual(wilson(0, 0), [0, 1]);
});

test('pairs compare the same cases: fixed, broken, before/after per group, errors left out', () => {
  const rec = plannedRecord(24, [
    { name: 'zero-shot', failures: { ...failing(range(0, 8), 'format'), 23: 'error' } },
    { name: '3-shot', shots: 3, failures: { ...failing([0, 1, 2, 3, 4, 10], 'format'), 22: 'knowledge' } },
  ]);
  const s = computeSignals(rec);
  const [a, b] = s.variants;
  assert.equal(s.baseline?.name, 'zero-shot');
  assert.equal(b.role, 'few-shot');
  const p = s.pair(a, b, 'format');
  assert.equal(p.shared, 23, 'the errored case is not shared');
  assert.deepEqual(p.fixed, [5, 6, 7]);
  assert.deepEqual(p.broken, [10]);
  assert.equal(p.before, 8);
  assert.equal(p.after, 6);
  assert.equal(p.p, signTestP(3, 1));
  const all = s.pair(a, b);
  assert.deepEqual(all.broken, [10, 22], 'without a group every failure counts');
  assert.equal(s.errorCells, 1);
  assert.equal(s.errorShare, 1 / 48);
  assert.equal(s.errorReasons[0].reason, 'HTTP 500');
  assert.equal(a.errors, 1);
  assert.equal(a.judged, 23);
});

test('roles: rag, chain-of-thought, self-repair and another model are told apart; best is the highest pass rate', () => {
  const rec = plannedRecord(20, [
    { name: 'zero-shot', failures: failing(range(0, 10), 'knowledge') },
    { name: 'rag', retrieval: true, failures: failing([0], 'retrieval') },
    { name: 'cot', chainOfThought: true, failures: failing(range(0, 9), 'knowledge') },
    { name: 'repair', selfRepair: true, failures: failing(range(0, 9), 'knowledge') },
    { name: 'big', model: 'gpt-4o', failures: failing(range(0, 9), 'knowledge') },
  ]);
  const s = computeSignals(rec);
  assert.deepEqual(s.variants.map((v) => v.role), ['baseline', 'rag', 'chain-of-thought', 'self-repair', 'model']);
  assert.equal(s.best?.name, 'rag');
  assert.equal(s.count(s.best!, 'retrieval'), 1);
});

test('guess share and trend read how categories were decided and how failures fall with shots', () => {
  const rec = plannedRecord(20, [
    { name: 'zero-shot', basis: 'guess', failures: failing(range(0, 8), 'knowledge') },
    { name: '1-shot', shots: 1, failures: failing(range(0, 6), 'knowledge') },
    { name: '3-shot', shots: 3, failures: failing(range(0, 3), 'knowledge') },
  ]);
  const s = computeSignals(rec);
  assert.equal(s.guessShare('knowledge'), 8 / 17);
  assert.deepEqual(s.trend('knowledge').map((t) => t.failures), [8, 6, 3]);
});
