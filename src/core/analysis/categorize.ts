// Error categories: gives a failing (case, variant) result one primary ErrorCategory, a one-line reason, and
// the basis of the decision (CaseResult.categoryBasis): `certain` (a deterministic signal), `judge` (the LLM
// judge), `variant` (another variant's evidence, see applyVariantEvidence) or `guess` (the fallback). The reason
// text says the same in words ("guess: …", "judge: …", "inferred from chain-of-thought: …").
//
// Precedence (first rule that applies wins):
//   1. transport/provider failure (`result.error`)                         → error
//   1b. every failed evaluator failed to RUN (verdict category 'error', e.g. its judge call failed)     → error
//   2. a failed evaluator whose spec DECLARES `category` (the user's word)  → that category
//   3. refusal: a failed `refusal` evaluator, or `detectRefusal(output)`    → refusal
//      (before format on purpose: a refusal fails every JSON/shape check too, and "the model declined"
//      is the useful diagnosis; skipped when the case declares a refusal is expected)
//   4. shape failures: `json` (parse/schema), `regex`, string `startsWith`/`endsWith`, and `equals` when the
//      output still contains the expected text (right content, wrong shape) → format. A CONTENT check (string
//      `equals`/`contains`, `similar`) failing on well-formed output is never format, whatever the evaluator's
//      natural category says (gh's `equals` reports format): a well-formed wrong code is a wrong fact.
//   5. Ragas: faithfulness → grounding; context-recall / context-precision → retrieval;
//      github/groundedness → grounding
//   5b. a failed `contains` check on a result that had context (retrieved or the case's), whose expected
//      text is absent from that context → retrieval (the context lacks what the answer needs)
//   6. the category a failed evaluator reports from its nature (EvaluatorResult.category), content checks excepted
//   7. the LLM judge, when given and not disabled (prompt in prompts.ts; reply validated with zod): it decides
//      the content failures the rules above can only guess
//   8. without a judge (or when its reply is unusable), the fallback, all of it a guess:
//      a. a computed answer (a number, time, date, duration, amount with a unit or currency) that the question's
//         own quantities lead to, answered with another value → reasoning
//      b. a failed content check against expected facts (`contains`, `equals` with different content,
//         `similar`, github/similarity) → knowledge
//      c. a failed rubric (`llm`, `judge`, other github/* built-ins, answer-relevancy) → instruction
//      d. anything else → instruction.
//   Afterwards, with every variant's results in, applyVariantEvidence lets a variant's evidence overrule the
//   guesses: when a chain-of-thought, self-repair or other-model variant passes most of the cases the baseline
//   failed with a guessed category, those failures were reasoning, not missing facts; when a retrieval variant
//   fixes guessed knowledge failures, the guess is confirmed (retrievalEvidence.ts).
// Call it for failing results only (`needsCategory`); `categorizeRun` does the whole record.

import type { ErrorCategory, EvalCase, EvaluatorSpec, PromptSpec } from '../prompt/spec';
import { plural } from '../text/plural';
import type { JudgeClient } from '../evaluators/evaluator';
import type { CaseRecord, CaseResult, EvaluatorVerdict, RunRecord } from '../runs/schema';
import { detectRefusal } from '../evaluators/refusal';
import { isComputedAnswer, quantitiesIn } from './computedAnswer';
import { CategoryReplySchema, categorizePrompt, parseJudgeJson } from './prompts';
import { computeSignals, type RunSignals } from './advisor/signals';
import { signTestP } from './advisor/stats';
import { confirmKnowledgeByRetrieval } from './retrievalEvidence';

export type CategoryBasis = 'certain' | 'judge' | 'variant' | 'guess';

export interface CategoryVerdict {
  category: ErrorCategory;
  reason: string;
  basis: CategoryBasis;
}

export interface CategorizeContext {
  evalCase: EvalCase;
  specEvaluators: EvaluatorSpec[];
  judge?: JudgeClient;
  /** Default: true when a judge is given. */
  useJudge?: boolean;
  /** Judge model (undefined → the judge client's default). */
  judgeModel?: string;
  signal?: AbortSignal;
}

/** A result gets a category when it failed or errored. */
export function needsCategory(r: CaseResult): boolean {
  return !!r.error || !r.passed;
}

