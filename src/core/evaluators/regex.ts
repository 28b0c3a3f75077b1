// `regex` evaluator: the reply matches a JavaScript regular expression (or, with `negate`, does not).
// An invalid pattern or flag fails the evaluator with the compiler's message instead of throwing.

import type { EvaluatorSpec } from '../prompt/spec';
import type { EvaluatorFn } from './evaluator';
import { replyOf } from './templateVars';

type RegexSpec = Extract<EvaluatorSpec, { kind: 'regex' }>;

const clip = (s: string, n = 80): string => (s.length > n ? `${s.slice(0, n)}…` : s);

export const evaluateRegex: EvaluatorFn<RegexSpec> = async (spec, input) => {
  const shown = `/${spec.pattern}/${spec.flags ?? ''}`;
  let re: RegExp;
  try {
    re = new RegExp(spec.pattern, spec.flags ?? '');
  } catch (err) {
    return {
      name: spec.name,
      passed: false,
      score: 0,
      details: `Invalid regular expression ${shown}: ${(err as Error).message}`,
      category: 'format',
    };
  }
  const match = re.exec(replyOf(input));
  const passed = spec.negate ? match === null : match !== null;
  let details: string;
  if (match) details = `${spec.negate ? 'Must not match' : 'Matched'} ${shown}: '${clip(match[0])}'`;
  else details = spec.negate ? `No match for ${shown}, as required` : `Expected to match ${shown}`;
  return { name: spec.name, passed, score: passed ? 1 : 0, details, category: 'format' };
};
