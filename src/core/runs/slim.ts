// What a streamed run keeps of its cases in memory once their lines are in the JSONL (slimCase), and how a
// case relabelled at the end of the run is written again (rewrittenCase).

import type { CaseRecord, CaseResult } from './schema';

/**
 * A case of a streamed run as its JSONL should now hold it: the line already written, with each result that
 * memory keeps whole (failures and errors, the only ones categorization changes) taken from memory. Passed
 * results are slim in memory (slimCase) and stay as written.
 */
export function rewrittenCase(written: CaseRecord, now: CaseRecord): CaseRecord {
  return {
    ...written,
    results: written.results.map((r, k) => {
      const m = now.results[k];
      const same = m !== undefined && m.variant === r.variant && (m.repeat ?? 0) === (r.repeat ?? 0);
      return same && !(m.passed && !m.error) ? m : r;
    }),
  };
}

/**
 * A streamed run keeps, in memory, what the summary, the advice and the CLI's failure list read: a passed
 * result loses the messages sent and evaluator details (they are in the JSONL on disk). The slim result is a
 * new object: deleting properties would turn each one into a dictionary several times its size.
 */
export function slimCase(c: CaseRecord): void {
  // a new array of the exact length too (one grown by push keeps room for 16)
  c.results = c.results.map((r) => (r.passed && !r.error ? slimResult(r) : r));
}

/**
 * Fields a passed result has, written in one literal so they all sit inside the object (model and score too:
 * every passed result of the engine has them); the rarer optional ones (repeat, answer, attempts, …) follow.
 */
const SLIM_FIXED = new Set(['variant', 'output', 'passed', 'error', 'category', 'categoryReason', 'latencyMs', 'tokens', 'costUsd', 'cached', 'evaluators', 'model', 'score', 'messages']);

function slimResult(r: CaseResult): CaseResult {
  const out: CaseResult = {
    variant: r.variant,
    output: r.output,
    passed: r.passed,
    error: r.error,
    category: r.category,
    categoryReason: r.categoryReason,
    latencyMs: r.latencyMs,
    tokens: slimTokens(r.tokens),
    costUsd: r.costUsd,
    cached: r.cached,
    evaluators: slimVerdicts(r.evaluators),
    model: r.model,
    score: r.score,
  };
  // a result without them must not gain keys (rare: a variant with no model never passes)
  if (!('model' in r)) delete out.model;
  if (!('score' in r)) delete out.score;
  for (const k of Object.keys(r) as (keyof CaseResult)[]) if (!SLIM_FIXED.has(k)) (out as Record<string, unknown>)[k] = r[k];
  return out;
}

type Verdict = CaseResult['evaluators'][number];

/** A passed result's evaluator verdicts without details and data: what a passed result keeps in memory. */
function slimVerdicts(list: Verdict[]): Verdict[] {
  return list.map((e) => ({ name: e.name, passed: e.passed, score: e.score, ...(e.category ? { category: e.category } : {}) }));
}

function slimTokens(t: CaseResult['tokens']): CaseResult['tokens'] {
  return { prompt: t.prompt, completion: t.completion };
}
