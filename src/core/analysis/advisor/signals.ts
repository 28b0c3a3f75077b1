// Signals: everything an advisor rule may look at, computed once per run record. Per variant (counts by
// category, pass rate with its interval, error share, prompt tokens, how the categories were decided) and per
// pair of variants on the cases both judged (cases fixed and broken, the exact paired sign test). Rules read
// signals only; they never walk the record themselves.

import type { PromptSpec, VariantSpec } from '../../prompt/spec';
import { offTopicCases } from './relevancy';
import type { CaseResult, RunRecord } from '../../runs/schema';
import { signTestP, wilson } from './stats';

/** The failure groups the rules reason about (format and instruction are one rung: LLM optimization). */
export type Group = 'format' | 'knowledge' | 'retrieval' | 'grounding' | 'reasoning' | 'refusal';
export const GROUP_CATEGORIES: Record<Group, string[]> = {
  format: ['format', 'instruction'],
  knowledge: ['knowledge'],
  retrieval: ['retrieval'],
  grounding: ['grounding'],
  reasoning: ['reasoning'],
  refusal: ['refusal'],
};
export const GROUPS = Object.keys(GROUP_CATEGORIES) as Group[];

export function groupOf(category: string | null | undefined): Group | undefined {
  if (!category) return undefined;
  return GROUPS.find((g) => GROUP_CATEGORIES[g].includes(category));
}

/** How a variant differs from the baseline, which decides what its evidence means. */
export type VariantRole = 'baseline' | 'few-shot' | 'rag' | 'chain-of-thought' | 'self-repair' | 'model' | 'other';

/** How a failure's category was decided (CaseResult.categoryBasis). */
export type Basis = 'certain' | 'judge' | 'variant' | 'guess';

/** One case in one variant: passed, failed with a category, or no judged result (every call errored). */
export type Outcome = { kind: 'pass' } | { kind: 'fail'; category: string; basis: Basis } | { kind: 'error'; reason: string };

export interface VariantSignals {
  name: string;
  model: string;
  shots: number;
  retrieval: boolean;
  chainOfThought: boolean;
  selfRepair: boolean;
  role: VariantRole;
  /** Cases with a judged (non-error) outcome. */
  judged: number;
  passed: number;
  failed: number;
  /** Cases whose every call errored. */
  errors: number;
  errorShare: number;
  passRate: number;
  /** 95 % Wilson interval of the pass rate. */
  passInterval: [number, number];
  /** Failing cases per category. */
  categories: Record<string, number>;
  casesByCategory: Record<string, number[]>;
  /** Failing cases per category whose category is only a guess. */
  guessed: Record<string, number>;
  outcomes: Map<number, Outcome>;
  promptTokensPerCall: number;
}

export interface PairSignals {
  a: string;
  b: string;
  /** Cases both variants judged. */
  shared: number;
  /** Cases failing (in the group, when given) in A and not in B. */
  fixed: number[];
  /** Cases not failing (in the group) in A and failing in B. */
  broken: number[];
  /** Exact two-sided sign test on fixed vs broken. */
  p: number;
  /** Failures (in the group) on the shared cases. */
  before: number;
  after: number;
}

export interface ErrorReason {
  reason: string;
  count: number;
}

export interface TrendPoint {
  variant: string;
  shots: number;
  failures: number;
  rate: number;
}

export interface RunSignals {
  record: RunRecord;
  spec?: PromptSpec;
  /** Cases with at least one judged result. */
  caseCount: number;
  /** All cases of the record. */
  totalCases: number;
  /** (case, variant) cells, and those whose every call errored. */
  cells: number;
  errorCells: number;
  errorShare: number;
  errorReasons: ErrorReason[];
  variants: VariantSignals[];
  baseline?: VariantSignals;
  /** Highest pass rate (ties: fewer prompt tokens, then order). */
  best?: VariantSignals;
  /** Judged failures over all variants. */
  totalFailures: number;
  variant(name: string): VariantSignals | undefined;
  byRole(role: VariantRole): VariantSignals[];
  /** Few-shot variants on the baseline's model (any model when none shares it). */
  fewShot: VariantSignals[];
  pair(a: VariantSignals, b: VariantSignals, group?: Group): PairSignals;
  /** Failures of a group in a variant. */
  count(v: VariantSignals, group: Group): number;
  cases(v: VariantSignals, group: Group): number[];
  /** Share of a group's failures (all variants) whose category is only a guess. */
  guessShare(group: Group): number;
  /** Baseline then few-shot variants by shots: a group's failure rate as examples are added. */
  trend(group: Group): TrendPoint[];
  /** Failing cases of a variant whose answer-relevancy evaluator failed: answers that ignore the question. */
  offTopic(v: VariantSignals): number;
}

