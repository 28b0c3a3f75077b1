// One `--batch` run as named steps (runBatch.ts drives them): open the pending state, then per phase collect
// the calls no answer covers yet, submit them (or attach to the batches already submitted for them), wait,
// and read the output back; finally the engine's last pass builds the record from the answers.

import * as path from 'node:path';
import { FaultError, writeProblem } from '../faults';
import { writeStoreFileAtomic } from '../storeFs';
import { runEval, type RunOptions } from '../engine';
import type { PromptSpec } from '../prompt/spec';
import type { BatchSupport } from '../providers/provider';
import { estimateCostUsd } from '../providers/pricing';
import type { RunRecord } from '../runs/schema';
import { writeRun } from '../runs/store';
import { BatchExecutor } from './executor';
import { inputHashOf, partContent, splitLines, BATCH_LIMITS, type BatchLimits, type BatchLine, type BatchPart } from './lines';
import { emptyResults, readBatchFile, type BatchResults } from './output';
import { createBatch, downloadFile, findBatchByInputFile, retrieveBatch, uploadInput, type RemoteBatch } from './remote';
import { TERMINAL_STATUSES, batchesDir, readState, removeState, stateFileOf, writeState, type BatchState, type PendingPart, type PendingPhase, type RunIdentity } from './state';
import { relPath, type BatchEvent, type BatchPartView, type BatchRunOptions, type BatchRunResult } from './runBatch';

export const MAX_PHASES = 6;

/** The wait for a batch was stopped (the signal): the batches keep running on the provider. */
export class Interrupted extends Error {}

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

const ended = (phase: PendingPhase) => phase.parts.every((p) => p.status && TERMINAL_STATUSES.has(p.status));

/** Why a request of a batch has no result, from the batch's end. */
function unansweredReason(remote: RemoteBatch, id: string): string {
  if (remote.status === 'failed') {
    const errors = (remote.errors?.data ?? []).map((e) => `${e.line ? `line ${e.line}: ` : ''}${e.message ?? e.code}`).join('; ');
    return `batch ${id} failed validation: ${errors || 'no reason given'}`;
  }
  if (remote.status === 'cancelled') return `batch ${id} was cancelled before this request ran`;
  if (remote.status === 'expired') return `batch ${id} expired (24 h window) before this request ran`;
  return `batch ${id} returned no readable result for this request`;
}

export class BatchRun {
  readonly results: BatchResults = emptyResults();
  private readonly executor: BatchExecutor;
  private readonly ingested = new Set<PendingPhase>();
  private readonly limits: BatchLimits;

  private constructor(
    private readonly spec: PromptSpec,
    private readonly options: BatchRunOptions,
    readonly mode: 'all' | 'calls',
    readonly stateFile: string,
    readonly state: BatchState,
    private readonly identity: RunIdentity,
  ) {
    this.limits = { ...BATCH_LIMITS, ...options.limits };
    this.executor = new BatchExecutor(mode, new Map(spec.variants.map((v, i) => [v.name, i])), this.results);
  }

  /** The run's identity and its pending state (a new one when nothing is pending). */
  static async open(spec: PromptSpec, options: BatchRunOptions): Promise<BatchRun> {
    const mode = options.mode ?? 'all';
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
    const now = new Date().toISOString();
    const state: BatchState = (await readState(stateFile)) ?? {
      version: 1,
      identity: path.basename(stateFile, '.json'),
      promptFile: identity.promptFile,
      variants,
      repeat: identity.repeat,
      mode,
      ...(identity.caseIndexes ? { caseIndexes: identity.caseIndexes } : {}),
      cache: identity.cache,
      createdAt: now,
      updatedAt: now,
      phases: [],
    };
    return new BatchRun(spec, options, mode, stateFile, state, identity);
  }

  views(): BatchPartView[] {
    return this.state.phases.flatMap((p) => p.parts.map(viewOf));
  }

  private emit(e: BatchEvent): void {
    this.options.onBatch?.(e);
  }

  /** The batches on the provider are paid for: a state that cannot be written names them. */
  private async save(): Promise<void> {
    await writeState(this.stateFile, this.state).catch((err: unknown) => {
      const ids = this.state.phases.flatMap((p) => p.parts.map((x) => x.batchId).filter(Boolean)).join(', ');
      throw new FaultError(`${writeProblem(this.stateFile, err)}${ids ? `; the batches already submitted (${ids}) keep running on the provider` : ''}`);
    });
  }

  private batchOf(p: PendingPart): { batch: BatchSupport; label: string } {
    const r = this.options.providers.resolve(p.modelRef);
    if (!r.provider.batch) throw new Error(`${r.provider.label} has no Batch API (model ${p.modelRef})`);
    return { batch: r.provider.batch, label: r.provider.label };
  }

