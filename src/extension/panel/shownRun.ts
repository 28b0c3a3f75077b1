// The run a results panel shows, as the panel's host keeps it: the record's header (without cases), the rows
// as a windowed source (rowSource.ts), the progress of a run under way and whether it runs. Engine events fold
// into it in constant time each; a finished record in memory (the end of a run, or a merged record of a
// partial run) or a stored run replaces it whole. No vscode import: unit-tested under Node.

import type { RunEvent } from '../../core/events';
import type { RunRecord, VariantSummary } from '../../core/runs/schema';
import type { DetailsResult } from '../../shared/protocol';
import type { RowBrief } from '../../shared/rowBrief';
import { headerOf, readerAtFinish, RunRows, rowsAtFinish } from './rowSource';

export interface Progress {
  done: number;
  total: number;
  passed: number;
  failed: number;
  errors: number;
  cached: number;
}

/**
 * What an event did to the shown run: replaced it (post everything again), finished the run the panel followed
 * (post its header and the rows that changed), changed it (post an update), or nothing.
 */
export type Applied = 'reset' | 'finished' | 'changed' | 'ignored';

export interface RunUpdate {
  runId: string;
  progress: Progress | null;
  summaries?: VariantSummary[];
  rows: RowBrief[];
}

export class ShownRun {
  header: RunRecord | null = null;
  rows: RunRows | null = null;
  /** The record file, once written. */
  path: string | undefined;
  running = false;
  progress: Progress | null = null;

  get runId(): string | undefined {
    return this.header?.id;
  }

  /** A run under way (the engine's record): rows read from it, no copy. */
  showLive(record: RunRecord): void {
    this.header = headerOf(record);
    this.rows = RunRows.live(record);
    this.path = undefined;
    this.running = true;
  }

  /**
   * A finished record held in memory: a run that just ended, or a merged record (`updated`: the cells a partial
   * run replaced; its rows come from the record, never from a file that holds only the partial run).
   */
  showRecord(record: RunRecord, path?: string, updated?: ReadonlySet<string>): void {
    this.header = headerOf(record);
    this.rows = rowsAtFinish(record, updated?.size ? undefined : path);
    if (updated?.size) this.rows.markUpdated(updated);
    this.path = path;
    this.running = false;
    this.progress = null;
  }

  /** A stored run, as `openStoredRun` read it (or a run that ended, its rows carried over). */
  showStored(stored: { header: RunRecord; rows: RunRows }, path: string | undefined): void {
    this.header = stored.header;
    this.rows = stored.rows;
    this.path = path;
    this.running = false;
    this.progress = null;
  }

  apply(e: RunEvent): Applied {
    switch (e.type) {
      case 'run-started':
        this.showLive(e.record);
        this.progress = { done: 0, total: e.total, passed: 0, failed: 0, errors: 0, cached: 0 };
        return 'reset';
      case 'case-started':
        if (!this.rows?.running) return 'ignored';
        this.rows.started(e.caseIndex, e.variant);
        return 'changed';
      case 'case-finished':
        if (!this.rows?.running) return 'ignored';
        this.rows.finished(e.caseIndex, e.result);
        return 'changed';
      case 'progress':
        this.progress = { done: e.done, total: e.total, passed: e.passed, failed: e.failed, errors: e.errors, cached: e.cached };
        return 'changed';
      case 'run-finished': {
        const live = this.rows?.running && this.header?.id === e.record.id ? this.rows : null;
        if (!live) {
          this.showRecord(e.record, e.path);
          return 'reset';
        }
        // followed from its start: the rows it had are current but for the cases the end changed
        this.showStored({ header: headerOf(e.record), rows: RunRows.afterLive(live, e.record, readerAtFinish(e.record, e.path), e.changed) }, e.path);
        return 'finished';
      }
    }
  }

  /** The full (not slimmed) case and this variant's results, read from the run. */
  async details(caseIndex: number, variant: string): Promise<DetailsResult> {
    const c = await this.rows?.fullCase(caseIndex);
    if (!c) throw new Error('That case is not in this run.');
    return {
      caseIndex,
      variant,
      ...(c.file ? { file: c.file } : {}),
      line: c.line,
      vars: c.vars,
      ...(c.expected !== undefined ? { expected: c.expected } : {}),
      results: c.results.filter((r) => r.variant === variant).sort((a, b) => (a.repeat ?? 0) - (b.repeat ?? 0)),
    };
  }

  /** What changed since the last update. */
  takeUpdate(): RunUpdate | undefined {
    if (!this.header) return undefined;
    const summaries = this.rows?.summaries();
    return { runId: this.header.id, progress: this.running ? this.progress : null, ...(summaries ? { summaries } : {}), rows: this.rows?.takeChanged() ?? [] };
  }
}
