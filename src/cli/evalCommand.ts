// `prompt-ladder eval`: load each prompt file, run it, print the table and the top recommendation, write exports.

import * as path from 'node:path';
import { loadPromptFile, readPromptFile } from '../core/prompt/load';
import { applyHeapPolicy } from './heap';
import { SpecError, formatProblem } from '../core/errors';
import { runEval, unknownVariants, variantModel, type RunOptions, type RunResult } from '../core/engine';
import { createEnvResolver, loadUserConfig } from '../core/providers/resolve';
import type { RunRecord } from '../core/runs/schema';
import type { PromptSpec } from '../core/prompt/spec';
import { STREAMED_CASES } from '../core/runs/store';
import { statusText } from '../core/runs/completeness';
import { StopSignals } from './stopSignals';
import { writeExports } from './exports';
import { isStreamArg, readStreamArg, streamStandIn } from './streamInput';
import { runRootOf } from '../core/runs/root';
import { caseRefLong } from '../core/runs/caseRef';
import { topRecommendationLine } from '../core/analysis/advisor/advise';
import { variantTable } from './table';
import { ProgressLine } from './progress';
import { UsageError } from './usage';
import { batchRefusal, runEvalViaBatch } from '../core/batch/runBatch';
import { BatchProgress } from './batchProgress';
import { CiGate, type CiArgs } from './ciGate';

export interface EvalArgs {
  files: string[];
  json?: string;
  junit?: string;
  html?: string;
  variants?: string[];
  /** --case: only these cases (0-based indexes), a partial run. */
  cases?: number[];
  concurrency?: number;
  /** Per-call timeout (--timeout / PROMPT_LADDER_TIMEOUT). */
  timeoutSeconds?: number;
  cache: boolean;
  repeat?: number;
  /** Overrides the run root (default: each prompt file's project, runRootOf). */
  root?: string;
  quiet: boolean;
  /** Run through the provider's Batch API: 'all' model calls, or the variants' 'calls' only (evaluators live). */
  batch?: 'all' | 'calls';
  /** With batch: submit and exit 0 without waiting. */
  detach?: boolean;
  /** With batch: fixed poll interval. */
  pollIntervalMs?: number;
  /** Warnings fail the run (exit 2) before any call. Default: on when CI=true, else off. */
  strict?: boolean;
  /** --baseline, --fail-on, --min-pass-rate, --alpha, --md (./ciGate.ts). */
  ci?: CiArgs;
}

/** `--strict` / `--no-strict`, else on in CI (CI=true or 1), so a typo can never make a CI run green. */
export function strictDefault(env: NodeJS.ProcessEnv): boolean {
  return /^(true|1)$/i.test(env.CI ?? '');
}

const out = (s: string) => process.stdout.write(s + '\n');
const err = (s: string) => process.stderr.write(s + '\n');

type Providers = ReturnType<typeof createEnvResolver>;
type Loaded = { spec: PromptSpec; text: string };

export async function evalCommand(args: EvalArgs): Promise<number> {
  const env = process.env;
  const providers = createEnvResolver(env, await loadUserConfig(env));
  // Load everything first: an invalid file is a usage error (exit 2) before any call is made.
  const loaded = await loadSpecs(args, providers);
  if (typeof loaded === 'number') return loaded;
  const { specs, warnings } = loaded;
  const strict = args.strict ?? strictDefault(env);
  if (strict && warnings > 0) {
    err(`${warnings} warning${warnings === 1 ? '' : 's'} (listed above): strict mode${args.strict === undefined ? ' (the default when CI=true)' : ''} fails the run on warnings; fix them, or pass --no-strict`);
    return 2;
  }
  const gate = await CiGate.prepare({ ...args.ci, ...(args.root ? { root: args.root } : {}) }, specs.map((s) => s.spec), env);
  try {
    return await runSpecs(args, providers, specs, loaded.exit, gate);
  } finally {
    await gate.dispose();
  }
}