export async function categorizeResult(result: CaseResult, ctx: CategorizeContext): Promise<CategoryVerdict> {
  const v = deterministicCategory(result, ctx);
  if (v) return v;

  const useJudge = ctx.useJudge ?? !!ctx.judge;
  let judgeNote = '';
  if (useJudge && ctx.judge && !ctx.signal?.aborted) {
    try {
      const reply = await ctx.judge.complete(
        categorizePrompt({
          question: questionOf(result, ctx.evalCase),
          output: result.output,
          expected: ctx.evalCase.expected,
          context: result.context ?? ctx.evalCase.context,
          failedChecks: failed(result).map((e) => `${e.name}: ${oneLine(e.details ?? (e.passed ? 'passed' : 'failed'))}`),
        }),
        { model: ctx.judgeModel, temperature: 0, json: true },
      );
      const parsed = parseJudgeJson(reply, CategoryReplySchema);
      return { category: parsed.category, reason: oneLine(`judge: ${parsed.reason}`), basis: 'judge' };
    } catch (e) {
      judgeNote = ` (judge unusable: ${oneLine((e as Error).message, 60)})`;
    }
  }
  const fb = fallbackCategory(result, ctx);
  return { category: fb.category, reason: oneLine(fb.reason + judgeNote), basis: 'guess' };
}

/** Rules 1–6 of the header: the signals that need no model. Undefined when none applies. */
export function deterministicCategory(result: CaseResult, ctx: CategorizeContext): CategoryVerdict | undefined {
  const v = deterministicRules(result, ctx);
  return v ? { ...v, basis: 'certain' } : undefined;
}

type Verdict = Omit<CategoryVerdict, 'basis'>;

/** A failed result as the rules read it: its failed evaluators, and the spec behind each. */
interface Failing {
  result: CaseResult;
  ctx: CategorizeContext;
  specs: EvaluatorSpec[];
  bad: EvaluatorVerdict[];
  specOf(e: EvaluatorVerdict): EvaluatorSpec | undefined;
}

function deterministicRules(result: CaseResult, ctx: CategorizeContext): Verdict | undefined {
  if (result.error) return { category: 'error', reason: oneLine(`provider call failed: ${result.error}`) };
  const specs = allSpecs(ctx);
  const f: Failing = { result, ctx, specs, bad: failed(result), specOf: (e) => specs.find((s) => s.name === e.name) };
  for (const rule of [couldNotRun, declaredCategory, refusalOf, shapeOf, ragasOf, contextMiss, evaluatorCategory]) {
    const v = rule(f);
    if (v) return v;
  }
  return undefined;
}

/** 1b. Every failed evaluator could not run (judge call failed, unknown kind): nothing was judged. */
function couldNotRun({ bad, specOf }: Failing): Verdict | undefined {
  if (bad.length > 0 && bad.every((e) => e.category === 'error' && !specOf(e)?.category)) {
    return { category: 'error', reason: oneLine(`${bad[0].name} could not run${detail(bad[0])}`) };
  }
  return undefined;
}

/** 2. The category a failed evaluator declares. */
function declaredCategory({ bad, specOf }: Failing): Verdict | undefined {
  for (const e of bad) {
    const s = specOf(e);
    if (s?.category) return { category: s.category, reason: oneLine(`${e.name} failed (declared ${s.category})${detail(e)}`) };
  }
  return undefined;
}

/** 3. A refusal, by a refusal evaluator or the output's own words, unless the file expects one. */
function refusalOf({ result, specs, bad, specOf }: Failing): Verdict | undefined {
  if (specs.some((s) => s.kind === 'refusal' && s.expected === true)) return undefined;
  const refusalEval = bad.find((e) => specOf(e)?.kind === 'refusal');
  if (refusalEval) return { category: 'refusal', reason: oneLine(`${refusalEval.name}: the model declined${detail(refusalEval)}`) };
  const refusal = detectRefusal(result.output);
  if (refusal.refused) return { category: 'refusal', reason: oneLine(`the model declined ("${refusal.pattern ?? oneLine(result.output, 60)}")`) };
  return undefined;
}

