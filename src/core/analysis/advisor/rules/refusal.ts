// Refusals: the model declined requests that are in scope → prompt-engineering (state the task's scope).

import type { Finding, Rule } from '../rule';
import type { RunSignals } from '../signals';
import { groupFinding } from '../rule';

export const meta = {
  id: 'refusal',
  description: 'The model declined requests.',
  kinds: ['prompt-engineering'],
} satisfies Rule['meta'];

export function check(s: RunSignals): Finding[] {
  const all = s.variants.reduce((n, v) => n + s.count(v, 'refusal'), 0);
  if (all === 0) return [];
  return [
    groupFinding(s, {
      rule: meta.id,
      group: 'refusal',
      kind: 'prompt-engineering',
      prior: 0.75,
      title: 'The model declines some requests: state the task scope',
      why:
        `${all} answers are refusals. Say in the system message what the assistant is for and that these requests are in scope; ` +
        'if the refusals are right, mark those cases with a refusal evaluator (expected: true).',
      actions: ['State the allowed scope and the audience in the system message', 'Mark intended refusals with evaluator refusal: { expected: true }'],
    }),
  ];
}

export const rule: Rule = { meta, check };