/** The run options a baseline run shares with the prompt files' runs. */
function runOptionsOf(args: EvalArgs, providers: Providers) {
  return {
    providers,
    cache: args.cache,
    ...(args.concurrency ? { concurrency: args.concurrency } : {}),
    ...(args.timeoutSeconds ? { timeoutMs: args.timeoutSeconds * 1000 } : {}),
    ...(args.variants?.length ? { variants: args.variants } : {}),
    ...(args.repeat ? { repeat: args.repeat } : {}),
  };
}

/** Reads and checks every prompt file; an exit code when one cannot run at all. */
async function loadSpecs(args: EvalArgs, providers: Providers): Promise<{ specs: Loaded[]; warnings: number; exit: number } | number> {
  const specs: Loaded[] = [];
  let warnings = 0;
  let exit = 0;
  for (const file of args.files) {
    const { abs, text } = await readArg(file);
    try {
      // Named on the command line: any YAML with the prompt-file shape loads, as gh does.
      const spec = await loadPromptFile(abs, { text, anyName: true });
      // a run the engine streams is long and allocates fast: keep its heap near its live data
      if (spec.cases.length > STREAMED_CASES) applyHeapPolicy();
      for (const p of spec.problems) err(formatProblem({ ...p, file: path.relative(process.cwd(), p.file) || p.file }));
      warnings += spec.problems.filter((p) => p.severity === 'warning').length;
      if (spec.cases.length === 0 && spec.problems.some((p) => p.severity === 'error')) {
        throw new UsageError(`${file}: no test cases to run (every case had a problem, see above)`);
      }
      if (spec.declaredEvaluators && spec.evaluators.length === 0 && !spec.cases.some((c) => c.evaluators?.length)) {
        // Not "100 % pass": without a working evaluator no reply would be checked.
        err(`${file}: nothing was checked: every evaluator had a problem (listed above), so no reply would be judged; fix them to run`);
        exit = 1;
        continue;
      }
      checkRunnable(file, spec, args, providers);
      specs.push({ spec, text });
    } catch (e) {
      if (e instanceof SpecError) {
        for (const p of e.problems) err(formatProblem({ ...p, file: path.relative(process.cwd(), p.file) || p.file }));
        return 2;
      }
      throw e;
    }
  }
  return { specs, warnings, exit };
}

/** A prompt file named on the command line: a file, or stdin / process substitution standing for a file in the cwd. */
async function readArg(file: string): Promise<{ abs: string; text: string }> {
  if (isStreamArg(file)) {
    // read as a stream (same size limit)
    const text = await readStreamArg(file);
    return { abs: streamStandIn(file, text), text };
  }
  const abs = path.resolve(file);
  try {
    return { abs, text: await readPromptFile(abs) };
  } catch (e) {
    throw new UsageError(`${file}: cannot read the file${e instanceof SpecError && e.problems[0] ? ` (${e.problems[0].message})` : ''}`);
  }
}

/** The variants asked for exist, each has a model and a provider, and --batch can run them; UsageError otherwise. */
function checkRunnable(file: string, spec: PromptSpec, args: EvalArgs, providers: Providers): void {
  const missing = (args.cases ?? []).filter((i) => !spec.cases.some((c) => c.index === i));
  if (missing.length) throw new UsageError(`${file}: no case ${missing.join(', ')} (--case takes 0-based indexes; the eval set has ${spec.cases.length} case${spec.cases.length === 1 ? '' : 's'})`);
  const unknown = unknownVariants(spec, args.variants);
  if (unknown.length === args.variants?.length && unknown.length > 0) {
    throw new UsageError(`${file}: no variant named ${unknown.map((n) => `"${n}"`).join(', ')} (variants: ${spec.variants.map((v) => v.name).join(', ')})`);
  }
  for (const v of spec.variants) {
    if (args.variants?.length && !args.variants.includes(v.name)) continue;
    const model = variantModel(spec, v, providers);
    try {
      if (!model) throw new Error(`no model${spec.modelHint ? ` (${spec.modelHint})` : ''}: add \`model:\` to the prompt file or set PROMPT_LADDER_MODEL`);
      providers.resolve(model);
    } catch (e) {
      throw new UsageError(`${file}: variant "${v.name}": ${(e as Error).message}`);
    }
  }
  if (args.batch) {
    const why = batchRefusal(spec, providers, { ...(args.variants ? { variants: args.variants } : {}), mode: args.batch });
    if (why) throw new UsageError(`${file}: ${why}`);
  }
}

