// `regex` evaluator: the reply matches a JavaScript regular expression (or, with `negate`, does not).
// An invalid pattern or flag fails the evaluator with the compiler's message instead of throwing. The match runs
// off the main thread under a time limit (regexRunner.ts), so a backtracking pattern cannot freeze the process.

import type { EvaluatorSpec } from '../prompt/spec';
import type { EvaluatorFn } from './evaluator';
import { replyOf } from './templateVars';
import { REGEX_TIME_MS, matchRegex } from './regexRunner';

type RegexSpec = Extract<EvaluatorSpec, { kind: 'regex' }>;

const clip = (s: string, n = 80): string => (s.length > n ? `${s.slice(0, n)}…` : s);

export const evaluateRegex: EvaluatorFn<RegexSpec> = async (spec, input) => {
  const shown = `/${spec.pattern}/${spec.flags ?? ''}`;
  try {
    new RegExp(spec.pattern, spec.flags ?? '');
  } catch (err) {
    return {
      name: spec.name,
      passed: false,
      score: 0,
      details: `Invalid regular expression ${shown}: ${(err as Error).message}`,
      category: 'format',
    };
  }
  const outcome = await matchRegex(spec.pattern, spec.flags ?? '', replyOf(input));
  if ('timedOut' in outcome) {
    return {
      name: spec.name,
      passed: false,
      score: 0,
      details: `${shown} ${outcome.skipped ? `was not run: it took longer than ${REGEX_TIME_MS / 1000} s on earlier replies` : `took longer than ${REGEX_TIME_MS / 1000} s on this reply and was stopped`}: the pattern backtracks catastrophically (nested quantifiers like (a+)+); rewrite it`,
      category: 'format',
    };
  }
  if ('error' in outcome) return { name: spec.name, passed: false, score: 0, details: `${shown}: ${outcome.error}`, category: 'format' };
  const match = outcome.match;
  const passed = spec.negate ? match === null : match !== null;
  let details: string;
  if (match !== null) details = `${spec.negate ? 'Must not match' : 'Matched'} ${shown}: '${clip(match)}'`;
  else details = spec.negate ? `No match for ${shown}, as required` : `Expected to match ${shown}`;
  return { name: spec.name, passed, score: passed ? 1 : 0, details, category: 'format' };
};