/** Every passing outcome is this one object (a large run has one per case and variant). */
const PASS: Outcome = Object.freeze({ kind: 'pass' as const });

/** Run-wide tallies the per-variant pass adds to: (case, variant) cells, error cells and reasons, judged cases. */
export interface RunTally {
  cells: number;
  errorCells: number;
  reasons: Map<string, number>;
  judgedCases: Set<number>;
}

export function computeSignals(record: RunRecord, spec?: PromptSpec): RunSignals {
  const names: string[] = record.variants.map((v) => v.name);
  for (const c of record.cases) for (const r of c.results) if (!names.includes(r.variant)) names.push(r.variant);

  const tally: RunTally = { cells: 0, errorCells: 0, reasons: new Map(), judgedCases: new Set() };
  const variants = names.map((name) => variantSignals(record, name, spec, tally));
  const baseline = pickBaseline(variants);
  for (const v of variants) v.role = roleOf(v, baseline);
  const fewShot = fewShotOf(variants, baseline);
  const pairMemo = new Map<string, PairSignals>();
  const { cells, errorCells } = tally;

  const signals: RunSignals = {
    record,
    spec,
    caseCount: tally.judgedCases.size,
    totalCases: record.cases.length,
    cells,
    errorCells,
    errorShare: cells ? errorCells / cells : 0,
    errorReasons: [...tally.reasons.entries()].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
    variants,
    baseline,
    best: pickBest(variants),
    totalFailures: variants.reduce((s, v) => s + v.failed, 0),
    variant: (name) => variants.find((v) => v.name === name),
    byRole: (role) => variants.filter((v) => v.role === role),
    fewShot,
    pair(a, b, group) {
      const key = `${a.name}\u0000${b.name}\u0000${group ?? ''}`;
      let out = pairMemo.get(key);
      if (!out) pairMemo.set(key, (out = pairSignals(a, b, group)));
      return out;
    },
    count: groupCount,
    cases: (v, group) => GROUP_CATEGORIES[group].flatMap((c) => v.casesByCategory[c] ?? []).sort((x, y) => x - y),
    guessShare: (group) => guessShare(variants, group),
    trend: (group) => trend(baseline, fewShot, group),
    offTopic: (v) => offTopicCases(record, spec, v),
  };
  return signals;
}

/** What one variant's results in one case come to: its outcome, and the prompt tokens and calls of its judged results. */
interface CaseTally {
  outcome: Outcome;
  promptTokens: number;
  calls: number;
}

/** Flags read off a variant's results when its spec is not at hand. */
interface SeenFlags {
  answer: boolean;
  attempts: boolean;
  context: boolean;
}

/** One variant's results in one case: undefined when it has none there. */
function caseOutcome(results: CaseResult[], name: string, seen: SeenFlags): CaseTally | undefined {
  // one pass over the case's results, no arrays (this runs for every case of a large run, twice)
  let firstResult: CaseResult | undefined;
  let judgedHere = 0;
  let passes = 0;
  let promptTokens = 0;
  for (const r of results) {
    if (r.variant !== name) continue;
    firstResult ??= r;
    if (r.answer !== undefined) seen.answer = true;
    if (r.attempts !== undefined) seen.attempts = true;
    if ((r.context?.length ?? 0) > 0) seen.context = true;
    if (r.error) continue;
    judgedHere++;
    promptTokens += r.tokens.prompt;
    if (r.passed) passes++;
  }
  if (!firstResult) return undefined;
  if (judgedHere === 0) return { outcome: { kind: 'error', reason: shortReason(firstResult.error ?? 'error') }, promptTokens: 0, calls: 0 };
  // repeats: a case passes when most of its judged repeats pass
  if (passes * 2 > judgedHere) return { outcome: PASS, promptTokens, calls: judgedHere };
  const failing = results.filter((r) => r.variant === name && !r.error && !r.passed);
  const category = mostCommon(failing.map((r) => r.category ?? 'uncategorized'));
  const first = failing.find((r) => (r.category ?? 'uncategorized') === category)!;
  return { outcome: { kind: 'fail', category, basis: basisOf(first) }, promptTokens, calls: judgedHere };
}

