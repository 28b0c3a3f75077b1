// Error categories: gives a failing (case, variant) result one primary ErrorCategory and a one-line reason.
//
// Precedence (first rule that applies wins):
//   1. transport/provider failure (`result.error`)                         → error
//   1b. every failed evaluator failed to RUN (verdict category 'error', e.g. its judge call failed)     → error
//   2. a failed evaluator whose spec DECLARES `category` (the user's word)  → that category
//   3. refusal: a failed `refusal` evaluator, or `detectRefusal(output)`    → refusal
//      (before format on purpose: a refusal fails every JSON/shape check too, and "the model declined"
//      is the useful diagnosis; skipped when the case declares a refusal is expected)
//   4. shape failures: `json` (parse/schema), `regex`, string `startsWith`/`endsWith`, and `equals` when the
//      output still contains the expected text (right content, wrong shape); any verdict marked format → format
//   5. Ragas: faithfulness → grounding; context-recall / context-precision → retrieval;
//      github/groundedness → grounding
//   5b. a failed `contains` check on a result that had context (retrieved or the case's), whose expected
//      text is absent from that context → retrieval (the context lacks what the answer needs)
//   6. the category a failed evaluator reports from its nature (EvaluatorResult.category)
//   7. the LLM judge, when given and not disabled (prompt in prompts.ts; reply validated with zod)
//   8. without a judge (or when its reply is unusable), the fallback:
//      a. the question holds two or more numbers, expected is a number and the answer gives another one
//         → reasoning (arithmetic over given facts)
//      b. a failed content check against expected facts (`contains`, `equals` with different content,
//         `similar`, github/similarity) → knowledge
//      c. a failed rubric (`llm`, `judge`, other github/* built-ins, answer-relevancy) → instruction
//      d. anything else → instruction, and the reason says it is a guess.
// Call it for failing results only (`needsCategory`); `categorizeRun` does the whole record.

import type { ErrorCategory, EvalCase, EvaluatorSpec, PromptSpec } from '../prompt/spec';
import type { JudgeClient } from '../evaluators/evaluator';
import type { CaseResult, EvaluatorVerdict, RunRecord } from '../runs/schema';
import { detectRefusal } from '../evaluators/refusal';
import { CategoryReplySchema, categorizePrompt, parseJudgeJson } from './prompts';

export interface CategoryVerdict {
  category: ErrorCategory;
  reason: string;
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
      return { category: parsed.category, reason: oneLine(`judge: ${parsed.reason}`) };
    } catch (e) {
      judgeNote = ` (judge unusable: ${oneLine((e as Error).message, 60)})`;
    }
  }
  const fb = fallbackCategory(result, ctx);
  return { category: fb.category, reason: oneLine(fb.reason + judgeNote) };
}

/** Rules 1–6 of the header: the signals that need no model. Undefined when none applies. */
export function deterministicCategory(result: CaseResult, ctx: CategorizeContext): CategoryVerdict | undefined {
  if (result.error) return { category: 'error', reason: oneLine(`provider call failed: ${result.error}`) };

  const specs = allSpecs(ctx);
  const bad = failed(result);
  const specOf = (e: EvaluatorVerdict) => specs.find((s) => s.name === e.name);

  // 1b. every failed evaluator could not run (judge call failed, unknown kind): nothing was judged
  if (bad.length > 0 && bad.every((e) => e.category === 'error' && !specOf(e)?.category)) {
    return { category: 'error', reason: oneLine(`${bad[0].name} could not run${detail(bad[0])}`) };
  }

  // 2. declared category
  for (const e of bad) {
    const s = specOf(e);
    if (s?.category) return { category: s.category, reason: oneLine(`${e.name} failed (declared ${s.category})${detail(e)}`) };
  }

  // 3. refusal
  const refusalExpected = specs.some((s) => s.kind === 'refusal' && s.expected === true);
  if (!refusalExpected) {
    const refusalEval = bad.find((e) => specOf(e)?.kind === 'refusal');
    if (refusalEval) return { category: 'refusal', reason: oneLine(`${refusalEval.name}: the model declined${detail(refusalEval)}`) };
    const refusal = detectRefusal(result.output);
    if (refusal.refused) return { category: 'refusal', reason: oneLine(`the model declined ("${refusal.pattern ?? oneLine(result.output, 60)}")`) };
  }

  // 4. shape
  for (const e of bad) {
    const s = specOf(e);
    if (s && isShapeFailure(s, result.output, ctx.evalCase)) {
      return { category: 'format', reason: oneLine(`${e.name} (${shapeLabel(s)}) failed${detail(e)}`) };
    }
    if (e.category === 'format') return { category: 'format', reason: oneLine(`${e.name} failed${detail(e)}`) };
  }

  // 5. Ragas
  for (const e of bad) {
    const kind = specOf(e)?.kind;
    const uses = (specOf(e) as { uses?: string } | undefined)?.uses;
    if (kind === 'faithfulness' || uses === 'github/groundedness')
      return { category: 'grounding', reason: oneLine(`${e.name} ${pct(e.score)}: the answer states things the context does not support`) };
    if (kind === 'context-recall')
      return { category: 'retrieval', reason: oneLine(`${e.name} ${pct(e.score)}: the context lacks what the reference answer needs`) };
    if (kind === 'context-precision')
      return { category: 'retrieval', reason: oneLine(`${e.name} ${pct(e.score)}: the useful passages are missing or ranked low`) };
  }

  // 5b. content check vs context
  const contextText = (result.context ?? ctx.evalCase.context ?? []).join('\n');
  if (contextText.trim()) {
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
  }

  // 6. the evaluator's own category
  for (const e of bad) {
    if (e.category && e.category !== 'error') return { category: e.category, reason: oneLine(`${e.name} failed${detail(e)}`) };
  }
  return undefined;
}

