// `prompt-ladder finetune`: export a fine-tuning dataset in a platform's format from a prompt file and a run
// (its newest run record by default), with the token, cost and savings estimates and, where the run shows the
// motive, the price of the alternatives (cached few-shot, structured output) per 1,000 calls.

import * as path from 'node:path';
import { loadPromptFile } from '../core/prompt/load';
import { SpecError, formatProblem } from '../core/errors';
import { listRuns, readRun, writeFileAtomic } from '../core/runs/store';
import { DEFAULT_EPOCHS, describeSources, exportFineTuneDataset, type FineTuneSource } from '../core/finetune/dataset';
import { formatByName, formatChoices } from '../core/finetune/formats/registry';
import { exportFiles } from '../core/finetune/files';
import { alternativesSentence } from '../core/finetune/economics';
import { computeSignals } from '../core/analysis/advisor/signals';
import { fineTuneSignals } from '../core/analysis/advisor/fineTuneSignals';
import type { RunRecord } from '../core/runs/schema';
import { UsageError } from './usage';
import { promptBaseName } from '../core/prompt/fileName';
import { runRootOf } from '../core/runs/root';
import { partialRunRefusal } from '../core/runs/completeness';
import { FaultError, writeProblem } from '../core/faults';

export interface FinetuneArgs {
  file: string;
  run?: string;
  source: FineTuneSource;
  variant?: string;
  out: string;
  validationShare?: number;
  /** Format or platform name (default 'openai'). */
  format?: string;
  /** Distillation: the variant whose passing outputs are the answers. */
  teacher?: string;
  /** Calls per month for the cost comparison. */
  callsPerMonth?: number;
  /** Overrides the run root (default: the prompt file's project, runRootOf). */
  root?: string;
  /** Export from a run that did not finish (interrupted, cancelled): refused without it. */
  partial?: boolean;
}

const out = (s: string) => process.stdout.write(s + '\n');
const usd = (n: number | undefined) => (n === undefined ? 'unknown' : `$${n.toFixed(n < 1 ? 4 : 2)}`);

async function latestRun(root: string, promptFile: string): Promise<RunRecord> {
  const rel = path.relative(root, promptFile).split(path.sep).join('/');
  const run = (await listRuns(root)).find((r) => r.record.promptFile === rel && r.record.cases.length > 0);
  if (!run) throw new UsageError(`${rel}: no run record found under .promptladder/runs (run \`prompt-ladder eval ${rel}\` first, or pass --run)`);
  return run.record;
}

/** An export that cannot be written is one line naming the file and the cause (the run record stays as it was). */
async function writeExport(file: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(file, text);
  } catch (err) {
    throw new FaultError(writeProblem(path.relative(process.cwd(), file) || file, err));
  }
}

export async function finetuneCommand(args: FinetuneArgs): Promise<number> {
  const abs = path.resolve(args.file);
  let spec;
  try {
    spec = await loadPromptFile(abs);
  } catch (e) {
    if (e instanceof SpecError) {
      for (const p of e.problems) process.stderr.write(formatProblem(p) + '\n');
      return 2;
    }
    throw new UsageError(`${args.file}: ${(e as Error).message}`);
  }
  let record: RunRecord;
  try {
    record = args.run ? await readRun(path.resolve(args.run)) : await latestRun(args.root ?? runRootOf(abs), abs);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
  const partial = partialRunRefusal(record);
  if (partial && !args.partial) throw new UsageError(`${partial}; run the eval again to completion, or pass --partial to export from it anyway`);
  if (partial) process.stderr.write(`warning: ${partial} (--partial)\n`);
  const format = formatByName(args.format ?? 'openai');
  if (!format) throw new UsageError(`--format must be one of ${formatChoices()}, got "${args.format}"`);
  for (const [flag, name] of [['--variant', args.variant], ['--teacher', args.teacher]] as const) {
    if (name && !record.variants.some((v) => v.name === name)) {
      throw new UsageError(`${flag}: no variant named "${name}" in the run (variants: ${record.variants.map((v) => v.name).join(', ')})`);
    }
  }
  const result = exportFineTuneDataset(spec, record, {
    source: args.source,
    format: format.name,
    ...(args.variant ? { variant: args.variant } : {}),
    ...(args.teacher ? { teacher: args.teacher } : {}),
    ...(args.validationShare !== undefined ? { validationShare: args.validationShare } : {}),
  });
  for (const f of exportFiles(result, promptBaseName(abs), DEFAULT_EPOCHS)) {
    const file = path.join(args.out, f.name);
    await writeExport(file, f.content);
    const rel = path.relative(process.cwd(), file);
    if (f.kind === 'config') out(`Wrote the axolotl config to ${rel} (axolotl train ${rel})`);
    else out(`Wrote ${f.kind === 'train' ? result.counts.train : result.counts.validation} ${f.kind === 'train' ? 'training' : 'validation'} examples to ${rel}`);
  }
  out(`Format: ${format.title}; accepted by ${format.platforms.join(', ')}.`);
  if (result.teacher) out(`Distillation: teacher "${result.teacher.variant}" (${result.teacher.model}) → student "${result.variant}" (${result.baseModel ?? 'its model'}).`);
  out(`Prompt from variant "${result.variant}" without few-shot examples; ${result.counts.skipped} case(s) skipped.`);
  out(describeSources(result));
  out(`Training tokens per epoch: ${result.tokens.train} (+ ${result.tokens.validation} validation) · estimated training cost: ${usd(result.estimatedTrainingCostUsd)}${result.baseModel ? ` on ${result.baseModel}` : ''}`);
  if (result.tokensSavedPerCall > 0) {
    out(
      `Few-shot examples no longer needed: ${result.tokensSavedPerCall} prompt tokens saved per call` +
        `${result.fewShotVariant ? ` (vs "${result.fewShotVariant}")` : ''} · ${usd(result.savedPer1000CallsUsd)} per 1,000 calls` +
        (result.netSavedPer1000CallsUsd !== undefined ? ` (net of fine-tuned prices: ${usd(result.netSavedPer1000CallsUsd)})` : ''),
    );
  }
  const alternatives = fineTuneSignals(computeSignals(record, spec), { spec, ...(args.callsPerMonth ? { callsPerMonth: args.callsPerMonth } : {}) });
  if (alternatives.costs) out(alternativesSentence(alternatives.costs));
  if (alternatives.structuredOutput.jsonTask && alternatives.structuredOutput.supported && !alternatives.structuredOutput.already) {
    out(`${alternatives.model} takes a strict JSON schema: try responseFormat json_schema before fine-tuning for valid JSON.`);
  }
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  return result.counts.train > 0 ? 0 : 1;
}
