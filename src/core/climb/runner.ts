// Runs the climbed variant of a prompt file (the original text plus the incumbent or a candidate as one more
// variant) over some cases through the engine's public run API, with the response cache on: what was asked
// once is answered from the cache, so a resumed climb and the incumbent's re-runs cost nothing. A guard
// stops a run when its spend comes within a batch of calls of the budget.

import { loadPromptFile } from '../prompt/load';
import { SpecError } from '../errors';
import { runEval } from '../engine';
import type { ProviderResolver } from '../providers/provider';
import type { RunRecord } from '../runs/schema';
import type { RunEvent } from '../events';
import type { PromptSpec } from '../prompt/spec';
import { freeVariantName } from '../prompt/edits';
import { promptText, type Incumbent } from './patch';
import { type Budget, type CaseShape, caseUsd } from './budget';

export interface RunnerOptions {
  file: string;
  original: string;
  prompty: boolean;
  root: string;
  providers: ProviderResolver;
  concurrency?: number;
  timeoutMs?: number;
  workspaceTrusted?: boolean;
  /** Aborts the calls in flight. */
  hardSignal?: AbortSignal;
  onRunEvent?: (what: string, e: RunEvent) => void;
}

export interface RunResult {
  record: RunRecord;
  spec: PromptSpec;
  /** Per case: passed. */
  outcomes: Map<number, boolean>;
  usd: number;
  calls: number;
  /** Mean cost per result: dollars when priced, else tokens. */
  costPerCall: number;
  /** False when the run was stopped (budget guard, cancellation) or failed. */
  complete: boolean;
}

/** A candidate whose patched file does not load. */
export class PatchError extends Error {}

export class Runner {
  readonly variant: string;

  constructor(
    private readonly o: RunnerOptions,
    private readonly budget: Budget,
  ) {
    this.variant = freeVariantName(o.original, 'climb-candidate', o.prompty);
  }

  async spec(inc: Incumbent): Promise<{ spec: PromptSpec; text: string }> {
    let text: string;
    try {
      text = promptText(this.o.original, inc, this.variant, this.o.prompty);
    } catch (e) {
      throw new PatchError(`the patch cannot be applied (${(e as Error).message})`);
    }
    try {
      return { spec: await loadPromptFile(this.o.file, { text, anyName: true }), text };
    } catch (e) {
      const first = e instanceof SpecError ? e.problems[0]?.message : (e as Error).message;
      throw new PatchError(`the patched file does not load (${first ?? 'invalid'})`);
    }
  }

  /** Runs the incumbent (or candidate) on `cases`; `shape` sizes the guard's margin. */
  async run(inc: Incumbent, cases: readonly number[], what: string, shape: CaseShape): Promise<RunResult> {
    const { spec, text } = await this.spec(inc);
    const stop = new AbortController();
    const hard = this.o.hardSignal;
    const abort = () => stop.abort();
    if (hard?.aborted) stop.abort();
    hard?.addEventListener('abort', abort, { once: true });
    const live = { usd: 0, calls: 0 };
    // the calls that may be in flight when the guard looks: the engine's start window
    const window = Math.max(8, (this.o.concurrency ?? 16) * 2);
    const margin = { usd: (caseUsd(shape) ?? 0) * window, calls: shape.calls * window };
    try {
      const { record } = await runEval(spec, {
        providers: this.o.providers,
        root: this.o.root,
        cache: true,
        write: false,
        variants: [this.variant],
        caseIndexes: [...cases],
        promptText: text,
        signal: stop.signal,
        ...(this.o.concurrency ? { concurrency: this.o.concurrency } : {}),
        ...(this.o.timeoutMs ? { timeoutMs: this.o.timeoutMs } : {}),
        ...(this.o.workspaceTrusted === false ? { workspaceTrusted: false } : {}),
        onEvent: (e) => {
          if (e.type === 'case-finished' && !e.result.cached) {
            live.usd += e.result.costUsd ?? 0;
            live.calls += e.result.attempts ?? 1;
            if (!stop.signal.aborted && this.budget.exhausted(live, margin)) stop.abort();
          }
          this.o.onRunEvent?.(what, e);
        },
      });
      return summarize(record, spec);
    } finally {
      hard?.removeEventListener('abort', abort);
    }
  }
}

function summarize(record: RunRecord, spec: PromptSpec): RunResult {
  const outcomes = new Map<number, boolean>();
  let usd = 0;
  let cost = 0;
  let tokens = 0;
  let n = 0;
  for (const c of record.cases) {
    const r = c.results[0];
    if (!r) continue;
    outcomes.set(c.index, r.passed && !r.error);
    if (!r.cached) usd += r.costUsd ?? 0;
    cost += r.costUsd ?? 0;
    tokens += r.tokens.prompt + r.tokens.completion;
    n++;
  }
  const priced = record.cases.some((c) => c.results.some((r) => (r.costUsd ?? 0) > 0));
  return {
    record,
    spec,
    outcomes,
    usd,
    calls: record.calls ?? 0,
    costPerCall: n ? (priced ? cost : tokens) / n : 0,
    complete: record.status === 'completed' && outcomes.size === record.cases.length,
  };
}

export function passRate(outcomes: ReadonlyMap<number, boolean>, cases: readonly number[]): number | null {
  if (cases.length === 0) return null;
  let k = 0;
  for (const i of cases) if (outcomes.get(i)) k++;
  return k / cases.length;
}

export function passedOf(outcomes: ReadonlyMap<number, boolean>, cases: readonly number[]): number[] {
  return cases.filter((i) => outcomes.get(i));
}

export function outcomesOf(passed: readonly number[], cases: readonly number[]): Map<number, boolean> {
  const set = new Set(passed);
  return new Map(cases.map((i) => [i, set.has(i)]));
}
