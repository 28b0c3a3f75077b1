// The CI gate's statistics and verdicts on hand-made run records (no model calls).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { changeInterval, formatInterval, pairedSharesP, passRateInterval, sharesInterval } from '../../../src/core/analysis/intervals';
import { signTestP } from '../../../src/core/analysis/advisor/stats';
import { compareToBaseline, MUST_PASS_TAG } from '../../../src/core/analysis/baseline';
import { decideGate } from '../../../src/core/analysis/gate';
import { repeatStats } from '../../../src/core/analysis/repeats';
import { caseRecord, result, summarize } from '../analysis/records';
import type { CaseRecord, RunRecord } from '../../../src/core/runs/schema';

function run(id: string, cases: CaseRecord[], variants = ['v']): RunRecord {
  return {
    version: 1,
    id,
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:01Z',
    promptFile: 'p.prompt.yml',
    status: 'completed',
    variants: variants.map((n) => summarize(n, cases)),
    cases,
  };
}

/** n cases of variant v; `fails` lists the indexes that fail; repeats: results per case. */
function cases(n: number, fails: Set<number> | ((i: number, r: number) => boolean), opts: { repeats?: number; tags?: Record<number, string[]> } = {}): CaseRecord[] {
  const failing = typeof fails === 'function' ? fails : (i: number) => fails.has(i);
  return Array.from({ length: n }, (_, i) => {
    const c = caseRecord(
      i,
      { q: `question ${i}` },
      Array.from({ length: opts.repeats ?? 1 }, (_, r) => result('v', { passed: !failing(i, r), ...(opts.repeats ? { repeat: r } : {}) })),
    );
    if (opts.tags?.[i]) c.tags = opts.tags[i];
    return c;
  });
}

test('Wilson interval: 17/20 and 850/1000 both print 85 % but their intervals differ', () => {
  const small = passRateInterval(17, 20);
  const large = passRateInterval(850, 1000);
  assert.deepEqual(small, [0.6396, 0.9476]);
  assert.deepEqual(large, [0.8265, 0.8708]);
  assert.equal(formatInterval(small), '64–95 %');
  assert.equal(formatInterval(large), '83–87 %');
  assert.deepEqual(passRateInterval(0, 0), [0, 1]);
});

test('with repeats the interval counts cases, not calls: wider than the same rate over every call', () => {
  const perCase = sharesInterval(Array.from({ length: 20 }, (_, i) => (i < 17 ? 1 : 0)));
  const perCall = passRateInterval(17 * 5, 20 * 5);
  assert.ok(perCase[1] - perCase[0] > perCall[1] - perCall[0]);
});

test('Newcombe change interval holds the difference and is wider than either side alone', () => {
  const base = { rate: 0.8, ci: passRateInterval(80, 100) };
  const head = { rate: 0.7, ci: passRateInterval(70, 100) };
  const ci = changeInterval(base, head);
  assert.ok(ci[0] < -0.1 && ci[1] > -0.1, JSON.stringify(ci));
  assert.ok(ci[1] - ci[0] > base.ci[1] - base.ci[0]);
  assert.ok(ci[1] > 0, 'a 10-point drop on 100 cases is not certain');
});

test('paired test without repeats is the exact sign test; with repeats it weighs the size of each change', () => {
  const binary = (fixed: number, broken: number) => [
    ...Array.from({ length: fixed }, () => ({ base: 0, head: 1, baseN: 1, headN: 1 })),
    ...Array.from({ length: broken }, () => ({ base: 1, head: 0, baseN: 1, headN: 1 })),
    ...Array.from({ length: 50 }, () => ({ base: 1, head: 1, baseN: 1, headN: 1 })),
  ];
  for (const [f, b] of [[0, 6], [1, 6], [3, 1], [0, 1], [10, 25]]) assert.ok(Math.abs(pairedSharesP(binary(f, b)) - signTestP(f, b)) < 1e-12, `${f}/${b}`);
  assert.equal(pairedSharesP(binary(0, 6)), 2 / 64);
  // six cases each losing one of five repeats: the same signs as above, but small changes; p is the same sign
  // pattern's (all negative) yet a single large drop next to small gains is not significant
  const small = Array.from({ length: 6 }, () => ({ base: 1, head: 0.8, baseN: 5, headN: 5 }));
  assert.equal(pairedSharesP(small), 2 / 64);
  const mixed = [{ base: 1, head: 0, baseN: 5, headN: 5 }, ...Array.from({ length: 4 }, () => ({ base: 0.6, head: 0.8, baseN: 5, headN: 5 }))];
  assert.equal(pairedSharesP(mixed), 1, 'a drop of 5 against gains summing to 4: as extreme as half of the flips or more');
});

