// The get_advice tool: the advisor's recommendations of one stored run, with their evidence and actions.

import * as z from 'zod';
import { parseAction } from '../../../shared/actions';
import type { AgentToolDefinition } from './host';
import { GetRunInputSchema, findRun } from './runs';

export const GetAdviceInputSchema = GetRunInputSchema;

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

export type AdviceOutput = z.infer<typeof AdviceOutputSchema>;

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
