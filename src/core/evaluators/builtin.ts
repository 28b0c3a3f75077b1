// gh `uses: github/<name>` evaluators: the built-in LLM judges of builtinJudges.ts, run through the same
// choice matching as the `llm` kind — as github/gh-models cmd/eval/eval.go runPluginEvaluator does
// (it looks the name up after the `github/` prefix and calls runLLMEvaluator).
//
// Differences from gh, on purpose:
// - Model: gh always uses `openai/gpt-4o`; we pass `undefined`, i.e. the configured judge model, so the
//   built-ins work with any provider (set the judge model to openai/gpt-4o to reproduce gh's judge).
// - Variables: the row plus `{{completion}}`, as gh. When the row has no `input` column we fill
//   `{{input}}` with the question (the final user message) instead of sending the literal placeholder,
//   and `{{expected}}` falls back to the case's `expected`. Rows written for gh carry both, so they see
//   exactly gh's judge prompt.
// An unknown name fails with gh's message ("Plugin evaluator '...' not found").

import type { EvaluatorSpec } from '../prompt/spec';
import type { EvaluatorFn, EvaluatorResult } from './evaluator';
import { BUILTIN_JUDGES } from './builtinJudges';
import { runChoiceJudge } from './llm';
import { completionVars } from './templateVars';

type BuiltinSpec = Extract<EvaluatorSpec, { kind: 'builtin' }>;

/** Natural categories of the built-ins (a declared `category` still wins). */
const NATURAL: Record<string, EvaluatorResult['category']> = { groundedness: 'grounding' };

export const evaluateBuiltin: EvaluatorFn<BuiltinSpec> = async (spec, input) => {
  const plugin = spec.uses;
  const key = plugin.startsWith('github/') ? plugin.slice('github/'.length) : undefined;
  const judge = key !== undefined && Object.prototype.hasOwnProperty.call(BUILTIN_JUDGES, key) ? BUILTIN_JUDGES[key] : undefined;
  if (!judge) {
    return { name: spec.name, passed: false, score: 0, details: `Plugin evaluator '${plugin}' not found` };
  }
  const vars = completionVars(input);
  if (!('input' in vars)) vars.input = input.question;
  const result = await runChoiceJudge(spec.name, judge, input, vars, undefined);
  return { ...result, category: NATURAL[key as string] };
};
