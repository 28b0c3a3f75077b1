// The engine: PromptSpec → (case × variant × repeat) jobs → provider calls (cache first, through the scheduler)
// → evaluators → error categories → advice, streaming events, ending in one run record on disk.

import { randomUUID } from 'node:crypto';
import { sha256Hex } from './text/sha256';
import * as path from 'node:path';
import { setMaxListeners } from 'node:events';
import type { RunEvent } from './events';
import type { ChatMessage, EvalCase, PromptSpec, VariantSpec, ModelParameters } from './prompt/spec';
import type { ChatRequest, ChatResult, Provider, ProviderResolver, ResolvedModel } from './providers/provider';
import { ProviderError } from './providers/provider';
import type { JudgeClient } from './evaluators/evaluator';
import type { CallExecutor, CallOrigin, TimedChatResult } from './providers/executor';
import type { CaseRecord, CaseResult, RunRecord } from './runs/schema';
import { Scheduler } from './providers/scheduler';
import { DEFAULT_TIMEOUT_SECONDS, TIMEOUT_KNOBS, formatSeconds } from './providers/timeout';
import { ResponseCache } from './providers/cache';
import { estimateCostUsd } from './providers/pricing';
import { runEvaluators } from './evaluators/registry';
import { registerRagasEvaluators } from './evaluators/ragas';
import { selectExamples } from './render/examples';
import { renderMessages, renderSpecTemplate } from './render/messages';
import { applyVariantEvidence, categorizeResult } from './analysis/categorize';
import { advise } from './analysis/advisor/advise';
import { COT_INSTRUCTION, extractFinalAnswer } from './analysis/cot';
import { referenceFreeEvaluators, repairConversation } from './analysis/selfRepair';
import { buildRetriever, effectiveRetrieval, type Retriever } from './retrieval/retriever';
import { appendCaseLines, cacheDir, caseLinesOf, casesFileOf, runFileName, runsDir, serializeRun, STREAMED_CASES, supersedeCases, writeFileAtomic } from './runs/store';
import { summarizeVariants, VariantTally } from './runs/summary';
import { formatProblem } from './errors';
import { StoreRefusedError, storeProblems } from './storeFs';

