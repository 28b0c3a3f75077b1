// The matrix model: one row per case, one cell per variant, each cell's status derived from its results.
// Pure (no DOM) so the filters, sort and tests can use it.

import type { CaseRecord, CaseResult, RunRecord } from '../core/runs/schema';
import { cellKey } from '../shared/runState';

export type CellStatus = 'pass' | 'fail' | 'error' | 'running' | 'pending' | 'none';

export interface CellView {
  variant: string;
  status: CellStatus;
  /** This variant's results in the case (several with --repeat). */
  results: CaseResult[];
  /** Category of the first failing result. */
  category?: string;
  passed: number;
  /** The results come from a partial run merged over the latest full run. */
  updated?: boolean;
}

export interface RowView {
  caseIndex: number;
  record: CaseRecord;
  cells: CellView[];
}

export function resultStatus(r: CaseResult): 'pass' | 'fail' | 'error' {
  if (r.error) return 'error';
  return r.passed ? 'pass' : 'fail';
}

/** pass: every result passed; error: every result errored; fail: anything else with results. */
export function cellStatus(results: CaseResult[], inFlight: boolean, runActive: boolean): CellStatus {
  if (results.length === 0) return inFlight ? 'running' : runActive ? 'pending' : 'none';
  const statuses = results.map(resultStatus);
  if (statuses.every((s) => s === 'pass')) return inFlight ? 'running' : 'pass';
  if (statuses.every((s) => s === 'error')) return 'error';
  return 'fail';
}

/** Variant columns in record order, plus any variant seen only in results. */
export function variantNames(record: RunRecord | null): string[] {
  if (!record) return [];
  const names = record.variants.map((v) => v.name);
  for (const c of record.cases) for (const r of c.results) if (!names.includes(r.variant)) names.push(r.variant);
  return names;
}

const NONE: ReadonlySet<string> = new Set();

export function buildRow(c: CaseRecord, variants: string[], inFlight: ReadonlySet<string>, runActive: boolean, updated: ReadonlySet<string> = NONE): RowView {
  const cells = variants.map((variant): CellView => {
    const results = c.results.filter((r) => r.variant === variant).sort((a, b) => (a.repeat ?? 0) - (b.repeat ?? 0));
    const failing = results.find((r) => !r.passed || r.error);
    return {
      variant,
      status: cellStatus(results, inFlight.has(cellKey(c.index, variant)), runActive),
      results,
      category: failing ? (failing.category ?? (failing.error ? 'error' : undefined)) : undefined,
      passed: results.filter((r) => r.passed && !r.error).length,
      ...(updated.has(cellKey(c.index, variant)) ? { updated: true } : {}),
    };
  });
  return { caseIndex: c.index, record: c, cells };
}

export function buildRows(record: RunRecord | null, inFlight: ReadonlySet<string>, runActive: boolean, updated: ReadonlySet<string> = NONE): RowView[] {
  if (!record) return [];
  const variants = variantNames(record);
  return record.cases.map((c) => buildRow(c, variants, inFlight, runActive, updated));
}

/**
 * Rebuilds only the rows of `changed` cases, reusing the others (streaming updates touch a few cases per batch).
 * `previous` must come from the same record and variant list.
 */
export function updateRows(
  previous: RowView[],
  record: RunRecord,
  changed: ReadonlySet<number>,
  inFlight: ReadonlySet<string>,
  runActive: boolean,
  updated: ReadonlySet<string> = NONE,
): RowView[] {
  const variants = variantNames(record);
  const byIndex = new Map(previous.map((r) => [r.caseIndex, r]));
  return record.cases.map((c) => {
    const old = byIndex.get(c.index);
    return old && old.record === c && !changed.has(c.index) ? old : buildRow(c, variants, inFlight, runActive, updated);
  });
}

const haystacks = new WeakMap<RowView, string>();

/** Lower-cased text the search looks in (vars, expected, outputs, categories, errors); computed once per row. */
export function haystackOf(row: RowView): string {
  let h = haystacks.get(row);
  if (h === undefined) {
    const parts: string[] = [varsText(row.record.vars), row.record.expected ?? ''];
    for (const cell of row.cells) for (const r of cell.results) parts.push(r.output, r.category ?? '', r.error ?? '');
    h = parts.join('\n').toLowerCase();
    haystacks.set(row, h);
  }
  return h;
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