/** Runs the loaded prompt files one after the other, then writes the exports. */
async function runSpecs(args: EvalArgs, providers: Providers, specs: Loaded[], exitSoFar: number, gate: CiGate): Promise<number> {
  let exit = exitSoFar;
  // Ctrl-C, SIGTERM and SIGHUP: no new call, a short wait for calls in flight, then the partial record
  const stops = new StopSignals((sig) => {
    const again = sig === 'SIGINT' ? 'Ctrl-C' : sig;
    err(args.batch ? `\n${sig}: stopping the wait… (the batch keeps running on the provider)` : `\n${sig}: stopping… (partial results are kept; ${again} again to quit at once)`);
    // a batch wait has no calls in flight to wait for
    if (args.batch) stops.abort.abort(`stopped by ${sig}`);
  });
  const controller = stops.abort;

  const records: RunRecord[] = [];
  const recordPaths: (string | undefined)[] = [];
  try {
    for (const { spec, text } of specs) {
      if (controller.signal.aborted) break;
      const progress = new ProgressLine(process.stderr, path.basename(spec.file));
      const runOptions: RunOptions = {
        ...runOptionsOf(args, providers),
        root: args.root ?? runRootOf(spec.file),
        signal: controller.signal,
        stop: stops.stop.signal,
        promptText: text,
        ...(args.cases ? { caseIndexes: args.cases } : {}),
        onEvent: args.quiet ? undefined : (e: Parameters<typeof progress.onEvent>[0]) => progress.onEvent(e),
      };
      const outcome = args.batch ? await runBatch(spec, args, runOptions) : await runEval(spec, runOptions);
      if (outcome === 'detached') continue;
      if (outcome === 'stopped') {
        exit = 130;
        break;
      }
      const { record, path: recordPath } = outcome;
      progress.clear();
      // a record or cache write that failed, damage skipped in the store: one line each, and a failed write fails the run
      for (const p of outcome.problems ?? []) {
        err(`prompt-ladder: ${p}`);
        if (/^cannot write /.test(p)) exit = Math.max(exit, 1);
      }
      // warnings found during the run (retrieval documents skipped, e.g. symlinks out of the project)
      for (const w of (record.problems ?? []).slice(spec.problems.length)) err(`${path.basename(spec.file)}: ${w}`);
      records.push(record);
      recordPaths.push(recordPath);
      printRecord(record, recordPath, args);
      // Cases skipped for problems in the eval set did not pass either: CI must not go green without them.
      const skipped = spec.problems.filter((p) => p.severity === 'error').length;
      if (skipped) out(`${skipped} problem${skipped === 1 ? '' : 's'} in the prompt or eval-set files (listed above): the affected cases or evaluators did not run.`);
      gate.add(spec, record, skipped);
      if (stops.received) break;
    }
    // the gate decides (failures, regressions against the baseline, the minimum pass rate), with one line saying why
    const verdict = exit === 130 || stops.received ? 1 : await gate.finish({ ...runOptionsOf(args, providers), signal: controller.signal });
    exit = Math.max(exit, verdict);
    const exported = await writeExports(args, records.map((record, i) => ({ record, ...(recordPaths[i] ? { path: recordPaths[i] } : {}) })));
    for (const line of exported.lines) (line.startsWith('prompt-ladder:') ? err : out)(line);
    if (exported.failed) exit = Math.max(exit, 1);
  } finally {
    stops.dispose();
  }
  if (stops.received && !args.batch) err(`${stops.received}: stopped; ${records.length ? 'the partial results are in the run record named above' : 'no run had started'}`);
  return stops.exitCode() ?? exit;
}

