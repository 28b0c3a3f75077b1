// What each way of getting the behaviour costs per 1,000 calls at the user's volume: the few-shot prompt as it
// is, the same prompt with its stable prefix (system text + examples, placed first) billed at the cached-input
// price, a fine-tuned model called zero-shot (its higher per-token price, plus the one-off training spread over
// the first month), and structured output (the zero-shot prompt on the base model, the API enforcing the schema).
// Prices come from ../providers/pricing.ts; a model without known prices gets no comparison.

import { cachedInputPrice, priceOf, PROMPT_CACHE_MIN_TOKENS } from '../providers/pricing';
import { DEFAULT_EPOCHS, trainingPrice } from './dataset';

/** The volume the comparison assumes when the user gives none (calls per month). */
export const DEFAULT_CALLS_PER_MONTH = 100_000;

export interface CostInput {
  /** The base model of the few-shot variant ('openai/gpt-4o-mini'). */
  model: string;
  /** Mean prompt tokens per call with the examples, and without them (the fine-tuned / structured-output prompt). */
  fewShotPromptTokens: number;
  zeroShotPromptTokens: number;
  /** Tokens of the part every call shares (system text and example pairs, before the case's own message). */
  stablePrefixTokens: number;
  /** Mean completion tokens per call. */
  completionTokens: number;
  /** Training examples and their mean tokens (prompt without examples + answer). */
  trainingExamples: number;
  callsPerMonth?: number;
  epochs?: number;
}

export type Alternative = 'few-shot' | 'cached few-shot' | 'fine-tuned' | 'structured output';

export interface AlternativesCost {
  model: string;
  callsPerMonth: number;
  /** USD per 1,000 calls (prompt + completion; the fine-tuned figure includes training spread over the first month). */
  perThousand: Record<Alternative, number>;
  /** One-off training cost, USD. */
  trainingUsd: number;
  /** Whether the stable prefix is long enough for the provider to cache it. */
  cacheApplies: boolean;
  stablePrefixTokens: number;
  /** The cheaper of keeping cached few-shot and fine-tuning (the "fewer prompt tokens" motive). */
  cheaperForTokens: 'cached few-shot' | 'fine-tuned';
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

export function compareAlternatives(i: CostInput): AlternativesCost | undefined {
  const name = i.model.split('/').pop() ?? i.model;
  const base = priceOf(i.model);
  const ft = priceOf(`ft:${name}`);
  const train = trainingPrice(i.model);
  if (!base || !ft || train === undefined) return undefined;
  const calls = i.callsPerMonth ?? DEFAULT_CALLS_PER_MONTH;
  const perCall = (prompt: number, inPrice: number, outPrice: number) => (prompt * inPrice + i.completionTokens * outPrice) / 1e6;
  const cacheApplies = i.stablePrefixTokens >= PROMPT_CACHE_MIN_TOKENS;
  const cachedIn = cachedInputPrice(i.model) ?? base.input;
  const cachedPrefix = cacheApplies ? i.stablePrefixTokens : 0;
  const fewShotCached = (cachedPrefix * cachedIn + (i.fewShotPromptTokens - cachedPrefix) * base.input + i.completionTokens * base.output) / 1e6;
  const trainingUsd = (i.trainingExamples * (i.zeroShotPromptTokens + i.completionTokens) * (i.epochs ?? DEFAULT_EPOCHS) * train) / 1e6;
  const fineTuned = perCall(i.zeroShotPromptTokens, ft.input, ft.output) + trainingUsd / calls;
  const perThousand: Record<Alternative, number> = {
    'few-shot': round4(1000 * perCall(i.fewShotPromptTokens, base.input, base.output)),
    'cached few-shot': round4(1000 * fewShotCached),
    'fine-tuned': round4(1000 * fineTuned),
    'structured output': round4(1000 * perCall(i.zeroShotPromptTokens, base.input, base.output)),
  };
  return {
    model: i.model,
    callsPerMonth: calls,
    perThousand,
    trainingUsd: round4(trainingUsd),
    cacheApplies,
    stablePrefixTokens: Math.round(i.stablePrefixTokens),
    cheaperForTokens: perThousand['fine-tuned'] < perThousand['cached few-shot'] ? 'fine-tuned' : 'cached few-shot',
  };
}

const usd = (x: number) => `$${x.toFixed(x < 1 ? 4 : 2)}`;

/** One sentence: "Per 1,000 calls at 100,000 calls a month on gpt-4o-mini: few-shot $0.05, …; cheaper: …". */
export function alternativesSentence(c: AlternativesCost): string {
  const p = c.perThousand;
  const cache = c.cacheApplies
    ? `the ${c.stablePrefixTokens}-token stable prefix billed at the cached price`
    : `no cache discount: the ${c.stablePrefixTokens}-token stable prefix is under the ${PROMPT_CACHE_MIN_TOKENS}-token minimum`;
  return (
    `Per 1,000 calls at ${c.callsPerMonth.toLocaleString('en-US')} calls a month on ${c.model}: few-shot ${usd(p['few-shot'])}, ` +
    `cached few-shot ${usd(p['cached few-shot'])} (${cache}), fine-tuned ${usd(p['fine-tuned'])} (training ≈ ${usd(c.trainingUsd)} spread over the first month), ` +
    `structured output ${usd(p['structured output'])} (zero-shot prompt). ` +
    `For fewer prompt tokens, ${
      c.cheaperForTokens === 'fine-tuned'
        ? 'the fine-tuned model is cheaper'
        : c.cacheApplies
          ? 'keeping the examples under prompt caching is cheaper (put the system text and examples first so they cache)'
          : "keeping the examples is cheaper: the fine-tuned model's higher per-token price outweighs the tokens it saves"
    }.`
  );
}
