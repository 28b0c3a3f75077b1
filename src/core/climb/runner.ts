// Runs the climbed variant of a prompt file (the original text plus the incumbent or a candidate as one more
// variant) over some cases through the engine's public run API, with the response cache on: what was asked
// once is answered from the cache, so a resumed climb and the incumbent's re-runs cost nothing. Every call is
// metered (meter.ts: judges included); a guard stops a live run when its spend comes within a batch of calls
// of the budget. With `batch`, the run goes through the Batch API (runEvalViaBatch): each candidate has its
// own pending-batch state, so a killed climb attaches to its batches again instead of submitting them twice.

import { setMaxListeners } from 'node:events';
import { loadPromptFile } from '../prompt/load';
import { SpecError } from '../errors';
import { runEval, type RunOptions } from '../engine';
import { runEvalViaBatch, type BatchEvent } from '../batch/runBatch';
import { sha256Hex } from '../text/sha256';
import type { ProviderResolver } from '../providers/provider';
import type { RunRecord } from '../runs/schema';
import type { RunEvent } from '../events';
import type { PromptSpec } from '../prompt/spec';
import { freeVariantName } from '../prompt/edits';
import { incumbentKey, promptText, type Incumbent } from './patch';
import { type Budget, type CaseShape, caseCalls, caseUsd } from './budget';
import { Meter, meteredExecutor } from './meter';

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
  /** Through the Batch API; `signal` stops the wait for a batch (the batches keep running on the provider). */
  batch?: { mode: 'all' | 'calls'; pollIntervalMs?: number; signal?: AbortSignal; onBatch?: (what: string, e: BatchEvent) => void };
}

export interface RunResult {
  record: RunRecord;
  spec: PromptSpec;
  /** Per case: passed. */
  outcomes: Map<number, boolean>;
  /** What the run's calls cost (judges included) and how many were made; the judges' share apart. */
  usd: number;
  calls: number;
  judgeUsd: number;
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

  async spec(inc: Incumbent, variant = this.variant): Promise<{ spec: PromptSpec; text: string }> {
    let text: string;
    try {
      text = promptText(this.o.original, inc, variant, this.o.prompty);
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
    // with the Batch API each candidate is its own run identity (its own pending-batch file)
    const variant = this.o.batch ? freeVariantName(this.o.original, `climb-${sha256Hex(incumbentKey(inc)).slice(0, 10)}`, this.o.prompty) : this.variant;
    const { spec, text } = await this.spec(inc, variant);
    const stop = new AbortController();
    // every call of the run listens on it (the batch path's polls too)
    setMaxListeners(0, stop.signal);
    const hard = this.o.hardSignal;
    const abort = () => stop.abort();
    if (hard?.aborted) stop.abort();
    hard?.addEventListener('abort', abort, { once: true });
    const meter = new Meter();
    // the calls that may be in flight when the guard looks: the engine's start window
    const window = Math.max(8, (this.o.concurrency ?? 16) * 2);
    const margin = { usd: (caseUsd(shape) ?? 0) * window, calls: caseCalls(shape) * window };
    const guard = () => {
      if (!stop.signal.aborted && this.budget.exhausted(meter, margin)) stop.abort();
    };
    const options: RunOptions = {
      providers: this.o.providers,
      root: this.o.root,
      cache: true,
      write: false,
      variants: [variant],
      caseIndexes: [...cases],
      promptText: text,
      signal: stop.signal,
      ...(this.o.concurrency ? { concurrency: this.o.concurrency } : {}),
      ...(this.o.timeoutMs ? { timeoutMs: this.o.timeoutMs } : {}),
      ...(this.o.workspaceTrusted === false ? { workspaceTrusted: false } : {}),
      onEvent: (e) => this.o.onRunEvent?.(what, e),
    };
    try {
      if (this.o.batch) return await this.viaBatch(spec, options, meter, what);
      const { record } = await runEval(spec, { ...options, executor: meteredExecutor(meter, guard) });
      return summarize(record, spec, meter);
    } finally {
      hard?.removeEventListener('abort', abort);
    }
  }

  /** The run through the Batch API: answers are metered as their output files are read, at the batch rate. */
  private async viaBatch(spec: PromptSpec, options: RunOptions, meter: Meter, what: string): Promise<RunResult> {
    const b = this.o.batch!;
    const signal = b.signal ? AbortSignal.any([options.signal!, b.signal]) : options.signal;
    if (signal) setMaxListeners(0, signal);
    const r = await runEvalViaBatch(spec, {
      ...options,
      ...(signal ? { signal } : {}),
      mode: b.mode,
      ...(b.pollIntervalMs !== undefined ? { pollIntervalMs: b.pollIntervalMs } : {}),
      onBatch: (e) => {
        if (e.type === 'billed') meter.add(e.model, e.usage, { batch: true, calls: e.requests, judge: e.purpose === 'evaluator' });
        b.onBatch?.(what, e);
      },
    });
    if (r.kind === 'finished') return summarize(r.record, spec, meter);
    const waiting = r.parts.filter((p) => p.id).map((p) => p.id).join(', ');
    const reason = `stopped while waiting for batch${r.parts.length === 1 ? '' : 'es'} ${waiting || '(none submitted yet)'}; they keep running on the provider`;
    return { record: { version: 1, id: '', startedAt: new Date().toISOString(), finishedAt: null, promptFile: spec.file, status: 'interrupted', statusReason: reason, variants: [], cases: [] }, spec, outcomes: new Map(), usd: meter.usd, calls: meter.calls, judgeUsd: meter.judgeUsd, costPerCall: 0, complete: false };
  }
}

function summarize(record: RunRecord, spec: PromptSpec, meter: Meter): RunResult {
  const outcomes = new Map<number, boolean>();
  let cost = 0;
  let tokens = 0;
  let n = 0;
  for (const c of record.cases) {
    const r = c.results[0];
    if (!r) continue;
    outcomes.set(c.index, r.passed && !r.error);
    cost += r.costUsd ?? 0;
    tokens += r.tokens.prompt + r.tokens.completion;
    n++;
  }
  const priced = record.cases.some((c) => c.results.some((r) => (r.costUsd ?? 0) > 0));
  return {
    record,
    spec,
    outcomes,
    usd: meter.usd,
    calls: meter.calls,
    judgeUsd: meter.judgeUsd,
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
