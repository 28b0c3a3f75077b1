// What the panel and the inline results show for a prompt file: its current results, i.e. the latest full run
// with the cells of later partial runs in place (core/runs/partial.ts), and the record file of the newest run
// among them.

import type * as vscode from 'vscode';
import { currentView, type CurrentView } from '../../core/runs/partial';
import type { RunRecord } from '../../core/runs/schema';
import type { StoredRun } from './types';

export interface CurrentRun extends CurrentView {
  /** The newest run file among those merged (the partial run's when there is one). */
  uri: vscode.Uri;
}

/** Of runs newest first (those the caller shows), the current results; `from` starts the view at that run. */
export function currentRunOf(runs: readonly StoredRun[], from?: RunRecord): CurrentRun | undefined {
  const at = from ? runs.findIndex((r) => r.record.id === from.id) : 0;
  if (at < 0) return undefined;
  const list = runs.slice(at);
  const view = currentView(list.map((r) => r.record));
  const newest = view && list.find((r) => r.record.id === view.record.id);
  return view && newest ? { ...view, uri: newest.uri } : undefined;
}

/** A run the panel may show as the file's results: it finished, or was cancelled with what it had. */
export function shownStatus(record: RunRecord): boolean {
  return record.status === 'completed' || record.status === 'cancelled';
}
