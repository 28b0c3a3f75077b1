// The provider boundary: what the engine needs from any model backend (OpenAI-compatible over HTTP,
// or VS Code's Language Model API supplied by the extension).

import type { OpenAI } from 'openai';
import type { ChatMessage, ModelParameters, ResponseFormat } from '../prompt/spec';

export interface ChatRequest {
  /** Model name as the provider knows it (prefix like 'openai/' already stripped). */
  model: string;
  messages: ChatMessage[];
  params: ModelParameters;
  responseFormat?: ResponseFormat;
}

export interface TokenUsage {
  prompt: number;
  completion: number;
}

export interface ChatResult {
  text: string;
  usage: TokenUsage;
  /** Model name the provider reports, when it does. */
  model?: string;
}

export interface Provider {
  /** Stable identity of the endpoint for cache keys and scheduling, e.g. 'openai:https://api.openai.com/v1'. Never contains a key. */
  readonly endpointKey: string;
  /** Human label, e.g. 'OpenAI', 'Ollama (localhost:11434)'. */
  readonly label: string;
  chat(req: ChatRequest, signal: AbortSignal): Promise<ChatResult>;
  /** Present when the endpoint offers embeddings. */
  embed?(texts: string[], model: string, signal: AbortSignal): Promise<number[][]>;
  /** Present when the endpoint runs Batch API jobs (OpenAI, Azure OpenAI). */
  readonly batch?: BatchSupport;
}

/** What the Batch API path needs from an endpoint. */
export interface BatchSupport {
  /** The `url` of an input line: '/v1/chat/completions' (Azure: '/chat/completions'). */
  readonly url: '/v1/chat/completions' | '/chat/completions';
  /** The JSON body a live chat call sends for this request (the same code builds both). */
  body(req: ChatRequest): Record<string, unknown>;
  /** The endpoint's `openai` client: files and batches are called through it. */
  readonly client: OpenAI;
  /** What the client throws, as a ProviderError naming the endpoint (never the key). */
  error(err: unknown): ProviderError;
}

/** A model string resolved to the provider that serves it. */
export interface ResolvedModel {
  provider: Provider;
  /** Model name to send. */
  model: string;
  /** The string as the user wrote it ('openai/gpt-4o-mini'), used in records. */
  ref: string;
}

/** Turns a model string into a provider. The CLI builds one from env; the extension from settings + SecretStorage. */
export interface ProviderResolver {
  resolve(modelRef: string): ResolvedModel;
  /** The model used when a prompt names none (and for judges when no judge model is set). */
  readonly defaultModel?: string;
  /** Model for LLM-judged evaluators and category judging; falls back to the evaluator's own model, then defaultModel. */
  readonly judgeModel?: string;
  /** Embedding model for `similar` selection/evaluators and retrieval, when configured. */
  readonly embeddingModel?: string;
}

/**
 * A failed provider call. `status` is the HTTP status when there was one; `retryAfterMs` comes from
 * retry-after-ms / retry-after headers. `retryable` marks 429, 5xx, timeouts and connection resets.
 */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly opts: { status?: number; retryAfterMs?: number; retryable: boolean; code?: string } = { retryable: false },
  ) {
    super(message);
    this.name = 'ProviderError';
  }
  get status(): number | undefined {
    return this.opts.status;
  }
  get retryable(): boolean {
    return this.opts.retryable;
  }
  get retryAfterMs(): number | undefined {
    return this.opts.retryAfterMs;
  }
}
