// Rungs combine (the seed's Spider path: prompt → few-shot → RAG → fine-tune + RAG). When a RAG variant fixes
// the knowledge failures and the format failures that remain in it are ones examples reduce, the next step is
// fine-tuning for the form while keeping retrieval for the facts, and the fine-tuned model frees the example
// tokens for more retrieved context.

import type { AdviseContext, Finding, Rule } from '../rule';
import type { RunSignals } from '../signals';
import { ADVISOR_COMMANDS, commandAction } from '../commands';
import { EVIDENCE_P, failuresText, groupFinding, groupLabel } from '../rule';
import { movement } from '../movement';
import { formatP } from '../stats';
import { savingsWords, tokenSavings } from '../tokens';

export const meta = {
  id: 'combination',
  description: 'Retrieval fixes the facts and examples reduce the remaining format failures: fine-tune and keep retrieval.',
  kinds: ['fine-tuning'],
} satisfies Rule['meta'];

export function check(s: RunSignals, ctx: AdviseContext): Finding[] {
  const base = s.baseline;
  const best = s.best;
  if (!base || !best || best.role !== 'rag') return [];
  const remaining = s.count(best, 'format');
  if (remaining === 0) return [];
  const k = s.pair(base, best, 'knowledge');
  if (!(k.fixed.length > k.broken.length && k.p <= EVIDENCE_P)) return [];
  const label = groupLabel(s, 'format');
  const m = movement(s, 'format', s.fewShot, `examples teach the ${label}`, true);
  if (m.kind !== 'reduced' && !(m.kind === 'cleared' && remaining > 0)) return [];
  const t = tokenSavings(s, m.variant!, ctx);
  return [
    groupFinding(s, {
      rule: meta.id,
      group: 'format',
      kind: 'fine-tuning',
      prior: 0.85,
      p: Math.max(m.p ?? 1, k.p),
      title: `Retrieval fixes the facts; ${failuresText(remaining, label)} ${remaining === 1 ? 'remains' : 'remain'} in ${best.name}: fine-tune and keep retrieval`,
      why:
        `${best.name} fixes ${k.fixed.length} of ${base.name}'s ${k.before} knowledge failures (${k.before} → ${k.after} of ${k.shared}, ${formatP(k.p)}), ` +
        `but ${remaining} ${label} ${remaining === 1 ? 'failure remains' : 'failures remain'} in it. ${m.sentence} ` +
        `The form is learnable, so fine-tune for it and keep retrieval for the facts (fine-tune + RAG, as in the seed's Spider result); ` +
        `the fine-tuned model no longer needs the examples (${savingsWords(t)}), which leaves room for retrieved context.`,
      actions: [
        commandAction(ADVISOR_COMMANDS.exportFineTune, 'Export fine-tuning dataset (retrieved context stays in the prompts)'),
        commandAction(ADVISOR_COMMANDS.addTestCase, 'Add test cases (fine-tuning needs 50+ good examples)'),
        `Keep ${best.name} until the fine-tuned model is ready`,
      ],
      extra: { ragVariant: best.name, bestFewShot: m.variant!.name, ...t },
    }),
  ];
}

export const rule: Rule = { meta, check };
