// `prompt-ladder climb FILE`: the climb loop (src/core/climb) from a terminal. Prints the estimate before the
// first call, each step as it goes (move, search and validation figures, p, cost, kept or dropped) and a final
// table; writes the climbed prompt file only with --out (a new file) or --apply (the file itself).
// Exit: 0 something better was kept within the budget, 1 nothing better, 2 bad input, 130 interrupted.

import * as path from 'node:path';
import { readPromptFile } from '../core/prompt/load';
import { SpecError, formatProblem } from '../core/errors';
import { createEnvResolver, loadUserConfig } from '../core/providers/resolve';
import { runRootOf } from '../core/runs/root';
import { writeFileAtomic } from '../core/runs/store';
import { climb, ClimbInputError, type ClimbEvent } from '../core/climb/loop';
import type { ClimbRecord, Step } from '../core/climb/record';
import { usd } from '../core/climb/budget';
import { formatP } from '../core/analysis/advisor/stats';
import { parseTimeoutSeconds } from '../core/providers/timeout';
import { renderTable } from './table';
import { UsageError } from './usage';

export interface ClimbArgs {
  file: string;
  budgetUsd?: number;
  maxCalls?: number;
  maxSteps?: number;
  seed?: number;
  json?: string;
  out?: string;
  apply: boolean;
  root?: string;
  variant?: string;
  models: string[];
  concurrency?: number;
  timeoutSeconds?: number;
  quiet: boolean;
  /** Each step's runs through the Batch API ('calls': the evaluators' calls live). */
  batch?: 'all' | 'calls';
  pollIntervalMs?: number;
}

/** The climb's arguments from the CLI's parsed options (UsageError on a mistake). */
export function climbArgs(values: Record<string, string | boolean | string[] | undefined>, files: string[], batch: string | undefined): ClimbArgs {
  if (files.length !== 1) throw new UsageError('climb needs exactly one prompt file');
  if (batch && batch !== 'all' && batch !== 'calls') throw new UsageError(`--batch takes no value, or =calls; got "${batch.slice(4)}"`);
  if (values.detach) throw new UsageError('climb --batch waits for each step\'s batches (a step decides on their results); --detach is for eval');
  if (!batch && values['poll-interval'] !== undefined) throw new UsageError('--poll-interval goes with --batch');
  const num = (name: string, check: (n: number) => boolean, what: string) => {
    const v = values[name];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (typeof v !== 'string' || !check(n)) throw new UsageError(`--${name} needs ${what}, got "${String(v)}"`);
    return n;
  };
  const whole = (n: number) => Number.isInteger(n) && n >= 1;
  if (values.out && values.apply) throw new UsageError('--out and --apply exclude each other (a new file, or the prompt file itself)');
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const list = (k: string) => (Array.isArray(values[k]) ? (values[k] as string[]) : typeof values[k] === 'string' ? [values[k] as string] : []);
  let timeoutSeconds: number | undefined;
  try {
    timeoutSeconds = parseTimeoutSeconds(str('timeout'), '--timeout') ?? parseTimeoutSeconds(process.env.PROMPT_LADDER_TIMEOUT, 'PROMPT_LADDER_TIMEOUT');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const poll = num('poll-interval', (n) => Number.isFinite(n) && n > 0, 'a number of seconds > 0');
  return {
    file: files[0],
    budgetUsd: num('budget-usd', (n) => Number.isFinite(n) && n > 0, 'an amount of dollars > 0'),
    maxCalls: num('max-calls', whole, 'a whole number ≥ 1'),
    maxSteps: num('max-steps', whole, 'a whole number ≥ 1'),
    seed: num('seed', (n) => Number.isInteger(n) && n >= 0, 'a whole number ≥ 0'),
    json: str('json'),
    out: str('out'),
    apply: values.apply === true,
    root: str('root') ? path.resolve(str('root')!) : undefined,
    variant: list('variant')[0],
    models: list('model'),
    concurrency: num('concurrency', whole, 'a whole number ≥ 1'),
    timeoutSeconds,
    quiet: values.quiet === true,
    ...(batch ? { batch: batch as 'all' | 'calls' } : {}),
    ...(poll !== undefined ? { pollIntervalMs: Math.round(poll * 1000) } : {}),
  };
}

const out = (s: string) => process.stdout.write(s + '\n');
const err = (s: string) => process.stderr.write(s + '\n');
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '-' : `${(x * 100).toFixed(1)}%`);

