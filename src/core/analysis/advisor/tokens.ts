// Prompt tokens (and money) a fine-tuned model saves per call by no longer needing the few-shot examples.
// With the prompt file at hand this is finetune.ts's figure (the one the export command and the CLI show);
// without it (a record alone), the difference in mean prompt tokens between the few-shot variant and the baseline.

import { estimateCostUsd, priceOf } from '../../providers/pricing';
import { fewShotTokenSavings } from '../../finetune/dataset';
import type { AdviseContext } from './rule';
import type { RunSignals, VariantSignals } from './signals';

export interface TokenSavings {
  tokensSavedPerCall: number;
  savedPer1000CallsUsd?: number;
  netPromptSavedPer1000CallsUsd?: number;
}

export function tokenSavings(s: RunSignals, fewShot: VariantSignals, ctx: AdviseContext): TokenSavings {
  const base = s.baseline!;
  let saved: number;
  let net: number | undefined;
  if (ctx.spec) {
    const f = fewShotTokenSavings(ctx.spec, s.record, fewShot.model, fewShot.name);
    saved = f.tokensSavedPerCall;
    net = f.netSavedPer1000CallsUsd;
  } else {
    saved = Math.max(0, Math.round(fewShot.promptTokensPerCall - base.promptTokensPerCall));
    net = netPer1000(fewShot, base);
  }
  const per1000 = savedPer1000(fewShot.model, saved, ctx);
  return {
    tokensSavedPerCall: saved,
    ...(per1000 !== undefined ? { savedPer1000CallsUsd: round6(per1000) } : {}),
    ...(net !== undefined ? { netPromptSavedPer1000CallsUsd: round6(net) } : {}),
  };
}

export function savingsWords(t: TokenSavings): string {
  const money = t.savedPer1000CallsUsd !== undefined ? `, ≈ $${t.savedPer1000CallsUsd.toFixed(4)} per 1,000 calls at the base model's price` : '';
  const net =
    t.netPromptSavedPer1000CallsUsd !== undefined
      ? t.netPromptSavedPer1000CallsUsd >= 0
        ? `; net of the fine-tuned model's higher price, prompts cost $${t.netPromptSavedPer1000CallsUsd.toFixed(4)} less per 1,000 calls`
        : `; net of the fine-tuned model's higher price, prompts cost $${(-t.netPromptSavedPer1000CallsUsd).toFixed(4)} more per 1,000 calls, so the gain is quality, not price`
      : '; fine-tuned models cost more per token, so check the net';
  return `about ${t.tokensSavedPerCall} prompt tokens per call${money}${net}`;
}

function savedPer1000(model: string, savedTokens: number, ctx: AdviseContext): number | undefined {
  if (savedTokens <= 0) return 0;
  const perM = ctx.pricing?.promptUsdPerMTok;
  if (perM !== undefined) return (savedTokens * 1000 * perM) / 1e6;
  try {
    const usd = estimateCostUsd(model, { prompt: savedTokens * 1000, completion: 0 });
    return typeof usd === 'number' && usd > 0 ? usd : undefined;
  } catch {
    return undefined;
  }
}

/** Few-shot prompt at the base price minus the baseline prompt at the fine-tuned price ('ft:<base>'), per 1,000 calls. */
function netPer1000(fewShot: VariantSignals, baseline: VariantSignals): number | undefined {
  const name = fewShot.model.split('/').pop() ?? fewShot.model;
  const base = priceOf(fewShot.model);
  const ft = priceOf(`ft:${name}`);
  if (!base || !ft) return undefined;
  return (fewShot.promptTokensPerCall * base.input - baseline.promptTokensPerCall * ft.input) / 1000;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
