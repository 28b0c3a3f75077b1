// Builders for hand-made run records used by the analysis tests.

import type { CaseRecord, CaseResult, EvaluatorVerdict, RunRecord, VariantSummary } from '../../../src/core/runs/schema';

export interface CellInit {
  passed: boolean;
  error?: string | null;
  category?: CaseResult['category'];
  output?: string;
  evaluators?: EvaluatorVerdict[];
  context?: string[];
  repeat?: number;
  score?: number;
}

export function result(variant: string, init: CellInit): CaseResult {
  return {
    variant,
    repeat: init.repeat,
    output: init.output ?? (init.passed ? 'ok' : 'bad'),
    passed: init.passed,
    error: init.error ?? null,
    category: init.category ?? (init.error ? 'error' : null),
    categoryReason: null,
    latencyMs: 10,
    tokens: { prompt: 100, completion: 10 },
    cached: false,
    score: init.score,
    evaluators: init.evaluators ?? [],
    context: init.context,
  };
}

export function caseRecord(index: number, vars: Record<string, unknown>, results: CaseResult[], expected?: string): CaseRecord {
  return { index, line: index + 1, vars, expected, results };
}

export function summarize(name: string, cases: CaseRecord[], extra: Partial<VariantSummary> = {}): VariantSummary {
  let passed = 0;
  let failed = 0;
  let errors = 0;
  const categories: Record<string, number> = {};
  for (const c of cases)
    for (const r of c.results) {
      if (r.variant !== name) continue;
      if (r.error) errors++;
      else if (r.passed) passed++;
      else failed++;
      if (!r.passed && r.category) categories[r.category] = (categories[r.category] ?? 0) + 1;
    }
  const total = passed + failed + errors;
  return {
    name,
    model: 'test-model',
    passed,
    failed,
    errors,
    passRate: total ? passed / total : 0,
    tokens: { prompt: 100 * total, completion: 10 * total },
    costUsd: 0,
    latencyMs: { p50: 10, p95: 10 },
    categories,
    ...extra,
  };
}

export function runRecord(id: string, cases: CaseRecord[], variants: (string | Partial<VariantSummary> & { name: string })[]): RunRecord {
  return {
    version: 1,
    id,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    promptFile: 'x.prompt.yml',
    status: 'completed',
    variants: variants.map((v) => (typeof v === 'string' ? summarize(v, cases) : summarize(v.name, cases, v))),
    cases,
  };
}
