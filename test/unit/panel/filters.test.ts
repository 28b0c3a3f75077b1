import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRows, cellKey, cellStatus, firstLines, rowView, variantNames } from '../../../src/webview/grid';
import { rowBrief } from '../../../src/shared/rowBrief';
import {
  applyFilters,
  categoryCounts,
  defaultFilters,
  differsAcrossVariants,
  failingCaseIndexes,
  shownVariants,
  type FilterState,
} from '../../../src/webview/filters';
import type { CompareData } from '../../../src/shared/protocol';
import { kase, record, res, sample } from './fixtures';

const rows = () => buildRows(sample(), new Set(), false);
const f = (over: Partial<FilterState>): FilterState => ({ ...defaultFilters(), ...over });
const idx = (rs: { caseIndex: number }[]) => rs.map((r) => r.caseIndex);

test('cell status: pass only when every repeat passed, error only when every repeat errored', () => {
  assert.equal(cellStatus([res('v', true), res('v', true)], false, false), 'pass');
  assert.equal(cellStatus([res('v', true), res('v', false)], false, false), 'fail');
  assert.equal(cellStatus([res('v', false, { error: 'x' })], false, false), 'error');
  assert.equal(cellStatus([res('v', false, { error: 'x' }), res('v', false)], false, false), 'fail');
  assert.equal(cellStatus([], true, true), 'running');
  assert.equal(cellStatus([], false, true), 'pending');
  assert.equal(cellStatus([], false, false), 'none');
});

test('rows: one per case, one cell per variant in record order, in-flight cells marked running', () => {
  const rec = sample();
  rec.cases[0].results = [];
  const r = buildRows(rec, new Set([cellKey(0, '3-shot')]), true);
  assert.equal(r.length, 4);
  assert.deepEqual(r[0].cells.map((c) => [c.variant, c.status]), [['zero-shot', 'pending'], ['3-shot', 'running']]);
  assert.deepEqual(r[1].cells.map((c) => c.category), ['format', undefined]);
  assert.equal(r[3].cells[0].category, 'error');
});

test('variant names include variants seen only in results', () => {
  const rec = record([kase(0, {}, [res('a', true), res('extra', true)])], ['a']);
  assert.deepEqual(variantNames(rec), ['a', 'extra']);
});

test('failures only keeps cases with a failing or erroring cell', () => {
  assert.deepEqual(idx(applyFilters(rows(), f({ failuresOnly: true }))), [1, 2, 3]);
});

test('failures only with a variant looks at that variant only', () => {
  assert.deepEqual(idx(applyFilters(rows(), f({ failuresOnly: true, variant: '3-shot' }))), [2]);
  assert.deepEqual(shownVariants(['zero-shot', '3-shot'], f({ variant: '3-shot' })), ['3-shot']);
  assert.deepEqual(shownVariants(['zero-shot', '3-shot'], f({ variant: 'gone' })), ['zero-shot', '3-shot']);
});

test('category filter matches failing cells of that category', () => {
  assert.deepEqual(idx(applyFilters(rows(), f({ category: 'knowledge' }))), [2]);
  assert.deepEqual(idx(applyFilters(rows(), f({ category: 'format' }))), [1]);
  assert.deepEqual(idx(applyFilters(rows(), f({ category: 'format', variant: '3-shot' }))), []);
});

test('"different across variants" keeps cases where some variant passed and another did not', () => {
  const r = rows();
  assert.deepEqual(r.map(differsAcrossVariants), [false, true, false, true]);
  assert.deepEqual(idx(applyFilters(r, f({ different: true }))), [1, 3]);
});

test('search keeps the cases the host found, and narrows nothing while its answer is pending', () => {
  assert.deepEqual(idx(applyFilters(rows(), f({ search: 'atlantis' }), null, new Set([2]))), [2]);
  assert.deepEqual(idx(applyFilters(rows(), f({ search: 'atlantis' }), null, new Set())), []);
  assert.deepEqual(idx(applyFilters(rows(), f({ search: 'atlantis' }))), [0, 1, 2, 3]);
  // hits of an earlier search do not apply once the search is cleared
  assert.deepEqual(idx(applyFilters(rows(), f({ search: '' }), null, new Set([2]))), [0, 1, 2, 3]);
});

