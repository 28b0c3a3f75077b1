// A row of the results matrix in brief: where the case is and, per variant, what its cell shows at a glance
// (status, category, repeats passed, mean score, slowest latency). The panel's host keeps one brief per case
// and sends them to the webview, which filters and sorts on them; the text of a row (vars, expected, outputs)
// crosses only for the rows in view, when the webview asks for them (a `rows` request).
// Browser-safe: the webview uses it too.

import * as z from 'zod/mini';
import type { CaseRecord, CaseResult } from '../core/runs/schema';
import { Index, Int } from './recordSchema';

export const CELL_STATUSES = ['pass', 'fail', 'error', 'running', 'pending', 'none'] as const;
export type CellStatus = (typeof CELL_STATUSES)[number];

export const CellBriefSchema = z.object({
  status: z.enum(CELL_STATUSES),
  /** Category of the first failing result. */
  category: z.optional(z.string()),
  /** Results in the cell (several with --repeat) and how many of them passed. */
  count: Int,
  passed: Int,
  /** Mean score over the results (a result without one counts 1 when passed, else 0); null without results. */
  score: z.nullable(z.number()),
  /** Slowest result's latency; -1 without results. */
  latencyMs: z.number(),
  cached: z.optional(z.boolean()),
  /** The results come from a partial run merged over the latest full run (core/runs/partial.ts). */
  updated: z.optional(z.boolean()),
});
export type CellBrief = z.infer<typeof CellBriefSchema>;

export const RowBriefSchema = z.object({
  caseIndex: Index,
  file: z.optional(z.string()),
  line: Int,
  /** One per variant, in the order of the run's variant list. */
  cells: z.array(CellBriefSchema),
});
export type RowBrief = z.infer<typeof RowBriefSchema>;

export function resultStatus(r: CaseResult): 'pass' | 'fail' | 'error' {
  if (r.error) return 'error';
  return r.passed ? 'pass' : 'fail';
}

/** pass: every result passed; error: every result errored; fail: anything else with results. */
export function cellStatus(results: readonly CaseResult[], inFlight: boolean, runActive: boolean): CellStatus {
  if (results.length === 0) return inFlight ? 'running' : runActive ? 'pending' : 'none';
  const statuses = results.map(resultStatus);
  if (statuses.every((s) => s === 'pass')) return inFlight ? 'running' : 'pass';
  if (statuses.every((s) => s === 'error')) return 'error';
  return 'fail';
}

/** The brief of one variant's cell from its results. */
export function cellBrief(results: readonly CaseResult[], inFlight: boolean, runActive: boolean): CellBrief {
  const failing = results.find((r) => !r.passed || r.error);
  const category = failing ? (failing.category ?? (failing.error ? 'error' : undefined)) : undefined;
  let score = 0;
  let latency = -1;
  let passed = 0;
  for (const r of results) {
    score += r.score ?? (r.passed && !r.error ? 1 : 0);
    latency = Math.max(latency, r.latencyMs);
    if (r.passed && !r.error) passed++;
  }
  return {
    status: cellStatus(results, inFlight, runActive),
    ...(category !== undefined ? { category } : {}),
    count: results.length,
    passed,
    score: results.length ? score / results.length : null,
    latencyMs: latency,
    ...(results[0]?.cached ? { cached: true } : {}),
  };
}

/** Variant names in record order, plus any variant seen only in results. */
export function variantList(variants: readonly { name: string }[], cases: readonly CaseRecord[] = []): string[] {
  const names = variants.map((v) => v.name);
  for (const c of cases) for (const r of c.results) if (!names.includes(r.variant)) names.push(r.variant);
  return names;
}

/** The brief of a case; `inFlight(variant)` says whether a cell is under way. */
export function rowBrief(c: CaseRecord, variants: readonly string[], runActive: boolean, inFlight: (variant: string) => boolean = () => false): RowBrief {
  return {
    caseIndex: c.index,
    ...(c.file ? { file: c.file } : {}),
    line: c.line,
    cells: variants.map((v) =>
      cellBrief(
        c.results.filter((r) => r.variant === v).sort((a, b) => (a.repeat ?? 0) - (b.repeat ?? 0)),
        inFlight(v),
        runActive,
      ),
    ),
  };
}
