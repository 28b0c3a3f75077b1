// Which configured providers run Batch API jobs, from the settings, the stored keys and the environment alone: the
// same rules as the resolver (settingsResolver.ts) without creating a client, so activation loads nothing heavy.
// OpenAI and Azure OpenAI endpoints have a Batch API once they have what a call needs; a custom profile when it
// says `batchApi`.

import type { ExtensionSettings, ProfileKind, ProviderProfile } from '../settings';

type Env = Record<string, string | undefined>;

const ENV_KEY: Partial<Record<ProfileKind, string>> = { openai: 'OPENAI_API_KEY', azure: 'AZURE_OPENAI_API_KEY', github: 'GITHUB_TOKEN' };

/** A profile as the resolver builds it: a base URL, and a key where the kind needs one; then its Batch API. */
function profileHasBatch(p: ProviderProfile, keys: ReadonlyMap<string, string>, env: Env): boolean {
  if (!(p.kind === 'openai' || p.kind === 'azure' || p.batchApi)) return false;
  const defaultBase = p.kind === 'openai' ? env.OPENAI_BASE_URL : p.kind === 'azure' ? env.AZURE_OPENAI_ENDPOINT : p.kind === 'custom' ? undefined : 'built-in';
  if (!(p.baseURL ?? defaultBase)) return false;
  const envKey = ENV_KEY[p.kind];
  return !envKey || Boolean(keys.get(p.name) ?? env[envKey]);
}

export function batchCapableProviders(settings: Pick<ExtensionSettings, 'providers'>, keys: ReadonlyMap<string, string>, env: Env): string[] {
  const names = new Set(settings.providers.map((p) => p.name));
  const out = settings.providers.filter((p) => profileHasBatch(p, keys, env)).map((p) => p.name);
  if (!names.has('openai') && (keys.get('openai') ?? env.OPENAI_API_KEY ?? env.OPENAI_BASE_URL)) out.push('openai');
  if (!names.has('azure') && env.AZURE_OPENAI_ENDPOINT && (keys.get('azure') ?? env.AZURE_OPENAI_API_KEY)) out.push('azure');
  return out;
}

/** The provider names whose stored keys the check reads. */
export function batchKeyNames(settings: Pick<ExtensionSettings, 'providers'>): string[] {
  return [...new Set([...settings.providers.map((p) => p.name), 'openai', 'azure'])];
}
