// Money and calls. Before the first call a climb prints an upper bound of what it may spend (calls, tokens,
// dollars from the pricing table, the judges' calls included, at the batch rate with --batch); before each
// step it checks that step's estimate against what is left and stops, saying why, rather than spend past the
// budget; while a step runs, a guard stops it when the spend comes within one batch of calls of the budget.
// Unknown prices leave a calls budget only, said plainly. What was spent is metered (meter.ts), not estimated.

import type { PromptSpec } from '../prompt/spec';
import type { RunRecord } from '../runs/schema';
import { estimateCostUsd, priceOf } from '../providers/pricing';
import type { Incumbent } from './patch';
import type { Move } from './moves';

/**
 * The model-graded calls one case adds: judges (llm, judge, built-ins, Ragas), the judge's categorisation of a
 * failure, and retrieval helpers (HyDE, expansion, an LLM reranker). `model` undefined: the variant's own model
 * (the engine's judge falls back to it when no judge model is set). Each reads the case's prompt and reply
 * plus `extra` tokens of its own instructions.
 */
export interface HelperShape {
  model?: string;
  calls: number;
  extra: number;
  /** 'reply': its template, the case's variables and the reply (gh's \`llm\`, rubric judges, retrieval helpers); 'prompt': the whole prompt too (context-reading judges). */
  reads: 'reply' | 'prompt';
}

/** Tokens one case costs a variant: the prompt's calls per case and the tokens of the largest, and its model-graded calls. */
export interface CaseShape {
  calls: number;
  prompt: number;
  completion: number;
  model: string;
  /** Tokens of the largest case's variables (what a judge of the reply reads of the case). */
  vars: number;
  helpers: HelperShape[];
  /** The judge model (undefined: the variant's own model), for the helpers a move adds. */
  judge?: string;
  /** Through the Batch API: 'all' every call at the batch rate, 'calls' the prompt's calls only (helpers live). */
  batch?: 'all' | 'calls';
}

/** Tokens per character assumed for text not yet sent (English runs near 1/4; 1/3 keeps the estimate above it). */
const PER_CHAR = 1 / 3;
const DEFAULT_COMPLETION = 256;
/** A judge's reply (a choice, a score with a reason, a category): assumed no longer than this. */
const JUDGE_COMPLETION = 256;
/** The fixed instructions of a built-in judge prompt (Ragas, categorisation, the github/* judges). */
const JUDGE_INSTRUCTIONS = 600;
/** A proposal of the instruction rewrite: the failing cases in, one system message out. */
export const REWRITE_SHAPE = { prompt: 4000, completion: 600 };

const tokensOf = (text: string) => Math.ceil(text.length * PER_CHAR);

/** The model-graded calls of the file's evaluators (and the judge's categorisation, when a judge model is set). */
export function judgeShapes(spec: PromptSpec, judgeModel: string | undefined): HelperShape[] {
  const out: HelperShape[] = [];
  const contexts = Math.max(spec.retrieval?.topK ?? 0, ...spec.cases.map((c) => (Array.isArray(c.context) ? c.context.length : c.context ? 1 : 0)), 1);
  const reply = (model: string | undefined, extra: number, calls = 1): HelperShape => ({ model, calls, extra, reads: 'reply' });
  const context = (model: string | undefined, calls = 1): HelperShape => ({ model, calls, extra: JUDGE_INSTRUCTIONS, reads: 'prompt' });
  for (const e of spec.evaluators) {
    if (e.kind === 'llm') out.push(reply(e.modelId, tokensOf(e.prompt + (e.systemPrompt ?? ''))));
    else if (e.kind === 'judge') out.push(reply(e.model ?? judgeModel, tokensOf(e.rubric) + JUDGE_INSTRUCTIONS));
    else if (e.kind === 'builtin') out.push(reply(judgeModel, JUDGE_INSTRUCTIONS));
    else if (e.kind === 'faithfulness') out.push(context(e.model ?? judgeModel, 2));
    else if (e.kind === 'context-precision') out.push(context(e.model ?? judgeModel, contexts));
    else if (e.kind === 'answer-relevancy' || e.kind === 'context-recall') out.push(context(e.model ?? judgeModel));
  }
  // a failure no deterministic signal explains goes to the judge (the engine does so when a judge model is set)
  if (judgeModel) out.push(context(judgeModel));
  return out;
}

