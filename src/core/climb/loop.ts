// The climb: baseline → split → steps (the advisor's recommendations on the search part become candidate
// moves; each is run on the search part, the best few on the validation part, and one is kept only on a
// paired exact test) → the final figure on the test part. It stops at the budget, when no move is left, at a
// 100 % search pass rate or after --max-steps steps; a stop signal ends it after the run in flight, and its
// record lets a later climb resume (the cache answers what was asked).

import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadPromptFile } from '../prompt/load';
import { variantModel } from '../engine';
import { sha256Hex } from '../text/sha256';
import { priceOf } from '../providers/pricing';
import type { ProviderResolver } from '../providers/provider';
import type { RunEvent } from '../events';
import { variantFields } from '../prompt/edits';
import { MIN_CLIMB_CASES, shares, splitCases } from './splits';
import type { PromptSpec } from '../prompt/spec';
import { Budget, type CaseShape, type Estimate, addEstimates, casesEstimate, rewriteEstimate, shapeBefore, shapeAfter, shapeModels } from './budget';
import { batchRefusal, type BatchEvent } from '../batch/runBatch';
import { finishedFineTunes, type FineTuneJobLike } from './fineTuned';
import { type ClimbRecord, type PassRates, type Round, type Step, findResumable, readClimb, writeClimb } from './record';
import { Runner, passRate, passedOf } from './runner';
import { runStep, type StepContext } from './step';
import { climbedText } from './patch';
import type { Move } from './moves';

export interface ClimbOptions {
  /** Absolute path of the prompt file and its text (the unsaved buffer in the editor). */
  file: string;
  text: string;
  root: string;
  providers: ProviderResolver;
  seed?: number;
  budgetUsd?: number;
  maxCalls?: number;
  /** Steps at most (default 5). */
  maxSteps?: number;
  /** Candidates tried on the search part per step (default 4) and confirmed on validation (default 2). */
  width?: number;
  confirm?: number;
  /** Significance level of the paired test, before Holm's correction (default 0.05). */
  alpha?: number;
  /** The variant the climb starts from (default the file's first). */
  variant?: string;
  /** Other models to try as moves (`ft:` ids: fine-tuned models). */
  models?: string[];
  /** Model that proposes instruction rewrites (default: the judge model, else the prompt's). */
  rewriteModel?: string;
  concurrency?: number;
  timeoutMs?: number;
  workspaceTrusted?: boolean;
  /** Stops the climb after the run in flight. */
  signal?: AbortSignal;
  /** Also aborts the calls in flight. */
  hardSignal?: AbortSignal;
  /** Resume an unfinished climb of the same text and seed (default true). */
  resume?: boolean;
  /**
   * Each step's runs through the provider's Batch API (at the batch price, hours per step): 'all' batches the
   * evaluators' calls too, 'calls' runs them live. `signal` then also stops the wait for a batch, which keeps
   * running on the provider; the same climb again attaches to it.
   */
  batch?: { mode?: 'all' | 'calls'; pollIntervalMs?: number };
  /** Fine-tuning jobs known to the caller (the editor's list); finished ones of this file become moves. */
  fineTuneJobs?: readonly FineTuneJobLike[];
  onEvent?: (e: ClimbEvent) => void;
}

export type ClimbEvent =
  | { type: 'estimate'; estimate: Estimate; budgetUsd?: number; maxCalls?: number; unpriced: string[]; searchCases: number; provider: string; batch?: 'all' | 'calls' }
  | { type: 'resumed'; file: string; steps: number }
  | { type: 'baseline'; rates: PassRates; sizes: { search: number; validation: number; test: number } }
  | { type: 'step-started'; round: Round }
  | { type: 'attempt'; step: Step }
  | { type: 'run'; what: string; event: RunEvent }
  | { type: 'batch'; what: string; event: BatchEvent }
  | { type: 'stopped'; reason: string }
  | { type: 'saved'; file: string; record: ClimbRecord };