  private engineOptions(write: boolean): RunOptions {
    const { onBatch: _a, detach: _b, pollIntervalMs: _c, limits: _d, mode: _e, ...rest } = this.options;
    void [_a, _b, _c, _d, _e];
    return { ...rest, executor: this.executor, write, ...(write ? {} : { onEvent: undefined }) };
  }

  /** One collect pass over the engine: the calls no answer covers yet. */
  private async collect(): Promise<BatchLine[]> {
    this.executor.startCollecting();
    await runEval(this.spec, this.engineOptions(false));
    if (this.options.signal?.aborted) throw new Interrupted();
    return [...this.executor.collected.values()];
  }

  /** Every phase up to MAX_PHASES; a detached result when --detach returns before the batches end. */
  async phases(): Promise<BatchRunResult | undefined> {
    for (let phaseNo = 1; phaseNo <= MAX_PHASES; phaseNo++) {
      const lines = await this.collect();
      if (lines.length === 0) break;
      const inputHash = inputHashOf(lines);
      const parts = splitLines(lines, this.limits);
      const known = this.state.phases.find((p) => p.inputHash === inputHash);
      // batches of this run submitted for other inputs (cases edited since): their answers still count
      const other = known ? undefined : this.state.phases.find((p) => !this.ingested.has(p));
      if (other) {
        this.emit({ type: 'attached', phase: phaseNo, parts: other.parts.map(viewOf), stateFile: this.stateFile });
        if (other.parts.some((p) => !p.batchId)) await this.submit(other, undefined);
        if (this.options.detach && !ended(other)) return this.detached();
        await this.wait(phaseNo, other);
        await this.ingest(other, undefined);
        phaseNo--;
        continue;
      }
      const phase = known ?? (await this.newPhase(inputHash, lines.length, parts));
      if (known) await this.submit(phase, parts);
      this.emit({ type: known ? 'attached' : 'submitted', phase: phaseNo, parts: phase.parts.map(viewOf), stateFile: this.stateFile });
      if (this.options.detach && !ended(phase)) return this.detached();
      await this.wait(phaseNo, phase);
      const before = { a: this.results.answers.size, f: this.results.failures.size };
      await this.ingest(phase, parts);
      this.emit({ type: 'phase-done', phase: phaseNo, answered: this.results.answers.size - before.a, failed: this.results.failures.size - before.f });
    }
    return undefined;
  }

  private detached(): BatchRunResult {
    return { kind: 'detached', parts: this.views(), stateFile: this.stateFile };
  }

  /** A new phase: written to the state before anything is uploaded, then submitted. */
  private async newPhase(inputHash: string, requests: number, parts: BatchPart[]): Promise<PendingPhase> {
    const phase: PendingPhase = {
      inputHash,
      requests,
      submittedAt: new Date().toISOString(),
      parts: parts.map((p, i) => ({ part: i + 1, of: parts.length, endpointKey: p.endpointKey, modelRef: p.modelRef, model: p.model, requests: p.lines.length, bytes: p.bytes, inputHash: p.inputHash })),
    };
    this.state.phases.push(phase);
    await this.save();
    await this.submit(phase, parts);
    return phase;
  }

  /** Uploads and creates what a phase still lacks, saving the state after each step. */
  private async submit(phase: PendingPhase, parts: BatchPart[] | undefined): Promise<void> {
    const signal = this.options.signal;
    for (const p of phase.parts) {
      if (p.batchId) continue;
      const { batch } = this.batchOf(p);
      if (p.fileId) {
        // A crash may have come between creating the batch and saving its id.
        const found = await findBatchByInputFile(batch, p.fileId, signal);
        if (found) {
          p.batchId = found.id;
          p.status = found.status;
          await this.save();
          continue;
        }
      }
      const content = parts?.find((x) => x.inputHash === p.inputHash);
      if (!content) throw new Error(`${this.stateFile}: part ${p.part}/${p.of} of a pending batch has no batch id and its input changed; delete the file to submit anew`);
      if (!p.fileId) {
        const file = await uploadInput(batch, `promptladder-${p.inputHash.slice(0, 12)}.jsonl`, partContent(content), signal);
        p.fileId = file.id;
        await this.save();
      }
      const meta = { source: 'prompt-ladder', prompt: this.identity.promptFile.slice(-64), input: p.inputHash.slice(0, 32), part: `${p.part}/${p.of}` };
      const created = await createBatch(batch, p.fileId, meta, signal);
      p.batchId = created.id;
      p.status = created.status;
      await this.save();
    }
  }