/** The shape of a case before any call: the templates and the largest case's variables, as text. */
export function shapeBefore(spec: PromptSpec, inc: Incumbent, model: string, o: { judgeModel?: string; batch?: 'all' | 'calls' } = {}): CaseShape {
  const templates = spec.body?.text ?? spec.messages.map((m) => m.content).join('\n');
  const vars = Math.ceil(Math.max(0, ...spec.cases.map((c) => JSON.stringify(c.vars).length)) * PER_CHAR);
  const prompt = tokensOf(templates) + tokensOf(String(inc.variant.system ?? '') + String(inc.variant.systemSuffix ?? '')) + vars + 4 * (spec.messages.length + 1) + 3;
  const completion = typeof spec.modelParameters.maxTokens === 'number' ? spec.modelParameters.maxTokens : DEFAULT_COMPLETION;
  return { calls: 1, prompt, completion, model, vars, helpers: judgeShapes(spec, o.judgeModel), ...(o.judgeModel ? { judge: o.judgeModel } : {}), ...(o.batch ? { batch: o.batch } : {}) };
}

/** The shape the engine reported: the largest prompt and completion of any call of the run, the helpers as before. */
export function shapeSeen(record: RunRecord, before: CaseShape): CaseShape | undefined {
  let prompt = 0;
  let completion = 0;
  for (const c of record.cases) {
    for (const r of c.results) {
      prompt = Math.max(prompt, r.tokens.prompt);
      completion = Math.max(completion, r.tokens.completion);
    }
  }
  return prompt ? { ...before, prompt, completion } : undefined;
}

function exampleTokens(spec: PromptSpec): number {
  return Math.max(0, ...spec.examples.map((e) => tokensOf(JSON.stringify(e.input)) + tokensOf(e.output) + 8));
}

function retrievalTokens(spec: PromptSpec, r: unknown): number {
  const base = spec.retrieval ?? { chunk: { size: 800 }, topK: 4 };
  const o = typeof r === 'object' && r !== null ? (r as { topK?: number; chunk?: { size: number } }) : {};
  return Math.ceil((o.topK ?? base.topK) * (o.chunk?.size ?? base.chunk.size) * PER_CHAR);
}

/** The shape of a case after a move: what the move adds to the incumbent's calls. */
export function shapeAfter(spec: PromptSpec, inc: Incumbent, shape: CaseShape, move: Move): CaseShape {
  const v = move.patch.variant ?? {};
  const out = { ...shape, helpers: [...shape.helpers] };
  const shots = typeof inc.variant.shots === 'number' ? inc.variant.shots : 0;
  if (typeof v.shots === 'number' && v.shots > shots) out.prompt += (v.shots - shots) * exampleTokens(spec);
  if (v.retrieval !== undefined) {
    const before = inc.variant.retrieval ? retrievalTokens(spec, inc.variant.retrieval) : 0;
    const merged = typeof v.retrieval === 'object' ? { ...(typeof inc.variant.retrieval === 'object' ? inc.variant.retrieval : {}), ...v.retrieval } : inc.variant.retrieval ?? v.retrieval;
    out.prompt += Math.max(0, retrievalTokens(spec, merged) - before) + 60;
    const r = typeof merged === 'object' ? (merged as { query?: string; rerank?: string }) : {};
    // HyDE / expansion ask the judge model for a query, an LLM reranker reads the candidates: one call more per case
    if (r.query === 'hyde' || r.query === 'expand' || r.rerank === 'llm') out.helpers.push({ model: shape.judge, calls: 1, extra: retrievalTokens(spec, merged), reads: 'reply' });
  }
  if (v.chainOfThought) out.completion = out.completion * 4 + 300;
  if (typeof v.selfRepair === 'number') {
    out.calls += v.selfRepair;
    out.prompt += out.completion * v.selfRepair + 200;
  }
  if (typeof v.system === 'string' || typeof v.systemSuffix === 'string') out.prompt += tokensOf(String(v.system ?? '') + String(v.systemSuffix ?? '')) + 20;
  if (typeof v.model === 'string') out.model = v.model;
  return out;
}

/** Calls of one case in this shape: the prompt's and the model-graded ones. */
export function caseCalls(shape: CaseShape): number {
  return shape.calls + shape.helpers.reduce((n, h) => n + h.calls, 0);
}

/** The prompt tokens of one of a helper's calls: its own instructions, and what it reads of the case. */
function helperPrompt(shape: CaseShape, h: HelperShape): number {
  return h.extra + shape.completion + (h.reads === 'prompt' ? shape.prompt : 2 * shape.vars);
}

