// Turns the core run comparison (src/core/analysis/compare.ts) into what the panel shows:
// per head case, a case-level change and one change per variant.

import { compareRuns, type RunComparison } from '../core/analysis/compare';
import type { RunRecord } from '../core/runs/schema';
import type { CellChange, CompareData } from './protocol';

/** A case is 'regressed' if any variant regressed, else 'improved' if any improved, else 'added'/'unchanged'. */
export function caseChange(changes: CellChange[]): CellChange {
  if (changes.includes('regressed')) return 'regressed';
  if (changes.includes('improved')) return 'improved';
  if (changes.length > 0 && changes.every((c) => c === 'added')) return 'added';
  if (changes.length > 0 && changes.every((c) => c === 'removed')) return 'removed';
  return 'unchanged';
}

export function toCompareData(cmp: RunComparison, base: RunRecord, baseUri?: string): CompareData {
  const byCase = new Map<number, Record<string, CellChange>>();
  for (const cell of cmp.cells) {
    if (cell.headIndex === undefined) continue; // removed cases have no row in the head run
    let m = byCase.get(cell.headIndex);
    if (!m) byCase.set(cell.headIndex, (m = {}));
    m[cell.variant] = cell.change;
  }
  const removedCases = new Set(cmp.cells.filter((c) => c.headIndex === undefined).map((c) => c.baseIndex));
  const cases = [...byCase.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([caseIndex, variants]) => ({ caseIndex, change: caseChange(Object.values(variants)), variants }));
  const count = (k: CellChange) => cases.filter((c) => c.change === k).length;
  return {
    baseRunId: base.id,
    baseStartedAt: base.startedAt,
    ...(baseUri ? { baseUri } : {}),
    summary: {
      improved: count('improved'),
      regressed: count('regressed'),
      unchanged: count('unchanged'),
      added: count('added'),
      removed: removedCases.size,
      basePassRate: cmp.totals.basePassRate,
      headPassRate: cmp.totals.headPassRate,
    },
    cases,
    variants: cmp.variants.map((v) => ({
      variant: v.variant,
      basePassRate: v.basePassRate,
      headPassRate: v.headPassRate,
      passRateDelta: v.passRateDelta,
    })),
  };
}

export function compareForPanel(base: RunRecord, head: RunRecord, baseUri?: string): CompareData {
  return toCompareData(compareRuns(base, head), base, baseUri);
}
