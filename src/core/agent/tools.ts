// The agent tools — run_eval, list_runs, get_run, get_advice — as one module: their argument and result
// schemas (zod; the MCP server publishes them as inputSchema/outputSchema, package.json's
// languageModelTools carry the same JSON Schema) and their logic. Two hosts use it: the MCP server of the
// CLI (`prompt-ladder mcp`, src/cli/mcpCommand.ts) and the VS Code Language Model tools
// (src/extension/agent/lmTools.ts). A host supplies the project root, the providers and how a run is made
// (the CLI: the engine, as `prompt-ladder eval`; VS Code: the editor's run controller, so the run shows in
// the panel and the history). Only run_eval writes anything: the run record, as the CLI does. An agent never runs
// workspace code implicitly: run_eval over a prompt file with `code` evaluators (JavaScript from the project)
// refuses unless the host allows code (the MCP server's --allow-code; the editor asks the user, saying so).

import * as path from 'node:path';
import * as z from 'zod';
import { loadPromptFile, promptFileKind } from '../prompt/load';
import { SpecError, formatProblem } from '../errors';
import { unknownVariants, variantModel } from '../engine';
import { listRuns, readRun, runsDir } from '../runs/store';
import { isComplete, statusText } from '../runs/completeness';
import { StoreDamage } from '../faults';
import { resolveInProject } from '../paths';
import { topRecommendationLine } from '../analysis/advisor/advise';
import { parseAction } from '../../shared/actions';
import { CODE_EVALUATOR_KINDS } from '../evaluators/evaluator';
import type { PromptSpec } from '../prompt/spec';
import type { ProviderResolver } from '../providers/provider';
import type { RunRecord } from '../runs/schema';
import { climbTool } from './climbTool';

/** A problem the caller (an agent) caused or can fix: returned as a tool error, never a crash. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}

export interface RunRequest {
  /** Absolute path of the prompt file (inside the root). */
  file: string;
  spec: PromptSpec;
  text: string;
  variants?: string[];
  caseIndexes?: number[];
  signal?: AbortSignal;
  /** Engine progress, for hosts that can report it (done of total calls). */
  onProgress?: (done: number, total: number) => void;
}

