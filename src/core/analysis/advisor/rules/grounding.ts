// Grounding failures (answers beyond the given context, low faithfulness) → prompt-engineering ("answer only
// from the context", cite sources), then fine-tuning on grounded answers if instructions are not enough.

import type { Finding, Rule } from '../rule';
import type { RunSignals } from '../signals';
import { ADVISOR_COMMANDS, commandAction } from '../commands';
import { groupFinding } from '../rule';

export const meta = {
  id: 'grounding',
  description: 'Answers state things the given context does not support.',
  kinds: ['prompt-engineering', 'fine-tuning'],
} satisfies Rule['meta'];

export function check(s: RunSignals): Finding[] {
  const all = s.variants.reduce((n, v) => n + s.count(v, 'grounding'), 0);
  if (all === 0) return [];
  const where = s.variants.filter((v) => s.count(v, 'grounding') > 0).map((v) => `${s.count(v, 'grounding')} in ${v.name}`).join(', ');
  return [
    groupFinding(s, {
      rule: meta.id,
      group: 'grounding',
      kind: 'prompt-engineering',
      prior: 0.8,
      title: 'Answers go beyond the context: tell the model to answer only from it',
      why:
        `${all} answers state things the given context does not support (${where}). Instruct the model to answer only from the context, ` +
        'cite the passage for each claim and say it does not know when the context is silent. If that is not enough, fine-tune on grounded answers.',
      actions: [
        'Add to the system message: "Answer only from the context. If the context does not say, answer that you do not know."',
        'Ask for a citation (passage number) after each claim',
      ],
    }),
    groupFinding(s, {
      rule: meta.id,
      group: 'grounding',
      kind: 'fine-tuning',
      prior: 0.45,
      weightFactor: 0.5,
      title: 'If instructions do not stop ungrounded answers: fine-tune on grounded ones',
      why:
        `Second step for the ${all} ungrounded answers: when "answer only from the context" does not fix them, ` +
        'fine-tune on examples that answer strictly from the given context (and say "I don\'t know" when it is silent).',
      actions: [commandAction(ADVISOR_COMMANDS.exportFineTune, 'Export fine-tuning dataset')],
    }),
  ];
}

export const rule: Rule = { meta, check };