/** 4. The shape of the output is wrong. */
function shapeOf({ result, ctx, bad, specOf }: Failing): Verdict | undefined {
  for (const e of bad) {
    const s = specOf(e);
    if (s && isShapeFailure(s, result.output, ctx.evalCase)) {
      return { category: 'format', reason: oneLine(`${e.name} (${shapeLabel(s)}) failed${detail(e)}`) };
    }
    if (e.category === 'format' && !(s && isContentCheck(s))) return { category: 'format', reason: oneLine(`${e.name} failed${detail(e)}`) };
  }
  return undefined;
}

/** 5. Ragas metrics: faithfulness is grounding, context recall and precision are retrieval. */
function ragasOf({ bad, specOf }: Failing): Verdict | undefined {
  for (const e of bad) {
    const kind = specOf(e)?.kind;
    const uses = (specOf(e) as { uses?: string } | undefined)?.uses;
    if (kind === 'faithfulness' || uses === 'github/groundedness') {
      return { category: 'grounding', reason: oneLine(`${e.name} ${pct(e.score)}: the answer states things the context does not support`) };
    }
    if (kind === 'context-recall') {
      return { category: 'retrieval', reason: oneLine(`${e.name} ${pct(e.score)}: the context lacks what the reference answer needs`) };
    }
    if (kind === 'context-precision') {
      return { category: 'retrieval', reason: oneLine(`${e.name} ${pct(e.score)}: the useful passages are missing or ranked low`) };
    }
  }
  return undefined;
}

/** 5b. A content check against the context: an empty retrieved context, or a needed text not in it, is a retrieval miss, not missing knowledge. */
function contextMiss({ result, ctx, bad, specOf }: Failing): Verdict | undefined {
  const given = result.context ?? ctx.evalCase.context;
  if (given && !given.some((c) => c.trim())) {
    const content = bad.find((e) => { const s = specOf(e); return s !== undefined && isContentCheck(s); });
    if (content) return { category: 'retrieval', reason: oneLine(`${content.name} failed and the context was empty: retrieval found nothing for this case`) };
  }
  const contextText = (given ?? []).join('\n');
  if (!contextText.trim()) return undefined;
  const haystack = normalize(contextText);
  for (const e of bad) {
    const s = specOf(e);
    if (s?.kind !== 'string' || s.contains === undefined) continue;
    const want = normalize(fillVars(s.contains, ctx.evalCase.vars, ctx.evalCase.expected));
    if (want && !haystack.includes(want)) {
      const shown = fillVars(s.contains, ctx.evalCase.vars, ctx.evalCase.expected);
      return { category: 'retrieval', reason: oneLine(`${e.name}: "${oneLine(shown, 60)}" is needed but not in the context the model was given`) };
    }
  }
  return undefined;
}

/** 6. The failed evaluator's own category. */
function evaluatorCategory({ bad, specOf }: Failing): Verdict | undefined {
  for (const e of bad) {
    const s = specOf(e);
    if (s && isContentCheck(s) && e.category === 'format') continue;
    if (e.category && e.category !== 'error') return { category: e.category, reason: oneLine(`${e.name} failed${detail(e)}`) };
  }
  return undefined;
}

/** Rule 8 of the header: the documented fallback when no judge decides. Every verdict here is a guess. */
export function fallbackCategory(result: CaseResult, ctx: CategorizeContext): Omit<CategoryVerdict, 'basis'> & { basis: 'guess' } {
  const specs = allSpecs(ctx);
  const bad = failed(result);
  const specOf = (e: EvaluatorVerdict) => specs.find((s) => s.name === e.name);
  const guess = (category: ErrorCategory, reason: string) => ({ category, reason: oneLine(`guess: ${reason}`), basis: 'guess' as const });

  const expected = ctx.evalCase.expected?.trim();
  if (expected && isComputedAnswer(expected)) {
    const question = questionOf(result, ctx.evalCase);
    const quantities = quantitiesIn(question);
    const answer = result.answer ?? result.output;
    if (quantities >= 2 && quantitiesIn(answer) > 0 && !normalize(answer).includes(normalize(expected))) {
      return guess('reasoning', `the question gives the quantities, the answer computes another value than ${oneLine(expected, 40)}`);
    }
  }

  for (const e of bad) {
    const s = specOf(e);
    if (!s) continue;
    if (isContentCheck(s)) {
      const want = s.kind === 'string' ? (s.contains ?? s.equals) : 'the expected answer';
      return guess('knowledge', `${e.name}: expected fact missing or wrong (${want})${detail(e)}`);
    }
  }
  for (const e of bad) {
    const s = specOf(e);
    if (s && (s.kind === 'llm' || s.kind === 'judge' || s.kind === 'builtin' || s.kind === 'answer-relevancy')) {
      return guess('instruction', `${e.name}: rubric not met${detail(e)}`);
    }
  }
  const names = bad.map((e) => e.name).join(', ');
  return guess('instruction', `no clear signal${names ? ` (failed: ${names})` : ''}; configure a judge model for a better category`);
}

