// gh `string` evaluator: equals (exact) / contains / startsWith / endsWith (case-insensitive).
// Matches github/gh-models cmd/eval/eval.go runStringEvaluator exactly:
// - only the FIRST non-empty criterion is checked, in the order equals, contains, startsWith, endsWith
//   (a second criterion on the same evaluator is ignored, as in gh);
// - values are templated with the test row (not with `completion`);
// - equals compares the trimmed reply byte-for-byte; the others compare strings.ToLower of both sides;
// - score 1 on pass, 0 on fail; details use gh's wording;
// - no criterion at all is an error in gh (it aborts the run); here it throws, which the registry
//   turns into a failed result.

import type { EvaluatorSpec } from '../prompt/spec';
import type { EvaluatorFn, EvaluatorResult } from './evaluator';
import { goToLower } from './goStrings';
import { replyOf, rowVars } from './templateVars';
import { ghTemplate } from '../render/ghTemplate';

type StringSpec = Extract<EvaluatorSpec, { kind: 'string' }>;

const set = (v: string | undefined): v is string => v !== undefined && v !== null && v !== '';

export const evaluateString: EvaluatorFn<StringSpec> = async (spec, input) => {
  const response = replyOf(input);
  const vars = rowVars(input);
  let passed: boolean;
  let details: string;
  let category: EvaluatorResult['category'];
  if (set(spec.equals)) {
    const equals = ghTemplate(String(spec.equals), vars);
    passed = response === equals;
    details = `Expected exact match: '${equals}'`;
    category = 'format';
  } else if (set(spec.contains)) {
    const contains = ghTemplate(String(spec.contains), vars);
    passed = goToLower(response).includes(goToLower(contains));
    details = `Expected to contain: '${contains}'`;
    // Left undefined: a missing word may be a knowledge or an instruction problem; the categorizer decides.
    category = undefined;
  } else if (set(spec.startsWith)) {
    const startsWith = ghTemplate(String(spec.startsWith), vars);
    passed = goToLower(response).startsWith(goToLower(startsWith));
    details = `Expected to start with: '${startsWith}'`;
    category = 'format';
  } else if (set(spec.endsWith)) {
    const endsWith = ghTemplate(String(spec.endsWith), vars);
    passed = goToLower(response).endsWith(goToLower(endsWith));
    details = `Expected to end with: '${endsWith}'`;
    category = 'format';
  } else {
    throw new Error('no string evaluation criteria specified (equals, contains, startsWith or endsWith)');
  }
  return { name: spec.name, passed, score: passed ? 1 : 0, details, category };
};
