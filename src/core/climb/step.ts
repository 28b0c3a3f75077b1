// One step of a climb: ask the advisor about the incumbent's search run, turn its recommendations into
// candidate moves, run each on the search part, confirm the best few on the validation part, keep at most one
// (acceptance.ts), and record every attempt with its evidence in words.

import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { advise } from '../analysis/advisor/advise';
import type { ProviderResolver } from '../providers/provider';
import type { PromptSpec } from '../prompt/spec';
import { estimateCostUsd } from '../providers/pricing';
import { movesFromAdvice, REWRITE, type Move } from './moves';
import { compose, incumbentKey, type Incumbent } from './patch';
import { paired, decide, type Candidate } from './acceptance';
import { type Budget, type CaseShape, addEstimates, casesEstimate, rewriteEstimate, shapeAfter, shapeSeen } from './budget';
import type { ClimbRecord, Round, Step } from './record';
import { PatchError, type RunResult, type Runner, outcomesOf, passRate, passedOf } from './runner';
import { proposedSystem, rewriteRequest } from './rewrite';
import type { ClimbOptions, DEFAULTS } from './loop';

export interface StepContext {
  o: ClimbOptions;
  opts: typeof DEFAULTS;
  record: ClimbRecord;
  budget: Budget;
  runner: Runner;
  spec: PromptSpec;
  model: string;
  rewriteModel: string;
  base: CaseShape;
  save: () => Promise<string>;
}

export interface StepEnd {
  stop?: string;
  /** Close the climb with the final figures (false: an interruption or a failure, resumable). */
  final?: boolean;
  status?: ClimbRecord['status'];
}

interface Tried {
  move: Move;
  key: string;
  search?: RunResult;
  validation?: RunResult;
  error?: string;
}

const interrupted = (ctx: StepContext) => Boolean(ctx.o.signal?.aborted || ctx.o.hardSignal?.aborted);

export async function runStep(ctx: StepContext, n: number): Promise<StepEnd> {
  const { record, runner, budget } = ctx;
  const split = record.split!;
  const inc = record.incumbent;
  const cur = await runner.run(inc, split.search, 'incumbent', ctx.base);
  budget.add(cur);
  if (!cur.complete) return incomplete(ctx, cur);
  const shape = shapeSeen(cur.record, { ...ctx.base, model: typeof inc.variant.model === 'string' ? inc.variant.model : ctx.base.model }) ?? ctx.base;
  let round = record.rounds.find((r) => r.round === n && !r.done);
  if (!round) {
    const planned = await plan(ctx, n, cur, shape);
    if (!('round' in planned)) return planned;
    round = planned.round;
    record.rounds.push(planned.round);
    await ctx.save();
  }
  const current: Round = round;
  ctx.o.onEvent?.({ type: 'step-started', round: current });
  const tried: Tried[] = [];
  for (const move of current.moves) {
    if (interrupted(ctx)) return { stop: 'stopped on request; run the same command again to resume', status: 'interrupted' };
    const t: Tried = { move, key: incumbentKey(compose(inc, move.patch)) };
    tried.push(t);
    try {
      t.search = await runner.run(compose(inc, move.patch), split.search, move.label, shapeAfter(cur.spec, inc, shape, move));
      budget.add(t.search);
    } catch (e) {
      if (!(e instanceof PatchError)) throw e;
      t.error = e.message;
    }
    if (interrupted(ctx)) return { stop: 'stopped on request; run the same command again to resume', status: 'interrupted' };
    if (t.search && !t.search.complete) return incomplete(ctx, t.search);
  }
  const incSearch = outcomesOf(record.incumbentPassed!.search, split.search);
  const incVal = outcomesOf(record.incumbentPassed!.validation, split.validation);
  const ranked = tried
    .filter((t) => t.search && netOf(paired(incSearch, t.search.outcomes)) >= 0)
    .filter((t) => netOf(paired(incSearch, t.search!.outcomes)) > 0 || t.search!.costPerCall < cur.costPerCall)
    .sort((a, b) => passes(b.search!) - passes(a.search!) || a.search!.costPerCall - b.search!.costPerCall)
    .slice(0, ctx.opts.confirm);
  for (const t of ranked) {
    t.validation = await runner.run(compose(inc, t.move.patch), split.validation, `${t.move.label} (validation)`, shapeAfter(cur.spec, inc, shape, t.move));
    budget.add(t.validation);
    if (interrupted(ctx)) return { stop: 'stopped on request; run the same command again to resume', status: 'interrupted' };
    if (!t.validation.complete) return incomplete(ctx, t.validation);
  }
  const incValCost = await incumbentValidationCost(ctx, inc, shape);
  const cands: Candidate[] = ranked.map((t) => ({ label: t.move.label, validation: paired(incVal, t.validation!.outcomes), costPerCall: t.validation!.costPerCall, incumbentCostPerCall: incValCost }));
  const verdict = decide(cands, ctx.opts.alpha);
  const keptTried = verdict.kept >= 0 ? ranked[verdict.kept] : undefined;
  for (const t of tried) record.steps.push(stepOf(ctx, n, t, incSearch, ranked, cands, verdict, keptTried));
  for (const s of record.steps.slice(-tried.length)) ctx.o.onEvent?.({ type: 'attempt', step: s });
  if (keptTried) {
    record.incumbent = compose(inc, keptTried.move.patch);
    record.incumbentPassed = { search: passedOf(keptTried.search!.outcomes, split.search), validation: passedOf(keptTried.validation!.outcomes, split.validation) };
  }
  const fromTop = tried.filter((t) => t.move.fromTop);
  current.topKept = fromTop.length ? fromTop.some((t) => t === keptTried) : null;
  current.done = true;
  current.spentUsd = record.pricesKnown ? budget.spentUsd : null;
  await ctx.save();
  return {};
}