/** Counts the categories of failing results (errors included under 'error'). Results without a category count as 'uncategorized'. */
export function summarizeCategories(results: Iterable<CaseResult>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) {
    if (!needsCategory(r)) continue;
    const k = r.category ?? (r.error ? 'error' : 'uncategorized');
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/**
 * Categorizes every failing result of a record in place and refreshes each variant's `categories`.
 * Judge calls run with bounded concurrency (default 4).
 */
export async function categorizeRun(
  record: RunRecord,
  spec: PromptSpec,
  opts: { judge?: JudgeClient; useJudge?: boolean; judgeModel?: string; concurrency?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const jobs: (() => Promise<void>)[] = [];
  for (const c of record.cases) {
    const evalCase: EvalCase = spec.cases.find((x) => x.index === c.index) ?? {
      index: c.index,
      file: spec.file,
      line: c.line,
      vars: c.vars,
      expected: c.expected,
    };
    for (const r of c.results) {
      if (!needsCategory(r)) continue;
      jobs.push(async () => {
        const v = await categorizeResult(r, { ...opts, evalCase, specEvaluators: spec.evaluators });
        r.category = v.category;
        r.categoryReason = v.reason;
        r.categoryBasis = v.basis;
      });
    }
  }
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, jobs.length)) }, async () => {
    while (next < jobs.length) await jobs[next++]();
  });
  await Promise.all(workers);
  applyVariantEvidence(record, spec);
}

/**
 * A variant's evidence wins over a default guess: when a chain-of-thought, self-repair or other-model variant
 * passes most of the cases the baseline failed with a guessed content category (and the paired difference is
 * not noise), those failures were reasoning, not missing facts. Every guessed failure of that category, in every
 * variant, becomes `reasoning` with basis `variant` and a reason naming the variant. Certain and judged
 * categories are left alone. Refreshes each variant's `categories`. Returns how many results changed and the
 * cases they are in (in record order), so a streamed run can write those cases again.
 */
export function applyVariantEvidence(record: RunRecord, spec?: PromptSpec): { results: number; cases: CaseRecord[]; signals?: RunSignals } {
  const s = computeSignals(record, spec);
  const base = s.baseline;
  let changed = 0;
  const cases = new Set<CaseRecord>();
  if (base) {
    const helpers = s.variants.filter((v) => v.role === 'chain-of-thought' || v.role === 'self-repair' || v.role === 'model');
    // a guessed reasoning failure that a helper variant fixes is confirmed (basis variant), not changed
    for (const category of ['knowledge', 'instruction', 'reasoning'] as const) {
      const guessed = [...base.outcomes].filter(([, o]) => o.kind === 'fail' && o.category === category && o.basis === 'guess').map(([i]) => i);
      if (guessed.length < 2) continue;
      let backing: { name: string; fixed: number; role: string } | undefined;
      for (const h of helpers) {
        const fixed = guessed.filter((i) => h.outcomes.get(i)?.kind === 'pass').length;
        const broken = [...base.outcomes].filter(([i, o]) => o.kind === 'pass' && h.outcomes.get(i)?.kind === 'fail').length;
        if (fixed * 2 >= guessed.length && signTestP(fixed, broken) <= 0.1 && (!backing || fixed > backing.fixed)) backing = { name: h.name, fixed, role: h.role };
      }
      if (!backing) continue;
      const how = backing.role === 'chain-of-thought' ? 'step-by-step reasoning' : backing.role === 'self-repair' ? 'checking and retrying' : 'another model';
      // one reason for every result relabelled for this category (one string, not one per result)
      const reason = oneLine(
        category === 'reasoning'
          ? `inferred from ${backing.name}: it passes ${backing.fixed} of the ${plural(guessed.length, 'case')} ${base.name} got wrong, so with ${how} the model gets them: reasoning`
          : `inferred from ${backing.name}: it passes ${backing.fixed} of the ${plural(guessed.length, 'case')} ${base.name} failed on ${category} (a guess), so with ${how} the model gets them: reasoning, not missing facts`,
      );
      for (const c of record.cases) {
        for (const r of c.results) {
          if (r.error || r.passed || r.category !== category || basisOfResult(r) !== 'guess') continue;
          r.category = 'reasoning';
          r.categoryBasis = 'variant';
          r.categoryReason = reason;
          changed++;
          cases.add(c);
        }
      }
    }
  }
  const confirmed = confirmKnowledgeByRetrieval(record, changed ? computeSignals(record, spec) : s);
  changed += confirmed.results;
  for (const c of confirmed.cases) cases.add(c);
  // each variant's categories again, its results gathered in one pass over the record
  const byVariant = new Map<string, CaseResult[]>(record.variants.map((v) => [v.name, []]));
  for (const c of record.cases) for (const r of c.results) byVariant.get(r.variant)?.push(r);
  for (const v of record.variants) v.categories = summarizeCategories(byVariant.get(v.name) ?? []);
  // a case relabelled for two categories is in the set once, at its first place in the record; the signals
  // still hold when nothing was relabelled (the advice reads them next)
  return { results: changed, cases: record.cases.filter((c) => cases.has(c)), ...(changed === 0 ? { signals: s } : {}) };
}

