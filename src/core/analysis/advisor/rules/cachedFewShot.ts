// The "fewer prompt tokens" motive for fine-tuning, priced: when examples teach the form, compare per 1,000 calls
// at the user's volume the fine-tuned model (higher per-token price, training spread over the first month) with
// keeping the examples under the provider's prompt caching (the stable prefix billed at the cached price, when
// it is long enough to cache), and with structured output. The finding joins the card the format rule makes:
// the fine-tuning card when examples reduce the failures, the keep-the-examples card when they clear them.

import type { AdviseContext, Finding, Rule } from '../rule';
import type { RunSignals } from '../signals';
import { groupFinding } from '../rule';
import { fineTuneSignals } from '../fineTuneSignals';
import { alternativesSentence } from '../../../finetune/economics';

export const meta = {
  id: 'cached-few-shot',
  description: 'Examples teach the form: the price per 1,000 calls of a fine-tuned model against cached few-shot and structured output.',
  kinds: ['fine-tuning', 'prompt-engineering'],
} satisfies Rule['meta'];

export function check(s: RunSignals, ctx: AdviseContext): Finding[] {
  const f = fineTuneSignals(s, ctx);
  if ((f.format.kind !== 'reduced' && f.format.kind !== 'cleared') || !f.costs) return [];
  const c = f.costs;
  const cheaper = c.cheaperForTokens === 'cached few-shot';
  return [
    groupFinding(s, {
      rule: meta.id,
      group: 'format',
      kind: f.format.kind === 'reduced' ? 'fine-tuning' : 'prompt-engineering',
      prior: 0.7,
      title: cheaper ? `${c.cacheApplies ? 'Cached few-shot' : 'Few-shot'} is cheaper than a fine-tuned model at this volume` : 'A fine-tuned model is cheaper than cached few-shot at this volume',
      why:
        alternativesSentence(c) +
        (cheaper && f.format.kind === 'reduced' ? ' So fine-tune for the failures the examples leave, not to save tokens.' : ''),
      actions: cheaper && c.cacheApplies ? ['Keep the system text and the examples first and unchanged between calls, so the provider caches them'] : [],
      extra: { costPer1000Calls: c.perThousand, callsPerMonth: c.callsPerMonth, trainingUsd: c.trainingUsd, cacheApplies: c.cacheApplies, stablePrefixTokens: c.stablePrefixTokens, cheaperForTokens: c.cheaperForTokens },
      weightFactor: 0.3,
    }),
  ];
}

export const rule: Rule = { meta, check };
