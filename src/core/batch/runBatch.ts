// `eval --batch`: a run whose model calls go through the provider's Batch API (about half the price, outside
// the per-minute limits, done within 24 h). Phases: a collect pass over the engine finds every call the cache
// and earlier phases cannot answer; they are split into batches (per endpoint and model, within the limits),
// the pending state is written under .promptladder/batches/ before anything is uploaded and before waiting,
// then the batches are polled, their output read back, and the next collect pass finds the calls that depend
// on those answers (self-repair attempts, judges) — up to MAX_PHASES. A final pass over the engine then
// builds the run record from the answers (which enter the response cache), with failed lines as errors.
// Running the same command again attaches to the pending batches (also after kill -9): never billed twice.

import { FaultError, writeProblem } from '../faults';
import * as path from 'node:path';
import { writeStoreFileAtomic } from '../storeFs';
import { runEval, variantModel, type RunOptions } from '../engine';
import type { PromptSpec } from '../prompt/spec';
import type { BatchSupport, ProviderResolver } from '../providers/provider';
import { estimateCostUsd } from '../providers/pricing';
import type { RunRecord } from '../runs/schema';
import { writeRun } from '../runs/store';
import { BatchExecutor } from './executor';
import { inputHashOf, partContent, splitLines, BATCH_LIMITS, type BatchLimits, type BatchPart } from './lines';
import { emptyResults, readBatchFile, type BatchResults } from './output';
import { cancelBatch, createBatch, downloadFile, findBatchByInputFile, retrieveBatch, uploadInput } from './remote';
import {
  TERMINAL_STATUSES,
  batchesDir,
  readState,
  removeState,
  stateFileOf,
  writeState,
  type BatchState,
  type PendingPart,
  type PendingPhase,
  type RunIdentity,
} from './state';

export const MAX_PHASES = 6;

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

function relPath(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/') || path.basename(file);
}

function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function viewOf(p: PendingPart): BatchPartView {
  return {
    ...(p.batchId ? { id: p.batchId } : {}),
    model: p.modelRef,
    part: p.part,
    of: p.of,
    requests: p.requests,
    status: p.status ?? (p.batchId ? 'validating' : 'not submitted'),
    completed: p.counts?.completed ?? 0,
    failed: p.counts?.failed ?? 0,
  };
}

class Interrupted extends Error {}

