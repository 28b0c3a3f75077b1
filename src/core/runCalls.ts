// The calls of one engine run: model references resolved once, one scheduler per endpoint (a refused key stops
// its endpoint), the response cache in front of every chat and embedding call, judge clients for evaluators,
// and one retriever per distinct retrieval setting.

import * as path from 'node:path';
import type { ChatMessage, PromptSpec, VariantSpec, ModelParameters } from './prompt/spec';
import type { ChatRequest, Provider, ResolvedModel } from './providers/provider';
import { ProviderError } from './providers/provider';
import type { JudgeClient } from './evaluators/evaluator';
import type { CallOrigin, TimedChatResult } from './providers/executor';
import { Scheduler } from './providers/scheduler';
import { DEFAULT_TIMEOUT_SECONDS, TIMEOUT_KNOBS, formatSeconds } from './providers/timeout';
import { ResponseCache } from './providers/cache';
import { buildRetriever, effectiveRetrieval, type Retriever } from './retrieval/retriever';
import { cacheDir } from './runs/store';
import type { RunOptions } from './engine';
import { StoreDamage, describeIoError } from './faults';

const ABORT = 'AbortError';

export function isAbort(err: unknown, signal?: AbortSignal): boolean {
  return Boolean(signal?.aborted) || (err instanceof Error && (err.name === ABORT || err.name === 'APIUserAbortError'));
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

type CachedChat = TimedChatResult;

/** What one engine run calls, shared by its jobs: models resolved once, a scheduler per endpoint, the cache, judges and retrievers. */
export class RunCalls {
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
    readonly spec: PromptSpec,
    readonly opts: RunOptions,
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
    // the key (a hash of the whole request) only for the cache or an executor that names requests by it
    const key = this.cache || this.opts.executor ? ResponseCache.keyOf({ endpoint: resolved.provider.endpointKey, request, repeat }) : '';
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

  /**
   * The cache's faults in this run, in one line: a write that failed (those answers are not cached) and the
   * damaged lines it skipped. Undefined when there were none.
   */
  cacheProblem(): string | undefined {
    if (!this.cache) return undefined;
    const parts: string[] = [];
    const failed = this.cache.writeFailure;
    if (failed) parts.push(`cannot write the response cache ${failed.file}: ${describeIoError(failed.err)}; answers of this run are not cached`);
    const damage = new StoreDamage();
    for (const [file, n] of this.cache.damaged) damage.add('damaged cache line', file, n);
    const skipped = damage.summary();
    if (skipped) parts.push(skipped);
    return parts.length ? parts.join('; ') : undefined;
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
}
