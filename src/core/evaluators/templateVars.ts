// The variables evaluator values are templated with (by render/ghTemplate.ts, gh's rule), built the way
// `gh models eval` builds them.
// gh templates string-evaluator values with the test row, and llm prompts with the row plus
// `completion` (set after copying the row, so it wins over a row column of that name) —
// github/gh-models cmd/eval/eval.go, runStringEvaluator / runLLMEvaluator.

import type { EvalInput } from './evaluator';
import { goTrimSpace } from './goStrings';

/**
 * The test row. In gh `expected` is an ordinary row column; our loader may have lifted it into
 * `EvalInput.expected`, so it is put back when the row does not carry it.
 */
export function rowVars(input: EvalInput): Record<string, unknown> {
  const vars: Record<string, unknown> = { ...input.vars };
  if (!('expected' in vars) && input.expected !== undefined) vars.expected = input.expected;
  return vars;
}

/** The row plus `{{completion}}` (the trimmed reply), as gh's llm evaluator sees it. */
export function completionVars(input: EvalInput): Record<string, unknown> {
  return { ...rowVars(input), completion: replyOf(input) };
}

/** The reply as evaluators see it: whitespace-trimmed with Go's rules (the engine trims too; this is defensive). */
export function replyOf(input: EvalInput): string {
  return goTrimSpace(input.output ?? '');
}
