// The CLI's ProviderResolver: model strings → OpenAI-compatible providers, from the user's environment
// and user-level config. Endpoints and keys never come from a workspace file.
//
// Model strings (the first matching rule wins):
//   <profile>/NAME               a named profile from the user config (a profile may shadow a built-in name)
//   github/<publisher>/<model>   GitHub Models (https://models.github.ai/inference), key GITHUB_TOKEN;
//                                the model sent is '<publisher>/<model>' (the gh-models catalog name).
//                                GITHUB_MODELS_BASE_URL (or a user-config profile named "github") sends these
//                                names to any OpenAI-compatible endpoint instead (a proxy, a local server).
//   openai/NAME                  OpenAI: key OPENAI_API_KEY, endpoint OPENAI_BASE_URL or api.openai.com/v1.
//                                With PROMPT_LADDER_PROVIDER=github it goes to GitHub Models as 'openai/NAME'.
//   ollama/NAME                  Ollama's OpenAI-compatible API at OLLAMA_HOST or 127.0.0.1:11434 (no real key)
//   azure/DEPLOYMENT             Azure OpenAI: AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY, OPENAI_API_VERSION
//   <publisher>/<model>          any other catalog name ('meta/Llama-3.3-70B-Instruct') → GitHub Models
//   NAME (no slash)              OpenAI (or GitHub Models as 'openai/NAME' with PROMPT_LADDER_PROVIDER=github)
//
// Defaults: PROMPT_LADDER_MODEL, PROMPT_LADDER_JUDGE_MODEL and PROMPT_LADDER_EMBEDDING_MODEL override the
// config's defaultModel / judgeModel / embeddingModel.
//
// User config (JSON) is read from $PROMPT_LADDER_CONFIG, else $XDG_CONFIG_HOME/prompt-ladder/config.json,
// else ~/.config/prompt-ladder/config.json:
//   { "profiles": [{ "name": "local", "kind": "custom", "baseURL": "http://127.0.0.1:8000/v1", "apiKeyEnv": "LOCAL_KEY" }],
//     "defaultModel": "openai/gpt-4o-mini", "judgeModel": "openai/gpt-4o", "embeddingModel": "openai/text-embedding-3-small" }
// A profile names the environment variable that holds its key (`apiKeyEnv`); keys never live in the file.
//
// resolve() throws a non-retryable ProviderError (code 'config') naming what to set, e.g.
// 'No API key for openai/gpt-4o-mini: set OPENAI_API_KEY'. Providers are memoized per endpoint.

import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpecError } from '../errors';
import { registerSecret } from '../redact';
import type { SourceProblem } from '../errors';
import { createOpenAIProvider, OPENAI_DEFAULT_BASE_URL } from './openai';
import type { OpenAIProviderKind, OpenAIProviderOptions } from './openai';
import type { Provider, ProviderResolver, ResolvedModel } from './provider';
import { ProviderError } from './provider';

/** GitHub Models' inference endpoint (documented default; OpenAI-compatible under /chat/completions). */
export const GITHUB_MODELS_BASE_URL = 'https://models.github.ai/inference';
export const OLLAMA_DEFAULT_BASE_URL = 'http://127.0.0.1:11434/v1';

export interface ProviderProfile {
  name: string;
  kind: OpenAIProviderKind;
  baseURL?: string;
  /** Name of the environment variable holding the key (never the key itself). */
  apiKeyEnv?: string;
  /** Azure API version. */
  apiVersion?: string;
  /** Extra headers (no secrets). */
  headers?: Record<string, string>;
  label?: string;
}

export interface UserConfig {
  profiles?: ProviderProfile[];
  defaultModel?: string;
  judgeModel?: string;
  embeddingModel?: string;
}

const KINDS: OpenAIProviderKind[] = ['openai', 'azure', 'ollama', 'github', 'custom'];

/** Where the user config is read from, by precedence. */
export function userConfigPath(env: NodeJS.ProcessEnv): string {
  if (env.PROMPT_LADDER_CONFIG) return env.PROMPT_LADDER_CONFIG;
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'prompt-ladder', 'config.json');
}

