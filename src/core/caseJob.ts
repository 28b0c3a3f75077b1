// One job of a run, (case, variant, repeat) → result, in three named steps: build the request (retrieval,
// examples, rendering, chain of thought), call the model (with self-repair: reference-free checks sent back
// to the model), judge the answer (evaluators, then a category for a failure).

import type { ChatMessage, EvalCase, EvaluatorSpec, ModelParameters, PromptSpec, VariantSpec } from './prompt/spec';
import type { ChatRequest, ProviderResolver, ResolvedModel } from './providers/provider';
import type { JudgeClient } from './evaluators/evaluator';
import type { CallOrigin, TimedChatResult } from './providers/executor';
import type { CaseResult } from './runs/schema';
import { estimateCostUsd } from './providers/pricing';
import { runEvaluators } from './evaluators/registry';
import { selectExamples } from './render/examples';
import { renderMessages, renderSpecTemplate } from './render/messages';
import { categorizeResult } from './analysis/categorize';
import { COT_INSTRUCTION, extractFinalAnswer } from './analysis/cot';
import { referenceFreeEvaluators, repairConversation } from './analysis/selfRepair';
import { errorMessage, isAbort, type RunCalls } from './runCalls';

/** The model a variant uses, as written. */
export function variantModel(spec: PromptSpec, variant: VariantSpec, providers: ProviderResolver): string | undefined {
  return variant.model ?? spec.model ?? providers.defaultModel;
}

/** Step 1's product: what is sent, and what the judge needs to know about it. */
interface Prepared {
  resolved: ResolvedModel;
  request: ChatRequest;
  /** Retrieved passages (RAG variants). */
  context?: string[];
}

/** Step 2's product: the final reply and what all attempts cost. */
interface Answered {
  result: TimedChatResult;
  messages: ChatMessage[];
  cached: boolean;
  batched: boolean;
  usage: CaseResult['tokens'];
  latencyMs: number;
  attempts: number;
}

/** What every step of one job reads. */
interface JobContext {
  calls: RunCalls;
  evalCase: EvalCase;
  variant: VariantSpec;
  repeat: number;
  origin: CallOrigin;
  judge: JudgeClient;
  evaluators: EvaluatorSpec[];
  /** The conversation sent last (an error result keeps it). */
  sent: { messages: ChatMessage[] };
}

/** Runs one (case, variant, repeat) job to a result. Throws only on abort. */
export async function runJob(calls: RunCalls, evalCase: EvalCase, variant: VariantSpec, repeat: number): Promise<CaseResult> {
  const { spec, opts } = calls;
  const modelRef = variantModel(spec, variant, opts.providers);
  const base: CaseResult = {
    variant: variant.name,
    ...(opts.repeat && opts.repeat > 1 ? { repeat } : {}),
    output: '',
    passed: false,
    error: null,
    category: null,
    categoryReason: null,
    latencyMs: 0,
    tokens: { prompt: 0, completion: 0 },
    costUsd: 0,
    cached: false,
    evaluators: [],
    ...(modelRef ? { model: modelRef } : {}),
  };
  const sent = { messages: [] as ChatMessage[] };
  try {
    const resolved = calls.resolve(modelRef);
    const prepared = await buildRequest(calls, evalCase, variant, resolved, modelRef);
    sent.messages = prepared.request.messages;
    opts.onEvent?.({ type: 'case-started', caseIndex: evalCase.index, variant: variant.name, repeat });
    const origin: CallOrigin = { caseIndex: evalCase.index, variant: variant.name, repeat, purpose: 'case' };
    const ctx: JobContext = {
      calls,
      evalCase,
      variant,
      repeat,
      origin,
      judge: calls.judgeFor(modelRef, { ...origin, purpose: 'evaluator' }),
      evaluators: [...spec.evaluators, ...(evalCase.evaluators ?? [])],
      sent,
    };
    const answered = await callWithRepair(ctx, prepared);
    return await judgeAnswer(ctx, prepared, answered, base);
  } catch (err) {
    if (isAbort(err, opts.signal)) throw err;
    return {
      ...base,
      ...(sent.messages.length ? { messages: sent.messages } : {}),
      error: errorMessage(err),
      category: 'error',
      categoryReason: 'The call failed after retries (provider or transport), so the model was never judged.',
    };
  }
}

/** Step 1: retrieval (RAG variants), examples, the rendered messages and the request. */
async function buildRequest(calls: RunCalls, evalCase: EvalCase, variant: VariantSpec, resolved: ResolvedModel, modelRef: string | undefined): Promise<Prepared> {
  const spec = calls.spec;
  const extraVars: Record<string, unknown> = {};
  let context: string[] | undefined;
  const retrieverP = calls.retriever(variant, modelRef);
  if (retrieverP && spec.retrieval) {
    const retriever = await retrieverP;
    const queryBase = spec.retrieval.queryTemplate
      ? renderSpecTemplate(spec, spec.retrieval.queryTemplate, evalCase.vars)
      : lastUser(renderMessages(spec, variant, evalCase, [], { [spec.retrieval.into]: '' }));
    const found = await retriever.search(queryBase);
    context = found.chunks.map((c) => c.text);
    extraVars[spec.retrieval.into] = context.join('\n\n---\n\n');
  }
  const embedModel = calls.embeddingModel;
  const examples = await selectExamples(spec, variant, evalCase, {
    ...(embedModel && variant.select === 'similar' ? { embed: (t: string[]) => calls.embed(t, embedModel) } : {}),
  });
  let messages = renderMessages(spec, variant, evalCase, examples, extraVars);
  if (variant.chainOfThought) messages = appendToSystem(messages, COT_INSTRUCTION);
  const params: ModelParameters = { ...spec.modelParameters, ...(variant.modelParameters ?? {}) };
  const request: ChatRequest = {
    model: resolved.model,
    messages,
    params,
    ...(spec.responseFormat ? { responseFormat: spec.responseFormat } : {}),
  };
  return { resolved, request, ...(context ? { context } : {}) };
}

