// Run comparison: matches the (case, variant) cells of two run records and says what improved, regressed,
// stayed the same, appeared or disappeared, with per-variant pass-rate deltas and totals.
//
// Matching cases, in this order:
//   1. same index and equal vars                      → matchedBy 'index'
//   2. equal vars at another index (rows inserted,
//      removed or reordered between the runs)          → matchedBy 'vars'
//   3. same index, vars edited, no better match left   → matchedBy 'index-edited'
// A head case left unmatched is 'added', a base case left unmatched is 'removed'.
// A cell compares the pass rate of that variant's results in the case (several results when --repeat > 1;
// errors count as not passed, as in FORMATS.md): higher → improved, lower → regressed, equal → unchanged.

import type { CaseRecord, CaseResult, RunRecord, VariantSummary } from '../runs/schema';

export type CellChangeKind = 'improved' | 'regressed' | 'unchanged' | 'added' | 'removed';
export type CaseMatch = 'index' | 'vars' | 'index-edited';

export interface CellSide {
  /** Share of this variant's results in the case that passed (0..1). */
  passRate: number;
  results: number;
  passed: number;
  errors: number;
  /** Mean weighted evaluator score, when the results carry one. */
  score?: number;
  /** Category of the first failing result, if any. */
  category?: string;
}

export interface CellChange {
  variant: string;
  change: CellChangeKind;
  /** Case index in the head run (undefined for removed cases). */
  headIndex?: number;
  /** Case index in the base run (undefined for added cases). */
  baseIndex?: number;
  /** How the case was matched (undefined when the case exists on one side only). */
  matchedBy?: CaseMatch;
  vars: Record<string, unknown>;
  base?: CellSide;
  head?: CellSide;
}

export interface ChangeCounts {
  improved: number;
  regressed: number;
  unchanged: number;
  added: number;
  removed: number;
}

export interface VariantDelta extends ChangeCounts {
  variant: string;
  basePassRate: number | null;
  headPassRate: number | null;
  /** head − base pass rate; null when the variant is on one side only. */
  passRateDelta: number | null;
}

export interface RunComparison {
  baseId: string;
  headId: string;
  cells: CellChange[];
  variants: VariantDelta[];
  totals: ChangeCounts & {
    basePassRate: number | null;
    headPassRate: number | null;
    passRateDelta: number | null;
    /** Cases matched between the runs, by how. */
    matched: Record<CaseMatch, number>;
  };
}

export function compareRuns(base: RunRecord, head: RunRecord): RunComparison {
  const pairs = matchCases(base.cases, head.cases);
  const variantNames = unionVariantNames(base, head);
  const cells: CellChange[] = [];

  for (const pair of pairs) {
    for (const variant of variantNames) {
      const b = pair.base ? cellSide(pair.base, variant) : undefined;
      const h = pair.head ? cellSide(pair.head, variant) : undefined;
      if (!b && !h) continue;
      let change: CellChangeKind;
      if (!b) change = 'added';
      else if (!h) change = 'removed';
      else if (h.passRate > b.passRate + 1e-9) change = 'improved';
      else if (h.passRate < b.passRate - 1e-9) change = 'regressed';
      else change = 'unchanged';
      cells.push({
        variant,
        change,
        headIndex: pair.head?.index,
        baseIndex: pair.base?.index,
        matchedBy: pair.matchedBy,
        vars: (pair.head ?? pair.base)!.vars,
        base: b,
        head: h,
      });
    }
  }

  const variants: VariantDelta[] = variantNames.map((variant) => {
    const bs = base.variants.find((v) => v.name === variant);
    const hs = head.variants.find((v) => v.name === variant);
    const basePassRate = bs ? summaryPassRate(bs, base, variant) : null;
    const headPassRate = hs ? summaryPassRate(hs, head, variant) : null;
    return {
      variant,
      basePassRate,
      headPassRate,
      passRateDelta: basePassRate !== null && headPassRate !== null ? headPassRate - basePassRate : null,
      ...countChanges(cells.filter((c) => c.variant === variant)),
    };
  });

  const basePassRate = overallPassRate(base);
  const headPassRate = overallPassRate(head);
  const matched: Record<CaseMatch, number> = { index: 0, vars: 0, 'index-edited': 0 };
  for (const p of pairs) if (p.matchedBy) matched[p.matchedBy]++;

  return {
    baseId: base.id,
    headId: head.id,
    cells,
    variants,
    totals: {
      ...countChanges(cells),
      basePassRate,
      headPassRate,
      passRateDelta: basePassRate !== null && headPassRate !== null ? headPassRate - basePassRate : null,
      matched,
    },
  };
}

