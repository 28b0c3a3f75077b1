// A run as an agent reads it: the schema of the summary run_eval and get_run return (pass rate per variant,
// the failures with their categories, the top advice), built from a run record, and the same as text.

import * as z from 'zod';
import { topRecommendationLine } from '../../analysis/advisor/advise';
import type { RunRecord } from '../../runs/schema';
import { rel } from './host';

/** The `file` argument of the tools that take a prompt file. */
export const fileArg = z
  .string()
  .min(1)
  .describe('Prompt file (*.prompt.yml, *.prompt.yaml or *.prompty), relative to the project root, e.g. "prompts/support.prompt.yml".');

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

export type RunSummary = z.infer<typeof RunSummarySchema>;

const MAX_FAILURES = 50;
export const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);
export const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function adviceLine(record: RunRecord): RunSummary['topAdvice'] {
  const top = record.advice?.recommendations[0];
  if (!top) return null;
  return { kind: top.kind, confidence: top.confidence, title: top.title ?? top.why.split(/(?<=\.)\s/)[0], why: top.why };
}

/** The failed and errored results, the first MAX_FAILURES in full, and how many there are. */
function failuresOf(record: RunRecord): { failures: RunSummary['failures']; failureCount: number } {
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
  return { failures, failureCount };
}

export function summarizeRun(record: RunRecord, recordPath: string | undefined, root: string): RunSummary {
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
    ...failuresOf(record),
    topAdvice: adviceLine(record),
    problems: record.problems ?? [],
    recordPath: recordPath ? rel(root, recordPath) : null,
  };
}

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
