// The `climb` agent tool (MCP server and VS Code Language Model tools): the climb loop with the CLI's budget
// contract. A call without `confirmed: true` makes no model call: it returns the estimate (calls, tokens,
// dollars), where the cases would be sent and the budget it needs; the agent (and, in VS Code, the user's
// confirmation) then calls again with `confirmed: true` and a budget. The tool never edits the prompt file:
// the climbed variant comes back as data and in the climb record under .promptladder/climbs/.

import * as path from 'node:path';
import * as z from 'zod';
import { promptFileKind } from '../../prompt/load';
import { SpecError, formatProblem } from '../../errors';
import { climb, planClimb, ClimbInputError, type ClimbOptions } from '../../climb/loop';
import type { ClimbRecord } from '../../climb/record';
import { usd } from '../../climb/budget';
import { ToolError, resolveInRoot, type AgentToolDefinition, type AgentToolHost } from './host';

export const ClimbInputSchema = z.object({
  file: z.string().min(1).describe('Prompt file (*.prompt.yml, *.prompt.yaml or *.prompty), relative to the project root.'),
  budgetUsd: z.number().positive().max(1000).optional().describe('Never spend more than this many dollars (needed with confirmed: true when the model has a known price, unless maxCalls is given).'),
  maxCalls: z.number().int().min(1).optional().describe('Never make more model calls than this (the only budget when the model has no known price).'),
  maxSteps: z.number().int().min(1).max(20).optional().describe('Steps at most (default 5).'),
  seed: z.number().int().min(0).optional().describe('Seed of the search / validation / test split (default 1).'),
  confirmed: z.boolean().optional().describe('false or absent: only estimate (no model call). true: climb within the budget given.'),
});

const RatesSchema = z.object({ searchPassRate: z.number().nullable(), validationPassRate: z.number().nullable(), testPassRate: z.number().nullable() }).nullable();

export const ClimbOutputSchema = z.object({
  status: z.enum(['estimate', 'running', 'finished', 'interrupted', 'failed']),
  file: z.string(),
  estimateUsd: z.number().nullable().describe('Upper bound before any call; null when a model has no known price'),
  estimateCalls: z.number().int(),
  unpricedModels: z.array(z.string()),
  sendsTo: z.string().describe('The provider the cases are sent to'),
  budgetUsd: z.number().nullable(),
  maxCalls: z.number().nullable(),
  spentUsd: z.number().nullable(),
  calls: z.number().int(),
  baseline: RatesSchema,
  final: RatesSchema,
  steps: z.array(
    z.object({
      step: z.number().int(),
      kind: z.string(),
      action: z.string(),
      move: z.string(),
      searchPassRate: z.number().nullable(),
      validationPassRate: z.number().nullable(),
      fixed: z.number().nullable(),
      broken: z.number().nullable(),
      pValue: z.number().nullable(),
      costUsd: z.number().nullable(),
      kept: z.boolean(),
      why: z.string(),
    }),
  ),
  stopReason: z.string().nullable(),
  climbedVariant: z.object({ name: z.string(), fields: z.record(z.string(), z.unknown()), topLevel: z.record(z.string(), z.unknown()) }).nullable(),
  recordPath: z.string().nullable(),
});

export type ClimbToolInput = z.infer<typeof ClimbInputSchema>;
export type ClimbToolOutput = z.infer<typeof ClimbOutputSchema>;

