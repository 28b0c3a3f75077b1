// Fine-tuning jobs on OpenAI and Azure OpenAI through the `openai` package, started only by an explicit user
// action: upload the exported JSONL files, create the job, read or cancel it. The caller passes a configured
// client (key from the user's settings or environment, never a file). OpenAI is winding fine-tuning down: when
// it refuses to create a job, the error is one line with the cut-off date and where to go instead.

import OpenAI, { toFile } from 'openai';
import { openaiRefusalLine } from '../venues';
import { apiModelName, FineTuneJobError, waitForJob, type FineTuneJobAdapter, type FineTuneJobState, type FineTuneJobStatus, type StartFineTuneInput } from './adapter';

/** Whether an error of OpenAI's job creation is its wind-down refusal rather than a mistake in the request. */
export function isWindDownRefusal(err: unknown): boolean {
  if (!(err instanceof OpenAI.APIError)) return false;
  const status = err.status ?? 0;
  const text = `${err.code ?? ''} ${err.message}`;
  if (status === 403) return true;
  return (status === 400 || status === 404) && /fine[-_ ]?tun/i.test(text) && /(no longer|not available|unavailable|deprecat|disabled|not permitted|not allowed|wind)/i.test(text);
}

/** `windDown`: the endpoint is OpenAI's own, whose refusals are its wind-down (not an Azure or compatible one). */
export async function startFineTuneJob(client: OpenAI, input: StartFineTuneInput, signal?: AbortSignal, windDown = false): Promise<FineTuneJobStatus> {
  if (!input.train.trim()) throw new Error('The training file is empty: export cases with expected outputs first.');
  const trainFile = await client.files.create({ file: await toFile(Buffer.from(input.train, 'utf8'), 'train.jsonl'), purpose: 'fine-tune' }, { signal });
  let validationId: string | undefined;
  if (input.validation?.trim()) {
    const v = await client.files.create({ file: await toFile(Buffer.from(input.validation, 'utf8'), 'validation.jsonl'), purpose: 'fine-tune' }, { signal });
    validationId = v.id;
  }
  try {
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
  } catch (err) {
    if (windDown && isWindDownRefusal(err)) throw new FineTuneJobError(openaiRefusalLine(), 'openai', (err as { status?: number }).status);
    throw err;
  }
}

export async function getFineTuneJob(client: OpenAI, id: string, signal?: AbortSignal): Promise<FineTuneJobStatus> {
  return toStatus(await client.fineTuning.jobs.retrieve(id, { signal }));
}

export async function cancelFineTuneJob(client: OpenAI, id: string): Promise<FineTuneJobStatus> {
  return toStatus(await client.fineTuning.jobs.cancel(id));
}

/** The adapter over a client for OpenAI or Azure OpenAI (the same job API; only OpenAI is winding down). */
export function openaiAdapter(client: OpenAI, platform: 'openai' | 'azure' = 'openai', windDown = platform === 'openai'): FineTuneJobAdapter {
  return {
    platform,
    format: 'openai',
    start: (input, signal) => startFineTuneJob(client, input, signal, windDown),
    get: (id, signal) => getFineTuneJob(client, id, signal),
    cancel: (id) => cancelFineTuneJob(client, id),
  };
}

/** Polls an OpenAI job until it ends (see waitForJob). */
export function waitForFineTuneJob(client: OpenAI, id: string, opts: Parameters<typeof waitForJob>[2] = {}): Promise<FineTuneJobStatus> {
  return waitForJob({ get: (jobId, signal) => getFineTuneJob(client, jobId, signal) }, id, opts);
}

/** The YAML of a variant that runs the fine-tuned model zero-shot, to append under `variants:`. */
export function fineTunedVariantYaml(status: FineTuneJobStatus, name = 'fine-tuned', provider = 'openai'): string {
  if (!status.fineTunedModel) throw new Error(`Fine-tuning job ${status.id} has no model yet (state: ${status.state}).`);
  return `  - name: ${name}\n    model: ${provider}/${status.fineTunedModel}\n    shots: 0\n`;
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
