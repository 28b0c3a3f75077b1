// Whether a run record is complete, and how much a partial one holds. A record left `running` by a process
// that is gone (killed, disk full, power lost) reads as `interrupted`; every reader (the Runs view, list_runs,
// compare, finetune, the CLI) says so, with the number of results it holds.

import type { RunRecord } from './schema';

/**
 * A run record without its cases, with the number of cases, the results they hold and the results the run was
 * to produce (`total`, filled in for older records): what lists of runs keep of a run, whose cases stay in its file.
 */
export type RunSummary = Omit<RunRecord, 'cases' | 'total'> & { caseCount: number; results: number; total: number };

/** A whole record or its summary: what the status functions below read. */
export type CountedRun = RunRecord | RunSummary;

function isSummary(record: CountedRun): record is RunSummary {
  return (record as Partial<RunSummary>).results !== undefined;
}

/** Results in the record. */
export function resultCount(record: CountedRun): number {
  if (isSummary(record)) return record.results;
  let n = 0;
  for (const c of record.cases) n += c.results.length;
  return n;
}

/** Results the run was to produce (written at its start; older records: from their cases and variants). */
export function expectedResults(record: CountedRun): number {
  if (isSummary(record)) return record.total;
  return record.total ?? record.cases.length * record.variants.length * (record.repeat ?? 1);
}

/** The record's summary (a new object; the record is left as it is). */
export function summaryOf(record: RunRecord): RunSummary {
  const { cases: _cases, ...header } = record;
  return { ...header, caseCount: record.cases.length, results: resultCount(record), total: expectedResults(record) };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A `running` record whose writer is gone becomes `interrupted` (in memory; the file stays as it is). */
export function markInterrupted<R extends CountedRun>(record: R): R {
  if (record.status !== 'running') return record;
  if (record.pid !== undefined && processAlive(record.pid)) return record;
  record.status = 'interrupted';
  record.statusReason = `stopped before it finished; holds ${holds(record)}`;
  return record;
}

/** "1,013 of 2,500 results". */
export function holds(record: CountedRun): string {
  const n = resultCount(record);
  const of = expectedResults(record);
  return `${n.toLocaleString('en-US')} of ${of.toLocaleString('en-US')} result${of === 1 ? '' : 's'}`;
}

/** A record every reader may treat as whole: it completed (or failed on its own terms) with every result. */
export function isComplete(record: CountedRun): boolean {
  return (record.status === 'completed' || record.status === 'failed') && resultCount(record) >= expectedResults(record);
}

/**
 * The status as a reader shows it: "completed", "interrupted (holds 1,013 of 2,500 results)", "cancelled (…)";
 * a partial run says so: "completed · partial: 1 of 9 cases".
 */
export function statusText(record: CountedRun): string {
  const p = record.partial;
  const status = wholeStatusText(record);
  return p ? `${status} · partial: ${p.caseIndexes.length} of ${p.of} case${p.of === 1 ? '' : 's'}` : status;
}

function wholeStatusText(record: CountedRun): string {
  if (record.status === 'completed' && isComplete(record)) return 'completed';
  if (record.status === 'failed') return `failed${record.statusReason ? ` (${record.statusReason})` : ''}`;
  if (record.status === 'interrupted') return `interrupted (holds ${holds(record)})`;
  if (record.status === 'running') return `running (${holds(record)} so far)`;
  const reason = record.statusReason && !record.statusReason.startsWith('stopped before') ? `${record.statusReason}; ` : '';
  return `${record.status} (${reason}holds ${holds(record)})`;
}

/**
 * Why a dataset must not come silently from this record (undefined when it may): a run that did not finish
 * holds only part of its cases. The CLI refuses unless asked (--partial); the editor asks.
 */
export function partialRunRefusal(record: CountedRun): string | undefined {
  if (record.partial) return `run ${record.id.slice(0, 8)} of ${record.promptFile} is ${statusText(record)}: a dataset from it would hold only those cases`;
  if (isComplete(record)) return undefined;
  if (record.status === 'failed' && resultCount(record) >= expectedResults(record)) return undefined;
  return `run ${record.id.slice(0, 8)} of ${record.promptFile} is ${statusText(record)}: a dataset from it would hold only part of the cases`;
}
