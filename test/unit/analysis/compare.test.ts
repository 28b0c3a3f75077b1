import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns, matchCases } from '../../../src/core/analysis/compare';
import { caseRecord, result, runRecord } from './records';

const cell = (caseIdx: number, c: ReturnType<typeof compareRuns>['cells'], variant: string) =>
  c.find((x) => (x.headIndex ?? x.baseIndex) === caseIdx && x.variant === variant);

test('a cell that went from failing to passing is improved, the reverse regressed, same is unchanged', () => {
  const base = runRecord(
    'b',
    [
      caseRecord(0, { q: 'a' }, [result('v', { passed: false })]),
      caseRecord(1, { q: 'b' }, [result('v', { passed: true })]),
      caseRecord(2, { q: 'c' }, [result('v', { passed: true })]),
    ],
    ['v'],
  );
  const head = runRecord(
    'h',
    [
      caseRecord(0, { q: 'a' }, [result('v', { passed: true })]),
      caseRecord(1, { q: 'b' }, [result('v', { passed: false })]),
      caseRecord(2, { q: 'c' }, [result('v', { passed: true })]),
    ],
    ['v'],
  );
  const cmp = compareRuns(base, head);
  assert.equal(cell(0, cmp.cells, 'v')?.change, 'improved');
  assert.equal(cell(1, cmp.cells, 'v')?.change, 'regressed');
  assert.equal(cell(2, cmp.cells, 'v')?.change, 'unchanged');
  assert.deepEqual(
    { improved: cmp.totals.improved, regressed: cmp.totals.regressed, unchanged: cmp.totals.unchanged },
    { improved: 1, regressed: 1, unchanged: 1 },
  );
  assert.equal(cmp.variants[0].passRateDelta, 0);
  assert.equal(cmp.totals.matched.index, 3);
});

test('an inserted case is matched by vars so later cases are not shifted, and the new one is added', () => {
  const base = runRecord(
    'b',
    [caseRecord(0, { q: 'a' }, [result('v', { passed: true })]), caseRecord(1, { q: 'b' }, [result('v', { passed: false })])],
    ['v'],
  );
  const head = runRecord(
    'h',
    [
      caseRecord(0, { q: 'a' }, [result('v', { passed: true })]),
      caseRecord(1, { q: 'new' }, [result('v', { passed: true })]),
      caseRecord(2, { q: 'b' }, [result('v', { passed: true })]),
    ],
    ['v'],
  );
  const cmp = compareRuns(base, head);
  const moved = cmp.cells.find((c) => c.headIndex === 2)!;
  assert.equal(moved.baseIndex, 1);
  assert.equal(moved.matchedBy, 'vars');
  assert.equal(moved.change, 'improved');
  const added = cmp.cells.find((c) => c.headIndex === 1)!;
  assert.equal(added.change, 'added');
  assert.equal(added.baseIndex, undefined);
  assert.equal(cmp.totals.added, 1);
  assert.equal(cmp.totals.removed, 0);
});

test('vars key order does not break matching; an edited case at the same index still matches by index', () => {
  const pairs = matchCases(
    [caseRecord(0, { a: 1, b: 2 }, []), caseRecord(1, { q: 'old' }, []), caseRecord(2, { q: 'gone' }, [])],
    [caseRecord(0, { b: 2, a: 1 }, []), caseRecord(1, { q: 'edited' }, [])],
  );
  assert.equal(pairs[0].matchedBy, 'index');
  assert.equal(pairs[1].matchedBy, 'index-edited');
  assert.equal(pairs[2].head, undefined);
  assert.equal(pairs[2].base?.index, 2);
});

test('a removed case and a new variant produce removed and added cells; per-variant deltas use the summaries', () => {
  const base = runRecord(
    'b',
    [caseRecord(0, { q: 'a' }, [result('zero', { passed: false })]), caseRecord(1, { q: 'b' }, [result('zero', { passed: true })])],
    ['zero'],
  );
  const head = runRecord(
    'h',
    [caseRecord(0, { q: 'a' }, [result('zero', { passed: true }), result('3-shot', { passed: true })])],
    ['zero', '3-shot'],
  );
  const cmp = compareRuns(base, head);
  const zero = cmp.variants.find((v) => v.variant === 'zero')!;
  assert.equal(zero.basePassRate, 0.5);
  assert.equal(zero.headPassRate, 1);
  assert.equal(zero.passRateDelta, 0.5);
  assert.equal(zero.removed, 1);
  assert.equal(zero.improved, 1);
  const shot = cmp.variants.find((v) => v.variant === '3-shot')!;
  assert.equal(shot.basePassRate, null);
  assert.equal(shot.passRateDelta, null);
  assert.equal(shot.added, 1);
  assert.equal(cmp.totals.basePassRate, 0.5);
  assert.equal(cmp.totals.headPassRate, 1);
});

test('repeats compare as pass rates within the cell and errors count as not passed', () => {
  const base = runRecord(
    'b',
    [caseRecord(0, { q: 'a' }, [result('v', { passed: true, repeat: 0 }), result('v', { passed: false, error: 'boom', repeat: 1 })])],
    ['v'],
  );
  const head = runRecord(
    'h',
    [caseRecord(0, { q: 'a' }, [result('v', { passed: true, repeat: 0 }), result('v', { passed: true, repeat: 1 })])],
    ['v'],
  );
  const cmp = compareRuns(base, head);
  assert.equal(cmp.cells[0].base?.passRate, 0.5);
  assert.equal(cmp.cells[0].base?.errors, 1);
  assert.equal(cmp.cells[0].change, 'improved');
});
