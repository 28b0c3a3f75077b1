// Fine-tuning from the editor, the part that needs the `openai` package (loaded on first use through heavy.ts):
// which endpoint and key a prompt's model would use (the same resolution as runs: user-setting profiles, then
// the built-ins from the environment; keys from SecretStorage, then env), an OpenAI client for it, and the
// job calls of src/core/runs/fineTuneJob.ts. Only OpenAI, Azure OpenAI and OpenAI-compatible (`custom`)
// endpoints can fine-tune; `vscode/`, Ollama and GitHub Models models get a message saying so.

import OpenAI, { AzureOpenAI } from 'openai';
import { addVariant, freeVariantName } from '../editing/promptEdits';
import { OPENAI_DEFAULT_BASE_URL, AZURE_DEFAULT_API_VERSION } from '../../core/providers/openai';
import {
  cancelFineTuneJob,
  getFineTuneJob,
  startFineTuneJob,
  type FineTuneJobStatus,
  type StartFineTuneInput,
} from '../../core/finetune/jobs/openai';
import { createSettingsResolver, splitModelRef, type ResolverInputs } from '../providers/settingsResolver';
import { registerSecret } from '../../core/redact';

export type FineTuneEndpointKind = 'openai' | 'azure' | 'custom';

/** Where a fine-tuning job goes. Holds the key only in memory; never persisted. */
export interface FineTuneEndpoint {
  /** Provider prefix of the model reference ('openai', a profile name): the fine-tuned variant's prefix too. */
  providerName: string;
  kind: FineTuneEndpointKind;
  baseURL: string;
  apiKey?: string;
  apiVersion?: string;
  /** Model name as the API knows it ('gpt-4o-mini'). */
  model: string;
}

/** A model that cannot be fine-tuned through this endpoint, or a missing setting: shown as a message. */
export class FineTuneUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FineTuneUnsupportedError';
  }
}

const NOT_FINE_TUNABLE: Record<string, string> = {
  ollama: 'Ollama has no fine-tuning API',
  github: 'GitHub Models has no fine-tuning API',
};

/**
 * The endpoint a model reference fine-tunes on. Runs the editor's own resolver first, so a missing key or
 * profile gives the same message as a run would.
 */
export function resolveFineTuneEndpoint(ref: string, inputs: Omit<ResolverInputs, 'languageModels'>): FineTuneEndpoint {
  const { prefix, model } = splitModelRef(ref);
  if (prefix === 'vscode') {
    throw new FineTuneUnsupportedError(
      `The model "${ref}" is served by VS Code's Language Model API, which cannot fine-tune. Set the prompt's model to an OpenAI model (for example openai/gpt-4o-mini) to start a fine-tuning job.`,
    );
  }
  const { settings, keys, env } = inputs;
  const profile = settings.providers.find((p) => p.name === prefix);
  const kind = profile ? profile.kind : prefix;
  if (NOT_FINE_TUNABLE[kind]) {
    throw new FineTuneUnsupportedError(`The model "${ref}" cannot be fine-tuned: ${NOT_FINE_TUNABLE[kind]}. Use an OpenAI or Azure OpenAI model.`);
  }
  // Same errors as a run: no such provider, no key, no endpoint.
  createSettingsResolver({ settings, keys, env }).resolve(ref);
  if (profile) {
    const pk = profile.kind as FineTuneEndpointKind;
    const apiKey = keys.get(profile.name) ?? (pk === 'openai' ? env.OPENAI_API_KEY : pk === 'azure' ? env.AZURE_OPENAI_API_KEY : undefined);
    const baseURL =
      profile.baseURL ?? (pk === 'openai' ? (env.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL) : pk === 'azure' ? env.AZURE_OPENAI_ENDPOINT : undefined);
    if (!baseURL) throw new FineTuneUnsupportedError(`Profile "${profile.name}" has no baseURL in the user setting promptLadder.providers.`);
    return { providerName: profile.name, kind: pk, baseURL, apiKey, apiVersion: profile.apiVersion ?? env.OPENAI_API_VERSION, model };
  }
  if (prefix === 'openai') {
    return {
      providerName: 'openai',
      kind: 'openai',
      baseURL: env.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL,
      apiKey: keys.get('openai') ?? env.OPENAI_API_KEY,
      model,
    };
  }
  if (prefix === 'azure') {
    return {
      providerName: 'azure',
      kind: 'azure',
      baseURL: env.AZURE_OPENAI_ENDPOINT ?? '',
      apiKey: keys.get('azure') ?? env.AZURE_OPENAI_API_KEY,
      apiVersion: env.OPENAI_API_VERSION,
      model,
    };
  }
  throw new FineTuneUnsupportedError(`The model "${ref}" has no fine-tunable provider.`);
}

/** An `openai` client for the endpoint. Without a key no Authorization header is sent. */
export function createFineTuneClient(ep: FineTuneEndpoint): OpenAI {
  registerSecret(ep.apiKey);
  const headers: Record<string, string | null> = {};
  if (!ep.apiKey) {
    headers.Authorization = null;
    headers['api-key'] = null;
  }
  const common = {
    maxRetries: 2,
    timeout: 120_000,
    defaultHeaders: headers,
    organization: null,
    project: null,
    logLevel: 'off' as const,
  };
  const baseURL = ep.baseURL.replace(/\/+$/, '');
  return ep.kind === 'azure'
    ? new AzureOpenAI({ ...common, endpoint: baseURL, apiKey: ep.apiKey || 'none', apiVersion: ep.apiVersion ?? AZURE_DEFAULT_API_VERSION })
    : new OpenAI({ ...common, baseURL, apiKey: ep.apiKey || 'none' });
}

export function startJob(ep: FineTuneEndpoint, input: Omit<StartFineTuneInput, 'model'>, signal?: AbortSignal): Promise<FineTuneJobStatus> {
  return startFineTuneJob(createFineTuneClient(ep), { ...input, model: ep.model }, signal);
}

export function getJob(ep: FineTuneEndpoint, id: string, signal?: AbortSignal): Promise<FineTuneJobStatus> {
  return getFineTuneJob(createFineTuneClient(ep), id, signal);
}

export function cancelJob(ep: FineTuneEndpoint, id: string): Promise<FineTuneJobStatus> {
  return cancelFineTuneJob(createFineTuneClient(ep), id);
}

/** The prompt file's text with a zero-shot variant running the fine-tuned model (comments kept). */
export function addFineTunedVariant(
  text: string,
  modelRef: string,
  opts: { prompty?: boolean; name?: string } = {},
): { text: string; changed: boolean; notes: string[] } {
  const prompty = opts.prompty ?? false;
  try {
    const name = freeVariantName(text, opts.name ?? 'fine-tuned', prompty);
    return { text: addVariant(text, { name, model: modelRef, shots: 0 }, { prompty }), changed: true, notes: [] };
  } catch (err) {
    return { text, changed: false, notes: [err instanceof Error ? err.message : String(err)] };
  }
}

/** A short, safe description of a failed API call (never the key). */
export function describeApiError(err: unknown, ep: FineTuneEndpoint): string {
  let msg = err instanceof Error ? err.message : String(err);
  if (ep.apiKey) msg = msg.split(ep.apiKey).join('***');
  const status = (err as { status?: number }).status;
  if (status === 401 || status === 403) return `${ep.providerName}: the API key was rejected (${status}). Run "Prompt Ladder: Set API Key" (${ep.providerName}).`;
  return `${ep.providerName}: ${msg}`;
}
