// The engine: PromptSpec → (case × variant × repeat) jobs → provider calls (cache first, through the scheduler)
// → evaluators → error categories → advice, streaming events, ending in one run record on disk.
// The parts: RunCalls (runCalls.ts) makes the calls, runJob (caseJob.ts) turns one job into a result, a
// JobPool (jobPool.ts) runs as many jobs as the endpoints take, and a RunRecordWriter (runs/recordWriter.ts)
// keeps and writes the record.

import { randomUUID } from 'node:crypto';
import { sha256Hex } from './text/sha256';
import * as path from 'node:path';
import { setMaxListeners } from 'node:events';
import type { RunEvent } from './events';
import type { EvalCase, PromptSpec, VariantSpec } from './prompt/spec';
import type { ProviderResolver } from './providers/provider';
import type { CallExecutor } from './providers/executor';
import type { CaseRecord, CaseResult, RunRecord } from './runs/schema';
import { registerRagasEvaluators } from './evaluators/ragas';
import { applyVariantEvidence } from './analysis/categorize';
import { advise } from './analysis/advisor/advise';
import { summarizeVariants, type VariantInfo } from './runs/summary';
import { RunRecordWriter } from './runs/recordWriter';
import { formatProblem } from './errors';
import { StoreRefusedError, storeProblems } from './storeFs';
import { JobPool } from './jobPool';
import { RunCalls, isAbort } from './runCalls';
import { runJob, variantModel } from './caseJob';

