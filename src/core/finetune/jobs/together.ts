// Together fine-tuning jobs (https://docs.together.ai/reference/post-fine-tunes): upload each JSONL file with
// POST /v1/files/upload (multipart file, file_name, purpose=fine-tune, file_type=jsonl), create with
// POST /v1/fine-tunes {training_file, validation_file, model, n_epochs, suffix}, read with GET /v1/fine-tunes/{id},
// cancel with POST …/{id}/cancel. The model to call is `output_name` (`model_output_name` once listed). Together
// reads the conversational {"messages": […]} JSONL (https://docs.together.ai/docs/fine-tuning/data-preparation).

import { FineTuneJobError, type FineTuneJobAdapter, type FineTuneJobState, type FineTuneJobStatus, type StartFineTuneInput } from './adapter';
import { callPlatform, fileForm, type PlatformEndpoint } from './http';

export const TOGETHER_BASE_URL = 'https://api.together.xyz/v1';

interface TogetherJob {
  id: string;
  status: string;
  model: string;
  training_file?: string;
  validation_file?: string;
  output_name?: string;
  model_output_name?: string;
  token_count?: number;
  events?: { type?: string; message?: string }[];
}

const STATES: Readonly<Record<string, FineTuneJobState>> = {
  pending: 'queued',
  queued: 'queued',
  running: 'running',
  compressing: 'running',
  uploading: 'running',
  completed: 'succeeded',
  error: 'failed',
  user_error: 'failed',
  cancel_requested: 'cancelled',
  cancelled: 'cancelled',
};

function toStatus(job: TogetherJob): FineTuneJobStatus {
  const state = STATES[job.status] ?? 'running';
  const model = job.model_output_name || (state === 'succeeded' ? job.output_name : undefined);
  const lastError = [...(job.events ?? [])].reverse().find((e) => /error/i.test(e.type ?? ''))?.message;
  return {
    id: job.id,
    state,
    baseModel: job.model,
    ...(model ? { fineTunedModel: model } : {}),
    ...(state === 'succeeded' && typeof job.token_count === 'number' ? { trainedTokens: job.token_count } : {}),
    ...(state === 'failed' ? { error: lastError ?? 'the job failed' } : {}),
    trainingFile: job.training_file ?? '',
    ...(job.validation_file ? { validationFile: job.validation_file } : {}),
  };
}

export function togetherAdapter(ep: PlatformEndpoint): FineTuneJobAdapter {
  const upload = async (content: string, name: string, signal?: AbortSignal) =>
    (await callPlatform<{ id: string }>('together', ep, 'POST', '/files/upload', fileForm(content, name, { file_name: name, purpose: 'fine-tune', file_type: 'jsonl' }), signal)).id;
  return {
    platform: 'together',
    format: 'openai',
    async start(input: StartFineTuneInput, signal?: AbortSignal) {
      if (!input.train.trim()) throw new FineTuneJobError('The training file is empty: export cases with expected outputs first.', 'together');
      const train = await upload(input.train, 'train.jsonl', signal);
      const validation = input.validation?.trim() ? await upload(input.validation, 'validation.jsonl', signal) : undefined;
      const job = await callPlatform<TogetherJob>(
        'together',
        ep,
        'POST',
        '/fine-tunes',
        {
          training_file: train,
          ...(validation ? { validation_file: validation } : {}),
          model: input.model,
          n_epochs: input.epochs ?? 3,
          ...(input.suffix ? { suffix: input.suffix.slice(0, 40) } : {}),
        },
        signal,
      );
      return toStatus(job);
    },
    async get(id: string, signal?: AbortSignal) {
      return toStatus(await callPlatform<TogetherJob>('together', ep, 'GET', `/fine-tunes/${encodeURIComponent(id)}`, undefined, signal));
    },
    async cancel(id: string) {
      return toStatus(await callPlatform<TogetherJob>('together', ep, 'POST', `/fine-tunes/${encodeURIComponent(id)}/cancel`));
    },
  };
}
