// The OpenAI-compatible provider (OpenAI, Azure OpenAI, Ollama, GitHub Models, any compatible endpoint),
// built on the `openai` package. It makes exactly one HTTP attempt per call (`maxRetries: 0`): retries,
// back-off and timeouts belong to the Scheduler. Every failure becomes a ProviderError.
//
// Error policy:
// - retryable: HTTP 408, 409, 429, 5xx, connection errors (refused, reset), client timeouts, and a
//   garbage body (not JSON, truncated, an HTML page, no `choices`). The garbage case carries code
//   'malformed_response' and is retried like a 5xx (a proxy's error page is as transient as a 502).
// - not retryable: other 4xx (bad request, not found), anything else. 401/403 say "the key for X was
//   refused" (code 'key_refused'): the engine then stops calling that endpoint for the rest of the run.
// - the caller's AbortSignal aborts the HTTP request; the call then rejects with `signal.reason`
//   (an AbortError, or whatever reason the caller gave, e.g. the Scheduler's timeout error).
// Keys are never logged and never part of an error message: every key is registered with the redactor
// (src/core/redact.ts), which also masks a key a server echoes back, whatever its length.

import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, AzureOpenAI, OpenAI } from 'openai';
import type { ModelParameters, ResponseFormat } from '../prompt/spec';
import { httpFetch } from './httpFetch';
import type { ChatRequest, ChatResult, Provider } from './provider';
import { ProviderError } from './provider';
import { redact, registerSecret } from '../redact';

export type OpenAIProviderKind = 'openai' | 'azure' | 'ollama' | 'github' | 'custom';

export interface OpenAIProviderOptions {
  kind: OpenAIProviderKind;
  /** Base URL including the version path ('https://api.openai.com/v1'). For Azure: the resource endpoint. */
  baseURL?: string;
  /** Without a key no Authorization header is sent. */
  apiKey?: string;
  label?: string;
  /** Azure API version. */
  apiVersion?: string;
  defaultHeaders?: Record<string, string>;
  /** Added to 401/403 messages, e.g. 'check OPENAI_API_KEY'. Must not contain the key itself. */
  keyHint?: string;
  /** An OpenAI-compatible endpoint that also runs Batch API jobs (OpenAI and Azure OpenAI always do). */
  batchApi?: boolean;
}

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
export const AZURE_DEFAULT_API_VERSION = '2024-10-21';
/** The client-side timeout is only a backstop; the Scheduler's per-attempt timeout is the real one. */
const CLIENT_TIMEOUT_MS = 10 * 60 * 1000;

const KIND_LABELS: Record<OpenAIProviderKind, string> = {
  openai: 'OpenAI',
  azure: 'Azure OpenAI',
  ollama: 'Ollama',
  github: 'GitHub Models',
  custom: 'OpenAI-compatible',
};

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function camelToSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Models that reject `max_tokens` and want `max_completion_tokens` (reasoning models). */
function wantsMaxCompletionTokens(model: string): boolean {
  return /^(o\d|gpt-5)/i.test(model.replace(/^.*\//, ''));
}

/** Maps camelCase ModelParameters to the request body's snake_case fields. Undefined values are dropped. */
export function toRequestParams(params: ModelParameters, model: string, kind: OpenAIProviderKind): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (key === 'maxTokens') {
      const reasoning = (kind === 'openai' || kind === 'azure') && wantsMaxCompletionTokens(model);
      out[reasoning ? 'max_completion_tokens' : 'max_tokens'] = value;
    } else {
      out[camelToSnake(key)] = value;
    }
  }
  return out;
}

/** Maps our ResponseFormat to the API's response_format. */
export function toResponseFormat(rf: ResponseFormat | undefined): Record<string, unknown> | undefined {
  if (!rf || rf.type === 'text') return undefined;
  if (rf.type === 'json_object') return { type: 'json_object' };
  return {
    type: 'json_schema',
    json_schema: { name: rf.name, schema: rf.schema, ...(rf.strict !== undefined ? { strict: rf.strict } : {}) },
  };
}

type HeaderSource = { get(name: string): string | null } | Record<string, string | string[] | undefined> | undefined;

function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const v = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Reads `retry-after-ms` (milliseconds) or `retry-after` (seconds or an HTTP date). */
export function parseRetryAfter(headers: HeaderSource, now: number = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && ms.trim() !== '') {
    const n = Number(ms);
    if (Number.isFinite(n) && n >= 0) return n;
  }
  const ra = header(headers, 'retry-after');
  if (ra !== undefined && ra.trim() !== '') {
    const n = Number(ra);
    if (Number.isFinite(n) && n >= 0) return n * 1000;
    const date = Date.parse(ra);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  return undefined;
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 6 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
    const inner = (e as { errors?: unknown[] }).errors;
    e = (e as { cause?: unknown }).cause ?? (Array.isArray(inner) ? inner[0] : undefined);
  }
  return undefined;
}