/** Per-variant signals: outcomes by case, counts by category, pass rate and interval, error share, prompt tokens. */
export function variantSignals(record: RunRecord, name: string, spec: PromptSpec | undefined, tally: RunTally): VariantSignals {
  const summary = record.variants.find((v) => v.name === name);
  const vspec: VariantSpec | undefined = spec?.variants.find((v) => v.name === name);
  const outcomes = new Map<number, Outcome>();
  const categories: Record<string, number> = {};
  const casesByCategory: Record<string, number[]> = {};
  const guessed: Record<string, number> = {};
  const seen: SeenFlags = { answer: false, attempts: false, context: false };
  let passed = 0;
  let failed = 0;
  let errors = 0;
  let promptTokens = 0;
  let calls = 0;
  for (const c of record.cases) {
    const here = caseOutcome(c.results, name, seen);
    if (!here) continue;
    tally.cells++;
    const o = here.outcome;
    outcomes.set(c.index, o);
    if (o.kind === 'error') {
      tally.errorCells++;
      errors++;
      tally.reasons.set(o.reason, (tally.reasons.get(o.reason) ?? 0) + 1);
      continue;
    }
    tally.judgedCases.add(c.index);
    promptTokens += here.promptTokens;
    calls += here.calls;
    if (o.kind === 'pass') {
      passed++;
      continue;
    }
    failed++;
    categories[o.category] = (categories[o.category] ?? 0) + 1;
    (casesByCategory[o.category] ??= []).push(c.index);
    if (o.basis === 'guess') guessed[o.category] = (guessed[o.category] ?? 0) + 1;
  }
  const judged = passed + failed;
  return {
    name,
    model: summary?.model ?? vspec?.model ?? '',
    shots: summary?.shots ?? vspec?.shots ?? 0,
    retrieval: summary?.retrieval === true || (vspec?.retrieval !== undefined && vspec.retrieval !== false) || seen.context,
    chainOfThought: vspec?.chainOfThought === true || seen.answer || (!vspec && /\b(cot|chain|step)/i.test(name)),
    selfRepair: (vspec?.selfRepair ?? 0) > 0 || seen.attempts,
    role: 'other',
    judged,
    passed,
    failed,
    errors,
    errorShare: judged + errors ? errors / (judged + errors) : 0,
    passRate: judged ? passed / judged : 0,
    passInterval: wilson(passed, judged),
    categories,
    casesByCategory,
    guessed,
    outcomes,
    promptTokensPerCall: calls ? promptTokens / calls : 0,
  };
}

function inGroup(o: Outcome | undefined, group?: Group): boolean {
  return !!o && o.kind === 'fail' && (group ? GROUP_CATEGORIES[group].includes(o.category) : true);
}

/** Per-pair signals on the cases both variants judged: fixed and broken cases (in a group, when given), sign test. */
export function pairSignals(a: VariantSignals, b: VariantSignals, group?: Group): PairSignals {
  const fixed: number[] = [];
  const broken: number[] = [];
  let shared = 0;
  let before = 0;
  let after = 0;
  for (const [index, oa] of a.outcomes) {
    const ob = b.outcomes.get(index);
    if (!ob || oa.kind === 'error' || ob.kind === 'error') continue;
    shared++;
    const fa = inGroup(oa, group);
    const fb = inGroup(ob, group);
    if (fa) before++;
    if (fb) after++;
    if (fa && !fb) fixed.push(index);
    if (!fa && fb) broken.push(index);
  }
  return { a: a.name, b: b.name, shared, fixed, broken, p: signTestP(fixed.length, broken.length), before, after };
}