function incomplete(ctx: StepContext, r: RunResult): StepEnd {
  if (interrupted(ctx)) return { stop: 'stopped on request; run the same command again to resume', status: 'interrupted' };
  if (r.record.status === 'failed') return { stop: `a run failed: ${r.record.statusReason ?? 'provider error'}`, status: 'failed' };
  return { stop: 'the budget ran out during the step (its runs were stopped before the limit)', final: true };
}

const netOf = (p: { fixed: number[]; broken: number[] }) => p.fixed.length - p.broken.length;
const passes = (r: RunResult) => [...r.outcomes.values()].filter(Boolean).length;

/** The incumbent's cost per call on validation (answered by the cache: it ran there when it was kept). */
async function incumbentValidationCost(ctx: StepContext, inc: Incumbent, shape: CaseShape): Promise<number> {
  const r = await ctx.runner.run(inc, ctx.record.split!.validation, 'incumbent (validation)', shape);
  ctx.budget.add(r);
  return r.costPerCall;
}

function stepOf(ctx: StepContext, n: number, t: Tried, incSearch: Map<number, boolean>, ranked: Tried[], cands: Candidate[], verdict: ReturnType<typeof decide>, kept: Tried | undefined): Step {
  const split = ctx.record.split!;
  const c = ranked.indexOf(t);
  const usd = (t.search?.usd ?? 0) + (t.validation?.usd ?? 0);
  const s = t.search ? paired(incSearch, t.search.outcomes) : undefined;
  const searchWords = s ? `on the search part it fixed ${s.fixed.length} and broke ${s.broken.length} of ${s.shared}` : '';
  const why = t.error
    ? `${t.move.label}: ${t.error}: dropped`
    : c >= 0
      ? verdict.why[c]
      : netOf(s!) > 0
        ? `${t.move.label} ${searchWords}, ranked below the ${ranked.length} confirmed on validation: dropped`
        : `${t.move.label} ${searchWords}${netOf(s!) === 0 ? ' and is not cheaper' : ''}: not confirmed, dropped`;
  const valRate = t.validation ? passRate(t.validation.outcomes, split.validation) : null;
  const baseVal = passRate(outcomesOf(ctx.record.incumbentPassed!.validation, split.validation), split.validation);
  const gain = valRate !== null && baseVal !== null ? (valRate - baseVal) * 100 : 0;
  return {
    round: n,
    move: t.move,
    searchPassRate: t.search ? passRate(t.search.outcomes, split.search) : null,
    validationPassRate: valRate,
    fixed: c >= 0 ? cands[c].validation.fixed.length : null,
    broken: c >= 0 ? cands[c].validation.broken.length : null,
    pValue: c >= 0 ? round4(verdict.pValues[c]) : null,
    costUsd: ctx.record.pricesKnown ? usd : null,
    calls: (t.search?.calls ?? 0) + (t.validation?.calls ?? 0),
    kept: t === kept,
    why,
    key: t.key,
    ...(t.search ? { searchPassed: passedOf(t.search.outcomes, split.search) } : {}),
    ...(t.validation ? { validationPassed: passedOf(t.validation.outcomes, split.validation) } : {}),
    ...(t === kept ? { usdPerPoint: ctx.record.pricesKnown && gain > 0 ? usd / gain : null } : {}),
  };
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}

