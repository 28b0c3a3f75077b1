// Maps evaluator kinds to their implementations and runs a case's evaluators into one verdict.
//
// Verdict rules, matching `gh models eval` (github/gh-models cmd/eval/eval.go runEvaluation):
// - a case passes only if EVERY evaluator passes;
// - with ZERO evaluators gh counts the case as passed (its `testPassed` starts true and the loop over
//   evaluators is empty), so we return passed: true, score: 1, results: [];
// - results keep the declared order.
// Where we differ: gh aborts the whole run when an evaluator errors (e.g. the judge call fails); here the
// error becomes that evaluator's failed result (score 0, details = the message, category 'error'), and
// the other evaluators and cases still run. Cancellation is not a verdict: if `input.signal` is aborted
// the abort error propagates.
//
// score = weighted mean of the evaluators' scores (each clamped to 0..1), weights default 1; negative
// weights count as 0; when every weight is 0 the score is 1 if the case passed, else 0.
// category = the evaluator's declared `category`, else the kind's natural one (set by the evaluator).
//
// Extension point: kinds implemented elsewhere (the Ragas metrics: faithfulness, answer-relevancy,
// context-precision, context-recall) register themselves with `registerEvaluator(kind, fn)` from their
// own module; the engine imports that module once so the registration runs. A kind with no registered
// evaluator fails with a clear message instead of crashing the run.

import type { EvaluatorKind, EvaluatorSpec } from '../prompt/spec';
import type { EvalInput, EvaluatorFn, EvaluatorResult } from './evaluator';
import { CODE_EVALUATOR_KINDS } from './evaluator';
import { evaluateBuiltin } from './builtin';
import { evaluateCode } from './code';
import { evaluateCost } from './cost';
import { evaluateJson } from './json';
import { evaluateJudge } from './judge';
import { evaluateLatency } from './latency';
import { evaluateLlm } from './llm';
import { evaluateRefusal } from './refusal';
import { evaluateRegex } from './regex';
import { evaluateSimilar } from './similar';
import { evaluateString } from './string';

/** The spec type of a kind (the Ragas kinds share one variant, so plain Extract would give never). */
type SpecOf<K extends EvaluatorKind> = EvaluatorSpec extends infer S
  ? S extends { kind: infer SK }
    ? K extends SK
      ? S & { kind: K }
      : never
    : never
  : never;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one function per kind; registerEvaluator pairs each kind with its own spec type
const evaluators = new Map<EvaluatorKind, EvaluatorFn<any>>([
  ['string', evaluateString],
  ['llm', evaluateLlm],
  ['builtin', evaluateBuiltin],
  ['regex', evaluateRegex],
  ['json', evaluateJson],
  ['similar', evaluateSimilar],
  ['judge', evaluateJudge],
  ['latency', evaluateLatency],
  ['cost', evaluateCost],
  ['refusal', evaluateRefusal],
  ['code', evaluateCode],
  // faithfulness, answer-relevancy, context-precision, context-recall: registered by their own module.
]);

/** Add (or replace) the implementation of a kind. */
export function registerEvaluator<K extends EvaluatorKind>(kind: K, fn: EvaluatorFn<SpecOf<K>>): void {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see the map above
  evaluators.set(kind, fn as EvaluatorFn<any>);
}

/** Whether a kind has an implementation (e.g. to warn at load time). */
export function hasEvaluator(kind: EvaluatorKind): boolean {
  return evaluators.has(kind);
}

export interface EvaluationVerdict {
  passed: boolean;
  /** Weighted mean of the evaluators' scores (weight default 1). */
  score: number;
  results: EvaluatorResult[];
}


/** Run one evaluator; never throws except on cancellation. */
export async function runEvaluator(spec: EvaluatorSpec, input: EvalInput): Promise<EvaluatorResult> {
  if (input.workspaceTrusted === false && CODE_EVALUATOR_KINDS.has(spec.kind)) {
    return {
      name: spec.name,
      passed: false,
      score: 0,
      details: `not run: '${spec.kind}' evaluators run code from the workspace, and this workspace is not trusted (trust it to run them)`,
      category: 'error',
    };
  }
  const fn = evaluators.get(spec.kind);
  if (!fn) {
    return {
      name: spec.name,
      passed: false,
      score: 0,
      details: `No evaluator is available for kind '${spec.kind}'`,
      category: 'error',
    };
  }
  try {
    const result = await fn(spec, input);
    const score = Number.isFinite(result.score) ? result.score : 0;
    return { ...result, name: spec.name, score, category: spec.category ?? result.category };
  } catch (err) {
    if (input.signal?.aborted) throw err;
    const message = err instanceof Error ? err.message : String(err);
    return { name: spec.name, passed: false, score: 0, details: `Evaluator error: ${message}`, category: 'error' };
  }
}

export async function runEvaluators(specs: EvaluatorSpec[], input: EvalInput): Promise<EvaluationVerdict> {
  // Evaluators are independent; judge calls go through the scheduler, so running them together is safe.
  const results = await Promise.all(specs.map((spec) => runEvaluator(spec, input)));
  const passed = results.every((r) => r.passed);
  let weighted = 0;
  let total = 0;
  results.forEach((r, i) => {
    const declared = specs[i].weight;
    const w = typeof declared === 'number' && Number.isFinite(declared) ? Math.max(0, declared) : 1;
    weighted += w * Math.max(0, Math.min(1, r.score));
    total += w;
  });
  const score = total > 0 ? weighted / total : passed ? 1 : 0;
  return { passed, score, results };
}