/** Rule 8 of the header: the documented fallback when no judge decides. */
export function fallbackCategory(result: CaseResult, ctx: CategorizeContext): CategoryVerdict {
  const specs = allSpecs(ctx);
  const bad = failed(result);
  const specOf = (e: EvaluatorVerdict) => specs.find((s) => s.name === e.name);

  const expected = ctx.evalCase.expected?.trim();
  if (expected && isNumber(expected)) {
    const qNums = numbersIn(questionOf(result, ctx.evalCase));
    const outNums = numbersIn(result.output);
    if (qNums.length >= 2 && outNums.length > 0 && !outNums.some((n) => n === Number(expected.replace(/,/g, '')))) {
      return {
        category: 'reasoning',
        reason: oneLine(`the numbers were given but the answer says ${outNums[outNums.length - 1]} instead of ${expected}`),
      };
    }
  }

  for (const e of bad) {
    const s = specOf(e);
    if (!s) continue;
    if (
      (s.kind === 'string' && (s.contains !== undefined || s.equals !== undefined)) ||
      s.kind === 'similar' ||
      (s.kind === 'builtin' && s.uses === 'github/similarity')
    ) {
      const want = s.kind === 'string' ? (s.contains ?? s.equals) : 'the expected answer';
      return { category: 'knowledge', reason: oneLine(`${e.name}: expected fact missing or wrong (${want})${detail(e)}`) };
    }
  }
  for (const e of bad) {
    const s = specOf(e);
    if (s && (s.kind === 'llm' || s.kind === 'judge' || s.kind === 'builtin' || s.kind === 'answer-relevancy')) {
      return { category: 'instruction', reason: oneLine(`${e.name}: rubric not met${detail(e)}`) };
    }
  }
  const names = bad.map((e) => e.name).join(', ');
  return {
    category: 'instruction',
    reason: oneLine(`guess, no clear signal${names ? ` (failed: ${names})` : ''}; configure a judge model for a better category`),
  };
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
      });
    }
  }
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, jobs.length)) }, async () => {
    while (next < jobs.length) await jobs[next++]();
  });
  await Promise.all(workers);
  for (const v of record.variants) {
    v.categories = summarizeCategories(record.cases.flatMap((c) => c.results.filter((r) => r.variant === v.name)));
  }
}

// ---------------------------------------------------------------------------------------------

function allSpecs(ctx: CategorizeContext): EvaluatorSpec[] {
  return [...ctx.specEvaluators, ...(ctx.evalCase.evaluators ?? [])];
}

function failed(r: CaseResult): EvaluatorVerdict[] {
  return r.evaluators.filter((e) => !e.passed);
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

function isNumber(s: string): boolean {
  return /^-?\d[\d,]*(\.\d+)?$/.test(s);
}

function numbersIn(s: string): number[] {
  return (s.match(/-?\d[\d,]*(?:\.\d+)?/g) ?? []).map((x) => Number(x.replace(/,/g, ''))).filter((n) => Number.isFinite(n));
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