/** A run through the Batch API: its outcome, or whether it was left on the provider (detached, or the wait stopped). */
async function runBatch(spec: PromptSpec, args: EvalArgs, runOptions: RunOptions): Promise<RunResult | 'detached' | 'stopped'> {
  const batchProgress = new BatchProgress(process.stderr, path.basename(spec.file));
  const r = await runEvalViaBatch(spec, {
    ...runOptions,
    mode: args.batch!,
    ...(args.detach ? { detach: true } : {}),
    ...(args.pollIntervalMs ? { pollIntervalMs: args.pollIntervalMs } : {}),
    onBatch: (e) => batchProgress.onEvent(e, process.cwd()),
  });
  batchProgress.clear();
  if (r.kind === 'finished') return r;
  const again = resumeCommand(spec.file, args);
  if (r.kind === 'detached') {
    err(`${path.basename(spec.file)}: batch submitted; it runs on the provider (up to 24 h). Collect the results with: ${again}`);
    return 'detached';
  }
  err(`${path.basename(spec.file)}: stopped waiting; the batch keeps running on the provider. Resume with: ${again}`);
  return 'stopped';
}

/** The first 100 characters of a reply (gh's preview length), on one line. */
function replyPreview(text: string): string {
  const chars = [...text];
  return chars.length > 100 ? `${chars.slice(0, 100).join('')}...` : text;
}

/** The command that attaches to the pending batches of this run (the same options, without --detach). */
function resumeCommand(file: string, args: EvalArgs): string {
  const parts = ['prompt-ladder', 'eval', path.relative(process.cwd(), file) || file, args.batch === 'calls' ? '--batch=calls' : '--batch'];
  for (const v of args.variants ?? []) parts.push('--variant', v);
  if (args.repeat) parts.push('--repeat', String(args.repeat));
  if (!args.cache) parts.push('--no-cache');
  if (args.root) parts.push('--root', args.root);
  return parts.map((p) => (/^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function printRecord(record: RunRecord, recordPath: string | undefined, args: EvalArgs): void {
  const total = record.cases.length;
  out('');
  out(`${record.promptName ?? record.promptFile} — ${total} case${total === 1 ? '' : 's'} × ${record.variants.length} variant${record.variants.length === 1 ? '' : 's'} — ${statusText(record)}`);
  out(variantTable(record));
  if (total === 0) out('0 cases: the file has no testData, testFile or sibling NAME.cases.jsonl, so nothing was sent (gh runs such a file the same way)');
  const cached = record.variants.reduce((n, v) => n + (v.cached ?? 0), 0);
  out(`calls: ${record.calls ?? 0}${cached ? ` · cached results: ${cached}` : ''}`);
  if (record.batch) {
    const b = record.batch;
    const ids = b.batches.map((x) => x.id).join(', ');
    out(
      `Batch API: ${b.results} result${b.results === 1 ? '' : 's'} through ${b.batches.length} batch${b.batches.length === 1 ? '' : 'es'}${ids ? ` (${ids})` : ''}` +
        ` · cost $${b.costUsd.toFixed(4)} at the batch rate, saved $${b.savedUsd.toFixed(4)} against live calls`,
    );
  }
  if (!args.quiet) {
    const failing = record.cases.flatMap((c) =>
      c.results.filter((r) => !r.passed).map((r) => ({ c, r })),
    );
    // calls not made because the endpoint's key was refused are one problem (printed above), not one per case
    const notSent = failing.filter(({ r }) => r.error?.startsWith('not sent: '));
    const shown = failing.filter(({ r }) => !r.error?.startsWith('not sent: '));
    for (const { c, r } of shown.slice(0, 10)) {
      const why = r.error ?? r.evaluators.filter((e) => !e.passed).map((e) => e.name).join(', ');
      out(`  ✗ ${caseRefLong(c)} [${r.variant}] ${r.category ?? ''}: ${why}`);
      // the start of the reply, as gh shows the first 100 characters of a failing case's model response
      if (!r.error) out(`      reply: ${JSON.stringify(replyPreview(r.output))}`);
    }
    if (shown.length > 10) out(`  … and ${shown.length - 10} more (see the run record)`);
    if (notSent.length) out(`  … and ${notSent.length} more not sent: the key was refused (see above)`);
  }
  if (record.advice?.recommendations.length) out(`Advice: ${topRecommendationLine(record.advice)}`);
  if (recordPath) out(`Run record: ${path.isAbsolute(recordPath) && path.relative(process.cwd(), recordPath).startsWith('..') ? recordPath : path.relative(process.cwd(), recordPath) || recordPath}`);
  else out('Run record: not written (see the message above)');
}
