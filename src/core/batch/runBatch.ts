// `eval --batch`: a run whose model calls go through the provider's Batch API (about half the price, outside
// the per-minute limits, done within 24 h). Phases: a collect pass over the engine finds every call the cache
// and earlier phases cannot answer; they are split into batches (per endpoint and model, within the limits),
// the pending state is written under .promptladder/batches/ before anything is uploaded and before waiting,
// then the batches are polled, their output read back, and the next collect pass finds the calls that depend
// on those answers (self-repair attempts, judges) — up to MAX_PHASES (batchRun.ts). A final pass over the engine then
// builds the run record from the answers (which enter the response cache), with failed lines as errors.
// Running the same command again attaches to the pending batches (also after kill -9): never billed twice.

import * as path from 'node:path';
import { variantModel, type RunOptions } from '../engine';
import type { PromptSpec } from '../prompt/spec';
import type { RunRecord } from '../runs/schema';
import type { ProviderResolver, TokenUsage } from '../providers/provider';
import type { BatchLimits } from './lines';
import { cancelBatch } from './remote';
import { TERMINAL_STATUSES, readState, writeState } from './state';
import { BatchRun, Interrupted } from './batchRun';

export interface BatchPartView {
  id?: string;
  model: string;
  part: number;
  of: number;
  requests: number;
  status: string;
  completed: number;
  failed: number;
}

export type BatchEvent =
  | { type: 'submitted'; phase: number; parts: BatchPartView[]; stateFile: string }
  | { type: 'attached'; phase: number; parts: BatchPartView[]; stateFile: string }
  | { type: 'waiting'; phase: number; parts: BatchPartView[]; elapsedMs: number }
  | { type: 'phase-done'; phase: number; answered: number; failed: number }
  /** What a part's output file answered, as the provider bills it (at the batch rate): read once per run. */
  | { type: 'billed'; model: string; purpose: 'case' | 'evaluator'; requests: number; usage: TokenUsage }
  | { type: 'problem'; message: string };

export interface BatchRunOptions extends RunOptions {
  /** 'all' (default): evaluator calls are batched too, in later phases; 'calls': only the variants' calls. */
  mode?: 'all' | 'calls';
  /** Submit (or attach) and return without waiting. */
  detach?: boolean;
  /** Fixed poll interval; default grows from 2 s to 60 s. */
  pollIntervalMs?: number;
  limits?: Partial<BatchLimits>;
  onBatch?: (e: BatchEvent) => void;
}

export type BatchRunResult =
  | { kind: 'finished'; record: RunRecord; path?: string }
  | { kind: 'detached'; parts: BatchPartView[]; stateFile: string }
  | { kind: 'interrupted'; parts: BatchPartView[]; stateFile: string };

/** Why `--batch` cannot run this spec (a one-line reason), or undefined when it can. */
export function batchRefusal(spec: PromptSpec, providers: ProviderResolver, opts: { variants?: string[]; mode?: 'all' | 'calls'; judgeModel?: string }): string | undefined {
  const wanted = opts.variants?.length ? new Set(opts.variants) : undefined;
  const refs = new Set<string>();
  for (const v of spec.variants) {
    if (wanted && !wanted.has(v.name)) continue;
    const m = variantModel(spec, v, providers);
    if (m) refs.add(m);
  }
  const judge = opts.judgeModel ?? providers.judgeModel;
  const check = (ref: string, role: string): string | undefined => {
    let label: string;
    try {
      const r = providers.resolve(ref);
      if (r.provider.batch) return undefined;
      label = r.provider.label;
    } catch (err) {
      return `${role} ${ref}: ${(err as Error).message}`;
    }
    return `--batch: ${role} ${ref} runs on ${label}, which has no Batch API (only OpenAI and Azure OpenAI endpoints have one); run without --batch`;
  };
  for (const ref of refs) {
    const why = check(ref, 'model');
    if (why) return why;
  }
  if (judge && (opts.mode ?? 'all') === 'all') {
    const why = check(judge, 'judge model');
    if (why) return `${why}, or use --batch=calls to run evaluator calls live`;
  }
  return undefined;
}

export function relPath(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/') || path.basename(file);
}

export async function runEvalViaBatch(spec: PromptSpec, options: BatchRunOptions): Promise<BatchRunResult> {
  const run = await BatchRun.open(spec, options);
  try {
    const detached = await run.phases();
    if (detached) return detached;
  } catch (err) {
    if (err instanceof Interrupted || (options.signal?.aborted && err instanceof Error && err.name === 'AbortError')) {
      return { kind: 'interrupted', parts: run.views(), stateFile: run.stateFile };
    }
    throw err;
  }
  const { record, path: recordPath } = await run.final();
  return { kind: 'finished', record, ...(recordPath ? { path: recordPath } : {}) };
}

/** Cancels the pending batches of a state file on the provider (the editor's Cancel). */
export async function cancelPendingBatches(file: string, providers: ProviderResolver): Promise<string[]> {
  const state = await readState(file);
  if (!state) return [];
  const cancelled: string[] = [];
  for (const phase of state.phases) {
    for (const p of phase.parts) {
      if (!p.batchId || (p.status && TERMINAL_STATUSES.has(p.status))) continue;
      const r = providers.resolve(p.modelRef);
      if (!r.provider.batch) continue;
      const b = await cancelBatch(r.provider.batch, p.batchId);
      p.status = b.status;
      cancelled.push(p.batchId);
    }
  }
  await writeState(file, state);
  return cancelled;
}
