// Errored results are not model failures, but they shrink the evidence. When they dominate, the only sound
// advice is to fix the provider and re-run (kind `evaluation`, with the error reasons), never a rung.

import type { Finding, Rule } from '../rule';
import { ADVISOR_COMMANDS, commandAction } from '../commands';
import { pctOf } from '../rule';

/** From this share of errored (case, variant) cells on, errors dominate the run. */
export const DOMINANT_ERROR_SHARE = 0.5;
/** From this share on, the errors are worth a note of their own. */
export const NOTABLE_ERROR_SHARE = 0.1;

export const meta = {
  id: 'transport',
  description: 'Calls failed (provider or transport): the errors shrink the evidence, and when they dominate nothing else can be advised.',
  kinds: ['evaluation'],
} satisfies Rule['meta'];

export function check(s: Parameters<Rule['check']>[0]): Finding[] {
  if (s.errorCells === 0 || s.errorShare < NOTABLE_ERROR_SHARE) return [];
  const dominant = s.errorShare >= DOMINANT_ERROR_SHARE;
  const reasons = s.errorReasons.slice(0, 3).map((r) => `${r.count} × ${r.reason}`);
  const errorCases = [...new Set(s.variants.flatMap((v) => [...v.outcomes].filter(([, o]) => o.kind === 'error').map(([i]) => i)))].sort((a, b) => a - b);
  const judged = s.cells - s.errorCells;
  const why = dominant
    ? `${s.errorCells} of ${s.cells} results (${pctOf(s.errorShare)}) are provider or transport errors (${reasons.join('; ')}). ` +
      `Errored results are not model failures, and the ${judged} judged ${judged === 1 ? 'result is' : 'results are'} too few to choose between prompt engineering, retrieval and fine-tuning. ` +
      'Fix the provider (key, endpoint, model name, rate limits) and re-run; any rung advised from this run would rest on the cases that happened to get through.'
    : `${s.errorCells} of ${s.cells} results (${pctOf(s.errorShare)}) errored (${reasons.join('; ')}). They are left out of the advice, which rests on fewer cases and is less certain for it; re-run once the provider is healthy.`;
  return [
    {
      rule: meta.id,
      kind: 'evaluation',
      confidence: dominant ? Math.round((0.6 + 0.35 * s.errorShare) * 100) / 100 : 0.4,
      title: dominant ? `${pctOf(s.errorShare)} of the calls errored: fix the provider and re-run` : `${s.errorCells} calls errored: the advice rests on fewer cases`,
      why,
      evidence: { errors: s.errorCells, results: s.cells, errorShare: Math.round(s.errorShare * 100) / 100, reasons: s.errorReasons.slice(0, 5), cases: errorCases },
      actions: [
        commandAction(ADVISOR_COMMANDS.runEval, 'Re-run the eval'),
        commandAction(ADVISOR_COMMANDS.selectModel, 'Check the provider and model'),
        commandAction(ADVISOR_COMMANDS.setApiKey, 'Set the API key'),
      ],
      priority: dominant ? 3 : 0,
      weight: dominant ? 1 : 0.15,
    },
  ];
}

export const rule: Rule = { meta, check };
