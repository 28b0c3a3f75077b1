// Partial runs (a subset of the eval set's cases): the merge over the latest full run, the current view of a
// file's runs, and the gates that keep a partial record from being taken for the whole eval set.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { cellKey, currentView, mergePartial, partialText } from '../../../src/core/runs/partial';
import { partialRunRefusal, statusText } from '../../../src/core/runs/completeness';
import { summarizeVariants } from '../../../src/core/runs/summary';
import type { RunRecord } from '../../../src/core/runs/schema';
import { kase, record, res } from '../panel/fixtures';

const VARIANTS = ['zero-shot', '3-shot'];

/** Nine cases, both variants: zero-shot fails cases 0–1, 3-shot passes everything. Summaries computed. */
function full(id = 'full-1', startedAt = '2026-01-01T00:00:00.000Z'): RunRecord {
  const cases = Array.from({ length: 9 }, (_, i) => kase(i, { q: `question ${i}` }, [res('zero-shot', i > 1), res('3-shot', true)]));
  const r = record(cases, VARIANTS, { id, startedAt });
  r.variants = summarizeVariants(VARIANTS.map((name) => ({ name, model: 'm' })), cases);
  return r;
}

/** Case 4 re-run in both variants, now failing zero-shot: 1 of 9 cases. */
function partial(id = 'part-1', startedAt = '2026-01-01T01:00:00.000Z', index = 4): RunRecord {
  const cases = [kase(index, { q: `question ${index}` }, [res('zero-shot', false, { output: 'now wrong' }), res('3-shot', true, { output: 'fresh' })])];
  const r = record(cases, VARIANTS, { id, startedAt, finishedAt: startedAt, partial: { of: 9, caseIndexes: [index] }, promptHash: 'new-hash' });
  r.variants = summarizeVariants(VARIANTS.map((name) => ({ name, model: 'm' })), cases);
  return r;
}

test('a partial run merged over the full run keeps every case and replaces only the cells it ran', () => {
  const base = full();
  const { record: merged, updated } = mergePartial(base, partial());
  assert.equal(merged.cases.length, 9, 'the matrix stays whole');
  assert.deepEqual([...updated].sort(), [cellKey(4, '3-shot'), cellKey(4, 'zero-shot')].sort());
  const c4 = merged.cases.find((c) => c.index === 4)!;
  assert.equal(c4.results.find((r) => r.variant === 'zero-shot')!.output, 'now wrong');
  assert.equal(c4.results.find((r) => r.variant === '3-shot')!.output, 'fresh');
  assert.equal(merged.cases[0], base.cases[0], 'cells it did not run are the full run’s, untouched');
  // summaries over all nine cases: zero-shot 6/9 (cases 0, 1 and now 4 fail), 3-shot 9/9
  const zs = merged.variants.find((v) => v.name === 'zero-shot')!;
  assert.deepEqual([zs.passed, zs.failed], [6, 3]);
  assert.equal(merged.variants.find((v) => v.name === '3-shot')!.passed, 9);
  assert.equal(merged.partial, undefined, 'the merged view is whole');
  assert.equal(merged.id, 'part-1', 'it carries the newest run’s identity');
  assert.equal(merged.promptHash, 'new-hash');
  assert.equal(base.cases[4].results[0].output, 'good answer', 'the full run’s record is not changed');
});

test('a partial run of one variant replaces that variant’s cell only', () => {
  const p = partial();
  p.cases[0].results = p.cases[0].results.filter((r) => r.variant === 'zero-shot');
  const { record: merged, updated } = mergePartial(full(), p);
  assert.deepEqual([...updated], [cellKey(4, 'zero-shot')]);
  const c4 = merged.cases.find((c) => c.index === 4)!;
  assert.equal(c4.results.find((r) => r.variant === '3-shot')!.output, 'good answer');
  assert.equal(c4.results.length, 2);
});

test('a case whose variables changed since the full run is replaced whole; a new case is added in order', () => {
  const p = partial();
  p.cases[0].vars = { q: 'edited question' };
  p.cases.push(kase(12, { q: 'new' }, [res('zero-shot', true)]));
  const { record: merged } = mergePartial(full(), p);
  const c4 = merged.cases.find((c) => c.index === 4)!;
  assert.deepEqual(c4.vars, { q: 'edited question' });
  assert.equal(c4.results.length, 2);
  assert.deepEqual(merged.cases.map((c) => c.index), [0, 1, 2, 3, 4, 5, 6, 7, 8, 12]);
});

test('cells a cancelled partial run never answered keep the full run’s results', () => {
  const p = partial();
  p.status = 'cancelled';
  p.cases.push(kase(5, { q: 'question 5' }, []));
  const { record: merged, updated } = mergePartial(full(), p);
  assert.equal(updated.size, 2);
  assert.equal(merged.cases.find((c) => c.index === 5)!.results.length, 2);
  assert.equal(merged.status, 'completed', 'the view is the full run’s status');
});

test('the current view: newest full run with every later partial run merged, oldest first', () => {
  const older = full('full-0', '2025-12-31T00:00:00.000Z');
  const base = full();
  const p1 = partial('part-1', '2026-01-01T01:00:00.000Z', 4);
  const p2 = partial('part-2', '2026-01-01T02:00:00.000Z', 4);
  p2.cases[0].results[0] = res('zero-shot', true, { output: 'fixed again' });
  const p3 = partial('part-3', '2026-01-01T03:00:00.000Z', 7);
  const view = currentView([p3, p2, p1, base, older])!;
  assert.equal(view.base, base);
  assert.deepEqual(view.partials.map((r) => r.id), ['part-1', 'part-2', 'part-3']);
  assert.equal(view.record.id, 'part-3');
  assert.equal(view.record.cases.find((c) => c.index === 4)!.results.find((r) => r.variant === 'zero-shot')!.output, 'fixed again', 'the later partial wins');
  assert.deepEqual([...view.updated].sort(), [cellKey(4, '3-shot'), cellKey(4, 'zero-shot'), cellKey(7, '3-shot'), cellKey(7, 'zero-shot')].sort());
  assert.equal(view.record.variants.find((v) => v.name === 'zero-shot')!.passed, 6, 'cases 0, 1 and 7 fail now');
});

test('the current view of a full run is that run; of partial runs alone, the newest one', () => {
  const base = full();
  assert.equal(currentView([base, partial()])!.record, base, 'a partial run older than the full run is not merged');
  const p = partial();
  assert.equal(currentView([p])!.record, p);
  assert.equal(currentView([]), undefined);
});

test('a partial run says so wherever its status is shown, and no dataset is made from it silently', () => {
  const p = partial();
  assert.equal(partialText(p), 'partial · 1 of 9 cases');
  assert.equal(partialText(full()), undefined);
  assert.equal(statusText(p), 'completed · partial: 1 of 9 cases');
  assert.equal(statusText(full()), 'completed');
  assert.match(partialRunRefusal(p) ?? '', /partial: 1 of 9 cases/);
  assert.equal(partialRunRefusal(full()), undefined);
});
