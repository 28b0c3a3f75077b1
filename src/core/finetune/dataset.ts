// Fine-tuning dataset export from a prompt file and a run, in one of the platform formats (./formats).
//
// Source 'expected': every case with an `expected` value becomes an example whose assistant turn is `expected`.
// Source 'best-variant': the passing outputs of the variant with the best pass rate (first passing result per case).
// Source 'auto' (the default of the CLI and the editor): per case, its expected output when it has one, else the
// best variant's passing output — so a prompt whose cases have no expected outputs still gets a dataset, and
// `sources` says how many examples came from where.
// Distillation (`teacher`): the answers are the teacher variant's passing outputs (a bigger model), the prompt is
// the student variant's (the smaller model to fine-tune); with source 'auto' a case the teacher failed falls back
// to its expected output.
// The prompt of each example is the prompt as it would be AFTER fine-tuning: the template messages rendered
// with the case's variables and the chosen variant's system text, but WITHOUT the few-shot examples (the
// fine-tuned model has learned them). Retrieved context of a RAG variant stays in (it is per-question input).
// Every line is checked against the format before it is written; an example the format refuses is left out
// with a warning naming the case's line.
// Train/validation split: seeded shuffle, `validationShare` (default 0.2) of the examples to validation.
// Estimates: training tokens (o200k), training cost at the provider's published training price × epochs,
// and the number that matters — prompt tokens saved per call once the few-shot examples are gone, and what
// that is per 1,000 calls (at the base model's input price, and net of the fine-tuned model's higher price).

import type { ChatMessage, EvalCase, PromptSpec, VariantSpec } from '../prompt/spec';
import { plural, verb } from '../text/plural';
import type { CaseResult, RunRecord, VariantSummary } from '../runs/schema';
import { countMessageTokens, priceOf } from '../providers/pricing';
import { renderMessages } from '../render/messages';
import { redact } from '../redact';
import type { FineTuneFormat, FormatName } from './formats/format';
import { FORMATS } from './formats/registry';

/** OpenAI's minimum number of training examples for a fine-tuning job. */
export const OPENAI_MIN_EXAMPLES = 10;
/** OpenAI's guidance: clear improvements usually start at 50–100 examples. */
export const RECOMMENDED_EXAMPLES = 50;
export const DEFAULT_EPOCHS = 3;

/** Training prices, USD per 1M training tokens (OpenAI's published prices; estimates, they change). */
export const TRAINING_PRICES: Readonly<Record<string, number>> = {
  'gpt-4.1': 25,
  'gpt-4.1-mini': 5,
  'gpt-4.1-nano': 1.5,
  'gpt-4o': 25,
  'gpt-4o-mini': 3,
  'gpt-3.5-turbo': 8,
};

export type FineTuneSource = 'expected' | 'best-variant' | 'auto';

export interface FineTuneOptions {
  source: FineTuneSource;
  /** Output format (default 'openai': the chat JSONL that OpenAI, Azure, Mistral, Together and Fireworks accept). */
  format?: FormatName;
  /** Share of examples held out for validation (0..0.5, default 0.2). 0 → no validation file. */
  validationShare?: number;
  /** Seed of the shuffle before the split (default 1). */
  seed?: number;
  /** Epochs for the cost estimate (default 3). */
  epochs?: number;
  /** Variant whose prompt (and, for 'best-variant', outputs) to use; default: the best passing variant (with a teacher: the student). */
  variant?: string;
  /** Distillation: the variant whose passing outputs are the answers the student learns. */
  teacher?: string;
}

export interface FineTuneExport {
  format: FormatName;
  /** JSONL in `format`, one example per line. */
  train: string;
  validation: string;
  counts: { train: number; validation: number; skipped: number };
  /** Where the assistant turns came from: cases' expected outputs, the chosen variant's or the teacher's passing outputs. */
  sources: { expected: number; bestVariant: number; teacher: number };
  /** Training tokens of one epoch (train + validation). */
  tokens: { train: number; validation: number };
  /** Training cost for `epochs` epochs of the train file; undefined when the model has no known training price. */
  estimatedTrainingCostUsd?: number;
  /** Base model the estimates refer to (the student's model when distilling). */
  baseModel?: string;
  /** Variant whose prompt (and outputs) were used: the student when distilling. */
  variant: string;
  /** Distillation: the teacher variant and its model. */
  teacher?: { variant: string; model: string };
  warnings: string[];
  /** Prompt tokens the few-shot examples cost per call (saved once they are no longer needed). */
  tokensSavedPerCall: number;
  /** Those tokens per 1,000 calls at the base model's input price. */
  savedPer1000CallsUsd?: number;
  /** Prompt cost per 1,000 calls: few-shot on the base model minus zero-shot on the fine-tuned model (can be negative). */
  netSavedPer1000CallsUsd?: number;
  /** The few-shot variant the savings compare with. */
  fewShotVariant?: string;
}