export interface AgentToolHost {
  /** The project root: prompt files are named relative to it; runs live in <root>/.promptladder/runs. */
  readonly root: string;
  /** Providers with endpoints and keys from the user's environment or settings, never from a workspace file. */
  providers(): Promise<ProviderResolver>;
  /** Reads a prompt file's text (the editor's unsaved buffer where there is one). */
  readText(file: string): Promise<string>;
  /** Makes one run the way this host's own runs are made; resolves with the record and where it was written. */
  run(req: RunRequest): Promise<{ record: RunRecord; path?: string }>;
  /** Whether run_eval may run a prompt file's `code` evaluators (default false: such a run is refused). */
  readonly allowCode?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Schemas

const fileArg = z
  .string()
  .min(1)
  .describe('Prompt file (*.prompt.yml, *.prompt.yaml or *.prompty), relative to the project root, e.g. "prompts/support.prompt.yml".');

export const RunEvalInputSchema = z.object({
  file: fileArg,
  variants: z.array(z.string().min(1)).optional().describe('Run only these variants (names as in the prompt file). Default: every variant.'),
  cases: z
    .array(z.number().int().min(0))
    .optional()
    .describe('Run only these cases, by index: 0-based over the eval set (inline testData first, then testFile rows), as `prompt-ladder eval` prints them ("case 3").'),
});

export const ListRunsInputSchema = z.object({
  file: fileArg.optional().describe('Only runs of this prompt file (relative to the project root). Default: every run.'),
  limit: z.number().int().min(1).max(200).optional().describe('At most this many runs, newest first (default 20).'),
});

const runRef = z
  .string()
  .min(1)
  .describe('A run id (or its first 8 characters, as in the run file name) or the path of a run record relative to the project root.');

export const GetRunInputSchema = z.object({
  run: runRef.optional(),
  file: fileArg.optional().describe('Without `run`: the newest run of this prompt file.'),
});

export const GetAdviceInputSchema = GetRunInputSchema;

const VariantResultSchema = z.object({
  name: z.string(),
  model: z.string(),
  passed: z.number().int(),
  failed: z.number().int(),
  errors: z.number().int(),
  passRate: z.number().describe('passed / all results of the variant (errors count as not passed), 0..1'),
  categories: z.record(z.string(), z.number()).describe('Failures per error category'),
});

const FailureSchema = z.object({
  case: z.number().int().describe('Case index (as in `cases`)'),
  location: z.string().describe('file:line of the case'),
  variant: z.string(),
  category: z.string().nullable().describe('format | instruction | knowledge | grounding | retrieval | reasoning | refusal | error'),
  reason: z.string().nullable().describe('Why the category was chosen'),
  failedEvaluators: z.array(z.object({ name: z.string(), details: z.string().optional() })),
  error: z.string().nullable().describe('Provider/transport failure, when the call failed'),
  output: z.string().describe('The model output (first 400 characters)'),
  expected: z.string().optional(),
});

const AdviceLineSchema = z.object({
  kind: z.string().describe('evaluation | prompt-engineering | rag | fine-tuning'),
  confidence: z.number(),
  title: z.string(),
  why: z.string(),
});

export const RunSummarySchema = z.object({
  runId: z.string(),
  file: z.string().describe('The prompt file, relative to the project root'),
  status: z.enum(['running', 'completed', 'cancelled', 'failed', 'interrupted']),
  statusReason: z.string().optional(),
  startedAt: z.string(),
  caseCount: z.number().int(),
  variants: z.array(VariantResultSchema),
  failures: z.array(FailureSchema).describe('Failed and errored results (at most 50; see failureCount)'),
  failureCount: z.number().int(),
  topAdvice: AdviceLineSchema.nullable(),
  problems: z.array(z.string()).describe('Problems found while loading (skipped eval-set rows), as file:line:col messages'),
  recordPath: z.string().nullable().describe('The run record, relative to the project root'),
});

export const ListRunsOutputSchema = z.object({
  runs: z.array(
    z.object({
      runId: z.string(),
      file: z.string(),
      startedAt: z.string(),
      status: z.string(),
      statusReason: z.string().optional().describe('For a run that did not finish: its status and how many results it holds'),
      variants: z.array(z.object({ name: z.string(), passRate: z.number() })),
      recordPath: z.string(),
    }),
  ),
  total: z.number().int().describe('Runs matching, before the limit'),
});

export const AdviceOutputSchema = z.object({
  runId: z.string(),
  file: z.string(),
  recommendations: z.array(
    z.object({
      kind: z.string(),
      confidence: z.number(),
      title: z.string().optional(),
      why: z.string(),
      evidence: z.record(z.string(), z.unknown()).describe('Counts per variant and the case indexes behind the recommendation'),
      actions: z.array(z.string()).describe('What to do next, in words'),
    }),
  ),
});

export type RunEvalInput = z.infer<typeof RunEvalInputSchema>;
export type ListRunsInput = z.infer<typeof ListRunsInputSchema>;
export type GetRunInput = z.infer<typeof GetRunInputSchema>;
export type RunSummary = z.infer<typeof RunSummarySchema>;
export type ListRunsOutput = z.infer<typeof ListRunsOutputSchema>;
export type AdviceOutput = z.infer<typeof AdviceOutputSchema>;

/** A tool's answer: text for the model to read, and the same as structured data. */
export interface ToolAnswer<T> {
  text: string;
  data: T;
}

export interface AgentToolDefinition<I extends z.ZodType, O extends z.ZodType> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  /** Whether a call costs model calls (VS Code asks before running it). */
  costsModelCalls: boolean;
  readOnly: boolean;
  call(host: AgentToolHost, args: z.infer<I>, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<ToolAnswer<z.infer<O>>>;
}

// ---------------------------------------------------------------------------------------------
// Paths

const toPosix = (p: string) => p.split(path.sep).join('/');

/** `root`-relative, forward slashes. */
function rel(root: string, abs: string): string {
  return toPosix(path.relative(root, abs)) || path.basename(abs);
}

/**
 * Resolves a path an agent named to an absolute path inside the project root, through the containment gate
 * (symlinks followed). Anything else is refused: an agent may be steered by text it read, and must not make
 * us read /etc. `mustExist`: a missing file is an error too.
 */
export async function resolveInRoot(root: string, ref: string, what: string, mustExist = false): Promise<string> {
  const outside = new ToolError(`${what} "${ref}" is outside the project (${root}): only files inside it can be used`);
  if (ref.includes('\0')) throw new ToolError(`${what} "${ref}" is not a valid path`);
  const abs = path.resolve(root, ref);
  const lexical = path.relative(root, abs);
  if (lexical.startsWith('..') || path.isAbsolute(lexical)) throw outside;
  const r = await resolveInProject(root, abs);
  if (r.ok) return r.abs;
  if (r.problem.kind === 'outside') throw outside;
  if (r.problem.kind === 'not-found' && !mustExist) return abs;
  throw new ToolError(r.problem.kind === 'not-found' ? `${what} "${ref}": no such file in the project (${root})` : `${what} "${ref}": ${r.problem.message.replace(abs, ref)}`);
}

// ---------------------------------------------------------------------------------------------
// Summaries

const MAX_FAILURES = 50;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

function adviceLine(record: RunRecord): RunSummary['topAdvice'] {
  const top = record.advice?.recommendations[0];
  if (!top) return null;
  return { kind: top.kind, confidence: top.confidence, title: top.title ?? top.why.split(/(?<=\.)\s/)[0], why: top.why };
}

export function summarizeRun(record: RunRecord, recordPath: string | undefined, root: string): RunSummary {
  const failures: RunSummary['failures'] = [];
  let failureCount = 0;
  for (const c of record.cases) {
    for (const r of c.results) {
      if (r.passed) continue;
      failureCount++;
      if (failures.length >= MAX_FAILURES) continue;
      failures.push({
        case: c.index,
        location: `${c.file ?? record.promptFile}:${c.line}`,
        variant: r.variant,
        category: r.category ?? null,
        reason: r.categoryReason ?? null,
        failedEvaluators: r.evaluators.filter((e) => !e.passed).map((e) => ({ name: e.name, ...(e.details ? { details: clip(e.details, 300) } : {}) })),
        error: r.error,
        output: clip(r.answer ?? r.output, 400),
        ...(c.expected !== undefined ? { expected: clip(c.expected, 400) } : {}),
      });
    }
  }
  return {
    runId: record.id,
    file: record.promptFile,
    status: record.status,
    ...(record.statusReason ? { statusReason: record.statusReason } : {}),
    startedAt: record.startedAt,
    caseCount: record.cases.length,
    variants: record.variants.map((v) => ({
      name: v.name,
      model: v.model,
      passed: v.passed,
      failed: v.failed,
      errors: v.errors,
      passRate: v.passRate,
      categories: v.categories,
    })),
    failures,
    failureCount,
    topAdvice: adviceLine(record),
    problems: record.problems ?? [],
    recordPath: recordPath ? rel(root, recordPath) : null,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function runSummaryText(s: RunSummary, record?: RunRecord): string {
  const lines = [
    `${s.file} — run ${s.runId.slice(0, 8)} — ${s.caseCount} case${s.caseCount === 1 ? '' : 's'} — ${s.status}${s.statusReason ? ` (${s.statusReason})` : ''}`,
    ...s.variants.map((v) => {
      const cats = Object.entries(v.categories)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
      return `- ${v.name} (${v.model}): ${pct(v.passRate)} pass — ${v.passed} passed, ${v.failed} failed, ${v.errors} errors${cats ? ` — failures: ${cats}` : ''}`;
    }),
  ];
  if (s.failureCount) {
    lines.push(`Failures (${s.failureCount}):`);
    for (const f of s.failures.slice(0, 15)) {
      const why = f.error ?? f.failedEvaluators.map((e) => e.name).join(', ');
      lines.push(`- ${f.location} (case index ${f.case}) [${f.variant}] ${f.category ?? ''}: ${why} — output: ${JSON.stringify(clip(f.output, 160))}`);
    }
    if (s.failureCount > 15) lines.push(`- … and ${s.failureCount - 15} more (see the run record)`);
  }
  if (s.problems.length) lines.push(`Problems (those cases did not run):`, ...s.problems.slice(0, 10).map((p) => `- ${p}`));
  lines.push(`Advice: ${record ? topRecommendationLine(record.advice) : s.topAdvice ? `${s.topAdvice.kind}: ${s.topAdvice.title}` : 'none'}`);
  if (s.recordPath) lines.push(`Run record: ${s.recordPath}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// The tools

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
  const abs = await resolveInRoot(host.root, args.file, 'file', true);
  if (!promptFileKind(abs)) throw new ToolError(`${args.file} is not a prompt file (expected a name ending in .prompt.yml, .prompt.yaml or .prompty)`);
  let text: string;
  try {
    text = await host.readText(abs);
  } catch {
    throw new ToolError(`${args.file}: no such file in the project (${host.root})`);
  }
  let spec: PromptSpec;
  try {
    spec = await loadPromptFile(abs, { text });
  } catch (e) {
    if (e instanceof SpecError) {
      throw new ToolError(`${args.file} cannot be run:\n${e.problems.map((p) => formatProblem({ ...p, file: rel(host.root, p.file) })).join('\n')}`);
    }
    throw e;
  }
  if (spec.cases.length === 0) {
    const skipped = spec.problems.some((p) => p.severity === 'error');
    throw new ToolError(
      `${args.file}: no test cases to run${skipped ? `: every case had a problem:\n${spec.problems.map((p) => formatProblem({ ...p, file: rel(host.root, p.file) })).join('\n')}` : ' (add testData, testFile, or a sibling NAME.cases.jsonl)'}`,
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
  return { abs, spec, text };
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

/** MCP tool annotations that tell the truth about a tool on this host. */
export function toolAnnotations(tool: AgentToolDefinition<z.ZodType, z.ZodType>, host: { allowCode?: boolean }): Record<string, boolean | string> {
  return {
    title: tool.title,
    readOnlyHint: tool.readOnly,
    // run_eval adds a run record and cache entries and deletes nothing; code evaluators, when allowed, can do anything
    destructiveHint: !tool.readOnly && Boolean(host.allowCode),
    idempotentHint: tool.readOnly,
    // run_eval sends the project's prompts to the model provider
    openWorldHint: tool.costsModelCalls,
  };
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

/** Every readable run under the root (newest first), optionally of one prompt file. */
async function runsOf(host: AgentToolHost, file: string | undefined, damage?: StoreDamage): Promise<{ path: string; record: RunRecord }[]> {
  const all = await listRuns(host.root, undefined, damage);
  if (!file) return all;
  const wanted = rel(host.root, await resolveInRoot(host.root, file, 'file'));
  return all.filter((r) => r.record.promptFile === wanted);
}

export const listRunsTool: AgentToolDefinition<typeof ListRunsInputSchema, typeof ListRunsOutputSchema> = {
  name: 'list_runs',
  title: 'List prompt eval runs',
  description: 'Lists the stored Prompt Ladder runs of the project (from the editor and the CLI), newest first, with the pass rate per variant; optionally of one prompt file.',
  input: ListRunsInputSchema,
  output: ListRunsOutputSchema,
  costsModelCalls: false,
  readOnly: true,
  async call(host, args) {
    const damage = new StoreDamage();
    const runs = await runsOf(host, args.file, damage);
    const shown = runs.slice(0, args.limit ?? 20);
    const data: ListRunsOutput = {
      runs: shown.map(({ path: p, record }) => ({
        runId: record.id,
        file: record.promptFile,
        startedAt: record.startedAt,
        status: record.status,
        ...(isComplete(record) ? {} : { statusReason: statusText(record) }),
        variants: record.variants.map((v) => ({ name: v.name, passRate: v.passRate })),
        recordPath: rel(host.root, p),
      })),
      total: runs.length,
    };
    const text = data.runs.length
      ? [
          `${runs.length} run${runs.length === 1 ? '' : 's'}${args.file ? ` of ${args.file}` : ''}${runs.length > shown.length ? ` (newest ${shown.length} shown)` : ''}:`,
          ...data.runs.map(
            (r) => `- ${r.runId.slice(0, 8)} ${r.startedAt} ${r.file} ${r.statusReason ?? r.status}: ${r.variants.map((v) => `${v.name} ${pct(v.passRate)}`).join(', ')} (${r.recordPath})`,
          ),
        ].join('\n')
      : `No runs${args.file ? ` of ${args.file}` : ''} yet in ${host.root} (run_eval makes one).`;
    const skipped = damage.summary((f) => rel(host.root, f));
    if (skipped) return { text: `${text}\n(${skipped})`, data };
    return { text, data };
  },
};

/** The run a `run`/`file` pair names: by id or id prefix, by path, else the newest (of the file). */
async function findRun(host: AgentToolHost, args: GetRunInput): Promise<{ path: string; record: RunRecord }> {
  const ref = args.run?.trim();
  if (ref) {
    const looksLikePath = /[\\/]|\.json$/i.test(ref);
    if (looksLikePath) {
      const abs = await resolveInRoot(host.root, ref, 'run', true);
      try {
        return { path: abs, record: await readRun(abs) };
      } catch (e) {
        throw new ToolError(`run "${ref}": ${(e as Error).message.replace(abs, ref)}`);
      }
    }
    const runs = await runsOf(host, args.file);
    const hit = runs.filter((r) => r.record.id === ref || r.record.id.startsWith(ref.toLowerCase()));
    if (hit.length === 1 || (hit.length > 1 && hit[0].record.id === ref)) return hit[0];
    if (hit.length > 1) throw new ToolError(`run "${ref}" matches ${hit.length} runs: give more of the id`);
    throw new ToolError(`no run "${ref}" in ${rel(host.root, runsDir(host.root))} (list_runs shows the runs)`);
  }
  const runs = await runsOf(host, args.file);
  if (!runs.length) throw new ToolError(`no runs${args.file ? ` of ${args.file}` : ''} yet (run_eval makes one)`);
  return runs[0];
}

export const getRunTool: AgentToolDefinition<typeof GetRunInputSchema, typeof RunSummarySchema> = {
  name: 'get_run',
  title: 'Read a prompt eval run',
  description: 'Reads one stored Prompt Ladder run (by id or record path; default the newest, optionally of one prompt file): pass rate per variant, the failures with their error categories, the top advice.',
  input: GetRunInputSchema,
  output: RunSummarySchema,
  costsModelCalls: false,
  readOnly: true,
  async call(host, args) {
    const { path: p, record } = await findRun(host, args);
    const data = summarizeRun(record, p, host.root);
    return { text: runSummaryText(data, record), data };
  },
};

export const getAdviceTool: AgentToolDefinition<typeof GetAdviceInputSchema, typeof AdviceOutputSchema> = {
  name: 'get_advice',
  title: 'Read the advice of a prompt eval run',
  description:
    "Reads the Prompt Ladder advisor's recommendations for a run (by id or record path; default the newest, optionally of one prompt file): which rung to climb next — prompt engineering, retrieval (RAG), fine-tuning or more evaluation — each with confidence, why, the evidence (counts per variant, the case indexes behind it) and actions.",
  input: GetAdviceInputSchema,
  output: AdviceOutputSchema,
  costsModelCalls: false,
  readOnly: true,
  async call(host, args) {
    const { record } = await findRun(host, args);
    const recs = record.advice?.recommendations ?? [];
    const data: AdviceOutput = {
      runId: record.id,
      file: record.promptFile,
      recommendations: recs.map((r) => ({
        kind: r.kind,
        confidence: r.confidence,
        ...(r.title ? { title: r.title } : {}),
        why: r.why,
        evidence: r.evidence,
        actions: r.actions.map((a) => parseAction(a).label),
      })),
    };
    const text = recs.length
      ? [
          `Advice for ${record.promptFile} (run ${record.id.slice(0, 8)}):`,
          ...data.recommendations.map(
            (r, i) =>
              `${i + 1}. ${r.kind} (${Math.round(r.confidence * 100)}% confidence)${r.title ? `: ${r.title}` : ''}\n   Why: ${r.why}\n   Evidence: ${JSON.stringify(r.evidence)}${r.actions.length ? `\n   Actions: ${r.actions.join('; ')}` : ''}`,
          ),
        ].join('\n')
      : `No advice for ${record.promptFile} (run ${record.id.slice(0, 8)}, ${record.status}): ${record.status === 'completed' ? 'nothing to go on' : 'the run did not complete'}.`;
    return { text, data };
  },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each tool has its own input and output types; the list holds them all
export const AGENT_TOOLS: readonly AgentToolDefinition<any, any>[] = [runEvalTool, listRunsTool, getRunTool, getAdviceTool, climbTool];

/** The JSON Schema of a tool's arguments, as package.json's languageModelTools declare it. */
export function inputJsonSchema(tool: AgentToolDefinition<z.ZodType, z.ZodType>): Record<string, unknown> {
  const schema = z.toJSONSchema(tool.input, { target: 'draft-7' }) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
}