export async function climbCommand(args: ClimbArgs): Promise<number> {
  const file = path.resolve(args.file);
  let text: string;
  try {
    text = await readPromptFile(file);
  } catch (e) {
    throw new UsageError(`${args.file}: cannot read the file${e instanceof SpecError && e.problems[0] ? ` (${e.problems[0].message})` : ''}`);
  }
  const providers = createEnvResolver(process.env, await loadUserConfig(process.env));
  const soft = new AbortController();
  const hard = new AbortController();
  let signals = 0;
  const onSignal = () => {
    signals++;
    if (signals === 1) {
      err(
        args.batch
          ? '\nStopping: the batches in flight keep running on the provider; the same command again attaches to them (everything so far is kept)'
          : '\nStopping after the run in flight… (everything so far is kept; Ctrl-C again to stop at once)',
      );
    }
    else hard.abort();
    soft.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let record: ClimbRecord;
  let recordFile: string;
  try {
    ({ record, file: recordFile } = await climb({
      file,
      text,
      root: args.root ?? runRootOf(file),
      providers,
      models: args.models,
      signal: soft.signal,
      hardSignal: hard.signal,
      ...defined({ budgetUsd: args.budgetUsd, maxCalls: args.maxCalls, maxSteps: args.maxSteps, seed: args.seed, variant: args.variant, concurrency: args.concurrency }),
      ...(args.timeoutSeconds ? { timeoutMs: args.timeoutSeconds * 1000 } : {}),
      ...(args.batch ? { batch: { mode: args.batch, ...(args.pollIntervalMs ? { pollIntervalMs: args.pollIntervalMs } : {}) } } : {}),
      onEvent: (e) => printEvent(e, args.quiet),
    }));
  } catch (e) {
    if (e instanceof ClimbInputError) throw new UsageError(e.message);
    if (e instanceof SpecError) {
      for (const p of e.problems) err(formatProblem({ ...p, file: path.relative(process.cwd(), p.file) || p.file }));
      return 2;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  printSummary(record);
  out(`Climb record: ${path.relative(process.cwd(), recordFile) || recordFile}`);
  if (args.json) {
    await writeFileAtomic(path.resolve(args.json), JSON.stringify(record, null, 2) + '\n');
    out(`Wrote JSON to ${args.json}`);
  }
  if (record.climbed && record.status === 'finished') {
    if (args.apply) {
      await writeFileAtomic(file, record.climbed.text);
      out(`Applied: ${args.file} now has the variant "${record.climbed.variant}"`);
    } else if (args.out) {
      await writeFileAtomic(path.resolve(args.out), record.climbed.text);
      out(`Wrote the climbed prompt file to ${args.out} (variant "${record.climbed.variant}")`);
    } else out(`The climbed prompt is in the record; --out NEW_FILE writes it, --apply adds its variant "${record.climbed.variant}" to ${args.file}`);
  }
  if (record.status === 'interrupted') return 130;
  if (record.status === 'failed') return 1;
  return record.steps.some((s) => s.kept) ? 0 : 1;
}

function printEvent(e: ClimbEvent, quiet: boolean): void {
  switch (e.type) {
    case 'estimate': {
      const money = e.estimate.usd !== undefined ? `, ${usd(e.estimate.usd)}` : '';
      out(`Estimate (upper bound, before the cache answers anything, judges included${e.batch ? ', at the Batch API price' : ''}): up to ${e.estimate.calls} calls, ${e.estimate.tokens} tokens${money}.`);
      if (e.unpriced.length) out(`No price is known for ${e.unpriced.join(', ')}: the budget is in calls only${e.maxCalls ? ` (${e.maxCalls} calls)` : ''}; no dollar figure can be kept.`);
      else out(`Budget: ${e.budgetUsd !== undefined ? usd(e.budgetUsd) : 'none in dollars'}${e.maxCalls ? `, ${e.maxCalls} calls` : ''}.`);
      out(`The climb sends the eval set's cases (moves are tried on the ${e.searchCases} search cases) to ${e.provider}.`);
      return;
    }
    case 'resumed':
      out(`Resuming the unfinished climb in ${path.relative(process.cwd(), e.file) || e.file} (${e.steps} attempts recorded; the cache answers what was already asked).`);
      return;
    case 'baseline':
      out(`Baseline: search ${pct(e.rates.searchPassRate)} · validation ${pct(e.rates.validationPassRate)} · test ${pct(e.rates.testPassRate)} (split ${e.sizes.search}/${e.sizes.validation}/${e.sizes.test})`);
      return;
    case 'step-started': {
      const r = e.round;
      const top = r.top ? `${r.top.kind} (${Math.round(r.top.confidence * 100)}% confidence): ${r.top.title}` : 'no recommendation';
      out(`\nStep ${r.round} (up to ${r.estimateUsd !== null ? usd(r.estimateUsd) : `${r.estimateCalls} calls`}): ${top}`);
      out(`  candidates: ${r.moves.map((m) => m.label).join(', ')}`);
      for (const n of r.notes) out(`  not a move: ${n}`);
      return;
    }
    case 'attempt':
      out(`  ${stepLine(e.step)}`);
      return;
    case 'stopped':
      out(`Stopped: ${e.reason}`);
      return;
    case 'run':
      if (!quiet && e.event.type === 'run-started') err(`  … ${e.what}: ${e.event.total} case${e.event.total === 1 ? '' : 's'}`);
      return;
    case 'batch':
      if (!quiet && (e.event.type === 'submitted' || e.event.type === 'attached')) {
        const ids = e.event.parts.map((p) => p.id ?? 'pending').join(', ');
        err(`  … ${e.what}: ${e.event.type === 'submitted' ? 'submitted' : 'attached to'} batch ${ids} (phase ${e.event.phase}, ${e.event.parts.reduce((n, p) => n + p.requests, 0)} requests)`);
      }
      return;
    default:
      return;
  }
}

function stepLine(s: Step): string {
  const mark = s.kept ? '✓' : '✗';
  const p = s.pValue !== null ? `, ${formatP(s.pValue)}` : '';
  const cost = s.costUsd !== null ? usd(s.costUsd) : `${s.calls} calls`;
  return `${mark} ${s.move.action} — ${s.move.label}: search ${pct(s.searchPassRate)}, validation ${pct(s.validationPassRate)}${p}, ${cost}, ${s.kept ? 'kept' : 'dropped'}\n      ${s.why}`;
}

function printSummary(r: ClimbRecord): void {
  out('');
  if (r.steps.length) {
    const rows = r.steps.map((s) => [String(s.round), s.move.action, s.move.kind, pct(s.searchPassRate), pct(s.validationPassRate), s.fixed === null ? '-' : `${s.fixed}/${s.broken}`, s.pValue === null ? '-' : formatP(s.pValue).replace(/^p = /, ''), s.costUsd !== null ? usd(s.costUsd) : String(s.calls), s.kept ? 'kept' : 'dropped']);
    out(renderTable(['step', 'move', 'kind', 'search', 'validation', 'fixed/broken', 'p', r.pricesKnown ? 'cost' : 'calls', ''], rows));
  }
  if (r.baseline && r.final) {
    out(`Pass rate: search ${pct(r.baseline.searchPassRate)} → ${pct(r.final.searchPassRate)} · validation ${pct(r.baseline.validationPassRate)} → ${pct(r.final.validationPassRate)} · test ${pct(r.baseline.testPassRate)} → ${pct(r.final.testPassRate)}`);
  }
  const judges = r.judgeUsd ? ` · judges ${usd(r.judgeUsd)} of it` : '';
  const spent = r.spentUsd !== null ? `${usd(r.spentUsd)}${r.budgetUsd !== null ? ` of ${usd(r.budgetUsd)}` : ''}${r.estimateUsd !== null ? ` (estimate ${usd(r.estimateUsd)})` : ''}${judges}` : 'prices unknown';
  out(`Spent: ${spent} · ${r.calls} calls${r.maxCalls !== null ? ` of ${r.maxCalls}` : ''}${r.usdPerPoint !== null ? ` · ${usd(r.usdPerPoint)} per point of pass rate` : ''} · ${(r.wallMs / 1000).toFixed(1)} s`);
}

function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}