export interface RunOptions {
  providers: ProviderResolver;
  /** Run root (workspace folder / CLI cwd): records in <root>/.promptladder/runs, cache in <root>/.promptladder/cache. */
  root: string;
  /** Where .promptladder/ lives when not in the root (an untrusted workspace's store in the editor's own storage). */
  storeRoot?: string;
  /** Use the response cache (default true). */
  cache?: boolean;
  /** Hard cap on concurrent calls per endpoint; default: adaptive. */
  concurrency?: number;
  signal?: AbortSignal;
  variants?: string[];
  caseIndexes?: number[];
  repeat?: number;
  onEvent?: (e: RunEvent) => void;
  /** Write the record (default true). */
  write?: boolean;
  promptText?: string;
  judgeModel?: string;
  /** Use an LLM judge to categorize failures no deterministic signal explains (default: when a judge model is configured). */
  categorizeWithJudge?: boolean;
  /** False in an untrusted workspace: code evaluators do not run (default: trusted). */
  workspaceTrusted?: boolean;
  /** Per-attempt timeout for provider calls (default DEFAULT_TIMEOUT_SECONDS). */
  timeoutMs?: number;
  /** Retry policy for failed calls (defaults: the scheduler's). */
  retry?: { maxRetries?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Makes the calls the cache cannot answer (default: live through the scheduler); the Batch API path brings its own. */
  executor?: CallExecutor;
}

/** The model a variant uses, as written. */
export function variantModel(spec: PromptSpec, variant: VariantSpec, providers: ProviderResolver): string | undefined {
  return variant.model ?? spec.model ?? providers.defaultModel;
}

const ABORT = 'AbortError';

function isAbort(err: unknown, signal?: AbortSignal): boolean {
  return Boolean(signal?.aborted) || (err instanceof Error && (err.name === ABORT || err.name === 'APIUserAbortError'));
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

type CachedChat = TimedChatResult;

/** One engine run. Public entry: runEval. */
class Run {
  private readonly schedulers = new Map<string, Scheduler>();
  private readonly cache: ResponseCache | null;
  private readonly resolved = new Map<string, ResolvedModel | Error>();
  private readonly retrievers = new Map<string, Promise<Retriever>>();
  calls = 0;
  /** Endpoints whose key was refused (401/403) in this run: no further calls go there. */
  private readonly refused = new Map<string, ProviderError>();
  /** Run-level warnings found on the way (documents the retriever skipped), for the record's problems. */
  readonly warnings: string[] = [];

  constructor(
    private readonly spec: PromptSpec,
    private readonly opts: RunOptions,
  ) {
    this.cache = opts.cache === false ? null : new ResponseCache(cacheDir(opts.storeRoot ?? opts.root));
  }

  resolve(ref: string | undefined): ResolvedModel {
    if (!ref) {
      throw new Error(
        'No model: the prompt file names none and no default model is configured (set `model:` in the file, or a default model in settings / PROMPT_LADDER_MODEL).',
      );
    }
    let r = this.resolved.get(ref);
    if (!r) {
      try {
        r = this.opts.providers.resolve(ref);
      } catch (err) {
        r = err instanceof Error ? err : new Error(String(err));
      }
      this.resolved.set(ref, r);
    }
    if (r instanceof Error) throw r;
    return r;
  }

  /** Endpoints called so far. */
  get endpoints(): number {
    return this.schedulers.size;
  }

  /** Calls the endpoints' schedulers let through now (the first scheduler's start before any call). */
  concurrency(): number {
    if (this.schedulers.size === 0) return 16;
    let n = 0;
    for (const s of this.schedulers.values()) n += s.concurrency;
    return n;
  }

  private scheduler(endpointKey: string): Scheduler {
    let s = this.schedulers.get(endpointKey);
    if (!s) {
      s = new Scheduler({
        ...(this.opts.concurrency ? { maxConcurrency: this.opts.concurrency } : {}),
        timeoutMs: this.timeoutMs,
        ...this.opts.retry,
      });
      this.schedulers.set(endpointKey, s);
    }
    return s;
  }

  private get timeoutMs(): number {
    return this.opts.timeoutMs && this.opts.timeoutMs > 0 ? this.opts.timeoutMs : DEFAULT_TIMEOUT_SECONDS * 1000;
  }

  /**
   * One provider call through its endpoint's scheduler. A refused key (401/403) stops the endpoint for the
   * rest of the run: later calls (also those already queued) fail at once without a request, and the run
   * gets one warning. A call that timed out says after how long and where to change it.
   */
  private async send<T>(provider: Provider, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const key = provider.endpointKey;
    const refusedBefore = () => {
      const first = this.refused.get(key);
      if (first) throw new ProviderError(`not sent: ${first.message}`, { status: first.status, retryable: false, code: 'key_refused' });
    };
    // marked as soon as the attempt fails, before the scheduler starts the next queued call
    const noteRefusal = (err: unknown) => {
      if (!(err instanceof ProviderError) || (err.status !== 401 && err.status !== 403) || this.refused.has(key)) return;
      this.refused.set(key, err);
      this.warnings.push(`error: ${err.message}; the remaining calls to ${provider.label} in this run were not made`);
    };
    refusedBefore();
    let counted = false;
    try {
      return await this.scheduler(key).run((signal) => {
        refusedBefore();
        if (!counted) this.calls++;
        counted = true;
        return task(signal).catch((err: unknown) => {
          noteRefusal(err);
          throw err;
        });
      }, this.opts.signal);
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      noteRefusal(err);
      if (err.opts.code === 'timeout') {
        const attempts = /after (\d+) attempts?/.exec(err.message)?.[1] ?? '1';
        throw new ProviderError(
          `${provider.label}: no answer within ${formatSeconds(this.timeoutMs)} (${attempts} attempt${attempts === '1' ? '' : 's'} timed out; change it with ${TIMEOUT_KNOBS})`,
          err.opts,
        );
      }
      throw err;
    }
  }

  /** A chat call: cache first, then the executor (default: the provider through its endpoint's scheduler). */
  async chat(
    resolved: ResolvedModel,
    request: ChatRequest,
    repeat: number,
    origin: CallOrigin,
  ): Promise<{ result: CachedChat; cached: boolean; batched?: boolean }> {
    const key = ResponseCache.keyOf({ endpoint: resolved.provider.endpointKey, request, repeat });
    if (this.cache) {
      const hit = await this.cache.get<CachedChat>(key);
      if (hit && typeof hit.text === 'string') return { result: hit, cached: true };
    }
    const live = async (): Promise<CachedChat> => {
      let attemptStarted = 0;
      const res = await this.send(resolved.provider, (attemptSignal) => {
        attemptStarted = performance.now();
        return resolved.provider.chat(request, attemptSignal);
      });
      // Latency of the answering attempt: queueing and back-off are the scheduler's, not the model's.
      return { ...res, latencyMs: Math.round(performance.now() - attemptStarted) };
    };
    // live calls are counted when they are sent (send); a call the executor batched counts here
    const executed = this.opts.executor ? await this.opts.executor.chat({ key, resolved, request, repeat, origin }, live) : { result: await live() };
    if (executed.batched) this.calls++;
    const result = executed.result;
    if (this.cache && executed.cache !== false) this.track(this.cache.set(key, result));
    return { result, cached: false, ...(executed.batched ? { batched: true } : {}) };
  }

  async embed(texts: string[], modelRef: string): Promise<number[][]> {
    const resolved = this.resolve(modelRef);
    const embed = resolved.provider.embed;
    if (!embed) throw new Error(`${resolved.provider.label} offers no embeddings`);
    const key = ResponseCache.keyOf({
      endpoint: resolved.provider.endpointKey,
      request: { model: resolved.model, messages: texts.map((t) => ({ role: 'user', content: t })), params: { embeddings: true } },
      repeat: 0,
    });
    if (this.cache) {
      const hit = await this.cache.get<number[][]>(key);
      if (Array.isArray(hit) && hit.length === texts.length) return hit;
    }
    const vectors = await this.send(resolved.provider, (s) => embed.call(resolved.provider, texts, resolved.model, s));
    if (this.cache) this.track(this.cache.set(key, vectors));
    return vectors;
  }

  /** Cache writes happen in the background so a finished call frees its slot at once; `flush` awaits them. */
  private readonly pendingWrites = new Set<Promise<void>>();

  private track(write: Promise<void>): void {
    const p = write.catch(() => undefined).finally(() => this.pendingWrites.delete(p));
    this.pendingWrites.add(p);
  }

  async flush(): Promise<void> {
    // the cache's own flush ends its batch windows at once rather than waiting them out
    const writes = this.cache?.flush();
    while (this.pendingWrites.size) await Promise.all([...this.pendingWrites]);
    await writes;
  }

  get embeddingModel(): string | undefined {
    return this.opts.providers.embeddingModel;
  }

  /** Judge client for LLM-backed evaluators and categorization. */
  judgeFor(fallbackModel: string | undefined, origin: CallOrigin): JudgeClient {
    const judgeModel = this.opts.judgeModel ?? this.opts.providers.judgeModel ?? fallbackModel;
    const client: JudgeClient = {
      complete: async (messages, o) => {
        const ref = o?.model ?? judgeModel;
        const resolved = this.resolve(ref);
        const params: ModelParameters = { temperature: o?.temperature ?? 0 };
        const request: ChatRequest = {
          model: resolved.model,
          messages,
          params,
          ...(o?.json ? { responseFormat: { type: 'json_object' as const } } : {}),
        };
        const { result } = await this.chat(resolved, request, 0, origin);
        return result.text.trim();
      },
    };
    const embedModel = this.embeddingModel;
    if (embedModel) {
      client.embed = (texts, o) => this.embed(texts, o?.model ?? embedModel);
    }
    return client;
  }

  retriever(variant: VariantSpec, fallbackModel: string | undefined): Promise<Retriever> | undefined {
    if (!variant.retrieval || !this.spec.retrieval) return undefined;
    // a variant may override chunking, topK, query mode and reranking: one retriever per distinct setting
    const r = effectiveRetrieval(this.spec.retrieval, variant.retrieval);
    const key = JSON.stringify([r.chunk, r.topK, r.query, r.rerank ?? null]);
    let p = this.retrievers.get(key);
    if (!p) {
      const judge = this.judgeFor(fallbackModel, { purpose: 'evaluator' });
      const embedModel = r.embeddingModel ?? this.embeddingModel;
      p = buildRetriever(r, path.dirname(this.spec.file), {
        ...(embedModel ? { embed: (texts: string[]) => this.embed(texts, embedModel) } : {}),
        complete: (msgs: ChatMessage[]) => judge.complete(msgs, { temperature: 0 }),
        cacheDir: cacheDir(this.opts.storeRoot ?? this.opts.root),
        ...(this.opts.signal ? { signal: this.opts.signal } : {}),
      }).then((built) => {
        for (const s of built.skipped) this.warnings.push(`warning: retrieval.documents (line ${r.line}): skipped ${s.source}: ${s.reason}`);
        return built;
      });
      this.retrievers.set(key, p);
    }
    return p;
  }

  /** Runs one (case, variant, repeat) job to a result. Throws only on abort. */
  async job(evalCase: EvalCase, variant: VariantSpec, repeat: number): Promise<CaseResult> {
    const spec = this.spec;
    const modelRef = variantModel(spec, variant, this.opts.providers);
    const base: CaseResult = {
      variant: variant.name,
      ...(this.opts.repeat && this.opts.repeat > 1 ? { repeat } : {}),
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
    let messages: ChatMessage[] = [];
    try {
      const resolved = this.resolve(modelRef);
      const extraVars: Record<string, unknown> = {};
      let context: string[] | undefined;
      const retrieverP = this.retriever(variant, modelRef);
      if (retrieverP && spec.retrieval) {
        const retriever = await retrieverP;
        const queryBase = spec.retrieval.queryTemplate
          ? renderSpecTemplate(spec, spec.retrieval.queryTemplate, evalCase.vars)
          : lastUser(renderMessages(spec, variant, evalCase, [], { [spec.retrieval.into]: '' }));
        const found = await retriever.search(queryBase);
        context = found.chunks.map((c) => c.text);
        extraVars[spec.retrieval.into] = context.join('\n\n---\n\n');
      }
      const embedModel = this.embeddingModel;
      const examples = await selectExamples(spec, variant, evalCase, {
        ...(embedModel && variant.select === 'similar' ? { embed: (t: string[]) => this.embed(t, embedModel) } : {}),
      });
      messages = renderMessages(spec, variant, evalCase, examples, extraVars);
      if (variant.chainOfThought) messages = appendToSystem(messages, COT_INSTRUCTION);
      const params: ModelParameters = { ...spec.modelParameters, ...(variant.modelParameters ?? {}) };
      const request: ChatRequest = {
        model: resolved.model,
        messages,
        params,
        ...(spec.responseFormat ? { responseFormat: spec.responseFormat } : {}),
      };
      this.opts.onEvent?.({ type: 'case-started', caseIndex: evalCase.index, variant: variant.name, repeat });
      const origin: CallOrigin = { caseIndex: evalCase.index, variant: variant.name, repeat, purpose: 'case' };
      let { result, cached, batched } = await this.chat(resolved, request, repeat, origin);
      const evaluators = [...spec.evaluators, ...(evalCase.evaluators ?? [])];
      const judge = this.judgeFor(modelRef, { ...origin, purpose: 'evaluator' });
      const answerOf = (text: string) => (variant.chainOfThought ? extractFinalAnswer(text).answer : text.trim());
      const usage = { ...result.usage };
      let latencyMs = result.latencyMs;
      let attempts = 1;
      const ctx = context ?? evalCase.context;
      const question = lastUser(messages);
      const inputFor = (output: string, cost: number) => ({
        output,
        vars: evalCase.vars,
        ...(evalCase.expected !== undefined ? { expected: evalCase.expected } : {}),
        ...(ctx ? { context: ctx } : {}),
        messages,
        question,
        latencyMs,
        costUsd: cost,
        judge,
        signal: this.opts.signal ?? new AbortController().signal,
        ...(this.opts.workspaceTrusted === false ? { workspaceTrusted: false } : {}),
      });
      // Self-repair: reference-free checks on the reply; failures go back to the model, up to N extra attempts.
      const checks = variant.selfRepair ? referenceFreeEvaluators(evaluators) : [];
      for (let i = 0; i < (variant.selfRepair ?? 0) && checks.length > 0; i++) {
        const check = await runEvaluators(checks, inputFor(answerOf(result.text), 0));
        if (check.passed) break;
        messages = repairConversation(messages, result.text, check.results.filter((r) => !r.passed));
        const next = await this.chat(resolved, { ...request, messages }, repeat, origin);
        result = next.result;
        cached = cached && next.cached;
        batched = Boolean(batched || next.batched);
        usage.prompt += result.usage.prompt;
        usage.completion += result.usage.completion;
        latencyMs += result.latencyMs;
        attempts++;
      }
      const output = answerOf(result.text);
      const costUsd = estimateCostUsd(resolved.model, usage, batched ? { batch: true } : undefined);
      const verdict = await runEvaluators(evaluators, inputFor(output, costUsd));
      const out: CaseResult = {
        ...base,
        output: result.text,
        ...(variant.chainOfThought ? { answer: output } : {}),
        ...(variant.selfRepair ? { attempts } : {}),
        passed: verdict.passed,
        latencyMs,
        tokens: usage,
        costUsd,
        cached,
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
        ...(context ? { context } : {}),
      };
      if (!out.passed) {
        const useJudge = this.opts.categorizeWithJudge ?? Boolean(this.opts.judgeModel ?? this.opts.providers.judgeModel);
        const cat = await categorizeResult(out, { evalCase, specEvaluators: evaluators, judge, useJudge });
        out.category = cat.category;
        out.categoryReason = cat.reason;
        out.categoryBasis = cat.basis;
      }
      return out;
    } catch (err) {
      if (isAbort(err, this.opts.signal)) throw err;
      return {
        ...base,
        ...(messages.length ? { messages } : {}),
        error: errorMessage(err),
        category: 'error',
        categoryReason: 'The call failed after retries (provider or transport), so the model was never judged.',
      };
    }
  }
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

/** Unknown `--variant` names are a usage error; returns the names that match none. */
export function unknownVariants(spec: PromptSpec, names: string[] | undefined): string[] {
  if (!names?.length) return [];
  const known = new Set(spec.variants.map((v) => v.name));
  return names.filter((n) => !known.has(n));
}

export async function runEval(spec: PromptSpec, options: RunOptions): Promise<{ record: RunRecord; path?: string }> {
  registerRagasEvaluators();
  // One internal signal for every call of the run (hundreds of listeners are expected on it).
  const internal = new AbortController();
  setMaxListeners(0, internal.signal);
  const abort = () => internal.abort();
  if (options.signal?.aborted) internal.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  const opts: RunOptions = { ...options, signal: internal.signal };
  try {
    return await runWith(spec, opts);
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}

async function runWith(spec: PromptSpec, opts: RunOptions): Promise<{ record: RunRecord; path?: string }> {
  const run = new Run(spec, opts);
  // the store is ours alone: a symlinked .promptladder refuses the run; a symlinked file in it is never opened
  const store = opts.write === false && opts.cache === false ? { warnings: [] } : await storeProblems(opts.storeRoot ?? opts.root);
  if (store.fatal) throw new StoreRefusedError(store.fatal);
  run.warnings.push(...store.warnings);
  const repeat = Math.max(1, Math.floor(opts.repeat ?? 1));
  const wanted = opts.variants?.length ? new Set(opts.variants) : undefined;
  const variants = spec.variants.filter((v) => !wanted || wanted.has(v.name));
  const caseSet = opts.caseIndexes ? new Set(opts.caseIndexes) : undefined;
  const cases = spec.cases.filter((c) => !caseSet || caseSet.has(c.index));
  const rel = (file: string) => path.relative(opts.root, file).split(path.sep).join('/') || path.basename(file);
  // one string per eval-set file, not one per case
  const relNames = new Map<string, string>();
  const relOf = (file: string) => {
    let r = relNames.get(file);
    if (r === undefined) relNames.set(file, (r = rel(file)));
    return r;
  };

  const caseRecords: CaseRecord[] = cases.map((c) => ({
    index: c.index,
    ...(c.file !== spec.file ? { file: relOf(c.file) } : {}),
    line: c.line,
    vars: c.vars,
    ...(c.expected !== undefined ? { expected: c.expected } : {}),
    ...(c.tags?.length ? { tags: c.tags } : {}),
    results: [],
  }));
  const variantInfo = variants.map((v) => ({
    name: v.name,
    model: variantModel(spec, v, opts.providers) ?? '(none)',
    shots: v.shots ?? 0,
    ...(v.retrieval ? { retrieval: true } : {}),
  }));
  const record: RunRecord = {
    version: 1,
    id: randomUUID(),
    startedAt: new Date().toISOString(),
    finishedAt: null,
    promptFile: rel(spec.file),
    promptName: spec.name,
    status: 'running',
    ...(opts.promptText !== undefined ? { promptHash: sha256Hex(opts.promptText) } : {}),
    ...(repeat > 1 ? { repeat } : {}),
    variants: summarizeVariants(variantInfo, caseRecords),
    cases: caseRecords,
    ...(spec.problems.length ? { problems: spec.problems.map((p) => formatProblem({ ...p, file: rel(p.file) })) } : {}),
    calls: 0,
  };

  const write = opts.write !== false;
  const filePath = write ? path.join(runsDir(opts.storeRoot ?? opts.root), runFileName(record)) : undefined;
  // A large run is streamed: a small header now and then, its cases appended to a JSONL in case order.
  const streamed = filePath !== undefined && cases.length > STREAMED_CASES;
  if (streamed) record.casesFile = casesFileOf(filePath);
  let writing: Promise<void> = Promise.resolve();
  const persist = () => {
    record.calls = run.calls;
    if (!filePath) return writing;
    // Serialize now (a consistent snapshot), write in the background; writes stay in order.
    flushCases();
    const text = serializeRun(record);
    const target = filePath;
    writing = writing.then(() => writeFileAtomic(target, text)).catch(() => undefined);
    return writing;
  };
  // Each case's results in variant order (then repeat) regardless of finishing order.
  const order = new Map(variants.map((v, i) => [v.name, i]));
  const sortResults = (c: CaseRecord) =>
    c.results.sort((a, b) => order.get(a.variant)! - order.get(b.variant)! || (a.repeat ?? 0) - (b.repeat ?? 0));
  const perCase = variants.length * repeat;
  let nextOut = 0;
  const outQueue: CaseRecord[] = [];
  /** Queues the cases finished in order so far (all of them at the end) for the JSONL. */
  const collect = (all: boolean) => {
    while (nextOut < caseRecords.length && (all || caseRecords[nextOut].results.length >= perCase)) {
      const c = caseRecords[nextOut++];
      sortResults(c);
      outQueue.push(c);
    }
  };
  function flushCases(): void {
    if (!streamed || !filePath || outQueue.length === 0) return;
    const batch = outQueue.splice(0);
    const target = filePath;
    // Serialized now; the in-memory copies then drop what only the file needs. The append waits for the
    // writes before it, so batches land in case order however slow the disk is.
    const text = caseLinesOf(batch);
    for (const c of batch) slimCase(c);
    writing = writing.then(() => appendCaseLines(target, text)).catch(() => undefined);
  }
  if (write) await persist();

  const total = cases.length * variants.length * repeat;
  opts.onEvent?.({
    type: 'run-started',
    runId: record.id,
    total,
    variants: variants.map((v) => v.name),
    caseCount: cases.length,
    record,
  });

  // Jobs in case-major order so early cells fill whole rows; workers pull from one iterator.
  function* jobs(): Generator<[number, VariantSpec, number, number]> {
    for (let r = 0; r < repeat; r++) for (let i = 0; i < cases.length; i++) for (let vi = 0; vi < variants.length; vi++) yield [i, variants[vi], r, vi];
  }
  const queue = jobs();
  const counts = { done: 0, passed: 0, failed: 0, errors: 0, cached: 0 };
  // the periodic header's summaries, kept as results arrive (the final ones are computed from the cases)
  const tally = write ? new VariantTally(variantInfo, cases.length * repeat, repeat) : undefined;
  let lastPersist = Date.now();
  let failure: unknown;
  const signal = opts.signal;

  // Jobs start on demand: what the endpoints' schedulers let through and a quarter more (at least 8), which
  // wait in their queues so a finished call is replaced at once (and slow start sees calls waiting). Never
  // hundreds of jobs that could never run: a prepared job waiting for a slot is memory the garbage collector
  // copies again and again.
  const demand = () =>
    opts.concurrency ? Math.max(opts.concurrency, 1) * 2 * Math.max(1, run.endpoints) : run.concurrency() + Math.max(8, Math.ceil(run.concurrency() / 4));
  const finished = (i: number, vi: number, r: number, result: CaseResult) => {
    caseRecords[i].results.push(result);
    tally?.add(vi, i * repeat + r, result);
    counts.done++;
    if (result.error) counts.errors++;
    else if (result.passed) counts.passed++;
    else counts.failed++;
    if (result.cached) counts.cached++;
    opts.onEvent?.({ type: 'case-finished', caseIndex: cases[i].index, result });
    opts.onEvent?.({ type: 'progress', total, ...counts });
    if (streamed) {
      collect(false);
      if (outQueue.length >= 500) flushCases();
    }
    if (write && Date.now() - lastPersist > 5000) {
      lastPersist = Date.now();
      if (tally) record.variants = tally.summaries();
      void persist();
    }
  };
  await new Promise<void>((allDone) => {
    let active = 0;
    let exhausted = false;
    const fill = () => {
      while (!exhausted && !signal?.aborted && !failure && active < demand()) {
        const next = queue.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        const [i, variant, r, vi] = next.value;
        active++;
        run.job(cases[i], variant, r).then(
          (result) => {
            active--;
            finished(i, vi, r, result);
            fill();
          },
          (err: unknown) => {
            active--;
            if (!isAbort(err, signal)) failure ??= err;
            fill();
          },
        );
      }
      if (active === 0) allDone();
    };
    fill();
  });

  for (const c of caseRecords) sortResults(c);
  if (streamed) collect(true);

  record.variants = summarizeVariants(variantInfo, caseRecords);
  if (run.warnings.length) record.problems = [...(record.problems ?? []), ...run.warnings];
  record.finishedAt = new Date().toISOString();
  record.calls = run.calls;
  if (failure) {
    record.status = 'failed';
    record.statusReason = errorMessage(failure);
  } else if (signal?.aborted) {
    record.status = 'cancelled';
  } else if (total > 0 && counts.errors === total) {
    record.status = 'failed';
    record.statusReason = firstError(caseRecords) ?? 'every call failed';
  } else {
    record.status = 'completed';
  }
  let relabelled: CaseRecord[] = [];
  try {
    // a column's evidence (chain of thought, self-repair, another model) overrules guessed categories
    relabelled = applyVariantEvidence(record, spec).cases;
    record.advice = advise(record, { spec });
  } catch {
    // advice is a bonus; a bug there must not lose the run
  }
  if (streamed && filePath && relabelled.length) {
    // Relabelled cases already in the JSONL get a new line there (readers take a case's last line); the ones
    // still queued are written as they are now by the last flush below. One writer at a time on the file.
    const queued = new Set(outQueue);
    const written = new Map(relabelled.filter((c) => !queued.has(c)).map((c) => [c.index, c]));
    await writing;
    try {
      await supersedeCases(filePath, new Set(written.keys()), (old) => rewrittenCase(old, written.get(old.index)!));
    } catch {
      // as with the other writes of the record: the run goes on without it
    }
  }
  if (write) await persist();
  await Promise.all([writing, run.flush()]);
  opts.onEvent?.({ type: 'run-finished', record, ...(filePath ? { path: filePath } : {}) });
  return { record, ...(filePath ? { path: filePath } : {}) };
}

/**
 * A case of a streamed run as its JSONL should now hold it: the line already written, with each result that
 * memory keeps whole (failures and errors, the only ones categorization changes) taken from memory. Passed
 * results are slim in memory (slimCase) and stay as written.
 */
function rewrittenCase(written: CaseRecord, now: CaseRecord): CaseRecord {
  return {
    ...written,
    results: written.results.map((r, k) => {
      const m = now.results[k];
      const same = m !== undefined && m.variant === r.variant && (m.repeat ?? 0) === (r.repeat ?? 0);
      return same && !(m.passed && !m.error) ? m : r;
    }),
  };
}

/**
 * A streamed run keeps, in memory, what the summary, the advice and the CLI's failure list read: a passed
 * result loses the messages sent and evaluator details (they are in the JSONL on disk). The slim result is a
 * new object: deleting properties would turn each one into a dictionary several times its size.
 */
function slimCase(c: CaseRecord): void {
  // a new array of the exact length too (one grown by push keeps room for 16)
  c.results = c.results.map((r) => (r.passed && !r.error ? slimResult(r) : r));
}

/**
 * Fields a passed result has, written in one literal so they all sit inside the object (model and score too:
 * every passed result of the engine has them); the rarer optional ones (repeat, answer, attempts, …) follow.
 */
const SLIM_FIXED = new Set(['variant', 'output', 'passed', 'error', 'category', 'categoryReason', 'latencyMs', 'tokens', 'costUsd', 'cached', 'evaluators', 'model', 'score', 'messages']);

function slimResult(r: CaseResult): CaseResult {
  const out: CaseResult = {
    variant: r.variant,
    output: r.output,
    passed: r.passed,
    error: r.error,
    category: r.category,
    categoryReason: r.categoryReason,
    latencyMs: r.latencyMs,
    tokens: slimTokens(r.tokens),
    costUsd: r.costUsd,
    cached: r.cached,
    evaluators: slimVerdicts(r.evaluators),
    model: r.model,
    score: r.score,
  };
  // a result without them must not gain keys (rare: a variant with no model never passes)
  if (!('model' in r)) delete out.model;
  if (!('score' in r)) delete out.score;
  for (const k of Object.keys(r) as (keyof CaseResult)[]) if (!SLIM_FIXED.has(k)) (out as Record<string, unknown>)[k] = r[k];
  return out;
}

type Verdict = CaseResult['evaluators'][number];

/** A passed result's evaluator verdicts without details and data: what a passed result keeps in memory. */
function slimVerdicts(list: Verdict[]): Verdict[] {
  return list.map((e) => ({ name: e.name, passed: e.passed, score: e.score, ...(e.category ? { category: e.category } : {}) }));
}

function slimTokens(t: CaseResult['tokens']): CaseResult['tokens'] {
  return { prompt: t.prompt, completion: t.completion };
}

function firstError(cases: CaseRecord[]): string | undefined {
  for (const c of cases) for (const r of c.results) if (r.error) return r.error;
  return undefined;
}
