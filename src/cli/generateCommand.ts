// `prompt-ladder generate`: grow a prompt's eval set with cases generated from the prompt (src/core/generate).
// Prints the estimate before the first call, a line per step, and what was added. The eval set is written only when
// every step succeeded; a failure or Ctrl-C leaves every file as it was and exits 1.

import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { loadPromptFile } from '../core/prompt/load';
import type { PromptSpec } from '../core/prompt/spec';
import { SpecError, formatProblem } from '../core/errors';
import { createEnvResolver, loadUserConfig } from '../core/providers/resolve';
import { estimateGeneration, generateCases, type Effort, type GenerateOptions, type GenerateResult, type GenerationEstimate } from '../core/generate/generate';
import { GenerationError } from '../core/generate/client';
import { writeInsertions } from '../core/generate/write';
import { UsageError } from './usage';

export interface GenerateArgs {
  file: string;
  count?: number;
  out?: string;
  model?: string;
  groundtruthModel?: string;
  effort?: Effort;
  evaluator: boolean;
  concurrency?: number;
  quiet: boolean;
}

const out = (s: string) => process.stdout.write(s + '\n');
const err = (s: string) => process.stderr.write(s + '\n');
const rel = (f: string) => path.relative(process.cwd(), f) || f;

export async function generateCommand(args: GenerateArgs): Promise<number> {
  const env = process.env;
  const providers = createEnvResolver(env, await loadUserConfig(env));
  const abs = path.resolve(args.file);
  const loaded = await loadSpec(args.file, abs);
  if (!loaded) return 2;
  const { spec, text } = loaded;

  const controller = new AbortController();
  const onSigint = () => {
    err('\nCancelling… nothing is written.');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const opts: GenerateOptions = {
    providers,
    signal: controller.signal,
    promptText: text,
    evaluator: args.evaluator,
    ...(args.model ? { model: args.model } : {}),
    ...(args.groundtruthModel ? { groundtruthModel: args.groundtruthModel } : {}),
    ...(args.count ? { count: args.count } : {}),
    ...(args.effort ? { effort: args.effort } : {}),
    ...(args.out ? { out: args.out } : {}),
    ...(args.concurrency ? { concurrency: args.concurrency } : {}),
    onProgress: args.quiet ? undefined : (p) => err(`· ${p.message} (${p.calls}/${p.estimatedCalls} calls)`),
  };
  try {
    const est = await estimateGeneration(spec, opts);
    printEstimate(est, abs, args);
    const result = await generateCases(spec, opts);
    if (controller.signal.aborted) throw new GenerationError('cancelled', 'cancelled');
    const written = await writeInsertions(result.edits, result.sources);
    for (const w of result.warnings) if (!est.warnings.includes(w)) err(`warning: ${w}`);
    printResult(result, written.includes(abs), abs, args);
    return 0;
  } catch (e) {
    if (e instanceof GenerationError) {
      if (e.kind === 'usage') throw new UsageError(e.message);
      err(`prompt-ladder: generate: ${e.kind === 'cancelled' ? 'cancelled; nothing was written' : e.message}`);
      return 1;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** The prompt file, or undefined after printing its problems (exit 2). */
async function loadSpec(file: string, abs: string): Promise<{ spec: PromptSpec; text: string } | undefined> {
  let text: string;
  try {
    text = await fs.readFile(abs, 'utf8');
  } catch {
    throw new UsageError(`${file}: cannot read the file`);
  }
  try {
    return { spec: await loadPromptFile(abs, { text }), text };
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    for (const p of e.problems) err(formatProblem({ ...p, file: rel(p.file) }));
    return undefined;
  }
}

function printEstimate(est: GenerationEstimate, abs: string, args: GenerateArgs): void {
  const cost = est.costUsd !== undefined ? ` (≈ $${est.costUsd.toFixed(est.costUsd < 0.01 ? 4 : 2)})` : '';
  out(`Generating test cases for ${rel(abs)} with ${est.model}${est.groundtruthModel ? `, groundtruth from ${est.groundtruthModel}` : ''} (effort ${args.effort ?? 'low'})`);
  out(`  into ${rel(est.target.file)}${est.target.format === 'inline' ? ' (inline testData)' : est.target.exists ? '' : ' (new file)'}`);
  out(`  estimate: up to ${est.calls} calls, ≈ ${(est.tokens.prompt + est.tokens.completion).toLocaleString('en-US')} tokens${cost}`);
  for (const w of est.warnings) err(`warning: ${w}`);
}

function printResult(result: GenerateResult, wrotePromptFile: boolean, abs: string, args: GenerateArgs): void {
  const d = result.dropped;
  const dropped = [
    d.duplicates ? `${d.duplicates} duplicate${d.duplicates === 1 ? '' : 's'}` : '',
    d.invalid ? `${d.invalid} invalid` : '',
    d.overCount ? `${d.overCount} over --count` : '',
  ].filter(Boolean);
  out(
    `Added ${result.rows.length} case${result.rows.length === 1 ? '' : 's'} to ${rel(result.target.file)} from ${result.rules.length} rule${result.rules.length === 1 ? '' : 's'}` +
      `${dropped.length ? ` (dropped ${dropped.join(', ')})` : ''} · ${result.calls} calls, ${(result.usage.prompt + result.usage.completion).toLocaleString('en-US')} tokens`,
  );
  if (args.quiet) return;
  out(`Intent: ${result.intent}`);
  for (const r of result.rules) out(`  rule ${r.id}: ${r.rule}`);
  if (wrotePromptFile && args.evaluator) out(`Proposed the "rules-compliance" llm evaluator in ${rel(abs)}.`);
}
