// What a rule is (like an ESLint rule: metadata + a function) and the helpers rules share to turn signals
// into a finding: confidence from the evidence, per-variant evidence sentences, the cases behind it.

import type { PromptSpec } from '../../prompt/spec';
import type { Recommendation, RecommendationKind } from '../../runs/schema';
import type { Group, RunSignals, VariantSignals } from './signals';
import { GROUP_CATEGORIES } from './signals';

export interface AdviseContext {
  spec?: PromptSpec;
  /** Price of prompt tokens, USD per million, when the model's price is not in the pricing table. */
  pricing?: { promptUsdPerMTok?: number };
  /** Calls per month for the cost comparison of the fine-tuning alternatives (default 100,000). */
  callsPerMonth?: number;
  /** Kinds of the user's provider profiles by name (a 'custom' profile on Mistral's host counts as 'mistral'). */
  profileKinds?: Readonly<Record<string, string>>;
  /** Today, for OpenAI's fine-tuning cut-off (default: now). */
  now?: Date;
}

export interface RuleMeta {
  /** Stable id, e.g. "format". */
  id: string;
  /** The situation the rule recognises, in one line. */
  description: string;
  /** Kinds of recommendation it can return. */
  kinds: RecommendationKind[];
}

/** A recommendation plus what the ranking needs. */
export interface Finding extends Recommendation {
  rule: string;
  group?: Group;
  /** Ranks above everything of a lower priority (errors dominate: 3; too few cases: 2). */
  priority: number;
  /** Share of what still fails in the best configuration that this finding addresses (0..1). */
  weight: number;
}

export interface Rule {
  meta: RuleMeta;
  check(s: RunSignals, ctx: AdviseContext): Finding[];
}

// ---------------------------------------------------------------------------------------------
// Confidence

export interface ConfidenceInput {
  /** How well the rung fits this pattern when the evidence is clean and plentiful. */
  prior: number;
  /** p-value of the paired comparison the call rests on (undefined: the call rests on counts alone). */
  p?: number;
  cases: number;
  errorShare: number;
  /** Share of the failures behind the call whose category is only a guess. */
  guessShare?: number;
  /** Share of the remaining failures the call explains. */
  dominance?: number;
}

export function evidenceFactor(p: number): number {
  if (p <= 0.01) return 1;
  if (p <= 0.05) return 0.9;
  if (p <= 0.1) return 0.75;
  if (p <= 0.25) return 0.6;
  return 0.5;
}

export function sizeFactor(cases: number): number {
  if (cases < 10) return 0.6;
  if (cases < 20) return 0.8;
  if (cases < 40) return 0.95;
  return 1;
}

/** Confidence from effect (prior × dominance), paired significance, case count, error share and category certainty. */
export function confidence(i: ConfidenceInput): number {
  let c = i.prior;
  if (i.p !== undefined) c *= evidenceFactor(i.p);
  c *= sizeFactor(i.cases);
  c *= 1 - 0.8 * Math.min(1, Math.max(0, i.errorShare));
  if (i.guessShare) c *= 1 - 0.3 * i.guessShare;
  if (i.dominance !== undefined) c *= 0.55 + 0.45 * Math.min(1, Math.max(0, i.dominance));
  return Math.round(Math.min(0.95, Math.max(0.05, c)) * 100) / 100;
}

/** Significance levels the rules use to decide whether a difference between variants is real. */
export const EVIDENCE_P = 0.1;
/** A monotone trend across three or more shot counts may carry a weaker single comparison. */
export const TREND_P = 0.25;

// ---------------------------------------------------------------------------------------------
// Findings

export interface FindingInit {
  rule: string;
  group: Group;
  kind: RecommendationKind;
  prior: number;
  p?: number;
  title: string;
  why: string;
  actions: string[];
  extra?: Record<string, unknown>;
  /** Multiplies the weight (a second step, e.g. "then fine-tune"). */
  weightFactor?: number;
}

