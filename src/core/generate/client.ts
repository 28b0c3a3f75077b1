// Model calls of test-case generation: through the provider layer and one Scheduler per endpoint (so retries,
// back-off, timeouts, keys and cancellation behave as in an eval run), no response cache (a second generation
// should bring new cases, not the same ones). JSON steps ask for structured output where the endpoint has it,
// validate the reply with zod and ask once more on a shape error.

import type * as z from 'zod';
import type { ChatMessage, ModelParameters, ResponseFormat } from '../prompt/spec';
import { type ChatRequest, type ProviderResolver, type ResolvedModel, type TokenUsage } from '../providers/provider';
import { Scheduler } from '../providers/scheduler';
import { jsonSchemaOf, shapeProblem } from './schemas';
import { shapeRetryMessage } from './prompts';

export type GenerationErrorKind = 'usage' | 'shape' | 'provider' | 'cancelled' | 'write';

/** Why a generation stopped. The message is one line, fit to print as is. */
export class GenerationError extends Error {
  constructor(
    message: string,
    readonly kind: GenerationErrorKind,
  ) {
    super(message);
    this.name = 'GenerationError';
  }
}

export interface ClientOptions {
  providers: ProviderResolver;
  signal?: AbortSignal;
  concurrency?: number;
  timeoutMs?: number;
  retry?: { maxRetries?: number; baseDelayMs?: number; maxDelayMs?: number };
}

/** Endpoint kinds whose OpenAI-compatible API accepts `response_format: json_schema`. */
const STRUCTURED_KINDS = new Set(['openai', 'azure', 'github', 'ollama']);

function isAbort(err: unknown, signal?: AbortSignal): boolean {
  return Boolean(signal?.aborted) || (err instanceof Error && (err.name === 'AbortError' || err.name === 'APIUserAbortError'));
}

/** The JSON object in a reply: as is, inside a code fence, or the outermost {...}. */
export function extractJson(text: string): unknown {
  const t = text.trim();
  const fenced = /^```[\w-]*\s*\n([\s\S]*?)\n?```\s*$/.exec(t);
  const body = fenced ? fenced[1].trim() : t;
  try {
    return JSON.parse(body);
  } catch {
    const start = body.indexOf('{');
    const end = body.lastIndexOf('}');
    if (start >= 0 && end > start) return JSON.parse(body.slice(start, end + 1));
    throw new SyntaxError('not JSON');
  }
}

export class StepClient {
  private readonly schedulers = new Map<string, Scheduler>();
  private readonly noStructured = new Set<string>();
  private readonly resolved = new Map<string, ResolvedModel>();
  readonly usage: TokenUsage = { prompt: 0, completion: 0 };
  calls = 0;

  constructor(private readonly opts: ClientOptions) {}

  get signal(): AbortSignal | undefined {
    return this.opts.signal;
  }

  resolve(ref: string): ResolvedModel {
    let r = this.resolved.get(ref);
    if (!r) {
      try {
        r = this.opts.providers.resolve(ref);
      } catch (err) {
        throw new GenerationError(`model ${ref}: ${err instanceof Error ? err.message : String(err)}`, 'usage');
      }
      this.resolved.set(ref, r);
    }
    return r;
  }

  private scheduler(key: string): Scheduler {
    let s = this.schedulers.get(key);
    if (!s) {
      s = new Scheduler({
        ...(this.opts.concurrency ? { maxConcurrency: this.opts.concurrency } : {}),
        ...(this.opts.timeoutMs ? { timeoutMs: this.opts.timeoutMs } : {}),
        ...this.opts.retry,
      });
      this.schedulers.set(key, s);
    }
    return s;
  }

  /** One chat call; provider failures and cancellation become GenerationErrors naming the step. */
  async chat(step: string, model: ResolvedModel, request: ChatRequest): Promise<string> {
    const signal = this.opts.signal;
    if (signal?.aborted) throw new GenerationError('cancelled', 'cancelled');
    this.calls++;
    try {
      const res = await this.scheduler(model.provider.endpointKey).run((s) => model.provider.chat(request, s), signal);
      this.usage.prompt += res.usage.prompt;
      this.usage.completion += res.usage.completion;
      return res.text;
    } catch (err) {
      if (isAbort(err, signal)) throw new GenerationError('cancelled', 'cancelled');
      throw err;
    }
  }

  private async chatOrFail(step: string, model: ResolvedModel, request: ChatRequest): Promise<string> {
    try {
      return await this.chat(step, model, request);
    } catch (err) {
      if (err instanceof GenerationError) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      throw new GenerationError(`${step}: ${model.ref}: ${msg.split('\n')[0]}`, 'provider');
    }
  }

  /** A JSON step: structured output where offered, the reply validated with `schema`, one retry on a wrong shape. */
  async json<T>(
    step: string,
    model: ResolvedModel,
    messages: ChatMessage[],
    schema: z.ZodType<T>,
    params: ModelParameters = { temperature: 0 },
  ): Promise<T> {
    const key = model.provider.endpointKey;
    const kind = key.split(':')[0];
    const structured = STRUCTURED_KINDS.has(kind) && !this.noStructured.has(key);
    const responseFormat: ResponseFormat | undefined = structured
      ? { type: 'json_schema', name: step.replace(/[^\w-]+/g, '_'), schema: jsonSchemaOf(schema) }
      : undefined;
    let convo = messages;
    let problem = '';
    for (let attempt = 0; attempt < 2; attempt++) {
      const request: ChatRequest = { model: model.model, messages: convo, params, ...(responseFormat && !this.noStructured.has(key) ? { responseFormat } : {}) };
      let text: string;
      try {
        text = await this.chatOrFail(step, model, request);
      } catch (err) {
        // An endpoint that refuses structured output (HTTP 400 naming response_format) is asked again without it.
        const cause = err instanceof GenerationError ? err : undefined;
        if (request.responseFormat && cause?.kind === 'provider' && /\b400\b|response_format|json_schema/i.test(cause.message)) {
          this.noStructured.add(key);
          text = await this.chatOrFail(step, model, { ...request, responseFormat: undefined });
        } else throw err;
      }
      let value: unknown;
      try {
        value = extractJson(text);
      } catch {
        problem = `not JSON (${JSON.stringify(text.trim().slice(0, 60))})`;
        convo = [...messages, { role: 'assistant', content: text }, shapeRetryMessage(problem)];
        continue;
      }
      const parsed = schema.safeParse(value);
      if (parsed.success) return parsed.data;
      problem = shapeProblem(parsed.error);
      convo = [...messages, { role: 'assistant', content: text }, shapeRetryMessage(problem)];
    }
    throw new GenerationError(`${step}: the model's reply had the wrong shape twice (${problem}); nothing was written`, 'shape');
  }

  /** Embeddings for duplicate detection, through the endpoint's scheduler. */
  async embed(model: ResolvedModel, texts: string[], fn: NonNullable<ResolvedModel['provider']['embed']>): Promise<number[][]> {
    const signal = this.opts.signal;
    this.calls++;
    try {
      return await this.scheduler(model.provider.endpointKey).run((s) => fn.call(model.provider, texts, model.model, s), signal);
    } catch (err) {
      if (isAbort(err, signal)) throw new GenerationError('cancelled', 'cancelled');
      throw err;
    }
  }

  /** A plain-text call (groundtruth). */
  async text(step: string, model: ResolvedModel, request: Omit<ChatRequest, 'model'>): Promise<string> {
    return (await this.chatOrFail(step, model, { ...request, model: model.model })).trim();
  }
}