/** Bad input: the CLI exits 2 with this message. */
export class ClimbInputError extends Error {}

export const DEFAULTS = { seed: 1, maxSteps: 5, width: 4, confirm: 2, alpha: 0.05 };

export interface ClimbPlan {
  spec: PromptSpec;
  start: Record<string, unknown>;
  baseVariant: string;
  model: string;
  rewriteModel: string;
  /** Other models to try as moves: the ones given and the finished fine-tuning jobs' models. */
  models: string[];
  /** Models on the way without a known price, judges included (then the budget is in calls). */
  unpriced: string[];
  opts: typeof DEFAULTS;
  /** Cases; below MIN_CLIMB_CASES the climb's only move is `evaluation`. */
  cases: number;
  sizes: { search: number; validation: number; test: number };
  base: CaseShape;
  /** Upper bound of the whole climb before any call (calls, tokens, dollars from the pricing table). */
  estimate: Estimate;
  /** Where the calls go (the provider's label), for the estimate's "sends the cases to …". */
  provider: string;
  /** Through the Batch API ('calls': evaluators live). */
  batch?: 'all' | 'calls';
}

/** Everything a climb knows before its first call: the model, the prices, the split sizes, the estimate. */
export async function planClimb(o: ClimbOptions): Promise<ClimbPlan> {
  const spec = await loadPromptFile(o.file, { text: o.text, anyName: true });
  const start = variantFields(o.text, o.variant, { prompty: spec.format === 'prompty' });
  if (!start) throw new ClimbInputError(`${path.basename(o.file)}: no variant named "${o.variant}" (variants: ${spec.variants.map((v) => v.name).join(', ')})`);
  const baseVariant = spec.variants.find((v) => v.name === (o.variant ?? spec.variants[0].name))!;
  const model = variantModel(spec, baseVariant, o.providers);
  if (!model) throw new ClimbInputError(`${path.basename(o.file)}: no model (add \`model:\` to the prompt file or set a default model)`);
  try {
    o.providers.resolve(model);
  } catch (e) {
    throw new ClimbInputError(`${path.basename(o.file)}: ${(e as Error).message}`);
  }
  const rewriteModel = o.rewriteModel ?? o.providers.judgeModel ?? model;
  const batch = o.batch ? (o.batch.mode ?? 'all') : undefined;
  if (batch) {
    const why = batchRefusal(spec, o.providers, { variants: [baseVariant.name], mode: batch });
    if (why) throw new ClimbInputError(`${path.basename(o.file)}: ${why}`);
  }
  const models = [...(o.models ?? []), ...finishedFineTunes(o.fineTuneJobs ?? [], o.file, spec, o.providers)];
  const n = spec.cases.length;
  const inc0 = { variant: start, file: {} };
  const base = shapeBefore(spec, inc0, model, { ...definedOf({ judgeModel: o.providers.judgeModel }), ...(batch ? { batch } : {}) });
  const unpriced = [...new Set([...shapeModels(base), rewriteModel, ...models])].filter((m) => !priceOf(m));
  const opts = { ...DEFAULTS, ...definedOf({ seed: o.seed, maxSteps: o.maxSteps, width: o.width, confirm: o.confirm, alpha: o.alpha }) };
  const sizes = sizesOf(n);
  // every step as dear as the dearest move could make it: five examples, retrieval, step by step, a retry, a long instruction
  const worst = shapeAfter(spec, inc0, base, { kind: 'rag', action: 'worst', label: '', patch: { variant: { shots: 5, retrieval: spec.retrieval ? true : undefined, chainOfThought: true, selfRepair: 1, system: ' '.repeat(1200) } } });
  const estimate =
    n < MIN_CLIMB_CASES
      ? { calls: 0, tokens: 0, usd: 0 }
      : addEstimates(
          casesEstimate(base, n),
          ...Array.from({ length: opts.maxSteps }, () => addEstimates(casesEstimate(worst, sizes.search * opts.width + sizes.validation * opts.confirm), rewriteEstimate(rewriteModel, 2))),
          casesEstimate(worst, sizes.test),
        );
  return { spec, start, baseVariant: baseVariant.name, model, rewriteModel, models, unpriced, opts, cases: n, sizes, base, estimate, provider: endpointLabel(o.providers, model), ...(batch ? { batch } : {}) };
}