interface Example {
  caseIndex: number;
  messages: ChatMessage[];
}

type Origin = 'expected' | 'bestVariant' | 'teacher';

/** The answer a case contributes and where it came from, or undefined when it has none. */
function answerOf(c: RunRecord['cases'][number], evalCase: EvalCase, student: string, opts: FineTuneOptions): { text: string; origin: Origin } | undefined {
  const passing = (variant: string) => c.results.find((r: CaseResult) => r.variant === variant && r.passed && !r.error)?.output.trim() || undefined;
  const expected = (evalCase.expected ?? c.expected) || undefined;
  if (opts.teacher) {
    const t = opts.source === 'expected' ? undefined : passing(opts.teacher);
    if (t) return { text: t, origin: 'teacher' };
    return opts.source === 'auto' && expected ? { text: expected, origin: 'expected' } : undefined;
  }
  if (opts.source !== 'best-variant' && expected) return { text: expected, origin: 'expected' };
  const p = opts.source === 'expected' ? undefined : passing(student);
  return p ? { text: p, origin: 'bestVariant' } : undefined;
}

function collectExamples(spec: PromptSpec, record: RunRecord, vspec: VariantSpec, format: FineTuneFormat, opts: FineTuneOptions) {
  const into = spec.retrieval?.into ?? 'context';
  const examples: Example[] = [];
  const sources = { expected: 0, bestVariant: 0, teacher: 0 };
  const refused: string[] = [];
  let skipped = 0;
  for (const c of record.cases) {
    const evalCase: EvalCase = spec.cases.find((x) => x.index === c.index) ?? { index: c.index, file: spec.file, line: c.line, vars: c.vars, expected: c.expected };
    const answer = answerOf(c, evalCase, vspec.name, opts);
    if (!answer) {
      skipped++;
      continue;
    }
    const anyCtx = c.results.find((r) => r.variant === vspec.name && r.context)?.context;
    const extra = anyCtx ? { [into]: anyCtx.join('\n\n---\n\n') } : undefined;
    const prompt = renderMessages(spec, { ...vspec, shots: 0 }, evalCase, [], extra);
    const messages: ChatMessage[] = [...prompt, { role: 'assistant', content: answer.text }];
    const problems = format.check(format.encode(messages));
    if (problems.length) {
      skipped++;
      refused.push(`case at line ${c.line}: ${problems[0]}`);
      continue;
    }
    sources[answer.origin]++;
    examples.push({ caseIndex: c.index, messages });
  }
  return { examples, sources, skipped, refused };
}

function skipWarning(opts: FineTuneOptions, skipped: number, student: string): string | undefined {
  if (!skipped) return undefined;
  const cases = plural(skipped, 'case');
  if (opts.teacher) return `${cases} did not pass in the teacher ${opts.teacher}${opts.source === 'auto' ? ` and ${verb(skipped, 'has', 'have')} no expected output` : ''}: left out.`;
  if (opts.source === 'expected') return `${cases} ${verb(skipped, 'has', 'have')} no expected output and ${verb(skipped, 'was', 'were')} left out.`;
  if (opts.source === 'best-variant') return `${cases} did not pass in ${student} and ${verb(skipped, 'was', 'were')} left out.`;
  return `${cases} ${verb(skipped, 'has', 'have')} no expected output and did not pass in ${student}: left out.`;
}

