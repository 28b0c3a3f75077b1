// One interface for fine-tuning jobs on every platform with a job API (OpenAI, Azure OpenAI, Mistral,
// Together): upload the exported files, create the job, read and cancel it. Each adapter maps its platform's
// states onto one set and turns its errors into one line (FineTuneJobError); the key is passed in by the caller
// (environment or SecretStorage), held in memory, and sent only to the endpoint the user configured.

import type { FormatName } from '../formats/format';

export type JobPlatform = 'openai' | 'azure' | 'mistral' | 'together';
export type FineTuneJobState = 'validating_files' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface FineTuneJobStatus {
  id: string;
  state: FineTuneJobState;
  baseModel: string;
  /** The model id to call once the job succeeded (e.g. 'ft:gpt-4o-mini:org::abc'). */
  fineTunedModel?: string;
  trainedTokens?: number;
  error?: string;
  trainingFile: string;
  validationFile?: string;
}

export interface StartFineTuneInput {
  /** JSONL training data in the adapter's format (exportFineTuneDataset().train). */
  train: string;
  validation?: string;
  /** Base model as written in the prompt file ('openai/gpt-4o-mini') or as the API names it. */
  model: string;
  /** Suffix for the fine-tuned model's name (up to 64 characters on OpenAI; shorter elsewhere). */
  suffix?: string;
  epochs?: number;
}

export interface FineTuneJobAdapter {
  platform: JobPlatform;
  /** The export format its training files must be in. */
  format: FormatName;
  start(input: StartFineTuneInput, signal?: AbortSignal): Promise<FineTuneJobStatus>;
  get(id: string, signal?: AbortSignal): Promise<FineTuneJobStatus>;
  cancel(id: string): Promise<FineTuneJobStatus>;
}

/** A refused or failed job call, as one line that never holds the key. */
export class FineTuneJobError extends Error {
  constructor(
    message: string,
    readonly platform: JobPlatform,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'FineTuneJobError';
  }
}

/** The API's model name: the last path segment of a reference like 'openai/gpt-4o-mini' (Together keeps 'org/model'). */
export function apiModelName(model: string): string {
  return model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
}

export function isFinished(state: FineTuneJobState): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'cancelled';
}

/** Polls until the job succeeds, fails or is cancelled (or `maxPolls` is reached: the last status is returned). */
export async function waitForJob(
  adapter: Pick<FineTuneJobAdapter, 'get'>,
  id: string,
  opts: { intervalMs?: number; maxPolls?: number; signal?: AbortSignal; onStatus?: (s: FineTuneJobStatus) => void } = {},
): Promise<FineTuneJobStatus> {
  const interval = opts.intervalMs ?? 30_000;
  let last: FineTuneJobStatus | undefined;
  for (let i = 0; i < (opts.maxPolls ?? Number.POSITIVE_INFINITY); i++) {
    last = await adapter.get(id, opts.signal);
    opts.onStatus?.(last);
    if (isFinished(last.state)) return last;
    await sleep(interval, opts.signal);
  }
  return last!;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