function lineColOf(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, Math.max(0, offset));
  const lines = before.split('\n');
  return { line: lines.length, col: lines[lines.length - 1].length + 1 };
}

/** Checks a parsed config; returns problems as messages (the caller positions them). */
export function validateUserConfig(value: unknown): { config: UserConfig; errors: string[] } {
  const errors: string[] = [];
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { config: {}, errors: ['the config must be a JSON object'] };
  const v = value as Record<string, unknown>;
  const config: UserConfig = {};
  for (const key of ['defaultModel', 'judgeModel', 'embeddingModel'] as const) {
    if (v[key] === undefined) continue;
    if (typeof v[key] !== 'string') errors.push(`${key} must be a string`);
    else config[key] = v[key] as string;
  }
  if (v.profiles !== undefined) {
    if (!Array.isArray(v.profiles)) errors.push('profiles must be an array');
    else {
      config.profiles = [];
      v.profiles.forEach((raw: unknown, i: number) => {
        const at = `profiles[${i}]`;
        if (!raw || typeof raw !== 'object') return void errors.push(`${at} must be an object`);
        const p = raw as Record<string, unknown>;
        if ('apiKey' in p || 'key' in p) {
          errors.push(`${at}: keys do not belong in a file; put the key in an environment variable and name it in "apiKeyEnv"`);
        }
        if (typeof p.name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(p.name)) {
          return void errors.push(`${at}.name must be a simple name (letters, digits, - _ .)`);
        }
        const kind = (p.kind ?? 'custom') as OpenAIProviderKind;
        if (!KINDS.includes(kind)) return void errors.push(`${at}.kind must be one of ${KINDS.join(', ')}`);
        if (p.baseURL !== undefined && typeof p.baseURL !== 'string') return void errors.push(`${at}.baseURL must be a string`);
        if (p.baseURL === undefined && (kind === 'custom' || kind === 'azure')) {
          return void errors.push(`${at}.baseURL is required for kind "${kind}"`);
        }
        if (p.apiKeyEnv !== undefined && (typeof p.apiKeyEnv !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p.apiKeyEnv))) {
          return void errors.push(`${at}.apiKeyEnv must be the name of an environment variable`);
        }
        config.profiles?.push({
          name: p.name,
          kind,
          baseURL: p.baseURL as string | undefined,
          apiKeyEnv: p.apiKeyEnv as string | undefined,
          apiVersion: typeof p.apiVersion === 'string' ? p.apiVersion : undefined,
          headers: p.headers && typeof p.headers === 'object' ? (p.headers as Record<string, string>) : undefined,
          label: typeof p.label === 'string' ? p.label : undefined,
        });
      });
    }
  }
  return { config, errors };
}

/** Reads the user config; a missing file is an empty config, a broken one a SpecError naming the file. */
export async function loadUserConfig(env: NodeJS.ProcessEnv): Promise<UserConfig> {
  const file = userConfigPath(env);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !env.PROMPT_LADDER_CONFIG) return {};
    throw new SpecError([{ file, line: 1, col: 1, severity: 'error', message: `cannot read the config file (${(err as NodeJS.ErrnoException).code ?? 'error'})` }]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    const pos = m ? lineColOf(text, Number(m[1])) : { line: 1, col: 1 };
    throw new SpecError([{ file, ...pos, severity: 'error', message: `invalid JSON: ${(err as Error).message}` }]);
  }
  const { config, errors } = validateUserConfig(parsed);
  if (errors.length > 0) {
    const problems: SourceProblem[] = errors.map((message) => ({ file, line: 1, col: 1, severity: 'error', message }));
    throw new SpecError(problems);
  }
  return config;
}

function configError(message: string): ProviderError {
  return new ProviderError(message, { retryable: false, code: 'config' });
}

