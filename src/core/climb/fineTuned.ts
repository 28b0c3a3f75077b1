// Fine-tuned models as moves: a fine-tuning job that finished (succeeded) for this prompt file, on one of its
// models, makes its model a candidate, as a model the user names with --model does. Starting a job is never a
// move: a climb only tries a fine-tuned model that already exists.

import * as path from 'node:path';
import { variantModel } from '../engine';
import type { PromptSpec } from '../prompt/spec';
import type { ProviderResolver } from '../providers/provider';

/** What a climb reads of a fine-tuning job (the editor's Fine-Tuning Jobs list holds these fields). */
export interface FineTuneJobLike {
  /** Absolute path of the prompt file the job was started from. */
  promptPath: string;
  /** Base model as the API names it ('gpt-4o-mini', or with a date suffix). */
  baseModel: string;
  /** Provider prefix of the prompt's model ('openai', a profile name). */
  providerName: string;
  state: string;
  fineTunedModel?: string;
}

/** The model as the API names it: the last segment of 'openai/gpt-4o-mini'. */
function apiName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1).toLowerCase();
}

/** Model references ('openai/ft:gpt-4o-mini:org::abc') of the jobs that succeeded for this file and one of its models. */
export function finishedFineTunes(jobs: readonly FineTuneJobLike[], file: string, spec: PromptSpec, providers: ProviderResolver): string[] {
  const models = spec.variants.map((v) => variantModel(spec, v, providers)).filter((m): m is string => Boolean(m));
  const bases = new Set(models.map(apiName));
  const out: string[] = [];
  for (const job of jobs) {
    if (job.state !== 'succeeded' || !job.fineTunedModel) continue;
    if (path.resolve(job.promptPath) !== path.resolve(file)) continue;
    const base = job.baseModel.toLowerCase();
    if (![...bases].some((b) => base === b || base.startsWith(`${b}-`))) continue;
    const ref = `${job.providerName}/${job.fineTunedModel}`;
    if (!out.includes(ref)) out.push(ref);
  }
  return out;
}