export async function runEvalViaBatch(spec: PromptSpec, options: BatchRunOptions): Promise<BatchRunResult> {
  const mode = options.mode ?? 'all';
  const limits: BatchLimits = { ...BATCH_LIMITS, ...options.limits };
  const signal = options.signal;
  const wanted = options.variants?.length ? new Set(options.variants) : undefined;
  const variants = spec.variants.filter((v) => !wanted || wanted.has(v.name)).map((v) => v.name);
  const identity: RunIdentity = {
    promptFile: relPath(options.root, spec.file),
    variants,
    ...(options.caseIndexes ? { caseIndexes: options.caseIndexes } : {}),
    repeat: Math.max(1, Math.floor(options.repeat ?? 1)),
    mode,
    cache: options.cache !== false,
  };
  const stateFile = stateFileOf(options.storeRoot ?? options.root, identity);
  const state: BatchState = (await readState(stateFile)) ?? {
    version: 1,
    identity: path.basename(stateFile, '.json'),
    promptFile: identity.promptFile,
    variants,
    repeat: identity.repeat,
    mode,
    ...(identity.caseIndexes ? { caseIndexes: identity.caseIndexes } : {}),
    cache: identity.cache,
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    phases: [],
  };
  // the batches on the provider are paid for: a state that cannot be written names them
  const save = () =>
    writeState(stateFile, state).catch((err: unknown) => {
      const ids = state.phases.flatMap((p) => p.parts.map((x) => x.batchId).filter(Boolean)).join(', ');
      throw new FaultError(`${writeProblem(stateFile, err)}${ids ? `; the batches already submitted (${ids}) keep running on the provider` : ''}`);
    });
  const emit = (e: BatchEvent) => options.onBatch?.(e);
  const results = emptyResults();
  const executor = new BatchExecutor(mode, new Map(spec.variants.map((v, i) => [v.name, i])), results);
  const ingested = new Set<PendingPhase>();
  const allViews = () => state.phases.flatMap((p) => p.parts.map(viewOf));

  const batchOf = (p: PendingPart): { batch: BatchSupport; label: string } => {
    const r = options.providers.resolve(p.modelRef);
    if (!r.provider.batch) throw new Error(`${r.provider.label} has no Batch API (model ${p.modelRef})`);
    return { batch: r.provider.batch, label: r.provider.label };
  };

  /** Uploads and creates what a phase still lacks, saving the state after each step. */
  const submit = async (phase: PendingPhase, parts: BatchPart[] | undefined): Promise<void> => {
    for (const p of phase.parts) {
      if (p.batchId) continue;
      const { batch } = batchOf(p);
      if (p.fileId) {
        // A crash may have come between creating the batch and saving its id.
        const found = await findBatchByInputFile(batch, p.fileId, signal);
        if (found) {
          p.batchId = found.id;
          p.status = found.status;
          await save();
          continue;
        }
      }
      const content = parts?.find((x) => x.inputHash === p.inputHash);
      if (!content) throw new Error(`${stateFile}: part ${p.part}/${p.of} of a pending batch has no batch id and its input changed; delete the file to submit anew`);
      if (!p.fileId) {
        const file = await uploadInput(batch, `promptladder-${p.inputHash.slice(0, 12)}.jsonl`, partContent(content), signal);
        p.fileId = file.id;
        await save();
      }
      const created = await createBatch(batch, p.fileId, { source: 'prompt-ladder', prompt: identity.promptFile.slice(-64), input: p.inputHash.slice(0, 32), part: `${p.part}/${p.of}` }, signal);
      p.batchId = created.id;
      p.status = created.status;
      await save();
    }
  };

  /** Polls a phase's batches until each has ended. */
  const wait = async (phaseNo: number, phase: PendingPhase): Promise<void> => {
    const started = Date.parse(phase.submittedAt) || Date.now();
    let interval = options.pollIntervalMs ?? 2000;
    let failuresInARow = 0;
    for (;;) {
      let changed = false;
      for (const p of phase.parts) {
        if (!p.batchId || (p.status && TERMINAL_STATUSES.has(p.status))) continue;
        try {
          const b = await retrieveBatch(batchOf(p).batch, p.batchId, signal);
          const counts = b.request_counts ? { total: b.request_counts.total, completed: b.request_counts.completed, failed: b.request_counts.failed } : p.counts;
          if (b.status !== p.status || JSON.stringify(counts) !== JSON.stringify(p.counts)) changed = true;
          p.status = b.status;
          if (counts) p.counts = counts;
          failuresInARow = 0;
        } catch (err) {
          if (signal?.aborted) throw new Interrupted();
          // A poll that fails (network, 5xx) is retried at the next interval; many in a row end the wait.
          if (++failuresInARow >= 10) throw err;
          emit({ type: 'problem', message: `polling batch ${p.batchId} failed (${(err as Error).message}); trying again` });
        }
      }
      if (changed) await save();
      emit({ type: 'waiting', phase: phaseNo, parts: phase.parts.map(viewOf), elapsedMs: Date.now() - started });
      if (phase.parts.every((p) => p.status && TERMINAL_STATUSES.has(p.status))) return;
      if (!(await sleep(interval, signal))) throw new Interrupted();
      if (options.pollIntervalMs === undefined) interval = Math.min(60_000, Math.round(interval * 1.5));
    }
  };

  /** Downloads a finished phase's output and error files into the results; lines with no result fail with the batch's reason. */
  const ingest = async (phase: PendingPhase, parts: BatchPart[] | undefined): Promise<void> => {
    for (const p of phase.parts) {
      if (!p.batchId) continue;
      const { batch, label } = batchOf(p);
      const remote = await retrieveBatch(batch, p.batchId, signal);
      for (const fileId of [remote.output_file_id, remote.error_file_id]) {
        if (!fileId) continue;
        const text = await downloadFile(batch, fileId, signal);
        const before = results.problems.length;
        readBatchFile(text, { batchId: p.batchId, fileId, label }, results);
        if (results.problems.length > before) {
          // Keep the file as it came, so nothing the provider returned is lost.
          const keep = path.join(batchesDir(options.storeRoot ?? options.root), `${p.batchId}-${fileId}.jsonl`);
          await writeStoreFileAtomic(keep, text);
          for (const m of results.problems.slice(before)) emit({ type: 'problem', message: `${m} (file kept at ${relPath(options.root, keep)})` });
        }
      }
      const lines = parts?.find((x) => x.inputHash === p.inputHash)?.lines ?? [];
      const why =
        remote.status === 'failed'
          ? `batch ${p.batchId} failed validation: ${(remote.errors?.data ?? []).map((e) => `${e.line ? `line ${e.line}: ` : ''}${e.message ?? e.code}`).join('; ') || 'no reason given'}`
          : remote.status === 'cancelled'
            ? `batch ${p.batchId} was cancelled before this request ran`
            : remote.status === 'expired'
              ? `batch ${p.batchId} expired (24 h window) before this request ran`
              : `batch ${p.batchId} returned no readable result for this request`;
      for (const l of lines) {
        if (!results.answers.has(l.key) && !results.failures.has(l.key)) results.failures.set(l.key, `${label}: ${why}`);
      }
    }
    ingested.add(phase);
  };

  const engineOptions = (write: boolean): RunOptions => {
    const { onBatch: _a, detach: _b, pollIntervalMs: _c, limits: _d, mode: _e, ...rest } = options;
    void [_a, _b, _c, _d, _e];
    return { ...rest, executor, write, ...(write ? {} : { onEvent: undefined }) };
  };

  try {
    for (let phaseNo = 1; phaseNo <= MAX_PHASES; phaseNo++) {
      executor.startCollecting();
      await runEval(spec, engineOptions(false));
      if (signal?.aborted) throw new Interrupted();
      const lines = [...executor.collected.values()];
      if (lines.length === 0) break;
      const inputHash = inputHashOf(lines);
      const parts = splitLines(lines, limits);
      let phase = state.phases.find((p) => p.inputHash === inputHash);
      if (!phase) {
        // Batches of this run submitted for other inputs (cases edited since): their answers still count.
        const other = state.phases.find((p) => !ingested.has(p));
        if (other) {
          emit({ type: 'attached', phase: phaseNo, parts: other.parts.map(viewOf), stateFile });
          await submitOrFail(other);
          if (options.detach && !other.parts.every((p) => p.status && TERMINAL_STATUSES.has(p.status))) {
            return { kind: 'detached', parts: allViews(), stateFile };
          }
          await wait(phaseNo, other);
          await ingest(other, undefined);
          phaseNo--;
          continue;
        }
        phase = {
          inputHash,
          requests: lines.length,
          submittedAt: new Date().toISOString(),
          parts: parts.map((p, i) => ({
            part: i + 1,
            of: parts.length,
            endpointKey: p.endpointKey,
            modelRef: p.modelRef,
            model: p.model,
            requests: p.lines.length,
            bytes: p.bytes,
            inputHash: p.inputHash,
          })),
        };
        state.phases.push(phase);
        await save();
        await submit(phase, parts);
        emit({ type: 'submitted', phase: phaseNo, parts: phase.parts.map(viewOf), stateFile });
      } else {
        await submit(phase, parts);
        emit({ type: 'attached', phase: phaseNo, parts: phase.parts.map(viewOf), stateFile });
      }
      if (options.detach && !phase.parts.every((p) => p.status && TERMINAL_STATUSES.has(p.status))) {
        return { kind: 'detached', parts: allViews(), stateFile };
      }
      await wait(phaseNo, phase);
      const before = { a: results.answers.size, f: results.failures.size };
      await ingest(phase, parts);
      emit({ type: 'phase-done', phase: phaseNo, answered: results.answers.size - before.a, failed: results.failures.size - before.f });
    }
  } catch (err) {
    if (err instanceof Interrupted || (signal?.aborted && err instanceof Error && err.name === 'AbortError')) {
      return { kind: 'interrupted', parts: allViews(), stateFile };
    }
    throw err;
  }

  async function submitOrFail(phase: PendingPhase): Promise<void> {
    if (phase.parts.some((p) => !p.batchId)) await submit(phase, undefined);
  }

  executor.pass = 'final';
  const { record, path: recordPath } = await runEval(spec, engineOptions(true));
  finishRecord(record, state, mode, results);
  const written = recordPath && options.write !== false ? await writeRun(options.root, record, recordPath) : recordPath;
  if (record.status === 'completed' || record.status === 'failed') await removeState(stateFile);
  return { kind: 'finished', record, ...(written ? { path: written } : {}) };
}

/** Marks the record's batch use: the batches, how many results came through them, their cost and the saving. */
function finishRecord(record: RunRecord, state: BatchState, mode: 'all' | 'calls', results: BatchResults): void {
  let count = 0;
  let costUsd = 0;
  let liveUsd = 0;
  for (const c of record.cases) {
    for (const r of c.results) {
      if (!r.batched) continue;
      count++;
      costUsd += r.costUsd ?? 0;
      liveUsd += estimateCostUsd(r.model ?? '', r.tokens);
    }
  }
  const batches = state.phases.flatMap((p) =>
    p.parts.filter((x) => x.batchId).map((x) => ({ id: x.batchId!, model: x.modelRef, requests: x.requests, status: x.status ?? 'unknown' })),
  );
  if (batches.length === 0 && count === 0) return;
  record.batch = {
    mode,
    batches,
    results: count,
    costUsd: Math.round(costUsd * 1e6) / 1e6,
    savedUsd: Math.round(Math.max(0, liveUsd - costUsd) * 1e6) / 1e6,
  };
  if (results.problems.length) record.problems = [...(record.problems ?? []), ...results.problems];
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