export interface RunOptions {
  providers: ProviderResolver;
  /** Run root (workspace folder / CLI cwd): records in <root>/.promptladder/runs, cache in <root>/.promptladder/cache. */
  root: string;
  /** Where .promptladder/ lives when not in the root (an untrusted workspace's store in the editor's own storage). */
  storeRoot?: string;
  /** Use the response cache (default true). */
  cache?: boolean;
  /** Hard cap on concurrent calls per endpoint; default: adaptive. */
  concurrency?: number;
  signal?: AbortSignal;
  /** Stops the run gently: no new job starts, jobs in flight finish (`signal` may then end them); the record is `cancelled`. */
  stop?: AbortSignal;
  variants?: string[];
  caseIndexes?: number[];
  repeat?: number;
  onEvent?: (e: RunEvent) => void;
  /** Write the record (default true). */
  write?: boolean;
  promptText?: string;
  judgeModel?: string;
  /** Use an LLM judge to categorize failures no deterministic signal explains (default: when a judge model is configured). */
  categorizeWithJudge?: boolean;
  /** False in an untrusted workspace: code evaluators do not run (default: trusted). */
  workspaceTrusted?: boolean;
  /** Per-attempt timeout for provider calls (default DEFAULT_TIMEOUT_SECONDS). */
  timeoutMs?: number;
  /** Retry policy for failed calls (defaults: the scheduler's). */
  retry?: { maxRetries?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Makes the calls the cache cannot answer (default: live through the scheduler); the Batch API path brings its own. */
  executor?: CallExecutor;
}

export { variantModel } from './caseJob';

export function hashText(text: string): string {
  return sha256Hex(text);
}

/** Unknown `--variant` names are a usage error; returns the names that match none. */
export function unknownVariants(spec: PromptSpec, names: string[] | undefined): string[] {
  if (!names?.length) return [];
  const known = new Set(spec.variants.map((v) => v.name));
  return names.filter((n) => !known.has(n));
}

export async function runEval(spec: PromptSpec, options: RunOptions): Promise<RunResult> {
  registerRagasEvaluators();
  // One internal signal for every call of the run (hundreds of listeners are expected on it).
  const internal = new AbortController();
  setMaxListeners(0, internal.signal);
  const abort = () => internal.abort(options.signal?.reason);
  if (options.signal?.aborted) internal.abort(options.signal.reason);
  options.signal?.addEventListener('abort', abort, { once: true });
  const opts: RunOptions = { ...options, signal: internal.signal };
  try {
    return await runWith(spec, opts);
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}

/**
 * What a run gives back: the record, the file that holds it (absent when it could not be written anywhere, or
 * `write: false`), and faults of the machine met on the way, one line each (a record or cache write that
 * failed, damage skipped in the store).
 */
export interface RunResult {
  record: RunRecord;
  path?: string;
  problems?: string[];
}

/** The cases and variants a run covers, after the options' filters. */
interface RunPlan {
  cases: EvalCase[];
  variants: VariantSpec[];
  variantInfo: VariantInfo[];
  repeat: number;
  total: number;
}

function planRun(spec: PromptSpec, opts: RunOptions): RunPlan {
  const repeat = Math.max(1, Math.floor(opts.repeat ?? 1));
  const wanted = opts.variants?.length ? new Set(opts.variants) : undefined;
  const variants = spec.variants.filter((v) => !wanted || wanted.has(v.name));
  const caseSet = opts.caseIndexes ? new Set(opts.caseIndexes) : undefined;
  const cases = spec.cases.filter((c) => !caseSet || caseSet.has(c.index));
  const variantInfo = variants.map((v) => ({
    name: v.name,
    model: variantModel(spec, v, opts.providers) ?? '(none)',
    shots: v.shots ?? 0,
    ...(v.retrieval ? { retrieval: true } : {}),
  }));
  return { cases, variants, variantInfo, repeat, total: cases.length * variants.length * repeat };
}

/** The record as it starts: every case without results, status `running`. */
function newRecord(spec: PromptSpec, opts: RunOptions, plan: RunPlan): RunRecord {
  const rel = (file: string) => path.relative(opts.root, file).split(path.sep).join('/') || path.basename(file);
  // one string per eval-set file, not one per case
  const relNames = new Map<string, string>();
  const relOf = (file: string) => {
    let r = relNames.get(file);
    if (r === undefined) relNames.set(file, (r = rel(file)));
    return r;
  };
  const caseRecords: CaseRecord[] = plan.cases.map((c) => ({
    index: c.index,
    ...(c.file !== spec.file ? { file: relOf(c.file) } : {}),
    line: c.line,
    vars: c.vars,
    ...(c.expected !== undefined ? { expected: c.expected } : {}),
    ...(c.tags?.length ? { tags: c.tags } : {}),
    results: [],
  }));
  return {
    version: 1,
    id: randomUUID(),
    startedAt: new Date().toISOString(),
    finishedAt: null,
    promptFile: rel(spec.file),
    promptName: spec.name,
    status: 'running',
    ...(opts.promptText !== undefined ? { promptHash: hashText(opts.promptText) } : {}),
    ...(plan.repeat > 1 ? { repeat: plan.repeat } : {}),
    // a subset of the cases: a partial run, shown merged over the latest full one (runs/partial.ts)
    ...(opts.caseIndexes && plan.cases.length < spec.cases.length ? { partial: { of: spec.cases.length, caseIndexes: plan.cases.map((c) => c.index) } } : {}),
    variants: summarizeVariants(plan.variantInfo, caseRecords),
    cases: caseRecords,
    ...(spec.problems.length ? { problems: spec.problems.map((p) => formatProblem({ ...p, file: rel(p.file) })) } : {}),
    calls: 0,
  };
}

/** Jobs in case-major order so early cells fill whole rows: [case position, variant, repeat, variant position]. */
function* jobsOf(plan: RunPlan): Generator<[number, VariantSpec, number, number]> {
  const { cases, variants, repeat } = plan;
  for (let r = 0; r < repeat; r++) for (let i = 0; i < cases.length; i++) for (let vi = 0; vi < variants.length; vi++) yield [i, variants[vi], r, vi];
}

async function runWith(spec: PromptSpec, opts: RunOptions): Promise<RunResult> {
  // the store is ours alone: a symlinked .promptladder refuses the run; a symlinked file in it is never opened
  const store = opts.write === false && opts.cache === false ? { warnings: [] } : await storeProblems(opts.storeRoot ?? opts.root);
  if (store.fatal) throw new StoreRefusedError(store.fatal);
  const calls = new RunCalls(spec, opts);
  calls.warnings.push(...store.warnings);
  const plan = planRun(spec, opts);
  const { cases, total, repeat } = plan;
  const writer = new RunRecordWriter(newRecord(spec, opts, plan), {
    root: opts.storeRoot ?? opts.root,
    write: opts.write !== false,
    variants: plan.variantInfo,
    repeat,
    calls: () => calls.calls,
  });
  const record = writer.record;
  if (opts.write !== false) await writer.persist();
  opts.onEvent?.({ type: 'run-started', runId: record.id, total, variants: plan.variants.map((v) => v.name), caseCount: cases.length, record });

  const counts = { done: 0, passed: 0, failed: 0, errors: 0, cached: 0 };
  const finished = (i: number, vi: number, r: number, result: CaseResult) => {
    writer.add(i, vi, r, result);
    counts.done++;
    if (result.error) counts.errors++;
    else if (result.passed) counts.passed++;
    else counts.failed++;
    if (result.cached) counts.cached++;
    opts.onEvent?.({ type: 'case-finished', caseIndex: cases[i].index, result });
    opts.onEvent?.({ type: 'progress', total, ...counts });
    writer.tick();
  };
  let failure: unknown;
  const signal = opts.signal;
  // Jobs start on demand: what the endpoints' schedulers let through and a quarter more (at least 8), which wait
  // in their queues so a finished call is replaced at once (and slow start sees calls waiting). Never hundreds
  // of jobs that could never run: a prepared job waiting for a slot is memory the garbage collector copies.
  const pool = new JobPool<[number, VariantSpec, number, number]>(() =>
    opts.concurrency ? Math.max(opts.concurrency, 1) * 2 * Math.max(1, calls.endpoints) : calls.concurrency() + Math.max(8, Math.ceil(calls.concurrency() / 4)),
  );
  await pool.drain(
    jobsOf(plan),
    ([i, variant, r, vi]) =>
      runJob(calls, cases[i], variant, r).then(
        (result) => finished(i, vi, r, result),
        (err: unknown) => {
          if (!isAbort(err, signal)) failure ??= err;
        },
      ),
    () => Boolean(signal?.aborted || opts.stop?.aborted) || failure !== undefined,
  );

  const reason: unknown = opts.stop?.aborted ? opts.stop.reason : signal?.reason;
  const stopReason = typeof reason === 'string' ? reason : undefined;
  writer.finish({ failure, aborted: Boolean(signal?.aborted) || (Boolean(opts.stop?.aborted) && counts.done < total), total, errors: counts.errors, warnings: calls.warnings, ...(stopReason ? { stopReason } : {}) });
  const relabelled = adviseRecord(record, spec);
  await writer.relabelled(relabelled);
  await Promise.all([writer.close(), calls.flush()]);
  const filePath = writer.savedTo;
  const problems = [writer.problem, calls.cacheProblem()].filter((p): p is string => p !== undefined);
  const done = { record, ...(filePath ? { path: filePath } : {}), ...(problems.length ? { problems } : {}) };
  opts.onEvent?.({ type: 'run-finished', ...done, changed: relabelled.map((c) => c.index) });
  return done;
}

/**
 * Relabels failures by the variants' evidence (chain of thought, self-repair, another model overrule guessed
 * categories) and adds the advice. Returns the cases relabelled. Advice is a bonus: a bug there must not lose
 * the run.
 */
function adviseRecord(record: RunRecord, spec: PromptSpec): CaseRecord[] {
  let relabelled: CaseRecord[] = [];
  try {
    const evidence = applyVariantEvidence(record, spec);
    relabelled = evidence.cases;
    // a partial run's few cases are not the eval set: no advice on them (a climb advises its splits itself)
    if (!record.partial) record.advice = advise(record, { spec }, undefined, evidence.signals);
  } catch {
    // the record stands without advice
  }
  return relabelled;
}