const CONNECTION_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the server running?)',
  ECONNRESET: 'connection reset',
  UND_ERR_SOCKET: 'connection closed by the server',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host lookup failed',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
};

/**
 * Converts anything the `openai` package (or fetch) throws into a ProviderError.
 * `label` names the endpoint in the message; `apiKey` is only used to redact it from the message.
 */
export function toProviderError(err: unknown, ctx: { label: string; apiKey?: string; keyHint?: string }): ProviderError {
  if (err instanceof ProviderError) return err;
  const say = (m: string): string => redact(`${ctx.label}: ${m}`, [ctx.apiKey]);
  if (err instanceof APIConnectionTimeoutError) {
    return new ProviderError(say('request timed out'), { retryable: true, code: 'timeout' });
  }
  if (err instanceof APIConnectionError) {
    const code = causeCode(err);
    const what = (code && CONNECTION_WORDS[code]) ?? `connection failed${code ? ` (${code})` : ''}`;
    // A host that does not exist will not appear on retry; everything else may be transient.
    return new ProviderError(say(what), { retryable: code !== 'ENOTFOUND', code: code ?? 'connection' });
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    const status = err.status;
    const body = err.error as { message?: unknown } | undefined;
    const detail = typeof body?.message === 'string' ? body.message : err.message.replace(/^\d+\s*/, '');
    if (status === 401 || status === 403) {
      const why = `the key for ${ctx.label} was refused (HTTP ${status}${detail ? `: ${detail}` : ''})${ctx.keyHint ? `: ${ctx.keyHint}` : ''}`;
      return new ProviderError(redact(why, [ctx.apiKey]), { status, retryable: false, code: 'key_refused' });
    }
    const msg = `HTTP ${status}${detail ? ` ${detail}` : ''}`;
    return new ProviderError(say(msg), {
      status,
      retryable: isRetryableStatus(status),
      retryAfterMs: parseRetryAfter(err.headers as HeaderSource),
      code: typeof err.code === 'string' ? err.code : undefined,
    });
  }
  if (err instanceof SyntaxError) {
    return new ProviderError(say('malformed response (invalid JSON)'), { retryable: true, code: 'malformed_response' });
  }
  const code = causeCode(err);
  if (code && code !== 'ENOTFOUND') {
    return new ProviderError(say(CONNECTION_WORDS[code] ?? `connection failed (${code})`), { retryable: true, code });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ProviderError(say(message), { retryable: false });
}

/** The JSON body of a chat completion request: what a live call sends and what a Batch API line carries. */
export function chatRequestBody(req: ChatRequest, kind: OpenAIProviderKind): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ...toRequestParams(req.params ?? {}, req.model, kind),
    model: req.model,
    messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
  };
  const rf = toResponseFormat(req.responseFormat);
  if (rf) body.response_format = rf;
  return body;
}

function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof Error) return r;
  return new DOMException(typeof r === 'string' ? r : 'The operation was aborted', 'AbortError');
}

/** Where an endpoint is: its base URL (no trailing slash), the label messages name it by, and its identity for scheduling and the cache. */
interface Endpoint {
  kind: OpenAIProviderKind;
  baseURL: string;
  label: string;
  apiVersion: string;
  endpointKey: string;
}

function endpointOf(opts: OpenAIProviderOptions): Endpoint {
  const kind = opts.kind;
  const baseURL = (opts.baseURL ?? (kind === 'openai' ? OPENAI_DEFAULT_BASE_URL : '')).replace(/\/+$/, '');
  if (!baseURL) throw new ProviderError(`${KIND_LABELS[kind]}: no endpoint URL configured`, { retryable: false, code: 'config' });
  const label = opts.label ?? (kind === 'openai' && baseURL === OPENAI_DEFAULT_BASE_URL ? 'OpenAI' : `${KIND_LABELS[kind]} (${hostOf(baseURL)})`);
  const apiVersion = opts.apiVersion ?? AZURE_DEFAULT_API_VERSION;
  const endpointKey = kind === 'azure' ? `azure:${baseURL}?api-version=${apiVersion}` : `${kind}:${baseURL}`;
  return { kind, baseURL, label, apiVersion, endpointKey };
}

