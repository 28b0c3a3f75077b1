// Signals for the fine-tuning rung's alternatives, computed once per run (memoised on the run's signals): which
// few-shot variant teaches the form and how far, what each alternative costs per 1,000 calls, whether the
// provider can enforce a strict JSON schema instead, where the baseline's model can be fine-tuned, and whether a
// bigger model passes what the baseline fails (a teacher for distillation). Rules read these; they never walk
// the record themselves.

import type { ChatMessage } from '../../prompt/spec';
import { compareAlternatives, type AlternativesCost } from '../../finetune/economics';
import { venueOf, type Venue } from '../../finetune/venues';
import { countMessageTokens, priceOf } from '../../providers/pricing';
import type { AdviseContext } from './rule';
import { EVIDENCE_P } from './rule';
import { movement, type Movement } from './movement';
import type { PairSignals, RunSignals, VariantSignals } from './signals';

export interface DistillationSignal {
  teacher: VariantSignals;
  student: VariantSignals;
  pair: PairSignals;
}

export interface FineTuneSignals {
  /** How the few-shot variants moved the format/instruction failures (the seed's "few-shot is a signal"). */
  format: Movement;
  /** Prices of the alternatives, when the few-shot variant's model has known prices. */
  costs?: AlternativesCost;
  /** The provider can enforce a strict JSON schema; the prompt does not yet; the task's output is JSON. */
  structuredOutput: { supported: boolean; already: boolean; jsonTask: boolean };
  /** Where the baseline's model can run a fine-tuning job. */
  venue: Venue;
  /** The model the venue is about. */
  model: string;
  distillation?: DistillationSignal;
}

const memo = new WeakMap<RunSignals, FineTuneSignals>();

export function fineTuneSignals(s: RunSignals, ctx: AdviseContext): FineTuneSignals {
  const hit = memo.get(s);
  if (hit) return hit;
  const format = movement(s, 'format', s.fewShot, 'examples teach the format', true);
  const model = s.baseline?.model ?? '';
  const out: FineTuneSignals = {
    format,
    structuredOutput: structuredOutput(s, model, ctx),
    venue: venueOf(model, ctx.profileKinds, ctx.now),
    model,
    ...(format.variant ? costsOf(s, format.variant, ctx) : {}),
    ...distillationOf(s),
  };
  memo.set(s, out);
  return out;
}

/** Models whose API takes `response_format: {type: 'json_schema', strict: true}`: OpenAI's (also on Azure and GitHub Models) from gpt-4o on, and Mistral's. */
export function supportsStrictSchema(model: string, profileKinds: Readonly<Record<string, string>> = {}): boolean {
  const parts = model.toLowerCase().split('/');
  const prefix = parts.length > 1 ? (profileKinds[parts[0]] ?? parts[0]) : 'openai';
  const name = parts[parts.length - 1].replace(/^ft:/, '');
  if (prefix === 'mistral') return true;
  if (!['openai', 'azure', 'github', 'custom'].includes(prefix)) return false;
  return /^(gpt-4o|gpt-4\.1|gpt-5|o1|o3|o4)/.test(name) && name !== 'gpt-4o-2024-05-13';
}

function structuredOutput(s: RunSignals, model: string, ctx: AdviseContext): FineTuneSignals['structuredOutput'] {
  const spec = s.spec;
  const already = spec?.responseFormat?.type === 'json_schema';
  const jsonEvaluator = !!spec?.evaluators.some((e) => e.kind === 'json');
  const jsonExpected = s.record.cases.some((c) => typeof c.expected === 'string' && /^\s*[{[]/.test(c.expected));
  const jsonVerdict = s.record.cases.some((c) => c.results.some((r) => r.evaluators.some((e) => /json/i.test(e.name))));
  return { supported: supportsStrictSchema(model, ctx.profileKinds), already, jsonTask: jsonEvaluator || spec?.responseFormat?.type === 'json_object' || jsonExpected || jsonVerdict };
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

/** Tokens of the messages before the case's own (final) user message: the part every call shares. */
function prefixTokens(messages: ChatMessage[]): number {
  let last = messages.length - 1;
  while (last >= 0 && messages[last].role !== 'user') last--;
  return last > 0 ? countMessageTokens(messages.slice(0, last)) - 3 : 0;
}

function costsOf(s: RunSignals, fewShot: VariantSignals, ctx: AdviseContext): { costs?: AlternativesCost } {
  const results = s.record.cases.flatMap((c) => c.results.filter((r) => r.variant === fewShot.name && !r.error));
  if (!results.length || !s.baseline) return {};
  const withMessages = results.filter((r) => r.messages?.length);
  const fewShotPrompt = mean(results.map((r) => r.tokens.prompt));
  const zeroShotPrompt = s.baseline.promptTokensPerCall;
  const stable = withMessages.length ? mean(withMessages.map((r) => prefixTokens(r.messages as ChatMessage[]))) : Math.max(0, fewShotPrompt - zeroShotPrompt);
  const costs = compareAlternatives({
    model: fewShot.model,
    fewShotPromptTokens: fewShotPrompt,
    zeroShotPromptTokens: zeroShotPrompt,
    stablePrefixTokens: stable,
    completionTokens: mean(results.map((r) => r.tokens.completion)),
    trainingExamples: s.caseCount,
    ...(ctx.callsPerMonth ? { callsPerMonth: ctx.callsPerMonth } : {}),
  });
  return costs ? { costs } : {};
}

/**
 * A teacher: a variant on a pricier model (by input price; unknown prices never) that passes significantly more
 * of the cases the baseline fails than it fails of those the baseline passes. The baseline is the student.
 */
function distillationOf(s: RunSignals): { distillation?: DistillationSignal } {
  const student = s.baseline;
  if (!student) return {};
  const studentPrice = priceOf(student.model)?.input;
  let best: DistillationSignal | undefined;
  for (const v of s.variants) {
    if (v === student || v.model === student.model || v.judged === 0 || v.retrieval) continue;
    const price = priceOf(v.model)?.input;
    if (price === undefined || studentPrice === undefined || price <= studentPrice) continue;
    const pair = s.pair(student, v);
    if (pair.fixed.length <= pair.broken.length || pair.p > EVIDENCE_P) continue;
    if (!best || pair.fixed.length - pair.broken.length > best.pair.fixed.length - best.pair.broken.length) best = { teacher: v, student, pair };
  }
  return best ? { distillation: best } : {};
}