  /** Polls a phase's batches until each has ended. */
  private async wait(phaseNo: number, phase: PendingPhase): Promise<void> {
    const started = Date.parse(phase.submittedAt) || Date.now();
    let interval = this.options.pollIntervalMs ?? 2000;
    let failuresInARow = 0;
    for (;;) {
      let changed = false;
      for (const p of phase.parts) {
        if (!p.batchId || (p.status && TERMINAL_STATUSES.has(p.status))) continue;
        try {
          changed = (await this.poll(p)) || changed;
          failuresInARow = 0;
        } catch (err) {
          if (this.options.signal?.aborted) throw new Interrupted();
          // A poll that fails (network, 5xx) is retried at the next interval; many in a row end the wait.
          if (++failuresInARow >= 10) throw err;
          this.emit({ type: 'problem', message: `polling batch ${p.batchId} failed (${(err as Error).message}); trying again` });
        }
      }
      if (changed) await this.save();
      this.emit({ type: 'waiting', phase: phaseNo, parts: phase.parts.map(viewOf), elapsedMs: Date.now() - started });
      if (ended(phase)) return;
      if (!(await sleep(interval, this.options.signal))) throw new Interrupted();
      if (this.options.pollIntervalMs === undefined) interval = Math.min(60_000, Math.round(interval * 1.5));
    }
  }

  /** One status read of a part; true when its status or counts changed. */
  private async poll(p: PendingPart): Promise<boolean> {
    const b = await retrieveBatch(this.batchOf(p).batch, p.batchId!, this.options.signal);
    const counts = b.request_counts ? { total: b.request_counts.total, completed: b.request_counts.completed, failed: b.request_counts.failed } : p.counts;
    const changed = b.status !== p.status || JSON.stringify(counts) !== JSON.stringify(p.counts);
    p.status = b.status;
    if (counts) p.counts = counts;
    return changed;
  }

  /** Downloads a finished phase's output and error files into the results; lines with no result fail with the batch's reason. */
  private async ingest(phase: PendingPhase, parts: BatchPart[] | undefined): Promise<void> {
    for (const p of phase.parts) {
      if (!p.batchId) continue;
      const { batch, label } = this.batchOf(p);
      const remote = await retrieveBatch(batch, p.batchId, this.options.signal);
      for (const fileId of [remote.output_file_id, remote.error_file_id]) {
        if (fileId) await this.downloadResults(batch, { batchId: p.batchId, fileId, label, modelRef: p.modelRef });
      }
      const why = unansweredReason(remote, p.batchId);
      for (const l of parts?.find((x) => x.inputHash === p.inputHash)?.lines ?? []) {
        if (!this.results.answers.has(l.key) && !this.results.failures.has(l.key)) this.results.failures.set(l.key, `${label}: ${why}`);
      }
    }
    this.ingested.add(phase);
  }

  /** One output or error file into the results (kept as it came when a line is unreadable); its answers are billed. */
  private async downloadResults(batch: BatchSupport, where: { batchId: string; fileId: string; label: string; modelRef: string }): Promise<void> {
    const text = await downloadFile(batch, where.fileId, this.options.signal);
    const before = this.results.problems.length;
    const billed = readBatchFile(text, where, this.results);
    for (const purpose of ['case', 'evaluator'] as const) {
      const b = billed[purpose];
      if (b.answered) this.emit({ type: 'billed', model: where.modelRef, purpose, requests: b.answered, usage: b.usage });
    }
    if (this.results.problems.length > before) {
      // Keep the file as it came, so nothing the provider returned is lost.
      const keep = path.join(batchesDir(this.options.storeRoot ?? this.options.root), `${where.batchId}-${where.fileId}.jsonl`);
      await writeStoreFileAtomic(keep, text);
      for (const m of this.results.problems.slice(before)) this.emit({ type: 'problem', message: `${m} (file kept at ${relPath(this.options.root, keep)})` });
    }
  }

  /** The engine's last pass: the record from the answers (which enter the response cache); the pending state goes once it is written. */
  async final(): Promise<{ record: RunRecord; path?: string }> {
    this.executor.pass = 'final';
    const { record, path: recordPath } = await runEval(this.spec, this.engineOptions(true));
    finishRecord(record, this.state, this.mode, this.results);
    const written = recordPath && this.options.write !== false ? await writeRun(this.options.root, record, recordPath) : recordPath;
    if (record.status === 'completed' || record.status === 'failed') await removeState(this.stateFile);
    return { record, ...(written ? { path: written } : {}) };
  }
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

