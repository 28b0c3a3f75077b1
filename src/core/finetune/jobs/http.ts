// The HTTP calls of the adapters that have no SDK here (Mistral, Together): JSON and multipart requests with a
// bearer key through fetch, and the platform's error body turned into one line without the key.

import { FineTuneJobError, type JobPlatform } from './adapter';

export interface PlatformEndpoint {
  /** Base URL including the version path ('https://api.mistral.ai/v1'). */
  baseURL: string;
  apiKey?: string;
}

function messageOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const o = body as Record<string, unknown>;
  const err = o.error;
  if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') return (err as { message: string }).message;
  if (typeof err === 'string') return err;
  if (typeof o.message === 'string') return o.message;
  if (Array.isArray(o.detail)) return o.detail.map((d: { msg?: string }) => d.msg ?? JSON.stringify(d)).join('; ');
  if (typeof o.detail === 'string') return o.detail;
  return undefined;
}

export async function callPlatform<T>(
  platform: JobPlatform,
  ep: PlatformEndpoint,
  method: 'GET' | 'POST',
  route: string,
  body?: Record<string, unknown> | FormData,
  signal?: AbortSignal,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (ep.apiKey) headers.authorization = `Bearer ${ep.apiKey}`;
  let payload: string | FormData | undefined;
  if (body instanceof FormData) payload = body;
  else if (body) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(`${ep.baseURL.replace(/\/+$/, '')}${route}`, { method, headers, body: payload, signal });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new FineTuneJobError(`${platform}: cannot reach ${new URL(ep.baseURL).host} (${(e as Error).message})`, platform);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    let msg = messageOf(parsed) ?? (text.slice(0, 200) || res.statusText);
    if (ep.apiKey) msg = msg.split(ep.apiKey).join('***');
    if (res.status === 401 || res.status === 403) throw new FineTuneJobError(`${platform}: the API key was rejected (${res.status}: ${msg}).`, platform, res.status);
    throw new FineTuneJobError(`${platform}: ${method} ${route} failed (${res.status}): ${msg}`, platform, res.status);
  }
  if (parsed === undefined) throw new FineTuneJobError(`${platform}: ${method} ${route} answered with no JSON body`, platform, res.status);
  return parsed as T;
}

/** A multipart body holding a JSONL file and the given text fields. */
export function fileForm(content: string, filename: string, fields: Record<string, string>): FormData {
  const form = new FormData();
  form.append('file', new Blob([content], { type: 'application/jsonl' }), filename);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return form;
}
