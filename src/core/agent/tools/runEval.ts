// The run_eval tool: runs a prompt file over its eval set the way the host makes runs, after checking, before
// any call, everything an agent could have got wrong (the file, the variants and cases asked for, a provider
// for each model) and refusing code evaluators unless the host allows project code.

import * as z from 'zod';
import { loadPromptFile, promptFileKind } from '../../prompt/load';
import { SpecError, formatProblem, type SourceProblem } from '../../errors';
import { unknownVariants, variantModel } from '../../engine';
import { CODE_EVALUATOR_KINDS } from '../../evaluators/evaluator';
import type { PromptSpec } from '../../prompt/spec';
import { ToolError, rel, resolveInRoot, type AgentToolDefinition, type AgentToolHost } from './host';
import { RunSummarySchema, fileArg, runSummaryText, summarizeRun } from './summary';

export const RunEvalInputSchema = z.object({
  file: fileArg,
  variants: z.array(z.string().min(1)).optional().describe('Run only these variants (names as in the prompt file). Default: every variant.'),
  cases: z
    .array(z.number().int().min(0))
    .optional()
    .describe('Run only these cases, by index: 0-based over the eval set (inline testData first, then testFile rows), as `prompt-ladder eval` prints them ("case 3").'),
});

export type RunEvalInput = z.infer<typeof RunEvalInputSchema>;

/**
 * Everything run_eval checks before any call: the file (inside the root, a prompt file that loads, with cases),
 * the variants and cases asked for, and a provider for each model. Throws ToolError saying what is wrong.
 */
export async function planRun(
  host: AgentToolHost,
  args: RunEvalInput,
): Promise<{ abs: string; spec: PromptSpec; text: string; caseCount: number; variantNames: string[]; models: string[]; codeEvaluators: string[] }> {
  const loaded = await loadForRun(host, args);
  const variants = loaded.spec.variants.filter((v) => !args.variants?.length || args.variants.includes(v.name));
  const providers = await host.providers();
  const models = [...new Set(variants.map((v) => variantModel(loaded.spec, v, providers) ?? '(none)'))];
  const caseCount = args.cases?.length ? new Set(args.cases).size : loaded.spec.cases.length;
  return { ...loaded, caseCount, variantNames: variants.map((v) => v.name), models, codeEvaluators: codeEvaluatorNames(loaded.spec) };
}

async function loadForRun(host: AgentToolHost, args: RunEvalInput): Promise<{ abs: string; spec: PromptSpec; text: string }> {
  const { abs, spec, text } = await loadSpec(host, args.file);
  checkRequest(host, args, spec);
  await checkProviders(host, args, spec);
  return { abs, spec, text };
}

const problemLines = (host: AgentToolHost, problems: readonly SourceProblem[]) => problems.map((p) => formatProblem({ ...p, file: rel(host.root, p.file) })).join('\n');

/** The prompt file an agent named: inside the root, a prompt file by its name, loading without errors. */
async function loadSpec(host: AgentToolHost, file: string): Promise<{ abs: string; spec: PromptSpec; text: string }> {
  const abs = await resolveInRoot(host.root, file, 'file', true);
  if (!promptFileKind(abs)) throw new ToolError(`${file} is not a prompt file (expected a name ending in .prompt.yml, .prompt.yaml or .prompty)`);
  let text: string;
  try {
    text = await host.readText(abs);
  } catch {
    throw new ToolError(`${file}: no such file in the project (${host.root})`);
  }
  try {
    return { abs, spec: await loadPromptFile(abs, { text }), text };
  } catch (e) {
    if (e instanceof SpecError) throw new ToolError(`${file} cannot be run:\n${problemLines(host, e.problems)}`);
    throw e;
  }
}

/** The file has cases, and the variants and cases asked for exist in it. */
function checkRequest(host: AgentToolHost, args: RunEvalInput, spec: PromptSpec): void {
  if (spec.cases.length === 0) {
    const skipped = spec.problems.some((p) => p.severity === 'error');
    throw new ToolError(
      `${args.file}: no test cases to run${skipped ? `: every case had a problem:\n${problemLines(host, spec.problems)}` : ' (add testData, testFile, or a sibling NAME.cases.jsonl)'}`,
    );
  }
  const unknown = unknownVariants(spec, args.variants);
  if (unknown.length) {
    throw new ToolError(`${args.file}: no variant named ${unknown.map((n) => `"${n}"`).join(', ')} (variants: ${spec.variants.map((v) => v.name).join(', ')})`);
  }
  if (args.cases?.length) {
    const known = new Set(spec.cases.map((c) => c.index));
    const missing = args.cases.filter((i) => !known.has(i));
    if (missing.length) {
      const indexes = spec.cases.map((c) => c.index);
      const range = indexes.length > 12 ? `${indexes[0]}–${indexes[indexes.length - 1]}` : indexes.join(', ');
      throw new ToolError(`${args.file}: no case ${missing.join(', ')} (its cases: ${range})`);
    }
  }
}

/** Every variant that will run has a model and a provider for it. */
async function checkProviders(host: AgentToolHost, args: RunEvalInput, spec: PromptSpec): Promise<void> {
  const providers = await host.providers();
  for (const v of spec.variants) {
    if (args.variants?.length && !args.variants.includes(v.name)) continue;
    const model = variantModel(spec, v, providers);
    try {
      if (!model) throw new Error('no model: add `model:` to the prompt file or configure a default model');
      providers.resolve(model);
    } catch (e) {
      throw new ToolError(`${args.file}: variant "${v.name}": ${(e as Error).message}`);
    }
  }
}

/** The names of the prompt file's evaluators that run code from the project (prompt-, variant- and case-level). */
export function codeEvaluatorNames(spec: PromptSpec): string[] {
  const all = [...spec.evaluators, ...spec.cases.flatMap((c) => c.evaluators ?? [])];
  return [...new Set(all.filter((e) => CODE_EVALUATOR_KINDS.has(e.kind)).map((e) => e.name))];
}

/** Refuses a run with code evaluators on a host that does not allow code; says why and what to do. */
function checkCode(host: AgentToolHost, file: string, spec: PromptSpec): void {
  const names = codeEvaluatorNames(spec);
  if (!names.length || host.allowCode) return;
  throw new ToolError(
    `${file} has code evaluators (${names.join(', ')}) that run JavaScript from the project; this server does not run project code for an agent. ` +
      'If you trust the project, start the server with `prompt-ladder mcp --allow-code`, or run `prompt-ladder eval` yourself.',
  );
}

export const runEvalTool: AgentToolDefinition<typeof RunEvalInputSchema, typeof RunSummarySchema> = {
  name: 'run_eval',
  title: 'Run a prompt eval',
  description:
    'Runs a prompt file over its eval set with Prompt Ladder (every few-shot/model variant side by side) and returns the pass rate per variant, the failures with their error categories, the top advice (keep prompting, add retrieval, or fine-tune) and the path of the run record it wrote. Costs model calls (cached responses are reused).',
  input: RunEvalInputSchema,
  output: RunSummarySchema,
  costsModelCalls: true,
  readOnly: false,
  async call(host, args, signal, onProgress) {
    const { abs, spec, text } = await loadForRun(host, args);
    checkCode(host, args.file, spec);
    const { record, path: recordPath } = await host.run({
      file: abs,
      spec,
      text,
      ...(args.variants?.length ? { variants: args.variants } : {}),
      ...(args.cases?.length ? { caseIndexes: args.cases } : {}),
      ...(signal ? { signal } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
    const data = summarizeRun(record, recordPath, host.root);
    return { text: runSummaryText(data, record), data };
  },
};
