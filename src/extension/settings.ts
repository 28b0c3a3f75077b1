// The extension's settings (promptLadder.*). Provider profiles are read from user/machine settings only:
// a workspace can never set an endpoint, so a cloned repo cannot send your key to its own server.

import * as vscode from 'vscode';
import { DEFAULT_TIMEOUT_SECONDS, parseTimeoutSeconds } from '../core/providers/timeout';

export const SECTION = 'promptLadder';
export const PROFILE_KINDS = ['openai', 'azure', 'ollama', 'github', 'custom'] as const;
export type ProfileKind = (typeof PROFILE_KINDS)[number];

export interface ProviderProfile {
  name: string;
  kind: ProfileKind;
  baseURL?: string;
  apiVersion?: string;
  /** Shown in the status bar instead of the generic kind label. */
  label?: string;
  /** Fine-tuning job API of a custom endpoint (default: from its host). */
  fineTuning?: FineTuningApi;
  /** A custom endpoint that also serves OpenAI's Batch API (/files, /batches). */
  batchApi?: boolean;
}

export const FINE_TUNING_APIS = ['openai', 'mistral', 'together'] as const;
export type FineTuningApi = (typeof FINE_TUNING_APIS)[number];

export interface ExtensionSettings {
  defaultModel?: string;
  providers: ProviderProfile[];
  /** 0 = adaptive. */
  maxConcurrency: number;
  cacheEnabled: boolean;
  /** Per-call timeout, seconds (promptLadder.timeoutSeconds). */
  timeoutSeconds?: number;
  judgeModel?: string;
  embeddingModel?: string;
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** Keeps only well-formed profiles; the rest are reported through `onProblem`. */
export function parseProfiles(raw: unknown, onProblem?: (message: string) => void): ProviderProfile[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    onProblem?.('Setting promptLadder.providers must be a list of profiles.');
    return [];
  }
  const out: ProviderProfile[] = [];
  raw.forEach((p: unknown, i) => {
    const o = (p ?? {}) as Record<string, unknown>;
    const name = nonEmpty(o.name);
    const kind = o.kind as ProfileKind;
    if (!name || !/^[A-Za-z0-9_.-]+$/.test(name)) {
      onProblem?.(`Setting promptLadder.providers[${i}]: "name" must be letters, digits, '_', '.' or '-'.`);
      return;
    }
    if (!PROFILE_KINDS.includes(kind)) {
      onProblem?.(`Setting promptLadder.providers[${i}] (${name}): "kind" must be one of ${PROFILE_KINDS.join(', ')}.`);
      return;
    }
    const fineTuning = FINE_TUNING_APIS.find((a) => a === o.fineTuning);
    out.push({ name, kind, baseURL: nonEmpty(o.baseURL), apiVersion: nonEmpty(o.apiVersion), label: nonEmpty(o.label), ...(fineTuning ? { fineTuning } : {}), ...(o.batchApi === true ? { batchApi: true } : {}) });
  });
  return out;
}

export function readSettings(onProblem?: (message: string) => void): ExtensionSettings {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  const providers = cfg.inspect<unknown>('providers');
  // User (global) value only; workspace and folder values are ignored on purpose.
  const profiles = parseProfiles(providers?.globalValue, onProblem);
  const conc = cfg.get<number>('maxConcurrency', 0);
  return {
    defaultModel: nonEmpty(cfg.get('defaultModel')),
    providers: profiles,
    maxConcurrency: Number.isFinite(conc) && conc > 0 ? Math.floor(conc) : 0,
    cacheEnabled: cfg.get<boolean>('cache.enabled', true) !== false,
    timeoutSeconds: readTimeout(cfg.get<unknown>('timeoutSeconds'), onProblem),
    judgeModel: nonEmpty(cfg.get('judgeModel')),
    embeddingModel: nonEmpty(cfg.get('embeddingModel')),
  };
}

function readTimeout(raw: unknown, onProblem?: (message: string) => void): number {
  try {
    return parseTimeoutSeconds(raw, 'Setting promptLadder.timeoutSeconds') ?? DEFAULT_TIMEOUT_SECONDS;
  } catch (e) {
    onProblem?.(`${(e as Error).message}; using ${DEFAULT_TIMEOUT_SECONDS} s.`);
    return DEFAULT_TIMEOUT_SECONDS;
  }
}

/**
 * `promptLadder.strict` for a file (resource-scoped): lint warnings show as errors and a run with problems asks
 * first. Off unless set to true; another value is reported and treated as off.
 */
export function isStrict(uri: vscode.Uri | undefined, onProblem?: (message: string) => void): boolean {
  const v = vscode.workspace.getConfiguration(SECTION, uri).get<unknown>('strict');
  if (v === undefined || v === null || v === false) return false;
  if (v === true) return true;
  onProblem?.(`Setting promptLadder.strict must be true or false, not ${JSON.stringify(v)}; strict mode is off.`);
  return false;
}

export function affectsSettings(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(SECTION);
}
