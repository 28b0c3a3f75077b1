// Per-variant summaries of a run record (pass rate, tokens, cost, latency percentiles, category counts).

import type { CaseRecord, CaseResult, VariantSummary } from './schema';

export function percentile(sorted: number[], p: number): number {
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
    const total = results.length;
    return {
      name: v.name,
      model: v.model,
      ...(v.shots !== undefined ? { shots: v.shots } : {}),
      ...(v.retrieval ? { retrieval: true } : {}),
      passed,
      failed,
      errors,
      passRate: total === 0 ? 0 : passed / total,
      tokens,
      costUsd: Math.round(costUsd * 1e6) / 1e6,
      latencyMs: { p50: Math.round(percentile(latencies, 50)), p95: Math.round(percentile(latencies, 95)) },
      categories,
      cached,
    };
  });
}