/** The climb options of a tool call (the file resolved inside the project); ToolError when the input is not valid. */
export async function toolHostOptions(host: AgentToolHost, input: unknown): Promise<ClimbOptions> {
  const parsed = ClimbInputSchema.safeParse(input);
  if (!parsed.success) throw new ToolError(parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '));
  return optionsFor(host, parsed.data);
}

async function optionsFor(host: AgentToolHost, args: ClimbToolInput): Promise<ClimbOptions> {
  const file = await resolveInRoot(host.root, args.file, 'file', true);
  if (!promptFileKind(file)) throw new ToolError(`${args.file} is not a prompt file (expected a name ending in .prompt.yml, .prompt.yaml or .prompty)`);
  let text: string;
  try {
    text = await host.readText(file);
  } catch {
    throw new ToolError(`${args.file}: no such file in the project (${host.root})`);
  }
  return {
    file,
    text,
    root: host.root,
    providers: await host.providers(),
    ...(args.budgetUsd !== undefined ? { budgetUsd: args.budgetUsd } : {}),
    ...(args.maxCalls !== undefined ? { maxCalls: args.maxCalls } : {}),
    ...(args.maxSteps !== undefined ? { maxSteps: args.maxSteps } : {}),
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
  };
}

async function toolError(e: unknown, root: string): Promise<never> {
  if (e instanceof SpecError) throw new ToolError(e.problems.map((p) => formatProblem({ ...p, file: path.relative(root, p.file) || p.file })).join('\n'));
  if (e instanceof ClimbInputError) throw new ToolError(e.message);
  throw e;
}

export const climbTool: AgentToolDefinition<typeof ClimbInputSchema, typeof ClimbOutputSchema> = {
  name: 'climb',
  title: 'Climb a prompt (try the advice, keep what held-out cases confirm)',
  description:
    "Climbs a prompt file with Prompt Ladder: the advisor's recommendations become moves (examples, chain of thought, retrieval and its knobs, an instruction rewrite, another model), each tried on search cases and kept only when it fixes more validation cases than it breaks (paired exact test), within a budget. First call without confirmed: returns the estimate and makes no model call; call again with confirmed: true and budgetUsd (or maxCalls). Never edits the prompt file: returns every step with its evidence and the climbed variant.",
  input: ClimbInputSchema,
  output: ClimbOutputSchema,
  costsModelCalls: true,
  readOnly: false,
  async call(host, args, signal) {
    const o = await optionsFor(host, args).catch((e: unknown) => toolError(e, host.root));
    const plan = await planClimb(o).catch((e: unknown) => toolError(e, host.root));
    const rel = path.relative(host.root, o.file).split(path.sep).join('/');
    const base = {
      file: rel,
      estimateUsd: plan.unpriced.length ? null : (plan.estimate.usd ?? null),
      estimateCalls: plan.estimate.calls,
      unpricedModels: plan.unpriced,
      sendsTo: plan.provider,
    };
    if (!args.confirmed) {
      const data: ClimbToolOutput = { status: 'estimate', ...base, budgetUsd: args.budgetUsd ?? null, maxCalls: args.maxCalls ?? null, spentUsd: null, calls: 0, baseline: null, final: null, steps: [], stopReason: null, climbedVariant: null, recordPath: null };
      const money = plan.unpriced.length ? `no price is known for ${plan.unpriced.join(', ')}, so give maxCalls` : `up to ${usd(plan.estimate.usd ?? 0)}; give budgetUsd (or maxCalls)`;
      return { text: `Estimate for climbing ${rel}: up to ${plan.estimate.calls} calls, ${money}. It sends the eval set's cases to ${plan.provider}. Nothing was sent: call again with confirmed: true to climb.`, data };
    }
    if (plan.unpriced.length ? args.maxCalls === undefined : args.budgetUsd === undefined && args.maxCalls === undefined) {
      throw new ToolError(plan.unpriced.length ? `no price is known for ${plan.unpriced.join(', ')}: give maxCalls (the estimate is up to ${plan.estimate.calls} calls)` : `give budgetUsd (the estimate is up to ${usd(plan.estimate.usd ?? 0)}) or maxCalls`);
    }
    const { record, file } = await climb({ ...o, ...(signal ? { signal, hardSignal: signal } : {}) }).catch((e: unknown) => toolError(e, host.root));
    const data = summarize(record, base, path.relative(host.root, file).split(path.sep).join('/'));
    return { text: climbText(data), data };
  },
};

function summarize(r: ClimbRecord, base: Pick<ClimbToolOutput, 'file' | 'estimateUsd' | 'estimateCalls' | 'unpricedModels' | 'sendsTo'>, recordPath: string): ClimbToolOutput {
  return {
    status: r.status,
    ...base,
    budgetUsd: r.budgetUsd,
    maxCalls: r.maxCalls,
    spentUsd: r.spentUsd,
    calls: r.calls,
    baseline: r.baseline,
    final: r.final,
    steps: r.steps.map((s) => ({ step: s.round, kind: s.move.kind, action: s.move.action, move: s.move.label, searchPassRate: s.searchPassRate, validationPassRate: s.validationPassRate, fixed: s.fixed, broken: s.broken, pValue: s.pValue, costUsd: s.costUsd, kept: s.kept, why: s.why })),
    stopReason: r.stopReason,
    climbedVariant: r.climbed ? { name: r.climbed.variant, fields: r.incumbent.variant, topLevel: r.incumbent.file } : null,
    recordPath,
  };
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '-' : `${Math.round(x * 1000) / 10}%`);

function climbText(d: ClimbToolOutput): string {
  const lines = [`Climb of ${d.file}: ${d.status}${d.stopReason ? ` (${d.stopReason})` : ''}.`];
  for (const s of d.steps) lines.push(`Step ${s.step}: ${s.kept ? 'KEPT' : 'dropped'} ${s.action} (${s.move}) — ${s.why}`);
  if (d.baseline && d.final) lines.push(`Pass rate: validation ${pct(d.baseline.validationPassRate)} → ${pct(d.final.validationPassRate)}, test ${pct(d.baseline.testPassRate)} → ${pct(d.final.testPassRate)}.`);
  lines.push(`Spent ${d.spentUsd !== null ? usd(d.spentUsd) : 'unknown (no prices)'} in ${d.calls} calls${d.budgetUsd !== null ? ` of a ${usd(d.budgetUsd)} budget` : ''}.`);
  if (d.climbedVariant) lines.push(`Climbed variant "${d.climbedVariant.name}": ${JSON.stringify(d.climbedVariant.fields)}${Object.keys(d.climbedVariant.topLevel).length ? ` with top-level ${JSON.stringify(d.climbedVariant.topLevel)}` : ''} (not applied; the record ${d.recordPath} holds the climbed file).`);
  return lines.join('\n');
}