export function exportFineTuneDataset(spec: PromptSpec, record: RunRecord, opts: FineTuneOptions): FineTuneExport {
  const format = FORMATS[opts.format ?? 'openai'];
  const teacher = opts.teacher ? record.variants.find((v) => v.name === opts.teacher) : undefined;
  if (opts.teacher && !teacher) throw new Error(`no variant named "${opts.teacher}" in the run to take as the teacher`);
  const best = teacher && !opts.variant ? pickStudent(record, teacher) : pickVariant(record, opts.variant);
  const vspec: VariantSpec = spec.variants.find((v) => v.name === best?.name) ?? { name: best?.name ?? 'default', line: 0 };
  const model = best?.model ?? vspec.model ?? spec.model ?? '';
  const { examples, sources, skipped, refused } = collectExamples(spec, record, vspec, format, opts);
  const warnings: string[] = [];
  const skipText = skipWarning(opts, skipped - refused.length, vspec.name);
  if (skipText) warnings.push(skipText);
  if (refused.length) warnings.push(`${refused.length} examples do not fit the ${format.name} format and were left out (${refused.slice(0, 3).join('; ')}).`);
  if (teacher && teacher.name === vspec.name) warnings.push(`The teacher and the student are the same variant (${teacher.name}): nothing is distilled.`);

  const share = Math.min(0.5, Math.max(0, opts.validationShare ?? 0.2));
  const shuffled = shuffle(examples, opts.seed ?? 1);
  let nVal = Math.round(shuffled.length * share);
  if (share > 0 && nVal === 0 && shuffled.length >= 2 * OPENAI_MIN_EXAMPLES) nVal = 1;
  const validation = shuffled.slice(0, nVal);
  const train = shuffled.slice(nVal);

  const minimum = format.minExamples ?? OPENAI_MIN_EXAMPLES;
  if (train.length < minimum) {
    warnings.push(`Fine-tuning needs at least ${minimum} training examples; this export has ${train.length}. Add cases with expected outputs.`);
  } else if (train.length < RECOMMENDED_EXAMPLES) {
    warnings.push(`${train.length} training examples: fine-tuning usually needs ${RECOMMENDED_EXAMPLES}–100 to show a clear improvement.`);
  }

  const tokTrain = train.reduce((s, e) => s + countMessageTokens(e.messages), 0);
  const tokVal = validation.reduce((s, e) => s + countMessageTokens(e.messages), 0);
  const epochs = opts.epochs ?? DEFAULT_EPOCHS;
  const trainPrice = trainingPrice(model);
  if (model && trainPrice === undefined) warnings.push(`No training price known for '${model}': cost not estimated.`);

  const savings = fewShotTokenSavings(spec, record, model);
  const toJsonl = (list: Example[]) => list.map((e) => JSON.stringify(format.encode(e.messages))).join('\n') + (list.length ? '\n' : '');

  return {
    format: format.name,
    train: redact(toJsonl(train)),
    validation: redact(toJsonl(validation)),
    counts: { train: train.length, validation: validation.length, skipped },
    sources,
    tokens: { train: tokTrain, validation: tokVal },
    ...(trainPrice !== undefined ? { estimatedTrainingCostUsd: round6((tokTrain * epochs * trainPrice) / 1e6) } : {}),
    ...(model ? { baseModel: model } : {}),
    variant: vspec.name,
    ...(teacher ? { teacher: { variant: teacher.name, model: teacher.model } } : {}),
    warnings,
    ...savings,
  };
}

/** One sentence naming where the examples' answers came from ("12 from the cases' expected outputs, 3 from …"). */
export function describeSources(result: Pick<FineTuneExport, 'sources' | 'variant' | 'teacher'>): string {
  const { expected, bestVariant, teacher } = result.sources;
  const parts: string[] = [];
  if (teacher) parts.push(`${teacher} from the passing outputs of the teacher "${result.teacher?.variant}" (${result.teacher?.model}), for the student "${result.variant}"`);
  if (expected) parts.push(`${expected} from the cases' expected outputs`);
  if (bestVariant) parts.push(`${bestVariant} from the passing outputs of variant "${result.variant}"${expected ? ' (cases without an expected output)' : ''}`);
  return parts.length ? `Answers: ${parts.join(', ')}.` : 'No answers: no case has an expected output or a passing output.';
}

/** Training price (USD per 1M tokens) of a model reference, by longest known prefix of its last path segment. */
export function trainingPrice(model: string): number | undefined {
  const name = (model.split('/').pop() ?? model).toLowerCase();
  let best: string | undefined;
  for (const key of Object.keys(TRAINING_PRICES)) if ((name === key || name.startsWith(`${key}-`)) && (!best || key.length > best.length)) best = key;
  return best ? TRAINING_PRICES[best] : undefined;
}

