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
  promptTokens?: number;
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
    tokens: { prompt: init.promptTokens ?? 100, completion: 10 },
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
  for (const c of cases) {
    for (const r of c.results) {
      if (r.variant !== name) continue;
      if (r.error) errors++;
      else if (r.passed) passed++;
      else failed++;
      if (!r.passed && r.category) categories[r.category] = (categories[r.category] ?? 0) + 1;
    }
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

export interface VariantPlan {
  name: string;
  shots?: number;
  retrieval?: boolean;
  model?: string;
  /** case index → failure category ('error' = a transport error) */
  failures: Record<number, NonNullable<CaseResult['category']>>;
  promptTokens?: number;
  /** Results carry `attempts` (a self-repair variant). */
  selfRepair?: boolean;
  /** Results carry `answer` (a chain-of-thought variant). */
  chainOfThought?: boolean;
  /** How the failures' categories were decided (default: certain). */
  basis?: CaseResult['categoryBasis'];
  /** Errors' messages (default 'HTTP 500'). */
  errorMessage?: string;
}

/** A record of `n` cases where each variant fails the listed cases with the listed categories. */
export function plannedRecord(n: number, plans: VariantPlan[]): RunRecord {
  const cases: CaseRecord[] = [];
  for (let i = 0; i < n; i++) {
    cases.push(
      caseRecord(
        i,
        { q: `question ${i}` },
        plans.map((p) => {
          const cat = p.failures[i];
          const r = result(p.name, {
            passed: !cat,
            error: cat === 'error' ? (p.errorMessage ?? 'HTTP 500') : null,
            category: cat ?? null,
            promptTokens: p.promptTokens,
            context: p.retrieval ? ['some retrieved passage'] : undefined,
          });
          if (p.selfRepair) r.attempts = 1;
          if (p.chainOfThought) r.answer = r.output;
          if (cat && cat !== 'error' && p.basis) r.categoryBasis = p.basis;
          return r;
        }),
      ),
    );
  }
  return runRecord(
    'r',
    cases,
    plans.map((p) => ({ name: p.name, shots: p.shots ?? 0, model: p.model ?? 'gpt-4o-mini', ...(p.retrieval ? { retrieval: true } : {}) })),
  );
}

/** {0: cat, 1: cat, ...} for the given indexes. */
export function failing(indexes: number[], category: NonNullable<CaseResult['category']>): Record<number, NonNullable<CaseResult['category']>> {
  return Object.fromEntries(indexes.map((i) => [i, category]));
}