function caseTokens(shape: CaseShape): number {
  const own = shape.calls * (shape.prompt + shape.completion);
  return own + shape.helpers.reduce((n, h) => n + h.calls * (helperPrompt(shape, h) + JUDGE_COMPLETION), 0);
}

/** The models a case in this shape calls (the prompt's and its judges'). */
export function shapeModels(shape: CaseShape): string[] {
  return [...new Set([shape.model, ...shape.helpers.map((h) => h.model ?? shape.model)])];
}

/** Dollars of one case in this shape, judges included, at the batch rate where the calls are batched; undefined when a model has no known price. */
export function caseUsd(shape: CaseShape): number | undefined {
  if (shapeModels(shape).some((m) => !priceOf(m))) return undefined;
  const own = shape.calls * estimateCostUsd(shape.model, { prompt: shape.prompt, completion: shape.completion }, { batch: shape.batch !== undefined });
  const judged = shape.helpers.reduce((sum, h) => {
    const usage = { prompt: helperPrompt(shape, h), completion: JUDGE_COMPLETION };
    return sum + h.calls * estimateCostUsd(h.model ?? shape.model, usage, { batch: shape.batch === 'all' });
  }, 0);
  return own + judged;
}

export interface Estimate {
  calls: number;
  tokens: number;
  /** Undefined when some model on the way has no known price. */
  usd?: number;
}

export function addEstimates(...list: Estimate[]): Estimate {
  const usd = list.every((e) => e.usd !== undefined) ? list.reduce((s, e) => s + e.usd!, 0) : undefined;
  return { calls: list.reduce((s, e) => s + e.calls, 0), tokens: list.reduce((s, e) => s + e.tokens, 0), ...(usd !== undefined ? { usd } : {}) };
}

export function casesEstimate(shape: CaseShape, cases: number): Estimate {
  const usd = caseUsd(shape);
  return { calls: caseCalls(shape) * cases, tokens: caseTokens(shape) * cases, ...(usd !== undefined ? { usd: usd * cases } : {}) };
}

/** The instruction rewrite's proposals: live calls (each step waits for them), at the live price. */
export function rewriteEstimate(model: string, proposals: number): Estimate {
  const shape = { calls: 1, ...REWRITE_SHAPE, model, vars: 0, helpers: [] };
  return casesEstimate(shape, proposals);
}

/** The budget and what is spent so far. `usd` undefined: prices unknown or no dollar budget. */
export class Budget {
  spentUsd = 0;
  /** The evaluators' share of spentUsd (judges, categorisation, retrieval helpers). */
  judgeUsd = 0;
  calls = 0;

  constructor(
    readonly usd: number | undefined,
    readonly maxCalls: number | undefined,
  ) {}

  add(spend: { usd: number; calls: number; judgeUsd?: number }): void {
    this.spentUsd += spend.usd;
    this.judgeUsd += spend.judgeUsd ?? 0;
    this.calls += spend.calls;
  }

  /** Why a step with this estimate may not start (undefined: it may). */
  refuses(e: Estimate, what: string): string | undefined {
    if (this.usd !== undefined && e.usd !== undefined && this.spentUsd + e.usd > this.usd + 1e-12) {
      return `${what} could cost up to ${usd(e.usd)} and ${usd(Math.max(0, this.usd - this.spentUsd))} of the ${usd(this.usd)} budget is left`;
    }
    if (this.maxCalls !== undefined && this.calls + e.calls > this.maxCalls) {
      return `${what} could make up to ${e.calls} calls and ${Math.max(0, this.maxCalls - this.calls)} of the ${this.maxCalls} allowed are left`;
    }
    return undefined;
  }

  /** Whether a running step must stop now: the spend is within `margin` of the budget. */
  exhausted(live: { usd: number; calls: number }, margin: { usd: number; calls: number }): boolean {
    if (this.usd !== undefined && this.spentUsd + live.usd + margin.usd > this.usd) return true;
    return this.maxCalls !== undefined && this.calls + live.calls + margin.calls > this.maxCalls;
  }
}

/** "$0.0123" — dollars with enough digits for small sums. */
export function usd(x: number): string {
  if (x === 0) return '$0';
  if (x < 0.01) return `$${x.toPrecision(2)}`;
  return `$${x.toFixed(x < 1 ? 4 : 2)}`;
}