/** Chooses the step's candidates and checks the step's estimate against the budget. */
async function plan(ctx: StepContext, n: number, cur: RunResult, shape: CaseShape): Promise<{ round: Round } | StepEnd> {
  const { record, opts } = ctx;
  const split = record.split!;
  const inc = record.incumbent;
  const advice = advise(cur.record, { spec: cur.spec });
  const top = advice.recommendations[0];
  const docs = path.join(path.dirname(ctx.o.file), 'docs');
  const listed = movesFromAdvice(advice, {
    spec: cur.spec,
    incumbent: inc,
    heldOut: new Set([...split.validation, ...split.test]),
    models: record.options.models,
    ...(existsSync(docs) ? { documentsGlob: './docs/**/*.md' } : {}),
  });
  const tried = new Set(record.steps.map((s) => s.key));
  const here = incumbentKey(inc);
  const fresh = listed.moves.filter((m) => {
    if (m.action === REWRITE) return !tried.has(`${REWRITE}:${here}`);
    const key = incumbentKey(compose(inc, m.patch));
    return key !== here && !tried.has(key);
  });
  let chosen = fresh.slice(0, opts.width);
  const rewrites = chosen.filter((m) => m.action === REWRITE).length ? Math.min(2, opts.width - chosen.length + 1) : 0;
  const estimate = addEstimates(
    ...chosen.filter((m) => m.action !== REWRITE).map((m) => casesEstimate(shapeAfter(cur.spec, inc, shape, m), split.search.length)),
    ...Array.from({ length: rewrites }, (_, i) => casesEstimate(shapeAfter(cur.spec, inc, shape, { ...chosen[0], patch: { variant: { system: ' '.repeat(1200 + i) } } }), split.search.length)),
    rewriteEstimate(ctx.rewriteModel, rewrites),
    ...Array.from({ length: Math.min(opts.confirm, chosen.length) }, () => casesEstimate(worstOf(cur.spec, inc, shape, chosen), split.validation.length)),
    // the final run on the test part stays affordable whatever this step keeps
    casesEstimate(worstOf(cur.spec, inc, shape, chosen), split.test.length),
  );
  if (chosen.length === 0) return { stop: record.steps.length ? 'no move left: the advisor has nothing new to try' : 'no move: the advisor has nothing to try', final: true };
  const why = ctx.budget.refuses(estimate, `step ${n}`);
  if (why) return { stop: why, final: true };
  if (rewrites) chosen = [...chosen.filter((m) => m.action !== REWRITE), ...(await proposeRewrites(ctx, cur, chosen.find((m) => m.action === REWRITE)!, rewrites))];
  return {
    round: {
      round: n,
      estimateUsd: estimate.usd ?? null,
      estimateCalls: estimate.calls,
      spentBeforeUsd: record.pricesKnown ? ctx.budget.spentUsd : null,
      top: top ? { kind: top.kind, confidence: top.confidence, title: top.title ?? top.why } : null,
      topKept: null,
      moves: chosen,
      notes: listed.notes,
      done: false,
    },
  };
}

function worstOf(spec: PromptSpec, inc: Incumbent, shape: CaseShape, moves: Move[]): CaseShape {
  const shapes = moves.map((m) => shapeAfter(spec, inc, shape, m.action === REWRITE ? { ...m, patch: { variant: { system: ' '.repeat(1200) } } } : m));
  return shapes.reduce((a, b) => ((b.prompt + b.completion) * b.calls > (a.prompt + a.completion) * a.calls ? b : a), shape);
}

/** Asks the rewrite model for `count` revised system messages from the failing search cases. */
async function proposeRewrites(ctx: StepContext, cur: RunResult, placeholder: Move, count: number): Promise<Move[]> {
  const failing = cur.record.cases.filter((c) => c.results[0] && !c.results[0].passed);
  const system = ctx.record.incumbent.variant.system ?? cur.spec.messages.find((m) => m.role === 'system')?.content ?? '';
  const resolved = (ctx.o.providers as ProviderResolver).resolve(ctx.rewriteModel);
  const out: Move[] = [];
  for (let i = 0; i < count; i++) {
    const signal = ctx.o.hardSignal ?? new AbortController().signal;
    try {
      const r = await resolved.provider.chat({ model: resolved.model, messages: rewriteRequest(String(system), failing, i), params: { temperature: 0.7 } }, signal);
      ctx.budget.add({ usd: estimateCostUsd(ctx.rewriteModel, r.usage), calls: 1 });
      const text = proposedSystem(r.text);
      if (text && !out.some((m) => m.patch.variant?.system === text)) {
        out.push({ ...placeholder, label: `instruction rewrite ${i + 1}`, patch: { variant: { system: text } } });
      }
    } catch (e) {
      ctx.o.onEvent?.({ type: 'stopped', reason: `instruction rewrite ${i + 1} failed: ${(e as Error).message}` });
    }
  }
  return out;
}