function basisOfResult(r: CaseResult): CategoryBasis {
  if (r.categoryBasis) return r.categoryBasis;
  return /^guess\b|\bguess\b/i.test(r.categoryReason ?? '') ? 'guess' : 'certain';
}

// ---------------------------------------------------------------------------------------------

function allSpecs(ctx: CategorizeContext): EvaluatorSpec[] {
  return [...ctx.specEvaluators, ...(ctx.evalCase.evaluators ?? [])];
}

function failed(r: CaseResult): EvaluatorVerdict[] {
  return r.evaluators.filter((e) => !e.passed);
}

/** Checks of content against the expected answer (as opposed to checks of shape). */
function isContentCheck(s: EvaluatorSpec): boolean {
  return (
    (s.kind === 'string' && (s.contains !== undefined || s.equals !== undefined) && s.startsWith === undefined && s.endsWith === undefined) ||
    s.kind === 'similar' ||
    (s.kind === 'builtin' && s.uses === 'github/similarity')
  );
}

function isShapeFailure(s: EvaluatorSpec, output: string, evalCase: EvalCase): boolean {
  switch (s.kind) {
    case 'json':
    case 'regex':
      return true;
    case 'string':
      if (s.startsWith !== undefined || s.endsWith !== undefined) return true;
      if (s.equals !== undefined) {
        // equals with the right content but extra words/case/punctuation is a shape problem; other content is not
        const want = normalize(fillVars(s.equals, evalCase.vars, evalCase.expected));
        return want.length > 0 && normalize(output).includes(want);
      }
      return false;
    default:
      return false;
  }
}

function shapeLabel(s: EvaluatorSpec): string {
  if (s.kind === 'string') return s.startsWith !== undefined ? 'startsWith' : s.endsWith !== undefined ? 'endsWith' : 'equals';
  return s.kind;
}

function fillVars(t: string, vars: Record<string, unknown>, expected?: string): string {
  return t.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (m, k: string) => {
    if (k === 'expected' && expected !== undefined) return expected;
    const v = vars[k];
    return v === undefined ? m : typeof v === 'string' ? v : JSON.stringify(v);
  });
}

function normalize(s: string): string {
  return s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

function questionOf(r: CaseResult, c: EvalCase): string {
  const users = (r.messages ?? []).filter((m) => m.role === 'user');
  if (users.length) return users[users.length - 1].content;
  return Object.values(c.vars)
    .map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
    .join('\n');
}

function detail(e: EvaluatorVerdict): string {
  return e.details ? `: ${oneLine(e.details, 80)}` : '';
}

function pct(score: number): string {
  return `${Math.round(score * 100)}%`;
}

/** One line, at most `max` characters. */
export function oneLine(s: string, max = 160): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
