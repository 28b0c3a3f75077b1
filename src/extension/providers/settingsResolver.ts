// Turns model strings into providers for runs started in the editor: `vscode/<family>` → the VS Code Language
// Model API; `<profile>/<model>` → a profile from promptLadder.providers; otherwise the built-ins like the CLI
// (openai, azure, ollama, github) from the environment. Keys come from SecretStorage (passed in), then env.
// No `vscode` import: the Language Model provider is passed in, so this file is testable under plain Node.

import { createOpenAIProvider, type OpenAIProviderKind } from '../../core/providers/openai';
import { ProviderError, type Provider, type ProviderResolver, type ResolvedModel } from '../../core/providers/provider';
import type { ExtensionSettings, ProviderProfile } from '../settings';

export const BUILTIN_PROVIDERS = ['openai', 'azure', 'ollama', 'github'] as const;
export const GITHUB_MODELS_URL = 'https://models.github.ai/inference';
export const OLLAMA_DEFAULT_URL = 'http://localhost:11434/v1';

export interface ResolverInputs {
  settings: ExtensionSettings;
  /** Keys from SecretStorage by provider name. */
  keys: Map<string, string>;
  env: Record<string, string | undefined>;
  /** Serves `vscode/<family>` models, when the editor offers the Language Model API. */
  languageModels?: Provider;
}

/** A model string split into the provider prefix and the model name to send. */
export function splitModelRef(ref: string): { prefix: string; model: string } {
  const slash = ref.indexOf('/');
  if (slash <= 0) return { prefix: 'openai', model: ref };
  return { prefix: ref.slice(0, slash), model: ref.slice(slash + 1) };
}

const HOW_TO_FIX =
  'Run "Prompt Ladder: Set API Key", add a profile in the user setting promptLadder.providers, ' +
  'or pick another model with "Prompt Ladder: Select Provider/Model".';

export function configError(message: string): ProviderError {
  return new ProviderError(`${message} ${HOW_TO_FIX}`, { retryable: false, code: 'config' });
}

export function createSettingsResolver(inputs: ResolverInputs): ProviderResolver & { describe(ref: string): string } {
  const { settings, keys, env } = inputs;
  const providers = new Map<string, Provider>();
  const byName = new Map(settings.providers.map((p) => [p.name, p] as const));

  const memo = (id: string, make: () => Provider): Provider => {
    let p = providers.get(id);
    if (!p) {
      p = make();
      providers.set(id, p);
    }
    return p;
  };

  const fromProfile = (profile: ProviderProfile): Provider =>
    memo(`profile:${profile.name}`, () => {
      const kind: OpenAIProviderKind = profile.kind;
      const apiKey = keys.get(profile.name) ?? envKeyFor(kind, env);
      const baseURL = profile.baseURL ?? defaultBaseURL(kind, env);
      if (!baseURL) throw configError(`Profile "${profile.name}" (${kind}) has no baseURL in promptLadder.providers.`);
      if (needsKey(kind) && !apiKey) throw configError(`No API key for profile "${profile.name}".`);
      return createOpenAIProvider({
        kind,
        baseURL,
        apiKey,
        apiVersion: profile.apiVersion ?? env.OPENAI_API_VERSION,
        label: profile.label,
        ...(profile.batchApi ? { batchApi: true } : {}),
        keyHint: `set the key with "Prompt Ladder: Set API Key" (${profile.name})`,
      });
    });

  const builtin = (prefix: string): Provider | undefined => builtinProvider(prefix, keys, env, memo);

  const resolve = (ref: string): ResolvedModel => {
    const { prefix, model } = splitModelRef(ref);
    if (prefix === 'vscode') {
      if (!inputs.languageModels) throw configError(`Model "${ref}": this editor offers no Language Model API.`);
      return { provider: inputs.languageModels, model, ref };
    }
    const profile = byName.get(prefix);
    if (profile) return { provider: fromProfile(profile), model, ref };
    const provider = builtin(prefix);
    if (provider) return { provider, model, ref };
    throw configError(`Model "${ref}": no provider named "${prefix}".`);
  };

  return {
    resolve,
    defaultModel: settings.defaultModel,
    judgeModel: settings.judgeModel,
    embeddingModel: settings.embeddingModel,
    describe(ref: string): string {
      const { prefix } = splitModelRef(ref);
      if (prefix === 'vscode') return 'VS Code Language Model';
      const profile = byName.get(prefix);
      if (profile?.label) return profile.label;
      try {
        return resolve(ref).provider.label;
      } catch {
        return profile ? profile.name : prefix;
      }
    },
  };
}

