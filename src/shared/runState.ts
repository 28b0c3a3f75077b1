// Folding engine events into the run record being shown. Both the panel host (which keeps the full record for
// details requests) and the webview (which keeps a slim copy for the matrix) apply the same events this way.

import type { RunEvent } from '../core/events';
import type { RunRecord } from '../core/runs/schema';
import { cellKey, mergePartial } from '../core/runs/partial';

export interface LiveRun {
  record: RunRecord | null;
  /** The record file, once the run is written. */
  path?: string;
  running: boolean;
  /** Cells under way: `${caseIndex}\u0000${variant}`. */
  inFlight: Set<string>;
  progress: { done: number; total: number; passed: number; failed: number; errors: number; cached: number } | null;
  /** Cells (`cellKey`) whose results come from a partial run merged over the latest full run (runs/partial.ts). */
  updated: Set<string>;
  /** While a partial run is under way: the results it is merged over. */
  base?: RunRecord;
}

export { cellKey };

export function emptyLiveRun(record: RunRecord | null = null, path?: string, updated: Iterable<string> = []): LiveRun {
  return { record, path, running: false, inFlight: new Set(), progress: null, updated: new Set(updated) };
}

/**
 * A partial run starting over the results shown: they stay, each case copied (results arrive into the copy, so the
 * record they came from is not changed), and the run's cells replace theirs as they finish.
 */
function startPartial(live: LiveRun, started: RunRecord): RunRecord {
  const shown = live.record;
  if (!started.partial || !shown || live.running || shown.promptFile !== started.promptFile) {
    live.updated.clear();
    live.base = undefined;
    return started;
  }
  live.base = shown;
  return { ...shown, id: started.id, startedAt: started.startedAt, finishedAt: null, status: 'running', cases: shown.cases.map((c) => ({ ...c, results: [...c.results] })) };
}

/** Applies one event in place; returns true when the record object was replaced (a new run started or finished). */
export function applyRunEvent(live: LiveRun, e: RunEvent): boolean {
  switch (e.type) {
    case 'run-started':
      live.record = startPartial(live, e.record);
      live.path = undefined;
      live.running = true;
      live.inFlight.clear();
      live.progress = { done: 0, total: e.total, passed: 0, failed: 0, errors: 0, cached: 0 };
      return true;
    case 'case-started':
      live.inFlight.add(cellKey(e.caseIndex, e.variant));
      return false;
    case 'case-finished': {
      live.inFlight.delete(cellKey(e.caseIndex, e.result.variant));
      if (live.base) live.updated.add(cellKey(e.caseIndex, e.result.variant));
      const rec = live.record;
      if (!rec) return false;
      let c = rec.cases.find((x) => x.index === e.caseIndex);
      if (!c) {
        c = { index: e.caseIndex, line: 1, vars: {}, results: [] };
        rec.cases.push(c);
      }
      const repeat = e.result.repeat ?? 0;
      const at = c.results.findIndex((r) => r.variant === e.result.variant && (r.repeat ?? 0) === repeat);
      if (at >= 0) c.results[at] = e.result;
      else c.results.push(e.result);
      return false;
    }
    case 'progress':
      live.progress = { done: e.done, total: e.total, passed: e.passed, failed: e.failed, errors: e.errors, cached: e.cached };
      return false;
    case 'run-finished':
      live.record = live.base && e.record.partial ? mergePartial(live.base, e.record, live.updated).record : e.record;
      live.base = undefined;
      live.path = e.path;
      live.running = false;
      live.inFlight.clear();
      return true;
  }
}