export type FewShotSavings = Pick<FineTuneExport, 'tokensSavedPerCall' | 'savedPer1000CallsUsd' | 'netSavedPer1000CallsUsd' | 'fewShotVariant'>;

/**
 * Prompt tokens the few-shot examples cost per call: the mean over a few-shot variant's results of (tokens of the
 * messages sent − tokens of the same prompt without the example pairs). The one computation of this figure: the
 * advisor's evidence, the export command and the CLI all show it. The variant is `variantName`, else the one the
 * run's fine-tuning advice names, else the non-RAG variant with the most shots.
 */
export function fewShotTokenSavings(spec: PromptSpec, record: RunRecord, model = '', variantName?: string): FewShotSavings {
  const advised = record.advice?.recommendations.find((r) => r.kind === 'fine-tuning' && typeof r.evidence.bestFewShot === 'string')?.evidence.bestFewShot as string | undefined;
  const wanted = variantName ?? advised;
  const fewShot =
    (wanted ? record.variants.find((v) => v.name === wanted && (v.shots ?? 0) > 0) : undefined) ??
    [...record.variants].filter((v) => !v.retrieval && (v.shots ?? 0) > 0).sort((a, b) => (b.shots ?? 0) - (a.shots ?? 0))[0];
  if (!fewShot) return { tokensSavedPerCall: 0 };
  const diffs: number[] = [];
  let withTokens = 0;
  let withoutTokens = 0;
  for (const c of record.cases) {
    for (const r of c.results) {
      if (r.variant !== fewShot.name || !r.messages?.length) continue;
      const without = dropExamplePairs(r.messages, spec);
      const a = countMessageTokens(r.messages);
      const b = countMessageTokens(without);
      diffs.push(a - b);
      withTokens += a;
      withoutTokens += b;
    }
  }
  if (!diffs.length) return { tokensSavedPerCall: 0, fewShotVariant: fewShot.name };
  const saved = Math.round(diffs.reduce((s, d) => s + d, 0) / diffs.length);
  const m = fewShot.model || model;
  const base = priceOf(m);
  const ft = priceOf(`ft:${m.split('/').pop() ?? m}`);
  const out: FewShotSavings = { tokensSavedPerCall: saved, fewShotVariant: fewShot.name };
  if (base) out.savedPer1000CallsUsd = round6((saved * base.input) / 1000);
  if (base && ft) out.netSavedPer1000CallsUsd = round6(((withTokens / diffs.length) * base.input - (withoutTokens / diffs.length) * ft.input) / 1000);
  return out;
}

/** The messages without the inserted few-shot pairs: the template's own messages are kept, extra user/assistant pairs before the final user message are dropped. */
function dropExamplePairs(messages: ChatMessage[], spec: PromptSpec): ChatMessage[] {
  const templateTurns = spec.messages.filter((m) => m.role !== 'system').length;
  const turns = messages.filter((m) => m.role !== 'system');
  const extra = turns.length - templateTurns;
  if (extra <= 0) return messages;
  // pairs sit right before the final user message
  let lastUser = -1;
  for (let i = messages.length - 1; i >= 0; i--)
  {if (messages[i].role === 'user') {
    lastUser = i;
    break;
  }}
  if (lastUser < extra) return messages;
  return [...messages.slice(0, lastUser - extra), ...messages.slice(lastUser)];
}

/**
 * The student of a distillation: a variant on another model than the teacher's, the cheapest by input price
 * (unknown prices last), then the fewest shots.
 */
function pickStudent(record: RunRecord, teacher: VariantSummary): VariantSummary | undefined {
  const price = (v: VariantSummary) => priceOf(v.model)?.input ?? Number.POSITIVE_INFINITY;
  const others = record.variants.filter((v) => v.model !== teacher.model);
  return [...others].sort((a, b) => price(a) - price(b) || (a.shots ?? 0) - (b.shots ?? 0))[0] ?? teacher;
}

function pickVariant(record: RunRecord, name?: string): VariantSummary | undefined {
  if (name) return record.variants.find((v) => v.name === name);
  return [...record.variants].sort((a, b) => b.passRate - a.passRate || (a.shots ?? 0) - (b.shots ?? 0))[0];
}


/** Deterministic Fisher–Yates with mulberry32. */
function shuffle<T>(items: T[], seed: number): T[] {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
