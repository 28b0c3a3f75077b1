// Partial runs: a run over a subset of the eval set's cases (one case from the Test Explorer, "Run shown",
// re-run failures) records `partial: { of, caseIndexes }`. Readers never take such a record for the eval set:
// they show the file's current results, which are the latest full run with the cells of later partial runs in
// place (`currentView`), and they never compare, advise on or gate with a partial record alone.

import type { CaseRecord, CaseResult, RunRecord } from './schema';
import { summarizeVariants, type VariantInfo } from './summary';

/** The key of one cell (case × variant), as the panel keys its cells. */
export function cellKey(caseIndex: number, variant: string): string {
  return `${caseIndex}\u0000${variant}`;
}

export function isPartial(record: Pick<RunRecord, 'partial'>): boolean {
  return record.partial !== undefined;
}

/** "partial · 1 of 9 cases", or undefined for a run over every case. */
export function partialText(record: Pick<RunRecord, 'partial'>): string | undefined {
  const p = record.partial;
  if (!p) return undefined;
  return `partial · ${p.caseIndexes.length} of ${p.of} case${p.of === 1 ? '' : 's'}`;
}

/** The file's current results and where they come from. */
export interface CurrentView {
  /** The full run's cases with the partial runs' cells in place and the variant summaries redone. */
  record: RunRecord;
  /** Cells (cellKey) whose results come from a partial run. */
  updated: Set<string>;
  /** The full run underneath; absent when the file has only partial runs (the record is then the newest one). */
  base?: RunRecord;
  /** The partial runs merged, oldest first. */
  partials: RunRecord[];
}

function sameVars(a: CaseRecord, b: CaseRecord): boolean {
  return JSON.stringify(a.vars) === JSON.stringify(b.vars) && a.expected === b.expected;
}

/**
 * One case of the merged view: the partial's results replace the base's for each variant the partial ran in
 * it (all repeats). When the case at that index is not the same case any more (the eval set changed), the
 * partial's case replaces it whole: the base's other cells were for another case.
 */
function mergeCase(base: CaseRecord | undefined, part: CaseRecord, updated: Set<string>): CaseRecord {
  const ran = new Set(part.results.map((r) => r.variant));
  for (const v of ran) updated.add(cellKey(part.index, v));
  if (!base || !sameVars(base, part)) return part;
  const kept: CaseResult[] = base.results.filter((r) => !ran.has(r.variant));
  return { ...base, line: part.line, ...(part.file !== undefined ? { file: part.file } : {}), results: [...kept, ...part.results] };
}

function variantInfo(v: RunRecord['variants'][number]): VariantInfo {
  return { name: v.name, model: v.model, ...(v.shots !== undefined ? { shots: v.shots } : {}), ...(v.retrieval ? { retrieval: true } : {}) };
}

/**
 * `partial` merged over `base` (a full run, or a view already merged): the cells the partial run ran replace
 * the base's, every other cell stays. Cells added to `updated`. The record takes the partial run's identity
 * (id, times, prompt hash: it is the newest word on the file) and keeps the base's advice, which was given on
 * the whole eval set; its variant summaries are recomputed over every case.
 */
export function mergePartial(base: RunRecord, partial: RunRecord, updated = new Set<string>()): CurrentView {
  const byIndex = new Map(partial.cases.filter((c) => c.results.length > 0).map((c) => [c.index, c]));
  const cases = base.cases.map((c) => {
    const part = byIndex.get(c.index);
    if (!part) return c;
    byIndex.delete(c.index);
    return mergeCase(c, part, updated);
  });
  for (const part of byIndex.values()) cases.push(mergeCase(undefined, part, updated));
  cases.sort((a, b) => a.index - b.index);
  const variants = base.variants.map(variantInfo);
  for (const v of partial.variants) {
    const at = variants.findIndex((x) => x.name === v.name);
    if (at >= 0) variants[at] = variantInfo(v);
    else variants.push(variantInfo(v));
  }
  const { partial: _p, total: _t, casesFile: _f, pid: _pid, ...rest } = base;
  void [_p, _t, _f, _pid];
  const record: RunRecord = {
    ...rest,
    id: partial.id,
    startedAt: partial.startedAt,
    finishedAt: partial.finishedAt,
    status: partial.status === 'running' ? 'running' : base.status,
    ...(partial.promptHash ? { promptHash: partial.promptHash } : {}),
    ...(partial.problems ? { problems: partial.problems } : {}),
    variants: summarizeVariants(variants, cases),
    cases,
  };
  return { record, updated, base, partials: [partial] };
}

/**
 * The current results of one prompt file from its runs (newest first; the caller leaves out those it does not
 * show, e.g. failed runs): the newest full run with every partial run since merged over it, oldest first.
 * Undefined when there is no run; the newest partial run alone when no full run precedes it.
 */
export function currentView(runsNewestFirst: readonly RunRecord[]): CurrentView | undefined {
  const partials: RunRecord[] = [];
  let base: RunRecord | undefined;
  for (const r of runsNewestFirst) {
    if (!isPartial(r)) {
      base = r;
      break;
    }
    partials.push(r);
  }
  if (!base) return partials.length ? { record: partials[0], updated: new Set(), partials: [] } : undefined;
  if (partials.length === 0) return { record: base, updated: new Set(), base, partials: [] };
  let record = base;
  const updated = new Set<string>();
  for (let i = partials.length - 1; i >= 0; i--) record = mergePartial(record, partials[i], updated).record;
  return { record, updated, base, partials: partials.reverse() };
}
