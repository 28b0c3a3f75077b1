// Answers that ignore the question: failing cases whose failed checks include an `answer-relevancy` evaluator
// (Ragas: questions generated back from the answer do not match the question asked). A signal (RunSignals.offTopic)
// the format rule names, because "tighten the instructions" then means "answer the question that was asked".

import type { PromptSpec } from '../../prompt/spec';
import type { RunRecord } from '../../runs/schema';
import type { RunSignals, VariantSignals } from './signals';

/** Failing cases of `v` where an answer-relevancy evaluator failed (0 without such an evaluator in the spec). */
export function offTopicCases(record: RunRecord, spec: PromptSpec | undefined, v: VariantSignals): number {
  const names = new Set((spec?.evaluators ?? []).filter((e) => e.kind === 'answer-relevancy').map((e) => e.name));
  if (names.size === 0) return 0;
  let n = 0;
  for (const c of record.cases) {
    if (v.outcomes.get(c.index)?.kind !== 'fail') continue;
    if (c.results.some((r) => r.variant === v.name && !r.passed && r.evaluators.some((e) => !e.passed && names.has(e.name)))) n++;
  }
  return n;
}

/** The sentence the format rule leads with when most of the baseline's failures are off-topic answers. */
export function offTopicSentence(s: RunSignals, v: VariantSignals, failures: number): string {
  const n = s.offTopic(v);
  if (n === 0 || n * 2 < failures) return '';
  return `${n} of ${v.name}'s answers score low on answer relevancy: they do not address the question asked. Say in the system message to answer the user's question directly, before anything else. `;
}