test('6 of 60 regress: compareToBaseline lists them and the gate fails beyond noise', () => {
  const base = run('b', cases(60, new Set()));
  const head = run('h', cases(60, new Set([3, 9, 14, 22, 40, 51])));
  const c = compareToBaseline(base, head);
  const v = c.variants[0];
  assert.deepEqual(v.regressed.map((r) => r.index), [3, 9, 14, 22, 40, 51]);
  assert.equal(v.improved.length, 0);
  assert.equal(v.shared, 60);
  assert.equal(v.p, 2 / 64);
  assert.equal(Math.round(v.change * 1000) / 1000, -0.1);
  const verdict = decideGate([{ record: head, comparison: c }], { failOn: 'regression' });
  assert.equal(verdict.passed, false);
  assert.equal(verdict.line, '0 fixed, 6 broken of 60, p = 0.03: regression beyond noise (α = 0.05) — failed');
});

test('1 of 60 flips: within noise, passed; the same flip on a must-pass case fails', () => {
  const base = run('b', cases(60, new Set()));
  const head = run('h', cases(60, new Set([7])));
  const ok = decideGate([{ record: head, comparison: compareToBaseline(base, head) }], { failOn: 'regression' });
  assert.equal(ok.passed, true);
  assert.equal(ok.line, '0 fixed, 1 broken of 60, p = 1: within noise (α = 0.05) — passed');
  const tagged = run('h2', cases(60, new Set([7]), { tags: { 7: [MUST_PASS_TAG] } }));
  const bad = decideGate([{ record: tagged, comparison: compareToBaseline(base, tagged) }], { failOn: 'regression' });
  assert.equal(bad.passed, false);
  assert.match(bad.line, /; 1 must-pass case failing — failed$/);
  assert.deepEqual(bad.reasons, ['p.prompt.yml [v]: must-pass case line 8 regressed']);
});

test('cases on one side only are listed, not counted; edited variables make a case one-sided', () => {
  const base = run('b', cases(10, new Set([0])));
  const headCases = cases(10, new Set([1, 2]));
  headCases[1].vars = { q: 'an edited question' };
  headCases.push(caseRecord(10, { q: 'new' }, [result('v', { passed: false })]));
  const head = run('h', headCases);
  const v = compareToBaseline(base, head).variants[0];
  assert.equal(v.shared, 9);
  assert.deepEqual(v.onlyHead.map((c) => c.index), [1, 10]);
  assert.deepEqual(v.onlyBase.map((c) => c.index), [1]);
  assert.deepEqual(v.regressed.map((c) => c.index), [2]);
  assert.deepEqual(v.improved.map((c) => c.index), [0]);
});

test('any-failure, min-pass-rate and incomplete runs', () => {
  const head = run('h', cases(20, new Set([1, 2])));
  assert.equal(decideGate([{ record: head }], { failOn: 'any-failure' }).line, '2 of 20 results failed or errored — failed');
  assert.equal(decideGate([{ record: head }], { failOn: 'none', minPassRate: 0.9 }).line, 'every pass rate ≥ 90.0 % (lowest 90.0 %) — passed');
  const low = decideGate([{ record: head }], { failOn: 'none', minPassRate: 0.95 });
  assert.equal(low.passed, false);
  assert.deepEqual(low.reasons, ['p.prompt.yml [v]: pass rate 90.0 % is below the minimum 95.0 %']);
  const cancelled = { ...run('c', cases(5, new Set())), status: 'cancelled' as const };
  assert.equal(decideGate([{ record: cancelled }], { failOn: 'none' }).passed, false);
  assert.equal(decideGate([{ record: run('s', cases(5, new Set())), skippedProblems: 1 }], { failOn: 'none' }).passed, false);
});

test('repeat statistics: pass^k and flaky cases', () => {
  const rec = run('r', cases(4, (i, r) => (i === 1 && r === 0) || i === 3, { repeats: 3 }));
  const [s] = repeatStats(rec);
  assert.equal(s.k, 3);
  assert.equal(s.allPassed, 2);
  assert.equal(s.passK, 0.5);
  assert.deepEqual(s.flaky.map((f) => [f.index, Math.round(f.share * 100)]), [[1, 67]]);
});