function groupCount(v: VariantSignals, group: Group): number {
  return GROUP_CATEGORIES[group].reduce((s, c) => s + (v.categories[c] ?? 0), 0);
}

/** Highest pass rate (ties: fewer prompt tokens, then order) among variants that judged at least half as many cases as the most. */
function pickBest(variants: VariantSignals[]): VariantSignals | undefined {
  const withResults = variants.filter((v) => v.judged > 0);
  const maxJudged = Math.max(0, ...withResults.map((v) => v.judged));
  // a variant that judged far fewer cases (errors) cannot be "best" on a lucky few
  const candidates = withResults.filter((v) => v.judged * 2 >= maxJudged);
  return candidates.reduce<VariantSignals | undefined>((b, v) => {
    if (!b) return v;
    if (v.passRate > b.passRate + 1e-9) return v;
    if (Math.abs(v.passRate - b.passRate) <= 1e-9 && v.promptTokensPerCall < b.promptTokensPerCall) return v;
    return b;
  }, undefined);
}

/** Few-shot variants on the baseline's model (any model when none shares it). */
function fewShotOf(variants: VariantSignals[], baseline: VariantSignals | undefined): VariantSignals[] {
  const all = variants.filter((v) => v.role === 'few-shot');
  const sameModel = all.filter((v) => v.model === baseline?.model);
  return sameModel.length ? sameModel : all;
}

function guessShare(variants: VariantSignals[], group: Group): number {
  let all = 0;
  let guess = 0;
  for (const v of variants)
  {for (const c of GROUP_CATEGORIES[group]) {
    all += v.categories[c] ?? 0;
    guess += v.guessed[c] ?? 0;
  }}
  return all ? guess / all : 0;
}

function trend(baseline: VariantSignals | undefined, fewShot: VariantSignals[], group: Group): TrendPoint[] {
  if (!baseline) return [];
  return [baseline, ...fewShot]
    .filter((v) => v.judged > 0)
    .sort((x, y) => x.shots - y.shots)
    .map((v) => {
      const failures = groupCount(v, group);
      return { variant: v.name, shots: v.shots, failures, rate: failures / v.judged };
    });
}

/** The variant without retrieval, chain of thought or self-repair and with the fewest shots (first declared wins ties). */
function pickBaseline(vs: VariantSignals[]): VariantSignals | undefined {
  const judged = vs.filter((v) => v.judged > 0);
  const plain = judged.filter((v) => !v.retrieval && !v.chainOfThought && !v.selfRepair);
  const pool = plain.length ? plain : judged;
  return pool.reduce<VariantSignals | undefined>((b, v) => (!b || v.shots < b.shots ? v : b), undefined);
}

function roleOf(v: VariantSignals, baseline: VariantSignals | undefined): VariantRole {
  if (v === baseline) return 'baseline';
  if (v.retrieval) return 'rag';
  if (v.chainOfThought) return 'chain-of-thought';
  if (v.selfRepair) return 'self-repair';
  if (baseline && v.shots > baseline.shots) return 'few-shot';
  if (baseline && v.model && baseline.model && v.model !== baseline.model) return 'model';
  return 'other';
}

export function basisOf(r: CaseResult): Basis {
  if (r.categoryBasis) return r.categoryBasis;
  if (r.categoryReason && /^guess\b|\bguess\b/i.test(r.categoryReason)) return 'guess';
  if (r.categoryReason && /^judge:/.test(r.categoryReason)) return 'judge';
  return 'certain';
}

function mostCommon(xs: string[]): string {
  const n = new Map<string, number>();
  for (const x of xs) n.set(x, (n.get(x) ?? 0) + 1);
  return [...n.entries()].sort((a, b) => b[1] - a[1])[0][0];
}

/** An error message without its variable parts, so the same failure groups together. */
function shortReason(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 120 ? `${t.slice(0, 119)}…` : t;
}
