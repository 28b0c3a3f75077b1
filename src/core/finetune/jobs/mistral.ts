// Mistral fine-tuning jobs (https://docs.mistral.ai/api/#tag/fine-tuning): upload each JSONL file with
// POST /v1/files (multipart, purpose=fine-tune), create with POST /v1/fine_tuning/jobs {model,
// training_files:[{file_id, weight}], validation_files, hyperparameters, suffix, auto_start}, read with
// GET /v1/fine_tuning/jobs/{id}, cancel with POST …/{id}/cancel. The chat JSONL is Mistral's own format.

import { apiModelName, FineTuneJobError, type FineTuneJobAdapter, type FineTuneJobState, type FineTuneJobStatus, type StartFineTuneInput } from './adapter';
import { callPlatform, fileForm, type PlatformEndpoint } from './http';

export const MISTRAL_BASE_URL = 'https://api.mistral.ai/v1';

interface MistralJob {
  id: string;
  model: string;
  status: string;
  training_files?: string[];
  validation_files?: string[] | null;
  fine_tuned_model?: string | null;
  trained_tokens?: number | null;
  message?: string | null;
}

const STATES: Readonly<Record<string, FineTuneJobState>> = {
  QUEUED: 'queued',
  STARTED: 'queued',
  VALIDATING: 'validating_files',
  VALIDATED: 'queued',
  RUNNING: 'running',
  SUCCESS: 'succeeded',
  FAILED: 'failed',
  FAILED_VALIDATION: 'failed',
  CANCELLATION_REQUESTED: 'cancelled',
  CANCELLED: 'cancelled',
};

function toStatus(job: MistralJob): FineTuneJobStatus {
  const state = STATES[job.status] ?? 'running';
  const error = state === 'failed' ? (job.message ?? (job.status === 'FAILED_VALIDATION' ? 'the training file did not pass validation' : 'the job failed')) : undefined;
  return {
    id: job.id,
    state,
    baseModel: job.model,
    ...(job.fine_tuned_model ? { fineTunedModel: job.fine_tuned_model } : {}),
    ...(typeof job.trained_tokens === 'number' ? { trainedTokens: job.trained_tokens } : {}),
    ...(error ? { error } : {}),
    trainingFile: job.training_files?.[0] ?? '',
    ...(job.validation_files?.[0] ? { validationFile: job.validation_files[0] } : {}),
  };
}

export function mistralAdapter(ep: PlatformEndpoint): FineTuneJobAdapter {
  const upload = async (content: string, name: string, signal?: AbortSignal) =>
    (await callPlatform<{ id: string }>('mistral', ep, 'POST', '/files', fileForm(content, name, { purpose: 'fine-tune' }), signal)).id;
  return {
    platform: 'mistral',
    format: 'openai',
    async start(input: StartFineTuneInput, signal?: AbortSignal) {
      if (!input.train.trim()) throw new FineTuneJobError('The training file is empty: export cases with expected outputs first.', 'mistral');
      const train = await upload(input.train, 'train.jsonl', signal);
      const validation = input.validation?.trim() ? await upload(input.validation, 'validation.jsonl', signal) : undefined;
      const job = await callPlatform<MistralJob>(
        'mistral',
        ep,
        'POST',
        '/fine_tuning/jobs',
        {
          model: apiModelName(input.model),
          training_files: [{ file_id: train, weight: 1 }],
          ...(validation ? { validation_files: [validation] } : {}),
          hyperparameters: { ...(input.epochs ? { epochs: input.epochs } : {}) },
          ...(input.suffix ? { suffix: input.suffix.slice(0, 18) } : {}),
          auto_start: true,
        },
        signal,
      );
      return toStatus(job);
    },
    async get(id: string, signal?: AbortSignal) {
      return toStatus(await callPlatform<MistralJob>('mistral', ep, 'GET', `/fine_tuning/jobs/${encodeURIComponent(id)}`, undefined, signal));
    },
    async cancel(id: string) {
      return toStatus(await callPlatform<MistralJob>('mistral', ep, 'POST', `/fine_tuning/jobs/${encodeURIComponent(id)}/cancel`));
    },
  };
}
