// Where fine-tuning can happen for the run's model. When the run gives a reason to fine-tune (examples teach the
// form, or a bigger model is a teacher) and the baseline's provider cannot start a job — OpenAI after its
// wind-down, Ollama, GitHub Models, VS Code's models — the card says where it could (Azure OpenAI, Mistral,
// Together with jobs from here; Vertex AI, Bedrock, local trainers by export) instead of offering a job that fails.

import type { AdviseContext, Finding, Rule } from '../rule';
import type { RunSignals } from '../signals';
import { groupFinding } from '../rule';
import { ADVISOR_COMMANDS, commandAction } from '../commands';
import { fineTuneSignals } from '../fineTuneSignals';
import { ALTERNATIVES_TEXT, OPENAI_FINE_TUNING_CUTOFF } from '../../../finetune/venues';

export const meta = {
  id: 'fine-tune-venue',
  description: "The run's model cannot start a fine-tuning job where it runs: where it could be fine-tuned instead.",
  kinds: ['fine-tuning'],
} satisfies Rule['meta'];

export function check(s: RunSignals, ctx: AdviseContext): Finding[] {
  const f = fineTuneSignals(s, ctx);
  const motive = f.format.kind === 'reduced' || !!f.distillation;
  if (!motive) return [];
  const openaiBefore = f.venue.kind === 'job' && f.venue.platform === 'openai';
  if (f.venue.kind === 'unknown' || (f.venue.kind === 'job' && !openaiBefore)) return [];
  const where =
    f.venue.kind === 'none'
      ? `${f.model} cannot be fine-tuned where it runs: ${f.venue.reason}.`
      : `OpenAI takes new fine-tuning jobs only from organisations with recent fine-tuned use, and from none after ${OPENAI_FINE_TUNING_CUTOFF}.`;
  return [
    groupFinding(s, {
      rule: meta.id,
      group: 'format',
      kind: 'fine-tuning',
      prior: 0.7,
      title: 'Where to fine-tune',
      why: `${where} Instead: ${ALTERNATIVES_TEXT}.`,
      actions: [
        commandAction(ADVISOR_COMMANDS.exportFineTune, 'Export for Azure OpenAI, Mistral, Together or Fireworks (chat JSONL)', [{ format: 'openai' }]),
        commandAction(ADVISOR_COMMANDS.exportFineTune, 'Export for Google Vertex AI', [{ format: 'vertex' }]),
        commandAction(ADVISOR_COMMANDS.exportFineTune, 'Export for Amazon Bedrock', [{ format: 'bedrock' }]),
        commandAction(ADVISOR_COMMANDS.exportFineTune, 'Export for local training (axolotl/TRL)', [{ format: 'local' }]),
      ],
      extra: { venue: f.venue.kind === 'none' ? { canStartJob: false, reason: f.venue.reason } : { canStartJob: 'until-cutoff', cutoff: OPENAI_FINE_TUNING_CUTOFF }, model: f.model },
      weightFactor: 0.2,
    }),
  ];
}

export const rule: Rule = { meta, check };
