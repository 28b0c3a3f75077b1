// The matrix model: one row per case, one cell per variant. A row is built from its brief (status, category,
// score, latency per variant; see shared/rowBrief.ts) and, for the rows in view, the case's text.
// Pure (no DOM) so the filters, sort and tests can use it.

import type { CaseRecord, CaseResult, RunRecord } from '../core/runs/schema';
import { rowBrief, variantList, type CellBrief, type RowBrief } from '../shared/rowBrief';

export type { CellStatus } from '../shared/rowBrief';

/** A cell's key in sets of cells: `${caseIndex}\u0000${variant}`. */
export function cellKey(caseIndex: number, variant: string): string {
  return `${caseIndex}\u0000${variant}`;
}
export { cellStatus, resultStatus } from '../shared/rowBrief';

export interface CellView extends CellBrief {
  variant: string;
  /** This variant's results in the case (several with --repeat); empty until the row's text has arrived. */
  results: CaseResult[];
}

export interface RowView {
  caseIndex: number;
  /** The case: its text once the row was asked for (`loaded`), else only where it is (vars empty, no results). */
  record: CaseRecord;
  cells: CellView[];
  loaded: boolean;
}

/** A row from its brief, and the case's text when it has arrived. */
export function rowView(brief: RowBrief, variants: readonly string[], content?: CaseRecord): RowView {
  const record: CaseRecord = content ?? { index: brief.caseIndex, ...(brief.file ? { file: brief.file } : {}), line: brief.line, vars: {}, results: [] };
  const cells = variants.map((variant, i): CellView => {
    const results = content ? content.results.filter((r) => r.variant === variant).sort((a, b) => (a.repeat ?? 0) - (b.repeat ?? 0)) : [];
    const b = brief.cells[i] ?? { status: 'none' as const, count: 0, passed: 0, score: null, latencyMs: -1 };
    return { ...b, variant, results };
  });
  return { caseIndex: brief.caseIndex, record, cells, loaded: content !== undefined };
}

/** Variant names of a record in order, plus any variant seen only in results. */
export function variantNames(record: RunRecord | null): string[] {
  return record ? variantList(record.variants, record.cases) : [];
}

/** Rows of a whole record (its text included). */
export function buildRows(record: RunRecord | null, inFlight: ReadonlySet<string>, runActive: boolean): RowView[] {
  if (!record) return [];
  const variants = variantNames(record);
  return record.cases.map((c) => rowView(rowBrief(c, variants, runActive, (v) => inFlight.has(cellKey(c.index, v))), variants, c));
}

/** `name: value` pairs on one line, values shortened; used for the case column and search. */
export function varsText(vars: Record<string, unknown>, maxValue = Infinity): string {
  return Object.entries(vars)
    .map(([k, v]) => `${k}: ${shorten(typeof v === 'string' ? v : JSON.stringify(v) ?? String(v), maxValue)}`)
    .join('  ·  ');
}

export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, Math.max(0, max - 1)) + '…' : flat;
}

/** The first `n` non-empty lines of an output, for a cell. */
export function firstLines(text: string, n: number, maxChars = 400): string {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '').slice(0, n);
  const out = lines.join('\n');
  return out.length > maxChars ? out.slice(0, maxChars - 1) + '…' : out;
}