export async function climb(o: ClimbOptions): Promise<{ record: ClimbRecord; file: string }> {
  const t0 = Date.now();
  const plan = await planClimb(o);
  const { spec, opts, unpriced, estimate, sizes, base, model, rewriteModel } = plan;
  const n = plan.cases;
  const rel = path.relative(o.root, o.file).split(path.sep).join('/');
  const promptHash = sha256Hex(o.text);
  const prior = o.resume === false ? undefined : await findResumable(o.root, rel, promptHash, opts.seed);
  const record: ClimbRecord = prior ? await readClimb(prior.file) : newRecord(rel, promptHash, opts, plan, unpriced.length === 0);
  record.status = 'running';
  if (prior) o.onEvent?.({ type: 'resumed', file: prior.file, steps: record.steps.length });
  let savedAt: number | undefined;
  const budget = budgetOf(record, o, unpriced, estimate);
  const save = async () => {
    // what was spent is saved with every write, so an interrupted climb resumes with it
    syncSpend(record, budget);
    record.wallMs += Date.now() - (savedAt ?? t0);
    savedAt = Date.now();
    const file = await writeClimb(o.root, record);
    o.onEvent?.({ type: 'saved', file, record });
    return file;
  };
  const stop = async (reason: string, status: ClimbRecord['status'] = 'finished') => {
    record.status = status;
    record.stopReason = reason;
    if (status === 'finished') record.finishedAt = new Date().toISOString();
    o.onEvent?.({ type: 'stopped', reason });
    return { record, file: await save() };
  };
  if (n < MIN_CLIMB_CASES) return stop(smallSet(record, n));
  const inc0 = { variant: plan.start, file: {} };
  if (!prior) {
    record.estimateUsd = estimate.usd ?? null;
    record.estimateCalls = estimate.calls;
  }
  o.onEvent?.({ type: 'estimate', estimate, ...definedOf({ budgetUsd: budget.usd, maxCalls: budget.maxCalls }), unpriced, searchCases: sizes.search, provider: plan.provider, ...(plan.batch ? { batch: plan.batch } : {}) });
  if (budget.usd === undefined && budget.maxCalls === undefined) {
    throw new ClimbInputError(`no price is known for ${unpriced.join(', ')}: a climb then needs a calls budget (--max-calls N; the estimate is up to ${estimate.calls} calls)`);
  }
  record.budgetUsd = budget.usd ?? null;
  record.maxCalls = budget.maxCalls ?? null;
  // a batch climb resumed without --batch still attaches to its pending batches (they are paid for)
  const batch = plan.batch ?? record.options.batch;

  const runner = new Runner(
    {
      file: o.file,
      original: o.text,
      prompty: spec.format === 'prompty',
      root: o.root,
      providers: o.providers,
      ...definedOf({ concurrency: o.concurrency, timeoutMs: o.timeoutMs, workspaceTrusted: o.workspaceTrusted, hardSignal: o.hardSignal }),
      onRunEvent: (what, event) => o.onEvent?.({ type: 'run', what, event }),
      ...(batch ? { batch: { mode: batch, ...definedOf({ pollIntervalMs: o.batch?.pollIntervalMs, signal: o.signal }), onBatch: (what: string, event: BatchEvent) => o.onEvent?.({ type: 'batch', what, event }) } } : {}),
    },
    budget,
  );
  const ctx: StepContext = { o, opts, record, budget, runner, spec, model, rewriteModel, base, save };
  if (!record.split) {
    const why = await runBaseline(ctx, inc0);
    if (why) return stop(why.reason, why.status);
  }
  for (;;) {
    if (o.signal?.aborted) return stop('stopped on request; run the same command again to resume', 'interrupted');
    const done = record.rounds.filter((r) => r.done).length;
    if (done >= opts.maxSteps) return finish(ctx, stop, `${opts.maxSteps} steps done (--max-steps)`);
    if (passRate(inc(record, 'search'), record.split!.search) === 1) return finish(ctx, stop, 'the search pass rate is 100 %');
    const r = await runStep(ctx, done + 1);
    if (r.stop) return r.final ? finish(ctx, stop, r.stop) : stop(r.stop, r.status ?? 'finished');
  }
}