interface CasePair {
  base?: CaseRecord;
  head?: CaseRecord;
  matchedBy?: CaseMatch;
}

/** Pairs head cases with base cases (see the file header for the order). Output follows head order, removed cases last. */
export function matchCases(baseCases: CaseRecord[], headCases: CaseRecord[]): CasePair[] {
  const baseByIndex = new Map<number, CaseRecord>();
  for (const c of baseCases) baseByIndex.set(c.index, c);
  const usedBase = new Set<CaseRecord>();
  const headMatch = new Map<CaseRecord, { base: CaseRecord; by: CaseMatch }>();

  // 1. same index, same vars
  for (const h of headCases) {
    const b = baseByIndex.get(h.index);
    if (b && !usedBase.has(b) && varsKey(b.vars) === varsKey(h.vars)) {
      usedBase.add(b);
      headMatch.set(h, { base: b, by: 'index' });
    }
  }
  // 2. same vars elsewhere (first unused base case with those vars, in base order)
  const baseByVars = new Map<string, CaseRecord[]>();
  for (const b of baseCases) {
    if (usedBase.has(b)) continue;
    const k = varsKey(b.vars);
    const list = baseByVars.get(k);
    if (list) list.push(b);
    else baseByVars.set(k, [b]);
  }
  for (const h of headCases) {
    if (headMatch.has(h)) continue;
    const list = baseByVars.get(varsKey(h.vars));
    const b = list?.find((x) => !usedBase.has(x));
    if (b) {
      usedBase.add(b);
      headMatch.set(h, { base: b, by: 'vars' });
    }
  }
  // 3. same index, vars edited
  for (const h of headCases) {
    if (headMatch.has(h)) continue;
    const b = baseByIndex.get(h.index);
    if (b && !usedBase.has(b)) {
      usedBase.add(b);
      headMatch.set(h, { base: b, by: 'index-edited' });
    }
  }

  const pairs: CasePair[] = headCases.map((h) => {
    const m = headMatch.get(h);
    return m ? { base: m.base, head: h, matchedBy: m.by } : { head: h };
  });
  for (const b of baseCases) if (!usedBase.has(b)) pairs.push({ base: b });
  return pairs;
}

/** Canonical JSON of a vars map: key order does not matter. */
export function varsKey(vars: Record<string, unknown>): string {
  return JSON.stringify(canonical(vars));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as Record<string, unknown>).sort()) out[k] = canonical((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

function cellSide(c: CaseRecord, variant: string): CellSide | undefined {
  const rs: CaseResult[] = c.results.filter((r) => r.variant === variant);
  if (rs.length === 0) return undefined;
  const passed = rs.filter((r) => r.passed && !r.error).length;
  const errors = rs.filter((r) => r.error).length;
  const scores = rs.map((r) => r.score).filter((s): s is number => typeof s === 'number');
  const failing = rs.find((r) => !r.passed || r.error);
  return {
    passRate: passed / rs.length,
    results: rs.length,
    passed,
    errors,
    score: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : undefined,
    category: failing?.category ?? undefined,
  };
}

function unionVariantNames(base: RunRecord, head: RunRecord): string[] {
  const names: string[] = [];
  const add = (n: string) => {
    if (!names.includes(n)) names.push(n);
  };
  for (const v of head.variants) add(v.name);
  for (const v of base.variants) add(v.name);
  for (const c of [...head.cases, ...base.cases]) for (const r of c.results) add(r.variant);
  return names;
}

/** The summary's pass rate; recomputed from the cases if the summary looks unfilled (e.g. a cancelled run). */
function summaryPassRate(s: VariantSummary, record: RunRecord, variant: string): number | null {
  const total = s.passed + s.failed + s.errors;
  if (total > 0) return s.passed / total;
  let n = 0;
  let p = 0;
  for (const c of record.cases) {
    for (const r of c.results) {
      if (r.variant === variant) {
        n++;
        if (r.passed && !r.error) p++;
      }
    }
  }
  return n ? p / n : null;
}

function overallPassRate(record: RunRecord): number | null {
  let n = 0;
  let p = 0;
  for (const c of record.cases) {
    for (const r of c.results) {
      n++;
      if (r.passed && !r.error) p++;
    }
  }
  return n ? p / n : null;
}

function countChanges(cells: CellChange[]): ChangeCounts {
  const out: ChangeCounts = { improved: 0, regressed: 0, unchanged: 0, added: 0, removed: 0 };
  for (const c of cells) out[c.change]++;
  return out;
}
