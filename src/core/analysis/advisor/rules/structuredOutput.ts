// Format failures on a JSON task whose provider can enforce a strict JSON schema, while the prompt does not ask it
// to: structured output (`responseFormat: json_schema`, strict) comes before fine-tuning. Valid JSON — the seed's
// early reason to fine-tune — is now a request flag, at the zero-shot price and with no training.

import type { AdviseContext, Finding, Rule } from '../rule';
import type { RunSignals } from '../signals';
import { groupFinding } from '../rule';
import { fineTuneSignals } from '../fineTuneSignals';

export const meta = {
  id: 'structured-output',
  description: 'Format failures on JSON output that the provider could enforce with a strict JSON schema (before fine-tuning).',
  kinds: ['prompt-engineering'],
} satisfies Rule['meta'];

export function check(s: RunSignals, ctx: AdviseContext): Finding[] {
  const failing = s.variants.reduce((n, v) => n + (v.categories.format ?? 0), 0);
  if (!failing || !s.baseline) return [];
  const f = fineTuneSignals(s, ctx);
  const so = f.structuredOutput;
  if (!so.jsonTask || !so.supported || so.already) return [];
  const price = f.costs ? ` It costs the zero-shot price, $${f.costs.perThousand['structured output'].toFixed(4)} per 1,000 calls, with no training.` : ' It costs the zero-shot price, with no training.';
  return [
    groupFinding(s, {
      rule: meta.id,
      group: 'format',
      kind: 'prompt-engineering',
      prior: 0.85,
      title: 'Let the API enforce the JSON (structured output) before fine-tuning',
      why:
        `${failing} results fail on format and the output is JSON; ${f.model || 'this model'} accepts response_format json_schema with strict: true, ` +
        `so every reply parses and matches the schema.${price} Fine-tune only for what a schema cannot say (style, which value to choose).`,
      actions: ['Set responseFormat: json_schema and jsonSchema (the schema your evaluator checks, strict: true) in the prompt file, then run the eval again'],
      extra: { structuredOutput: { model: f.model, strict: true }, ...(f.costs ? { costPer1000Calls: f.costs.perThousand } : {}) },
      weightFactor: 1.2,
    }),
  ];
}

export const rule: Rule = { meta, check };
