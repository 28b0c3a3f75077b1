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

/**
 * Briefs as they cross to the webview: numbers, with each file and category named once. A 10,000-case run's
 * briefs as objects are megabytes (field names and the eval-set path repeated on every row), and the
 * workbench carries every message to the webview in turn; packed they are about a third of that.
 * A row is [caseIndex, file (index into `files`, -1 none), line, then per cell: status (index into
 * CELL_STATUSES), category (index into `categories`, -1 none), count, passed, score (null for none), latencyMs,
 * flags (1 cached, 2 updated)].
 */
export const PackedBriefsSchema = z.object({
  files: z.array(z.string()),
  categories: z.array(z.string()),
  rows: z.array(z.array(z.nullable(z.number()))),
});
export type PackedBriefs = z.infer<typeof PackedBriefsSchema>;

const CELL_FIELDS = 7;

export function packBriefs(briefs: readonly RowBrief[]): PackedBriefs {
  const files: string[] = [];
  const categories: string[] = [];
  const indexOf = (list: string[], value: string | undefined) => {
    if (value === undefined) return -1;
    let i = list.indexOf(value);
    if (i < 0) i = list.push(value) - 1;
    return i;
  };
  const rows = briefs.map((b) => {
    const row: (number | null)[] = [b.caseIndex, indexOf(files, b.file), b.line];
    for (const c of b.cells) {
      row.push(
        CELL_STATUSES.indexOf(c.status),
        indexOf(categories, c.category),
        c.count,
        c.passed,
        c.score,
        c.latencyMs,
        (c.cached ? 1 : 0) | (c.updated ? 2 : 0),
      );
    }
    return row;
  });
  return { files, categories, rows };
}

/** The briefs back from their packed form; a row that does not unpack (a bad index) is left out. */
export function unpackBriefs(p: PackedBriefs): RowBrief[] {
  const out: RowBrief[] = [];
  for (const row of p.rows) {
    if (row.length < 3 || (row.length - 3) % CELL_FIELDS !== 0) continue;
    const [caseIndex, fileAt, line] = row;
    if (caseIndex === null || fileAt === null || line === null) continue;
    const cells: CellBrief[] = [];
    let ok = true;
    for (let i = 3; i < row.length; i += CELL_FIELDS) {
      const [status, category, count, passed, score, latencyMs, flags] = row.slice(i, i + CELL_FIELDS);
      const s = status === null ? undefined : CELL_STATUSES[status];
      const cat = category === null || category < 0 ? undefined : p.categories[category];
      if (!s || count === null || passed === null || latencyMs === null || (category !== null && category >= 0 && cat === undefined)) {
        ok = false;
        break;
      }
      cells.push({
        status: s,
        ...(cat !== undefined ? { category: cat } : {}),
        count,
        passed,
        score,
        latencyMs,
        ...((flags ?? 0) & 1 ? { cached: true } : {}),
        ...((flags ?? 0) & 2 ? { updated: true } : {}),
      });
    }
    const file = fileAt >= 0 ? p.files[fileAt] : undefined;
    if (!ok || (fileAt >= 0 && file === undefined)) continue;
    out.push({ caseIndex, ...(file !== undefined ? { file } : {}), line, cells });
  }
  return out;
}
