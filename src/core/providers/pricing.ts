// Cost estimates and token counts. Prices are USD per 1M tokens (input, output) of well-known hosted
// models as published by OpenAI; they change, so treat results as estimates. Unknown models cost 0
// (local models, Azure deployments with custom names, GitHub Models' free tier).
// Token counts use the o200k_base encoding (gpt-4o and later) via gpt-tokenizer.

import { loadTokenizer } from './tokenizer';
import type { ChatMessage } from '../prompt/spec';
import type { TokenUsage } from './provider';

interface Price {
  input: number;
  output: number;
}

/** USD per 1M tokens. Longest matching prefix wins ('gpt-4o-mini-2024-07-18' → 'gpt-4o-mini'). */
export const PRICES: Readonly<Record<string, Price>> = {
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-4': { input: 30, output: 60 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  o1: { input: 15, output: 60 },
  'o1-mini': { input: 1.1, output: 4.4 },
  o3: { input: 2, output: 8 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'text-embedding-ada-002': { input: 0.1, output: 0 },
};

/** Inference prices of fine-tuned models ('ft:<base>:…'). */
export const FINE_TUNED_PRICES: Readonly<Record<string, Price>> = {
  'gpt-4.1': { input: 3, output: 12 },
  'gpt-4.1-mini': { input: 0.8, output: 3.2 },
  'gpt-4.1-nano': { input: 0.2, output: 0.8 },
  'gpt-4o': { input: 3.75, output: 15 },
  'gpt-4o-mini': { input: 0.3, output: 1.2 },
  'gpt-3.5-turbo': { input: 3, output: 6 },
};

/**
 * Cached input prices (USD per 1M prompt tokens served from the provider's prompt cache), base and fine-tuned
 * models ('ft:<base>'). OpenAI caches automatically a prompt's stable prefix of at least PROMPT_CACHE_MIN_TOKENS.
 */
export const CACHED_INPUT_PRICES: Readonly<Record<string, number>> = {
  'gpt-5': 0.125,
  'gpt-5-mini': 0.025,
  'gpt-5-nano': 0.005,
  'gpt-4.1': 0.5,
  'gpt-4.1-mini': 0.1,
  'gpt-4.1-nano': 0.025,
  'gpt-4o': 1.25,
  'gpt-4o-mini': 0.075,
  o1: 7.5,
  'o1-mini': 0.55,
  o3: 0.5,
  'o3-mini': 0.55,
  'o4-mini': 0.275,
};
export const FINE_TUNED_CACHED_INPUT_PRICES: Readonly<Record<string, number>> = {
  'gpt-4.1': 0.75,
  'gpt-4.1-mini': 0.2,
  'gpt-4.1-nano': 0.05,
  'gpt-4o': 1.875,
  'gpt-4o-mini': 0.15,
};
/** OpenAI's prompt caching starts at this many prompt tokens (a shorter prompt is never cached). */
export const PROMPT_CACHE_MIN_TOKENS = 1024;

/** The cached input price of a model reference (base or 'ft:'), when known. */
export function cachedInputPrice(model: string): number | undefined {
  const price = priceOf(model);
  if (!price) return undefined;
  const name = model.trim().toLowerCase();
  const ft = name.startsWith('ft:') || name.includes('/ft:');
  const key = ft ? name.slice(name.indexOf('ft:') + 3).split(':')[0] : name.split('/').pop()!;
  const table = ft ? FINE_TUNED_CACHED_INPUT_PRICES : CACHED_INPUT_PRICES;
  const hit = lookup(Object.fromEntries(Object.entries(table).map(([k, v]) => [k, { input: v, output: 0 }])), key);
  return hit?.input;
}

function lookup(table: Readonly<Record<string, Price>>, name: string): Price | undefined {
  if (table[name]) return table[name];
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (name.startsWith(`${key}-`) && (!best || key.length > best.length)) best = key;
  }
  return best ? table[best] : undefined;
}

/** The price entry for a model reference as written ('openai/gpt-4o-mini', 'github/openai/gpt-4o', 'ft:gpt-4o-mini:org::id'). */
export function priceOf(model: string): Price | undefined {
  const name = model.trim().toLowerCase();
  if (name.startsWith('ft:') || name.includes('/ft:')) {
    const base = name.slice(name.indexOf('ft:') + 3).split(':')[0];
    return lookup(FINE_TUNED_PRICES, base);
  }
  // Only OpenAI's models are priced; strip the provider/publisher path.
  const parts = name.split('/');
  const last = parts[parts.length - 1];
  const prefix = parts.slice(0, -1);
  if (prefix.some((p) => p === 'ollama' || p === 'azure')) return undefined;
  if (prefix.length > 0 && !prefix.every((p) => p === 'openai' || p === 'github' || p === 'azure-openai')) return undefined;
  return lookup(PRICES, last);
}

/** Batch API prices as a share of the live price, per model prefix (OpenAI and Azure OpenAI: half, for every model). */
export const BATCH_PRICE_FACTOR: Readonly<Record<string, number>> = { '': 0.5 };

/** The batch price of a model as a share of its live price (longest matching prefix). */
export function batchPriceFactor(model: string): number {
  const name = model.trim().toLowerCase().replace(/^.*\//, '');
  let best = '';
  for (const key of Object.keys(BATCH_PRICE_FACTOR)) if (name.startsWith(key) && key.length >= best.length) best = key;
  return BATCH_PRICE_FACTOR[best] ?? 1;
}

/** Estimated cost in USD; 0 for unknown models. `batch`: answered through a provider batch, at the batch rate. */
export function estimateCostUsd(model: string, usage: TokenUsage, opts?: { batch?: boolean }): number {
  const p = priceOf(model);
  if (!p) return 0;
  const live = (usage.prompt * p.input + usage.completion * p.output) / 1_000_000;
  return opts?.batch ? live * batchPriceFactor(model) : live;
}

/** Tokens of a text in the o200k_base encoding. Special-token strings count as ordinary text. */
export function countTokens(text: string): number {
  if (!text) return 0;
  try {
    return loadTokenizer().countTokens(text, { disallowedSpecial: new Set() });
  } catch {
    return Math.ceil(text.length / 4);
  }
}

/** Prompt tokens of a chat request: content plus the per-message framing (4 tokens per message incl. the role, 3 to prime the reply). */
export function countMessageTokens(messages: readonly ChatMessage[]): number {
  let total = 3;
  for (const m of messages) total += 4 + countTokens(m.content);
  return total;
}