/** Step 2: the call; with self-repair, reference-free checks on the reply go back to the model, up to N extra attempts. */
async function callWithRepair(ctx: JobContext, prepared: Prepared): Promise<Answered> {
  const { calls, variant, repeat, origin } = ctx;
  const { resolved, request } = prepared;
  let messages = request.messages;
  let { result, cached, batched = false } = await calls.chat(resolved, request, repeat, origin);
  const usage = { ...result.usage };
  let latencyMs = result.latencyMs;
  let attempts = 1;
  const checks = variant.selfRepair ? referenceFreeEvaluators(ctx.evaluators) : [];
  for (let i = 0; i < (variant.selfRepair ?? 0) && checks.length > 0; i++) {
    const check = await runEvaluators(checks, evaluatorInput(ctx, prepared, messages, answerOf(variant, result.text), latencyMs, 0));
    if (check.passed) break;
    messages = repairConversation(messages, result.text, check.results.filter((r) => !r.passed));
    ctx.sent.messages = messages;
    const next = await calls.chat(resolved, { ...request, messages }, repeat, origin);
    result = next.result;
    cached = cached && next.cached;
    batched = Boolean(batched || next.batched);
    usage.prompt += result.usage.prompt;
    usage.completion += result.usage.completion;
    latencyMs += result.latencyMs;
    attempts++;
  }
  return { result, messages, cached, batched, usage, latencyMs, attempts };
}

/** Step 3: the evaluators' verdict on the answer, and a category for a failure. */
async function judgeAnswer(ctx: JobContext, prepared: Prepared, answered: Answered, base: CaseResult): Promise<CaseResult> {
  const { calls, variant, evalCase } = ctx;
  const { result, usage, latencyMs, messages, batched } = answered;
  const output = answerOf(variant, result.text);
  const costUsd = estimateCostUsd(prepared.resolved.model, usage, batched ? { batch: true } : undefined);
  const verdict = await runEvaluators(ctx.evaluators, evaluatorInput(ctx, prepared, messages, output, latencyMs, costUsd));
  const out: CaseResult = {
    ...base,
    output: result.text,
    ...(variant.chainOfThought ? { answer: output } : {}),
    ...(variant.selfRepair ? { attempts: answered.attempts } : {}),
    passed: verdict.passed,
    latencyMs,
    tokens: usage,
    costUsd,
    cached: answered.cached,
    ...(batched ? { batched: true } : {}),
    score: verdict.score,
    evaluators: verdict.results.map((r) => ({
      name: r.name,
      passed: r.passed,
      score: r.score,
      ...(r.details !== undefined ? { details: r.details } : {}),
      ...(r.data !== undefined ? { data: r.data } : {}),
      ...(r.category ? { category: r.category } : {}),
    })),
    messages,
    ...(prepared.context ? { context: prepared.context } : {}),
  };
  if (!out.passed) {
    const { opts } = calls;
    const useJudge = opts.categorizeWithJudge ?? Boolean(opts.judgeModel ?? opts.providers.judgeModel);
    const cat = await categorizeResult(out, { evalCase, specEvaluators: ctx.evaluators, judge: ctx.judge, useJudge });
    out.category = cat.category;
    out.categoryReason = cat.reason;
    out.categoryBasis = cat.basis;
  }
  return out;
}

/** The answer the evaluators judge: a chain-of-thought reply's final answer, otherwise the reply trimmed. */
function answerOf(variant: VariantSpec, text: string): string {
  return variant.chainOfThought ? extractFinalAnswer(text).answer : text.trim();
}

function evaluatorInput(ctx: JobContext, prepared: Prepared, messages: ChatMessage[], output: string, latencyMs: number, costUsd: number) {
  const { evalCase, calls } = ctx;
  const context = prepared.context ?? evalCase.context;
  return {
    output,
    vars: evalCase.vars,
    ...(evalCase.expected !== undefined ? { expected: evalCase.expected } : {}),
    ...(context ? { context } : {}),
    messages,
    question: lastUser(prepared.request.messages),
    latencyMs,
    costUsd,
    judge: ctx.judge,
    signal: calls.opts.signal ?? new AbortController().signal,
    ...(calls.opts.workspaceTrusted === false ? { workspaceTrusted: false } : {}),
  };
}

/** Appends text to the system message (or adds one at the top). */
function appendToSystem(messages: ChatMessage[], text: string): ChatMessage[] {
  const i = messages.findIndex((m) => m.role === 'system');
  if (i < 0) return [{ role: 'system', content: text }, ...messages];
  return messages.map((m, j) => (j === i ? { ...m, content: `${m.content.trimEnd()}\n\n${text}` } : m));
}

function lastUser(messages: ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return messages[i].content;
  return '';
}