/** Runs the start variant on every case, splits the cases by its outcomes; says why when it could not. */
async function runBaseline(ctx: StepContext, inc0: ClimbRecord['incumbent']): Promise<{ reason: string; status?: ClimbRecord['status'] } | undefined> {
  const { o, budget, record, runner, spec, base, opts } = ctx;
  const why = budget.refuses(casesEstimate(base, spec.cases.length), 'the baseline run');
  if (why) return { reason: `stopped before the first call: ${why}` };
  const baseline = await runner.run(inc0, spec.cases.map((c) => c.index), 'baseline', base);
  budget.add(baseline);
  syncSpend(record, budget);
  if (!baseline.complete) {
    return { reason: baseline.record.statusReason ?? 'the baseline run did not finish', status: o.signal?.aborted || o.hardSignal?.aborted ? 'interrupted' : 'failed' };
  }
  setBaseline(record, baseline.record, baseline.outcomes, opts.seed);
  record.incumbent = inc0;
  o.onEvent?.({ type: 'baseline', rates: record.baseline!, sizes: record.split!.sizes });
  await ctx.save();
  return undefined;
}

function inc(record: ClimbRecord, part: 'search' | 'validation'): Map<number, boolean> {
  const passed = new Set(record.incumbentPassed?.[part] ?? []);
  return new Map(record.split![part].map((i) => [i, passed.has(i)]));
}

/** Runs the kept incumbent on the test part (when there is one) and closes the record. */
async function finish(ctx: StepContext, stop: (reason: string, status?: ClimbRecord['status']) => Promise<{ record: ClimbRecord; file: string }>, reason: string) {
  const { record, runner, budget, o } = ctx;
  const split = record.split!;
  const kept = record.steps.filter((s) => s.kept);
  const baseline = record.baseline!;
  let test = baseline.testPassRate;
  let note = '';
  if (kept.length && split.test.length) {
    const shape = kept.reduce((s, step) => shapeAfter(ctx.spec, record.incumbent, s, step.move as Move), ctx.base);
    const why = budget.refuses(casesEstimate(shape, split.test.length), 'the final run on the test part');
    if (why) {
      test = null;
      note = ` (no test figure: ${why})`;
    } else {
      const r = await runner.run(record.incumbent, split.test, 'test', shape);
      budget.add(r);
      test = r.complete ? passRate(r.outcomes, split.test) : null;
    }
  }
  syncSpend(record, budget);
  record.final = { searchPassRate: passRate(inc(record, 'search'), split.search), validationPassRate: passRate(inc(record, 'validation'), split.validation), testPassRate: test };
  const from = split.test.length ? baseline.testPassRate : baseline.validationPassRate;
  const to = split.test.length ? test : record.final.validationPassRate;
  const gain = from !== null && to !== null ? (to - from) * 100 : 0;
  record.usdPerPoint = record.spentUsd !== null && gain > 0 ? record.spentUsd / gain : null;
  record.climbed = kept.length ? climbedText(o.text, record.incumbent, ctx.spec.format === 'prompty') : null;
  return stop(reason + note);
}

function syncSpend(record: ClimbRecord, budget: Budget): void {
  record.spentUsd = record.pricesKnown ? budget.spentUsd : null;
  record.judgeUsd = record.pricesKnown ? budget.judgeUsd : null;
  record.calls = budget.calls;
}