/** The built-in endpoints (openai, azure, ollama, github) from stored keys and the environment, as the CLI has them. */
function builtinProvider(
  prefix: string,
  keys: Map<string, string>,
  env: Record<string, string | undefined>,
  memo: (id: string, make: () => Provider) => Provider,
): Provider | undefined {
  switch (prefix) {
    case 'openai': {
      const apiKey = keys.get('openai') ?? env.OPENAI_API_KEY;
      if (!apiKey && !env.OPENAI_BASE_URL) throw configError('No OpenAI API key (OPENAI_API_KEY).');
      return memo('openai', () =>
        createOpenAIProvider({ kind: 'openai', baseURL: env.OPENAI_BASE_URL, apiKey, keyHint: 'check the OpenAI key' }),
      );
    }
    case 'azure': {
      const baseURL = env.AZURE_OPENAI_ENDPOINT;
      const apiKey = keys.get('azure') ?? env.AZURE_OPENAI_API_KEY;
      if (!baseURL) throw configError('No Azure OpenAI endpoint: add an azure profile with its baseURL.');
      if (!apiKey) throw configError('No Azure OpenAI API key.');
      return memo('azure', () =>
        createOpenAIProvider({ kind: 'azure', baseURL, apiKey, apiVersion: env.OPENAI_API_VERSION, keyHint: 'check the Azure key' }),
      );
    }
    case 'ollama':
      return memo('ollama', () =>
        createOpenAIProvider({ kind: 'ollama', baseURL: ollamaURL(env), apiKey: keys.get('ollama') }),
      );
    case 'github': {
      // GITHUB_MODELS_BASE_URL sends GitHub Models names to another OpenAI-compatible endpoint (or add a
      // profile named "github" in promptLadder.providers).
      const baseURL = env.GITHUB_MODELS_BASE_URL?.trim() || GITHUB_MODELS_URL;
      const apiKey = keys.get('github') ?? env.GITHUB_TOKEN ?? (baseURL !== GITHUB_MODELS_URL ? 'unused' : undefined);
      if (!apiKey) throw configError('No GitHub token for GitHub Models (GITHUB_TOKEN).');
      return memo('github', () => createOpenAIProvider({ kind: 'github', baseURL, apiKey, keyHint: 'check the GitHub token' }));
    }
    default:
      return undefined;
  }
}

function needsKey(kind: OpenAIProviderKind): boolean {
  return kind === 'openai' || kind === 'azure' || kind === 'github';
}

function envKeyFor(kind: OpenAIProviderKind, env: Record<string, string | undefined>): string | undefined {
  switch (kind) {
    case 'openai':
      return env.OPENAI_API_KEY;
    case 'azure':
      return env.AZURE_OPENAI_API_KEY;
    case 'github':
      return env.GITHUB_TOKEN;
    default:
      return undefined;
  }
}

function defaultBaseURL(kind: OpenAIProviderKind, env: Record<string, string | undefined>): string | undefined {
  switch (kind) {
    case 'openai':
      return env.OPENAI_BASE_URL;
    case 'azure':
      return env.AZURE_OPENAI_ENDPOINT;
    case 'ollama':
      return ollamaURL(env);
    case 'github':
      return GITHUB_MODELS_URL;
    default:
      return undefined;
  }
}

function ollamaURL(env: Record<string, string | undefined>): string {
  const host = env.OLLAMA_HOST;
  if (!host) return OLLAMA_DEFAULT_URL;
  const withScheme = /^https?:\/\//.test(host) ? host : `http://${host}`;
  return withScheme.replace(/\/+$/, '').replace(/(\/v1)?$/, '/v1');
}

/** Provider names a key may be stored for: every profile plus the built-ins that take one. */
export function keyedProviderNames(settings: ExtensionSettings): string[] {
  return [...settings.providers.map((p) => p.name), 'openai', 'azure', 'github', 'ollama'];
}