/** The endpoint's `openai` client: one attempt per call, no logging, our transport, nothing read from the environment. */
function clientOf(endpoint: Endpoint, opts: OpenAIProviderOptions): OpenAI {
  const apiKey = opts.apiKey;
  // Null headers remove what the client would add: no Authorization without a key, and nothing the
  // `openai` package would otherwise read from the environment (organization, project).
  const headers: Record<string, string | null> = { ...(opts.defaultHeaders ?? {}) };
  if (!apiKey) {
    headers.Authorization = null;
    headers['api-key'] = null;
  }
  const common = {
    maxRetries: 0,
    timeout: CLIENT_TIMEOUT_MS,
    defaultHeaders: headers,
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    // Errors are reported as ProviderErrors; the client's own logging (OPENAI_LOG) stays off.
    logLevel: 'off' as const,
    fetch: httpFetch,
  };
  return endpoint.kind === 'azure'
    ? // baseURL: null, or the SDK reads OPENAI_BASE_URL itself and refuses it beside `endpoint` ("mutually exclusive")
      new AzureOpenAI({ ...common, baseURL: null, endpoint: endpoint.baseURL, apiKey: apiKey || 'none', apiVersion: endpoint.apiVersion })
    : new OpenAI({ ...common, baseURL: endpoint.baseURL, apiKey: apiKey || 'none' });
}

/** A chat completion as a ChatResult; a body that parsed but is not a completion (an HTML page served as 200, `{}`, `{"choices": []}`) is a retryable malformed response. */
function chatResultOf(res: OpenAI.Chat.ChatCompletion, label: string): ChatResult {
  const choices = res && typeof res === 'object' ? (res as { choices?: unknown }).choices : undefined;
  if (!Array.isArray(choices) || choices.length === 0 || !choices[0] || typeof choices[0] !== 'object' || !(choices[0] as { message?: unknown }).message) {
    const what = typeof res === 'string' ? (/^\s*</.test(res) ? 'an HTML page instead of JSON' : 'not JSON') : 'no choices';
    throw new ProviderError(`${label}: malformed response (${what})`, { retryable: true, code: 'malformed_response' });
  }
  const msg = res.choices[0].message;
  return {
    text: msg?.content ?? msg?.refusal ?? '',
    usage: { prompt: res.usage?.prompt_tokens ?? 0, completion: res.usage?.completion_tokens ?? 0 },
    model: res.model,
  };
}

/** Embedding vectors in the order of the texts (by each item's `index`). */
function vectorsOf(res: OpenAI.CreateEmbeddingResponse, count: number, label: string): number[][] {
  if (!res || !Array.isArray(res.data)) {
    throw new ProviderError(`${label}: malformed embeddings response`, { retryable: true, code: 'malformed_response' });
  }
  const out = new Array<number[]>(count);
  res.data.forEach((d, i) => {
    out[typeof d.index === 'number' ? d.index : i] = Array.from(d.embedding as ArrayLike<number>);
  });
  return out;
}

export function createOpenAIProvider(opts: OpenAIProviderOptions): Provider {
  const endpoint = endpointOf(opts);
  const { kind, label, endpointKey } = endpoint;
  registerSecret(opts.apiKey);
  const client = clientOf(endpoint, opts);
  const ctx = { label, apiKey: opts.apiKey, keyHint: opts.keyHint };

  async function call<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    if (signal.aborted) throw abortReason(signal);
    try {
      return await fn();
    } catch (err) {
      if (signal.aborted) throw abortReason(signal);
      if (err instanceof APIUserAbortError) throw new DOMException('The operation was aborted', 'AbortError');
      throw toProviderError(err, ctx);
    }
  }

  return {
    endpointKey,
    label,
    // OpenAI and Azure OpenAI run Batch API jobs; Azure's lines address the deployment by `model` under '/chat/completions'.
    ...(kind === 'openai' || kind === 'azure' || opts.batchApi
      ? {
          batch: {
            url: kind === 'azure' ? '/chat/completions' : '/v1/chat/completions',
            body: (req: ChatRequest) => chatRequestBody(req, kind),
            client,
            error: (err: unknown) => toProviderError(err, ctx),
          },
        }
      : {}),
    async chat(req: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
      const body = chatRequestBody(req, kind) as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
      return chatResultOf(await call(signal, () => client.chat.completions.create(body, { signal })), label);
    },
    async embed(texts: string[], model: string, signal: AbortSignal): Promise<number[][]> {
      if (texts.length === 0) return [];
      return vectorsOf(await call(signal, () => client.embeddings.create({ model, input: texts }, { signal })), texts.length, label);
    },
  };
}
