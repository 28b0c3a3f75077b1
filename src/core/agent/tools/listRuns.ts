// The list_runs tool: the stored runs of the project (from the editor and the CLI), newest first.

import * as z from 'zod';
import { isComplete, statusText } from '../../runs/completeness';
import { StoreDamage } from '../../faults';
import { rel, type AgentToolDefinition } from './host';
import { fileArg, pct } from './summary';
import { runsOf } from './runs';

export const ListRunsInputSchema = z.object({
  file: fileArg.optional().describe('Only runs of this prompt file (relative to the project root). Default: every run.'),
  limit: z.number().int().min(1).max(200).optional().describe('At most this many runs, newest first (default 20).'),
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

export type ListRunsInput = z.infer<typeof ListRunsInputSchema>;
export type ListRunsOutput = z.infer<typeof ListRunsOutputSchema>;

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
