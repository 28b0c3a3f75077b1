// Folding engine events into the run record being shown. Both the panel host (which keeps the full record for
// details requests) and the webview (which keeps a slim copy for the matrix) apply the same events this way.

import type { RunEvent } from '../core/events';
import type { RunRecord } from '../core/runs/schema';

export interface LiveRun {
  record: RunRecord | null;
  /** The record file, once the run is written. */
  path?: string;
  running: boolean;
  /** Cells under way: `${caseIndex}\u0000${variant}`. */
  inFlight: Set<string>;
  progress: { done: number; total: number; passed: number; failed: number; errors: number; cached: number } | null;
}

export function cellKey(caseIndex: number, variant: string): string {
  return `${caseIndex}\u0000${variant}`;
}

export function emptyLiveRun(record: RunRecord | null = null, path?: string): LiveRun {
  return { record, path, running: false, inFlight: new Set(), progress: null };
}

/** Applies one event in place; returns true when the record object was replaced (a new run started or finished). */
export function applyRunEvent(live: LiveRun, e: RunEvent): boolean {
  switch (e.type) {
    case 'run-started':
      live.record = e.record;
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
      live.record = e.record;
      live.path = e.path;
      live.running = false;
      live.inFlight.clear();
      return true;
  }
}