/** A finding about one failure group, with its evidence, confidence and weight filled in from the signals. */
export function groupFinding(s: RunSignals, init: FindingInit): Finding {
  const remaining = s.best ? s.count(s.best, init.group) : 0;
  const bestFailed = s.best?.failed ?? 0;
  const all = s.variants.reduce((n, v) => n + s.count(v, init.group), 0);
  const weight =
    remaining > 0 && bestFailed > 0
      ? remaining / bestFailed
      : // fixed in the best variant: a "keep it" note, ranked by how much it once mattered
        0.05 + 0.25 * (s.totalFailures ? all / s.totalFailures : 0);
  // errors shrink the evidence a finding rests on: the baseline and the best variant (a variant that errored
  // throughout is the transport rule's to report, not a reason to doubt what the clean variants show)
  const evidenceErrors = Math.max(s.baseline?.errorShare ?? s.errorShare, s.best?.errorShare ?? s.errorShare);
  const conf = confidence({
    prior: init.prior,
    p: init.p,
    cases: s.caseCount,
    errorShare: evidenceErrors,
    guessShare: s.guessShare(init.group),
    dominance: remaining > 0 && bestFailed > 0 ? remaining / bestFailed : undefined,
  });
  const cases = [...new Set(s.variants.flatMap((v) => s.cases(v, init.group)))].sort((a, b) => a - b);
  return {
    rule: init.rule,
    group: init.group,
    kind: init.kind,
    confidence: conf,
    title: init.title,
    why: init.why,
    evidence: {
      category: init.group,
      failures: all,
      remainingInBest: remaining,
      shareOfFailures: round2(s.totalFailures ? all / s.totalFailures : 0),
      counts: countsOf(s.baseline, init.group),
      baseline: s.baseline?.name,
      best: s.best?.name,
      perVariant: perVariant(s, init.group),
      sentences: sentences(s, init.group),
      cases,
      ...(init.extra ?? {}),
    },
    actions: init.actions,
    priority: 0,
    weight: weight * (init.weightFactor ?? 1),
  };
}

function countsOf(v: VariantSignals | undefined, group: Group): Record<string, number> {
  const out: Record<string, number> = {};
  if (!v) return out;
  for (const c of GROUP_CATEGORIES[group]) if (v.categories[c]) out[c] = v.categories[c];
  return out;
}

export function perVariant(s: RunSignals, group: Group) {
  return s.variants.map((v) => ({
    variant: v.name,
    shots: v.shots,
    retrieval: v.retrieval,
    results: v.judged,
    failures: s.count(v, group),
    passRate: round2(v.passRate),
    passInterval: v.passInterval.map(round2),
    cases: s.cases(v, group),
  }));
}

export interface EvidenceSentence {
  variant: string;
  text: string;
  /** The cases the sentence is about (the panel links them to the matrix filter). */
  cases: number[];
}

/** One short sentence per variant: "3-shot: 6 of 20 cases fail on format; passes 70 % (48–85 %)." */
export function sentences(s: RunSignals, group: Group): EvidenceSentence[] {
  const label = groupLabel(s, group);
  return s.variants
    .filter((v) => v.judged + v.errors > 0)
    .map((v) => {
      const n = s.count(v, group);
      const [lo, hi] = v.passInterval;
      const errs = v.errors ? `; ${v.errors} errored` : '';
      return {
        variant: v.name,
        text:
          `${v.name}: ${n} of ${v.judged} ${v.judged === 1 ? 'case fails' : 'cases fail'} on ${label}; ` +
          `passes ${pctOf(v.passRate)} (95 % interval ${pctOf(lo)}–${pctOf(hi)})${errs}.`,
        cases: s.cases(v, group),
      };
    });
}

export function groupLabel(s: RunSignals, group: Group): string {
  if (group !== 'format') return group;
  const f = s.variants.reduce((n, v) => n + (v.categories.format ?? 0), 0);
  const i = s.variants.reduce((n, v) => n + (v.categories.instruction ?? 0), 0);
  return f && i ? 'format/instruction' : f ? 'format' : i ? 'instruction' : 'format';
}

export function failuresText(n: number, label: string): string {
  return `${n} ${label} ${n === 1 ? 'failure' : 'failures'}`;
}

export function pctOf(x: number): string {
  return `${Math.round(x * 100)} %`;
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