function setBaseline(record: ClimbRecord, run: { cases: { index: number; results: { passed: boolean; error: string | null; category?: string | null }[] }[] }, outcomes: Map<number, boolean>, seed: number): void {
  const strata = new Map<number, string>();
  for (const c of run.cases) {
    const r = c.results[0];
    strata.set(c.index, !r ? 'none' : r.error ? 'error' : r.passed ? 'pass' : `fail:${r.category ?? 'other'}`);
  }
  const s = splitCases(strata, seed);
  record.split = { seed, sizes: { search: s.search.length, validation: s.validation.length, test: s.test.length }, search: s.search, validation: s.validation, test: s.test };
  record.baseline = { searchPassRate: passRate(outcomes, s.search), validationPassRate: passRate(outcomes, s.validation), testPassRate: passRate(outcomes, s.test) };
  record.baselinePassed = passedOf(outcomes, [...strata.keys()]);
  record.incumbentPassed = { search: passedOf(outcomes, s.search), validation: passedOf(outcomes, s.validation) };
}

function sizesOf(n: number): { search: number; validation: number; test: number } {
  const [a, b] = shares(n);
  const search = Math.ceil(a * n);
  const validation = Math.ceil(b * n);
  return { search, validation, test: Math.max(0, n - Math.floor(a * n) - Math.floor(b * n)) };
}

function smallSet(record: ClimbRecord, n: number): string {
  const why = `${n} case${n === 1 ? '' : 's'} are too few to split into search and validation parts (a climb needs at least ${MIN_CLIMB_CASES}): it would decide on noise. Grow the eval set first (prompt-ladder generate FILE, or Generate Test Cases in the editor).`;
  record.steps.push({
    round: 1,
    move: { kind: 'evaluation', action: 'generate-cases', label: 'grow the eval set', patch: {} },
    searchPassRate: null,
    validationPassRate: null,
    fixed: null,
    broken: null,
    pValue: null,
    costUsd: 0,
    calls: 0,
    kept: false,
    why,
  });
  return `evaluation first: ${why}`;
}

/** The budget: as given (or as recorded, on resume); with known prices and none given, the estimate itself. */
function budgetOf(record: ClimbRecord, o: ClimbOptions, unpriced: string[], estimate: Estimate): Budget {
  const maxCalls = o.maxCalls ?? record.maxCalls ?? undefined;
  const given = o.budgetUsd ?? record.budgetUsd ?? undefined;
  const usd = unpriced.length ? undefined : (given ?? (maxCalls === undefined ? estimate.usd : undefined));
  const b = new Budget(usd, maxCalls);
  b.spentUsd = record.spentUsd ?? 0;
  b.judgeUsd = record.judgeUsd ?? 0;
  b.calls = record.calls;
  return b;
}

function endpointLabel(providers: ProviderResolver, model: string): string {
  try {
    return providers.resolve(model).provider.label;
  } catch {
    return model;
  }
}

function newRecord(promptFile: string, promptHash: string, opts: typeof DEFAULTS, plan: ClimbPlan, pricesKnown: boolean): ClimbRecord {
  return {
    version: 1,
    id: randomUUID(),
    promptFile,
    promptHash,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    status: 'running',
    stopReason: null,
    options: { ...opts, baseVariant: plan.baseVariant, models: plan.models, ...(plan.batch ? { batch: plan.batch } : {}) },
    pricesKnown,
    budgetUsd: null,
    maxCalls: null,
    estimateUsd: null,
    estimateCalls: 0,
    spentUsd: pricesKnown ? 0 : null,
    judgeUsd: pricesKnown ? 0 : null,
    calls: 0,
    split: null,
    baseline: null,
    final: null,
    incumbent: { variant: {}, file: {} },
    steps: [],
    rounds: [],
    usdPerPoint: null,
    climbed: null,
    wallMs: 0,
  };
}

function definedOf<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}
