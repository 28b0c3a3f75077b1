// What the panel and the inline results show for a prompt file: its current results, i.e. the latest full run
// with the cells of later partial runs in place (core/runs/partial.ts), and the record file of the newest run
// among them. The lists of runs hold summaries; only the runs the view is made of are read whole.

import type * as vscode from 'vscode';
import type { CountedRun } from '../../core/runs/completeness';
import { currentView, isPartial, type CurrentView } from '../../core/runs/partial';
import type { RunRecord } from '../../core/runs/schema';
import type { StoredRun } from './types';

export interface CurrentRun extends CurrentView {
  /** The newest run file among those merged (the partial run's when there is one). */
  uri: vscode.Uri;
}

/** Reads a listed run's whole record (undefined when it cannot be read). */
export type ReadStored = (run: StoredRun) => Promise<RunRecord | undefined>;

/** Of runs newest first (those the caller shows), the runs the current results are made of; `from` starts at that run. */
export function currentRunsOf(runs: readonly StoredRun[], from?: { id: string }): StoredRun[] {
  const at = from ? runs.findIndex((r) => r.record.id === from.id) : 0;
  if (at < 0) return [];
  const list = runs.slice(at);
  // the newest full run and the partial runs since it (all of them when no full run precedes)
  const full = list.findIndex((r) => !isPartial(r.record));
  return full < 0 ? list : list.slice(0, full + 1);
}

/** Of runs newest first (those the caller shows), the current results, read with `read`; `from` starts at that run. */
export async function currentRunOf(runs: readonly StoredRun[], read: ReadStored, from?: { id: string }): Promise<CurrentRun | undefined> {
  const used = currentRunsOf(runs, from);
  const records = await Promise.all(used.map(async (r) => ({ run: r, record: await read(r) })));
  const ok = records.filter((r): r is { run: StoredRun; record: RunRecord } => r.record !== undefined);
  const view = currentView(ok.map((r) => r.record));
  const newest = view && ok.find((r) => r.record.id === view.record.id);
  return view && newest ? { ...view, uri: newest.run.uri } : undefined;
}

/** A run the panel may show as the file's results: it finished, or was cancelled with what it had. */
export function shownStatus(record: CountedRun): boolean {
  return record.status === 'completed' || record.status === 'cancelled';
}
