// Filters and sort of the matrix rows: failures only, category, variant, search, "different across
// variants", compare change, an explicit case set (advisor evidence). Pure.

import type { CompareData } from '../shared/protocol';
import type { CellView, RowView } from './grid';

export type SortKey = 'case' | 'failures' | 'score' | 'latency' | 'change';
export type ChangeFilter = '' | 'improved' | 'regressed' | 'unchanged' | 'added';

export interface FilterState {
  failuresOnly: boolean;
  /** '' = any. */
  category: string;
  /** '' = all variants; otherwise the only column shown and the one the other filters look at. */
  variant: string;
  search: string;
  sort: SortKey;
  /** Only cases whose outcome differs between variants (some pass, some do not). */
  different: boolean;
  change: ChangeFilter;
  /** Only these case indexes (set by an advisor evidence link); null = no restriction. */
  caseSet: number[] | null;
  caseSetLabel?: string;
}

export function defaultFilters(): FilterState {
  return { failuresOnly: false, category: '', variant: '', search: '', sort: 'case', different: false, change: '', caseSet: null };
}

export function isFiltered(f: FilterState): boolean {
  return f.failuresOnly || !!f.category || !!f.variant || !!f.search.trim() || f.different || !!f.change || !!f.caseSet;
}

/** The variant columns shown under the filter. */
export function shownVariants(all: string[], f: FilterState): string[] {
  return f.variant && all.includes(f.variant) ? [f.variant] : all;
}

const failing = (c: CellView) => c.status === 'fail' || c.status === 'error';

/** True when at least one variant passed and another (with a finished result) did not. */
export function differsAcrossVariants(row: RowView): boolean {
  let pass = false;
  let notPass = false;
  for (const c of row.cells) {
    if (c.status === 'pass') pass = true;
    else if (c.status === 'fail' || c.status === 'error') notPass = true;
  }
  return pass && notPass;
}

/**
 * `hits`: the cases the host found for the search (`f.search`); the search does not narrow the rows while its
 * answer is pending (undefined).
 */
export function rowMatches(row: RowView, f: FilterState, compare: CompareData | null, caseSet?: ReadonlySet<number>, hits?: ReadonlySet<number>): boolean {
  if (caseSet && !caseSet.has(row.caseIndex)) return false;
  const cells = f.variant ? row.cells.filter((c) => c.variant === f.variant) : row.cells;
  if (f.failuresOnly && !cells.some(failing)) return false;
  if (f.category && !cells.some((c) => failing(c) && c.category === f.category)) return false;
  if (f.different && !differsAcrossVariants(row)) return false;
  if (f.change) {
    const cmp = compare?.cases.find((c) => c.caseIndex === row.caseIndex);
    const change = f.variant ? cmp?.variants[f.variant] : cmp?.change;
    if (change !== f.change) return false;
  }
  if (f.search.trim() && hits && !hits.has(row.caseIndex)) return false;
  return true;
}

const CHANGE_ORDER: Record<string, number> = { regressed: 0, improved: 1, added: 2, unchanged: 3, removed: 4 };

function meanScore(cells: CellView[]): number {
  let sum = 0;
  let n = 0;
  for (const c of cells) {
    if (c.score === null) continue;
    sum += c.score * c.count;
    n += c.count;
  }
  return n ? sum / n : Infinity;
}

function maxLatency(cells: CellView[]): number {
  let m = -1;
  for (const c of cells) m = Math.max(m, c.latencyMs);
  return m;
}

/** Filters then sorts; ties keep case order. Returns the rows to show. */
export function applyFilters(rows: RowView[], f: FilterState, compare: CompareData | null = null, hits?: ReadonlySet<number>): RowView[] {
  const caseSet = f.caseSet ? new Set(f.caseSet) : undefined;
  const out = rows.filter((r) => rowMatches(r, f, compare, caseSet, hits));
  const cellsOf = (r: RowView) => (f.variant ? r.cells.filter((c) => c.variant === f.variant) : r.cells);
  let key: ((r: RowView) => number) | undefined;
  switch (f.sort) {
    case 'failures':
      key = (r) => -cellsOf(r).filter(failing).length;
      break;
    case 'score':
      key = (r) => meanScore(cellsOf(r));
      break;
    case 'latency':
      key = (r) => -maxLatency(cellsOf(r));
      break;
    case 'change': {
      const byCase = new Map(compare?.cases.map((c) => [c.caseIndex, c]) ?? []);
      key = (r) => {
        const c = byCase.get(r.caseIndex);
        const change = f.variant ? c?.variants[f.variant] : c?.change;
        return change ? CHANGE_ORDER[change] : 9;
      };
      break;
    }
    case 'case':
      break;
  }
  const k = key;
  if (k) {
    const keyed = out.map((r) => ({ r, k: k(r) }));
    keyed.sort((a, b) => a.k - b.k || a.r.caseIndex - b.r.caseIndex);
    return keyed.map((x) => x.r);
  }
  return out.sort((a, b) => a.caseIndex - b.caseIndex);
}

/** Categories that occur among failing cells, with counts, most frequent first. */
export function categoryCounts(rows: RowView[], variant = ''): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of rows)
  {for (const c of r.cells)
  {if ((!variant || c.variant === variant) && failing(c) && c.category) counts.set(c.category, (counts.get(c.category) ?? 0) + 1);}}
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Case indexes with a failing or erroring cell (optionally in these variants): what "Re-run failures" runs. */
export function failingCaseIndexes(rows: RowView[], variants?: string[]): number[] {
  return rows
    .filter((r) => r.cells.some((c) => (!variants || variants.includes(c.variant)) && failing(c)))
    .map((r) => r.caseIndex);
}