function normalizeOllamaHost(host: string): string {
  let url = host.trim();
  if (!/^https?:\/\//i.test(url)) url = `http://${url}`;
  url = url.replace(/\/+$/, '');
  if (url.endsWith('/v1')) return url;
  // OLLAMA_HOST may be '0.0.0.0:11434' (the bind address); connect to loopback instead.
  url = url.replace('://0.0.0.0', '://127.0.0.1');
  return `${url}/v1`;
}

/** What resolving a model string reads: the environment, the user's profiles, and the providers made so far. */
interface EnvContext {
  env: NodeJS.ProcessEnv;
  profiles: Map<string, ProviderProfile>;
  /** PROMPT_LADDER_PROVIDER=github: OpenAI names go to GitHub Models. */
  preferGithub: boolean;
  /** GITHUB_MODELS_BASE_URL: GitHub Models names at another endpoint. */
  githubBaseURL: string | undefined;
  /** Providers memoized per endpoint (and per key source, never the key value itself). */
  memo: Map<string, Provider>;
}

function providerFor(cx: EnvContext, opts: OpenAIProviderOptions, keyIdentity: string): Provider {
  const id = `${opts.kind}|${opts.baseURL ?? ''}|${opts.apiVersion ?? ''}|${keyIdentity}`;
  let p = cx.memo.get(id);
  if (!p) {
    p = createOpenAIProvider(opts);
    cx.memo.set(id, p);
  }
  return p;
}

function requireKey(cx: EnvContext, ref: string, envName: string): string {
  const key = cx.env[envName];
  if (!key) throw configError(`No API key for ${ref}: set ${envName}`);
  return key;
}

function githubModel(cx: EnvContext, ref: string, model: string): ResolvedModel {
  // A user profile named "github" decides where GitHub Models names go (its baseURL, its key variable).
  const own = cx.profiles.get('github');
  if (own) return profileModel(cx, ref, own, model);
  // GITHUB_MODELS_BASE_URL: the same catalog names at another OpenAI-compatible endpoint; its key is
  // GITHUB_TOKEN when set (a local server may need none).
  const at = cx.githubBaseURL;
  const apiKey = at ? cx.env.GITHUB_TOKEN || 'unused' : requireKey(cx, ref, 'GITHUB_TOKEN');
  const options: OpenAIProviderOptions = {
    kind: 'github',
    baseURL: at ?? GITHUB_MODELS_BASE_URL,
    apiKey,
    label: at ? `GitHub Models names at ${at}` : 'GitHub Models',
    keyHint: 'check GITHUB_TOKEN (needs the models scope)',
  };
  return { ref, model, provider: providerFor(cx, options, at ? `env:GITHUB_TOKEN@${at}` : 'env:GITHUB_TOKEN') };
}

function openaiModel(cx: EnvContext, ref: string, model: string): ResolvedModel {
  const baseURL = cx.env.OPENAI_BASE_URL || OPENAI_DEFAULT_BASE_URL;
  const apiKey = requireKey(cx, ref, 'OPENAI_API_KEY');
  return { ref, model, provider: providerFor(cx, { kind: 'openai', baseURL, apiKey, keyHint: 'check OPENAI_API_KEY' }, 'env:OPENAI_API_KEY') };
}

function ollamaModel(cx: EnvContext, ref: string, model: string): ResolvedModel {
  const baseURL = normalizeOllamaHost(cx.env.OLLAMA_HOST || OLLAMA_DEFAULT_BASE_URL);
  return { ref, model, provider: providerFor(cx, { kind: 'ollama', baseURL, apiKey: 'ollama' }, 'ollama') };
}

function azureModel(cx: EnvContext, ref: string, model: string): ResolvedModel {
  const endpoint = cx.env.AZURE_OPENAI_ENDPOINT;
  if (!endpoint) throw configError(`No endpoint for ${ref}: set AZURE_OPENAI_ENDPOINT (e.g. https://NAME.openai.azure.com)`);
  const apiKey = requireKey(cx, ref, 'AZURE_OPENAI_API_KEY');
  const options: OpenAIProviderOptions = { kind: 'azure', baseURL: endpoint, apiKey, apiVersion: cx.env.OPENAI_API_VERSION || undefined, keyHint: 'check AZURE_OPENAI_API_KEY' };
  return { ref, model, provider: providerFor(cx, options, 'env:AZURE_OPENAI_API_KEY') };
}

function profileModel(cx: EnvContext, ref: string, profile: ProviderProfile, model: string): ResolvedModel {
  let apiKey: string | undefined;
  if (profile.apiKeyEnv) {
    apiKey = cx.env[profile.apiKeyEnv];
    if (!apiKey) throw configError(`No API key for ${ref}: set ${profile.apiKeyEnv} (profile "${profile.name}")`);
  }
  let baseURL = profile.baseURL;
  if (!baseURL) {
    if (profile.kind === 'openai') baseURL = OPENAI_DEFAULT_BASE_URL;
    else if (profile.kind === 'github') baseURL = GITHUB_MODELS_BASE_URL;
    else if (profile.kind === 'ollama') baseURL = normalizeOllamaHost(cx.env.OLLAMA_HOST || OLLAMA_DEFAULT_BASE_URL);
  }
  if (!baseURL) throw configError(`Profile "${profile.name}" has no baseURL (user config ${userConfigPath(cx.env)})`);
  const options: OpenAIProviderOptions = {
    kind: profile.kind,
    baseURL,
    apiKey: apiKey ?? (profile.kind === 'ollama' ? 'ollama' : undefined),
    apiVersion: profile.apiVersion,
    defaultHeaders: profile.headers,
    label: profile.label ?? profile.name,
    keyHint: profile.apiKeyEnv ? `check ${profile.apiKeyEnv}` : undefined,
  };
  return { ref, model, provider: providerFor(cx, options, `profile:${profile.name}:${profile.apiKeyEnv ?? ''}`) };
}

/** A model string to its provider, by the rules at the top of this file (the first matching rule wins). */
function resolveModel(cx: EnvContext, modelRef: string): ResolvedModel {
  const ref = modelRef.trim();
  if (!ref) throw configError('No model given: name one in the prompt file or set PROMPT_LADDER_MODEL');
  const slash = ref.indexOf('/');
  if (slash < 0) return cx.preferGithub ? githubModel(cx, ref, `openai/${ref}`) : openaiModel(cx, ref, ref);
  const head = ref.slice(0, slash);
  const rest = ref.slice(slash + 1);
  if (!rest) throw configError(`Model "${ref}" names no model after "${head}/"`);

  const profile = cx.profiles.get(head);
  if (profile && head !== 'github') return profileModel(cx, ref, profile, rest);

  switch (head) {
    case 'github':
      return githubModel(cx, ref, rest.includes('/') ? rest : `openai/${rest}`);
    case 'openai':
      return cx.preferGithub ? githubModel(cx, ref, ref) : openaiModel(cx, ref, rest);
    case 'ollama':
      return ollamaModel(cx, ref, rest);
    case 'azure':
      return azureModel(cx, ref, rest);
    default:
      // A gh-models catalog name from another publisher ('meta/…', 'mistral-ai/…').
      if (cx.env.GITHUB_TOKEN || cx.preferGithub || cx.githubBaseURL || cx.profiles.has('github')) return githubModel(cx, ref, ref);
      throw configError(
        `Unknown provider "${head}" in ${ref}: use openai/, azure/, ollama/, github/<publisher>/<model>, ` +
          `a profile from ${userConfigPath(cx.env)}, or set GITHUB_TOKEN for GitHub Models catalog names`,
      );
  }
}

export function createEnvResolver(env: NodeJS.ProcessEnv, config: UserConfig = {}): ProviderResolver {
  // every key this environment could send is masked in every output from the start
  for (const name of ['OPENAI_API_KEY', 'AZURE_OPENAI_API_KEY', 'GITHUB_TOKEN', ...(config.profiles ?? []).map((p) => p.apiKeyEnv ?? '')]) {
    if (name) registerSecret(env[name]);
  }
  const cx: EnvContext = {
    env,
    profiles: new Map((config.profiles ?? []).map((p) => [p.name, p])),
    preferGithub: (env.PROMPT_LADDER_PROVIDER ?? '').toLowerCase() === 'github',
    githubBaseURL: env.GITHUB_MODELS_BASE_URL?.trim() || undefined,
    memo: new Map(),
  };
  return {
    resolve: (modelRef) => resolveModel(cx, modelRef),
    defaultModel: env.PROMPT_LADDER_MODEL || config.defaultModel,
    judgeModel: env.PROMPT_LADDER_JUDGE_MODEL || config.judgeModel,
    embeddingModel: env.PROMPT_LADDER_EMBEDDING_MODEL || config.embeddingModel,
  };
}