test('case set (advisor evidence) restricts to those cases', () => {
  assert.deepEqual(idx(applyFilters(rows(), f({ caseSet: [3, 0] }))), [0, 3]);
});

test('sort by failures puts the most failing cases first, ties in case order', () => {
  assert.deepEqual(idx(applyFilters(rows(), f({ sort: 'failures' }))), [2, 1, 3, 0]);
});

test('sort by score puts the lowest mean score first', () => {
  // 0: 1,1 → 1; 1: 0,1 → .5; 2: .2,.4 → .3; 3: 0(error),1 → .5
  assert.deepEqual(idx(applyFilters(rows(), f({ sort: 'score' }))), [2, 1, 3, 0]);
});

test('sort by latency puts the slowest first', () => {
  assert.equal(applyFilters(rows(), f({ sort: 'latency' }))[0].caseIndex, 3);
});

test('compare change filter and regressions-first sort', () => {
  const compare: CompareData = {
    baseRunId: 'b',
    baseStartedAt: '2026-01-01T00:00:00.000Z',
    summary: { improved: 1, regressed: 1, unchanged: 2, added: 0, removed: 0, basePassRate: 0.5, headPassRate: 0.5 },
    cases: [
      { caseIndex: 0, change: 'unchanged', variants: { 'zero-shot': 'unchanged', '3-shot': 'unchanged' } },
      { caseIndex: 1, change: 'improved', variants: { 'zero-shot': 'unchanged', '3-shot': 'improved' } },
      { caseIndex: 2, change: 'regressed', variants: { 'zero-shot': 'regressed', '3-shot': 'unchanged' } },
      { caseIndex: 3, change: 'unchanged', variants: { 'zero-shot': 'unchanged', '3-shot': 'unchanged' } },
    ],
    variants: [],
  };
  assert.deepEqual(idx(applyFilters(rows(), f({ change: 'regressed' }), compare)), [2]);
  assert.deepEqual(idx(applyFilters(rows(), f({ change: 'improved', variant: 'zero-shot' }), compare)), []);
  assert.deepEqual(idx(applyFilters(rows(), f({ sort: 'change' }), compare)), [2, 1, 0, 3]);
});

test('category counts and failing case indexes (what "re-run failures" runs)', () => {
  assert.deepEqual(categoryCounts(rows()), [['knowledge', 2], ['error', 1], ['format', 1]]);
  assert.deepEqual(categoryCounts(rows(), '3-shot'), [['knowledge', 1]]);
  assert.deepEqual(failingCaseIndexes(rows()), [1, 2, 3]);
  assert.deepEqual(failingCaseIndexes(rows(), ['3-shot']), [2]);
});

test('first lines of an output skip blank lines and stop at n', () => {
  assert.equal(firstLines('a\n\n b\nc\nd', 3), 'a\n b\nc');
});

test('filters work over 2,000 cases × 4 variants', () => {
  const variants = ['a', 'b', 'c', 'd'];
  // every 4th case: only variant a passes; the others pass everywhere
  const cases = Array.from({ length: 2000 }, (_, i) => kase(i, { q: `question ${i}` }, variants.map((v, j) => res(v, i % 4 !== 0 || j === 0))));
  const big = buildRows(record(cases, variants), new Set(), false);
  const shown = applyFilters(big, f({ failuresOnly: true, different: true, sort: 'failures' }));
  assert.equal(shown.length, 500);
  assert.deepEqual(idx(shown.slice(0, 3)), [0, 4, 8]);
  assert.deepEqual(idx(applyFilters(big, f({ search: 'question 1999' }), null, new Set([1999]))), [1999]);
});

test('a row without its text yet shows its brief: status and category per variant, no results', () => {
  const rec = sample();
  const variants = variantNames(rec);
  const whole = buildRows(rec, new Set(), false)[3];
  const brief = rowBrief(rec.cases[3], variants, false);
  const bare = rowView(brief, variants);
  assert.equal(bare.loaded, false);
  assert.deepEqual(bare.record.vars, {});
  assert.deepEqual(bare.cells.map((c) => [c.status, c.category, c.results.length]), whole.cells.map((c) => [c.status, c.category, 0]));
  const full = rowView(brief, variants, rec.cases[3]);
  assert.equal(full.loaded, true);
  assert.deepEqual(full.cells.map((c) => c.results.length), whole.cells.map((c) => c.results.length));
});
