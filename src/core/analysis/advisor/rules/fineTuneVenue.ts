// Where fine-tuning can happen for the run's model. When the run gives a reason to fine-tune (examples teach the
// form, or a bigger model is a teacher) and the baseline's provider cannot start a job — OpenAI after its
// wind-down, Ollama, GitHub Models, VS Code's models — the card says where it could (Azure OpenAI, Mistral,
// Together with jobs from here; Vertex AI, Bedrock, local trainers by export) instead of offering a job that fails.

import type { AdviseContext, Finding, Rule } from '../rule';
import type { RunSignals } from '../signals';
import { groupFinding } from '../rule';
import { ADVISOR_COMMANDS, commandAction } from '../commands';
import { fineTuneSignals } from '../fineTuneSignals';
import { ALTERNATIVES_TEXT, isOpenAIModel, OPENAI_FINE_TUNING_CUTOFF } from '../../../finetune/venues';

export const meta = {
  id: 'fine-tune-venue',
  description: "The run's model cannot start a fine-tuning job where it runs: where it could be fine-tuned instead.",
  kinds: ['fine-tuning'],
} satisfies Rule['meta'];

export function check(s: RunSignals, ctx: AdviseContext): Finding[] {
  const f = fineTuneSignals(s, ctx);
  const motive = f.format.kind === 'reduced' || !!f.distillation;
  if (!motive) return [];
  // OpenAI's sentence is the same before and after the cut-off, so a run's advice does not change with the day
  const openai = isOpenAIModel(f.model, ctx.profileKinds);
  if (!openai && f.venue.kind !== 'none') return [];
  const where =
    openai
      ? `OpenAI creates new fine-tuning jobs only for organisations it still accepts, and for none from ${OPENAI_FINE_TUNING_CUTOFF}.`
      : `${f.model} cannot be fine-tuned where it runs: ${(f.venue as { reason: string }).reason}.`;
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
      extra: { venue: openai ? { provider: 'openai', cutoff: OPENAI_FINE_TUNING_CUTOFF } : { canStartJob: false, reason: (f.venue as { reason: string }).reason }, model: f.model },
      weightFactor: 0.2,
    }),
  ];
}

export const rule: Rule = { meta, check };
