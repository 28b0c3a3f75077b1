// Fine-tuning from the editor, the part that needs the `openai` package (loaded on first use through heavy.ts):
// which endpoint and key a prompt's model would use (the same resolution as runs: user-setting profiles, then
// the built-ins from the environment; keys from SecretStorage, then env), an OpenAI client for it, and the
// job adapter of its platform (src/core/finetune/jobs): OpenAI, Azure OpenAI and OpenAI-compatible (`custom`)
// endpoints through the `openai` package, Mistral and Together (custom profiles on their hosts, or with
// `fineTuning` set) through their own job APIs. `vscode/`, Ollama and GitHub Models models get a message saying
// where they could fine-tune instead.

import OpenAI, { AzureOpenAI } from 'openai';
import { addVariant, freeVariantName } from '../editing/promptEdits';
import { OPENAI_DEFAULT_BASE_URL, AZURE_DEFAULT_API_VERSION } from '../../core/providers/openai';
import { openaiAdapter } from '../../core/finetune/jobs/openai';
import { mistralAdapter } from '../../core/finetune/jobs/mistral';
import { togetherAdapter } from '../../core/finetune/jobs/together';
import { FineTuneJobError, type FineTuneJobAdapter, type FineTuneJobStatus, type StartFineTuneInput } from '../../core/finetune/jobs/adapter';
import { ALTERNATIVES_TEXT } from '../../core/finetune/venues';
import type { ProviderProfile } from '../settings';
import { FORMATS, FORMAT_NAMES } from '../../core/finetune/formats/registry';
import type { FormatName } from '../../core/finetune/formats/format';
import { exportFiles, type ExportFile } from '../../core/finetune/files';
export { exportBaseOf, trainFileName } from '../../core/finetune/files';
import { DEFAULT_EPOCHS, type FineTuneExport } from '../../core/finetune/dataset';
import { createSettingsResolver, splitModelRef, type ResolverInputs } from '../providers/settingsResolver';
import { registerSecret } from '../../core/redact';

export type FineTuneEndpointKind = 'openai' | 'azure' | 'custom' | 'mistral' | 'together';

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

/** The job API of a profile: its kind, or for a custom endpoint its `fineTuning` setting, else its host. */
export function fineTuneKindOf(profile: ProviderProfile): FineTuneEndpointKind {
  if (profile.kind === 'openai' || profile.kind === 'azure') return profile.kind;
  if (profile.fineTuning && profile.fineTuning !== 'openai') return profile.fineTuning;
  if (profile.fineTuning === 'openai') return 'custom';
  let host: string;
  try {
    host = profile.baseURL ? new URL(profile.baseURL).hostname : '';
  } catch {
    host = '';
  }
  if (host === 'api.mistral.ai') return 'mistral';
  if (host === 'api.together.xyz' || host === 'api.together.ai') return 'together';
  return 'custom';
}

/**
 * The endpoint a model reference fine-tunes on. Runs the editor's own resolver first, so a missing key or
 * profile gives the same message as a run would.
 */
export function resolveFineTuneEndpoint(ref: string, inputs: Omit<ResolverInputs, 'languageModels'>): FineTuneEndpoint {
  const { prefix, model } = splitModelRef(ref);
  if (prefix === 'vscode') {
    throw new FineTuneUnsupportedError(
      `The model "${ref}" is served by VS Code's Language Model API, which cannot fine-tune. Instead: ${ALTERNATIVES_TEXT}.`,
    );
  }
  const { settings, keys, env } = inputs;
  const profile = settings.providers.find((p) => p.name === prefix);
  const kind = profile ? profile.kind : prefix;
  if (NOT_FINE_TUNABLE[kind]) {
    throw new FineTuneUnsupportedError(`The model "${ref}" cannot be fine-tuned: ${NOT_FINE_TUNABLE[kind]}. Instead: ${ALTERNATIVES_TEXT}.`);
  }
  // Same errors as a run: no such provider, no key, no endpoint.
  createSettingsResolver({ settings, keys, env }).resolve(ref);
  if (profile) {
    const pk = fineTuneKindOf(profile);
    const apiKey = keys.get(profile.name) ?? (pk === 'openai' ? env.OPENAI_API_KEY : pk === 'azure' ? env.AZURE_OPENAI_API_KEY : pk === 'mistral' ? env.MISTRAL_API_KEY : pk === 'together' ? env.TOGETHER_API_KEY : undefined);
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

/** The job adapter of the endpoint's platform; the key stays in memory and goes only to `ep.baseURL`. */
export function adapterFor(ep: FineTuneEndpoint): FineTuneJobAdapter {
  if (ep.kind === 'mistral' || ep.kind === 'together') {
    registerSecret(ep.apiKey);
    const http = { baseURL: ep.baseURL, ...(ep.apiKey ? { apiKey: ep.apiKey } : {}) };
    return ep.kind === 'mistral' ? mistralAdapter(http) : togetherAdapter(http);
  }
  // A custom OpenAI-compatible endpoint has the same job API; only OpenAI itself is winding down.
  return openaiAdapter(createFineTuneClient(ep), ep.kind === 'azure' ? 'azure' : 'openai', ep.kind === 'openai');
}

export function startJob(ep: FineTuneEndpoint, input: Omit<StartFineTuneInput, 'model'>, signal?: AbortSignal): Promise<FineTuneJobStatus> {
  return adapterFor(ep).start({ ...input, model: ep.model }, signal);
}

export function getJob(ep: FineTuneEndpoint, id: string, signal?: AbortSignal): Promise<FineTuneJobStatus> {
  return adapterFor(ep).get(id, signal);
}

export function cancelJob(ep: FineTuneEndpoint, id: string): Promise<FineTuneJobStatus> {
  return adapterFor(ep).cancel(id);
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
  if (err instanceof FineTuneJobError && err.status !== 401 && err.status !== 403) return err.message;
  if (err instanceof FineTuneJobError && err.message.startsWith('OpenAI no longer')) return err.message;
  let msg = err instanceof Error ? err.message : String(err);
  if (ep.apiKey) msg = msg.split(ep.apiKey).join('***');
  const status = (err as { status?: number }).status;
  if (status === 401 || status === 403) return `${ep.providerName}: the API key was rejected (${status}). Run "Prompt Ladder: Set API Key" (${ep.providerName}).`;
  return `${ep.providerName}: ${msg}`;
}

/** The export formats for the editor's picker, in the CLI's names. */
export function exportFormatItems(): { name: FormatName; title: string; platforms: string[] }[] {
  return FORMAT_NAMES.map((n) => ({ name: n, title: FORMATS[n].title, platforms: FORMATS[n].platforms }));
}

/** The files of an export (the CLI's names: NAME.FORMAT.train.jsonl, …) to write beside the prompt file. */
export function exportFilesOf(result: FineTuneExport, baseName: string): ExportFile[] {
  return exportFiles(result, baseName, DEFAULT_EPOCHS);
}
