// Per-variant summaries of a run record (pass rate, tokens, cost, latency percentiles, category counts).

import type { CaseRecord, CaseResult, VariantSummary } from './schema';
import { sharesInterval } from '../analysis/intervals';

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export interface VariantInfo {
  name: string;
  model: string;
  shots?: number;
  retrieval?: boolean;
}

/** Builds the `variants` array of a run record from its cases. Errors count as not passed (passRate = passed / all). */
export function summarizeVariants(variants: VariantInfo[], cases: CaseRecord[]): VariantSummary[] {
  const byVariant = new Map<string, CaseResult[]>(variants.map((v) => [v.name, []]));
  for (const c of cases) for (const r of c.results) byVariant.get(r.variant)?.push(r);
  const intervals = passRateIntervals(variants, cases);
  return variants.map((v) => {
    const results = byVariant.get(v.name) ?? [];
    let passed = 0;
    let failed = 0;
    let errors = 0;
    let cached = 0;
    let costUsd = 0;
    const tokens = { prompt: 0, completion: 0 };
    const categories: Record<string, number> = {};
    const latencies: number[] = [];
    for (const r of results) {
      if (r.error) errors++;
      else if (r.passed) passed++;
      else failed++;
      if (r.cached) cached++;
      tokens.prompt += r.tokens.prompt;
      tokens.completion += r.tokens.completion;
      costUsd += r.costUsd ?? 0;
      if (!r.error) latencies.push(r.latencyMs);
      if (!r.passed && r.category) categories[r.category] = (categories[r.category] ?? 0) + 1;
    }
    latencies.sort((a, b) => a - b);
    const summary = summaryOf(v, { passed, failed, errors, cached, tokens, costUsd, categories }, latencies);
    const interval = intervals.get(v.name);
    return interval ? { ...summary, passRateInterval: interval } : summary;
  });
}

/**
 * Each variant's 95 % pass-rate interval (Wilson), with the case as the unit: a case's repeats are not
 * independent asks of different questions, so with --repeat each case adds its pass share (analysis/intervals.ts).
 */
function passRateIntervals(variants: VariantInfo[], cases: CaseRecord[]): Map<string, [number, number]> {
  const shares = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  const tally = new Map<string, [number, number]>();
  for (const c of cases) {
    tally.clear();
    for (const r of c.results) {
      const t = tally.get(r.variant) ?? [0, 0];
      t[0] += r.passed && !r.error ? 1 : 0;
      t[1]++;
      tally.set(r.variant, t);
    }
    for (const [name, [p, n]] of tally) shares.get(name)?.push(p / n);
  }
  const out = new Map<string, [number, number]>();
  for (const [name, list] of shares) if (list.length) out.set(name, sharesInterval(list));
  return out;
}

interface Totals {
  passed: number;
  failed: number;
  errors: number;
  cached: number;
  tokens: { prompt: number; completion: number };
  costUsd: number;
  categories: Record<string, number>;
}

/** One variant's summary from its totals and its sorted latencies. */
function summaryOf(v: VariantInfo, t: Totals, sortedLatencies: ArrayLike<number>): VariantSummary {
  const total = t.passed + t.failed + t.errors;
  return {
    name: v.name,
    model: v.model,
    ...(v.shots !== undefined ? { shots: v.shots } : {}),
    ...(v.retrieval ? { retrieval: true } : {}),
    passed: t.passed,
    failed: t.failed,
    errors: t.errors,
    passRate: total === 0 ? 0 : t.passed / total,
    tokens: t.tokens,
    costUsd: Math.round(t.costUsd * 1e6) / 1e6,
    latencyMs: { p50: Math.round(percentile(sortedLatencies, 50)), p95: Math.round(percentile(sortedLatencies, 95)) },
    categories: t.categories,
    cached: t.cached,
  };
}

/**
 * The same summaries as `summarizeVariants`, kept as results arrive, for a run's periodic header, so writing
 * the header costs the same however many cases the run has, instead of a walk of every case. Counts, tokens and
 * categories are running totals; a result's cost and latency sit in its slot (case × repeat, in case order),
 * so the cost is added up in the order summarizeVariants adds it and the percentiles are taken the same way.
 */
export class VariantTally {
  private readonly rows: {
    passed: number;
    failed: number;
    errors: number;
    cached: number;
    prompt: number;
    completion: number;
    categories: Record<string, number>;
    cost: Float64Array;
    /** NaN: no result (yet), or an error (no latency counted). */
    latency: Float64Array;
    /** 1 passed, 0 not passed, -1 no result (yet): the per-case pass shares of the interval. */
    pass: Int8Array;
  }[];

  /** `slots`: cases × repeat, each case's repeats side by side (slot = case position × repeat + repeat index). */
  constructor(
    private readonly variants: VariantInfo[],
    slots: number,
    private readonly repeat = 1,
  ) {
    this.rows = variants.map(() => ({
      passed: 0,
      failed: 0,
      errors: 0,
      cached: 0,
      prompt: 0,
      completion: 0,
      categories: {},
      cost: new Float64Array(slots),
      latency: new Float64Array(slots).fill(NaN),
      pass: new Int8Array(slots).fill(-1),
    }));
  }

  /** Counts one result of variant `variant` (its index) in `slot`; each slot once. */
  add(variant: number, slot: number, r: CaseResult): void {
    const t = this.rows[variant];
    if (!t) return;
    if (r.error) t.errors++;
    else if (r.passed) t.passed++;
    else t.failed++;
    if (r.cached) t.cached++;
    t.prompt += r.tokens.prompt;
    t.completion += r.tokens.completion;
    t.cost[slot] = r.costUsd ?? 0;
    if (!r.error) t.latency[slot] = r.latencyMs;
    t.pass[slot] = r.passed && !r.error ? 1 : 0;
    if (!r.passed && r.category) t.categories[r.category] = (t.categories[r.category] ?? 0) + 1;
  }

  summaries(): VariantSummary[] {
    return this.variants.map((v, i) => {
      const t = this.rows[i];
      let costUsd = 0;
      for (let s = 0; s < t.cost.length; s++) costUsd += t.cost[s];
      const latencies = t.latency.filter((x) => !Number.isNaN(x)).sort();
      const totals = { ...t, tokens: { prompt: t.prompt, completion: t.completion }, costUsd, categories: { ...t.categories } };
      const summary = summaryOf(v, totals, latencies);
      const shares = this.shares(t.pass);
      return shares.length ? { ...summary, passRateInterval: sharesInterval(shares) } : summary;
    });
  }

  /** Each case's pass share over the repeats that have a result. */
  private shares(pass: Int8Array): number[] {
    const out: number[] = [];
    for (let c = 0; c < pass.length; c += this.repeat) {
      let n = 0;
      let p = 0;
      for (let s = c; s < c + this.repeat && s < pass.length; s++) {
        if (pass[s] < 0) continue;
        n++;
        p += pass[s];
      }
      if (n) out.push(p / n);
    }
    return out;
  }
}

