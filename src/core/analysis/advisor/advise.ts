// The escalation advisor (PRODUCT.md "The escalation advisor"): signals → rules → ranking. Signals are
// computed once from the run record; each rule (one module per rung or situation, in ./rules) turns them into
// findings with evidence; one ranking step orders and merges them into the record's `advice`.

import type { Advice, Recommendation } from '../../runs/schema';
import { ADVISOR_COMMANDS, commandAction } from './commands';
import type { AdviseContext, Rule } from './rule';
import { computeSignals, type RunSignals } from './signals';
import { rank } from './ranking';
import { rule as evaluation } from './rules/evaluation';
import { rule as transport } from './rules/transport';
import { rule as allPass } from './rules/allPass';
import { rule as format } from './rules/format';
import { rule as knowledge } from './rules/knowledge';
import { rule as retrieval } from './rules/retrieval';
import { rule as grounding } from './rules/grounding';
import { rule as reasoning } from './rules/reasoning';
import { rule as refusal } from './rules/refusal';
import { rule as combination } from './rules/combination';
import { rule as structuredOutput } from './rules/structuredOutput';
import { rule as cachedFewShot } from './rules/cachedFewShot';
import { rule as fineTuneVenue } from './rules/fineTuneVenue';
import { rule as distillation } from './rules/distillation';

export const RULES: readonly Rule[] = [
  transport,
  evaluation,
  allPass,
  format,
  knowledge,
  retrieval,
  grounding,
  reasoning,
  refusal,
  combination,
  structuredOutput,
  cachedFewShot,
  fineTuneVenue,
  distillation,
];

/** `signals`: the record's signals when the caller has them (computed after the record's last change). */
export function advise(
  record: Parameters<typeof computeSignals>[0],
  ctx: AdviseContext = {},
  rules: readonly Rule[] = RULES,
  signals: RunSignals = computeSignals(record, ctx.spec),
): Advice {
  const s = signals;
  if (s.cells === 0) return { recommendations: [] };
  // nothing judged: only the situation rules (errors) can speak
  const active = s.caseCount === 0 ? rules.filter((r) => r.meta.id === 'transport') : rules;
  const findings = active.flatMap((r) => r.check(s, ctx));
  return { recommendations: withClimb(rank(findings)) };
}

/** The top recommendation, when it is a rung to try, offers to climb: try its moves on held-out cases, within a budget. */
function withClimb(recs: Recommendation[]): Recommendation[] {
  const top = recs[0];
  if (!top || (top.kind !== 'prompt-engineering' && top.kind !== 'rag')) return recs;
  return [{ ...top, actions: [...top.actions, commandAction(ADVISOR_COMMANDS.climb, 'Climb… (try these moves on held-out cases, within a budget)')] }, ...recs.slice(1)];
}

/** "fine-tuning (70% confidence): Few-shot cuts format failures from 8 to 3 but does not clear them" — for the CLI. */
export function topRecommendationLine(advice: Advice | undefined): string {
  const top = advice?.recommendations[0];
  if (!top) return 'No recommendation: nothing to go on.';
  return `${top.kind} (${Math.round(top.confidence * 100)}% confidence): ${top.title ?? firstSentence(top.why)}`;
}

function firstSentence(s: string): string {
  const m = /^(.*?[.!?])(\s|$)/.exec(s);
  return m ? m[1] : s;
}
