// Fine-tuning jobs through the `openai` package, started only by an explicit user action: upload the exported
// JSONL files, create the job, poll its status, and describe the fine-tuned model as a new variant when ready.
// The caller passes a configured OpenAI client (key from the user's settings or environment, never a file).

import OpenAI, { toFile } from 'openai';

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
  /** JSONL training data (exportFineTuneDataset().train). */
  train: string;
  validation?: string;
  /** Base model as written in the prompt file ('openai/gpt-4o-mini') or as the API names it. */
  model: string;
  /** Suffix for the fine-tuned model's name (up to 64 characters). */
  suffix?: string;
  epochs?: number;
}

/** The API's model name: the last path segment of a reference like 'openai/gpt-4o-mini'. */
export function apiModelName(model: string): string {
  return model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
}

export async function startFineTuneJob(client: OpenAI, input: StartFineTuneInput, signal?: AbortSignal): Promise<FineTuneJobStatus> {
  if (!input.train.trim()) throw new Error('The training file is empty: export cases with expected outputs first.');
  const trainFile = await client.files.create(
    { file: await toFile(Buffer.from(input.train, 'utf8'), 'train.jsonl'), purpose: 'fine-tune' },
    { signal },
  );
  let validationId: string | undefined;
  if (input.validation?.trim()) {
    const v = await client.files.create(
      { file: await toFile(Buffer.from(input.validation, 'utf8'), 'validation.jsonl'), purpose: 'fine-tune' },
      { signal },
    );
    validationId = v.id;
  }
  const job = await client.fineTuning.jobs.create(
    {
      model: apiModelName(input.model),
      training_file: trainFile.id,
      ...(validationId ? { validation_file: validationId } : {}),
      ...(input.suffix ? { suffix: input.suffix.slice(0, 64) } : {}),
      ...(input.epochs ? { hyperparameters: { n_epochs: input.epochs } } : {}),
    },
    { signal },
  );
  return toStatus(job);
}

export async function getFineTuneJob(client: OpenAI, id: string, signal?: AbortSignal): Promise<FineTuneJobStatus> {
  return toStatus(await client.fineTuning.jobs.retrieve(id, { signal }));
}

export async function cancelFineTuneJob(client: OpenAI, id: string): Promise<FineTuneJobStatus> {
  return toStatus(await client.fineTuning.jobs.cancel(id));
}

/** Polls until the job succeeds, fails or is cancelled (or `maxPolls` is reached: the last status is returned). */
export async function waitForFineTuneJob(
  client: OpenAI,
  id: string,
  opts: { intervalMs?: number; maxPolls?: number; signal?: AbortSignal; onStatus?: (s: FineTuneJobStatus) => void } = {},
): Promise<FineTuneJobStatus> {
  const interval = opts.intervalMs ?? 30_000;
  let last: FineTuneJobStatus | undefined;
  for (let i = 0; i < (opts.maxPolls ?? Number.POSITIVE_INFINITY); i++) {
    last = await getFineTuneJob(client, id, opts.signal);
    opts.onStatus?.(last);
    if (isFinished(last.state)) return last;
    await sleep(interval, opts.signal);
  }
  return last!;
}

export function isFinished(state: FineTuneJobState): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'cancelled';
}

/** The YAML of a variant that runs the fine-tuned model zero-shot, to append under `variants:`. */
export function fineTunedVariantYaml(status: FineTuneJobStatus, name = 'fine-tuned'): string {
  if (!status.fineTunedModel) throw new Error(`Fine-tuning job ${status.id} has no model yet (state: ${status.state}).`);
  return `  - name: ${name}\n    model: openai/${status.fineTunedModel}\n    shots: 0\n`;
}

function toStatus(job: OpenAI.FineTuning.FineTuningJob): FineTuneJobStatus {
  return {
    id: job.id,
    state: job.status as FineTuneJobState,
    baseModel: job.model,
    ...(job.fine_tuned_model ? { fineTunedModel: job.fine_tuned_model } : {}),
    ...(typeof job.trained_tokens === 'number' ? { trainedTokens: job.trained_tokens } : {}),
    ...(job.error?.message ? { error: job.error.message } : {}),
    trainingFile: job.training_file,
    ...(job.validation_file ? { validationFile: job.validation_file } : {}),
  };
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
