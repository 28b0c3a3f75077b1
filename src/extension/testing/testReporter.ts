// Reports states to one vscode.TestRun at a rate the workbench keeps up with. Every state change of a leaf
// goes into a map (the newest state of an item replaces one not yet sent), and the map is sent in bounded
// batches: at once after a quiet spell, then at most one batch per FLUSH_MS. Only the first
// DETAILED_MESSAGES failures and errors of a run carry their full message (verdicts, expected vs actual,
// the eval-set line); the others carry one short line, since the results panel holds every detail.
// No output line is written per result.
//
// A run of many leaves is reported light: no queued or started states and no durations, only each leaf's final
// state. The workbench redraws every visible ancestor of an item whose state or duration changes (and the
// file's duration is the sum of its leaves', so it changes with every result); with only final states the
// file's row changes a few times a run instead of once per result.

import * as vscode from 'vscode';

export type ReportedState = 'enqueued' | 'started' | 'passed' | 'failed' | 'errored' | 'skipped';

/** One state as handed to the TestRun (what a TestObserver sees). */
export interface ReportedResult {
  id: string;
  state: ReportedState;
  message?: string;
  diff?: { expected: string; actual: string };
  location?: { file: string; line: number };
  durationMs?: number;
}

/** The test seam: integration tests set one observer to read back what the Testing API was told. */
export type TestObserver = (result: ReportedResult) => void;

/** A state waiting to be sent. */
export interface PendingState {
  state: ReportedState;
  message?: string;
  diff?: { expected: string; actual: string };
  location?: vscode.Location;
  durationMs?: number;
  /** The item was started in the same batch window: it is marked started before its final state. */
  startedFirst?: boolean;
}

const FLUSH_MS = 250;
const MAX_PER_FLUSH = 2000;
const DETAILED_MESSAGES = 200;
/** Above this many leaves a run is reported light (final states only, no durations). */
export const LIGHT_ABOVE = 500;

export class TestReporter {
  private readonly pending = new Map<vscode.TestItem, PendingState>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFlush = 0;
  private detailed = 0;
  private capped = 0;
  private ended = false;

  private readonly light: boolean;

  constructor(
    readonly run: vscode.TestRun,
    private readonly observer: () => TestObserver | undefined,
    /** How many leaves the run reports. */
    leaves: number,
  ) {
    this.light = leaves > LIGHT_ABOVE;
  }

  /** Queues a state for `item`; a final state (passed, failed, errored, skipped) is never replaced. */
  set(item: vscode.TestItem, state: PendingState): void {
    if (this.ended) return;
    let s = state;
    if (this.light) {
      if (!isFinal(s.state)) return;
      if (s.durationMs !== undefined) {
        const { durationMs: _, ...rest } = s;
        s = rest;
      }
    }
    const prev = this.pending.get(item);
    if (prev && isFinal(prev.state) && !isFinal(s.state)) return;
    const next = s.state === 'failed' || s.state === 'errored' ? this.cap(s) : s;
    // An item's start is always shown, also when its result follows before the next batch.
    if (prev && (prev.state === 'started' || prev.startedFirst) && isFinal(next.state)) next.startedFirst = true;
    if (prev) this.pending.delete(item);
    this.pending.set(item, next);
    this.schedule();
  }

  /** Writes a line to the run's output (for whole-run messages, never per result). */
  appendOutput(text: string): void {
    this.run.appendOutput(`${text}\r\n`);
  }

  /** Sends everything still pending and ends the run. */
  end(): void {
    if (this.ended) return;
    clearTimeout(this.timer);
    while (this.pending.size) this.flush();
    if (this.capped) {
      this.appendOutput(`${this.capped} more failures and errors than the first ${DETAILED_MESSAGES} carry one line each here: the results panel shows every detail.`);
    }
    this.ended = true;
    this.run.end();
  }

  private cap(s: PendingState): PendingState {
    if (this.detailed < DETAILED_MESSAGES) {
      this.detailed++;
      return s;
    }
    this.capped++;
    const first = (s.message ?? '').split('\n', 1)[0] ?? '';
    return { state: s.state, message: first, ...(s.durationMs !== undefined ? { durationMs: s.durationMs } : {}) };
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastFlush + FLUSH_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
      if (this.pending.size) this.schedule();
    }, wait);
  }

  private flush(): void {
    this.lastFlush = Date.now();
    let n = 0;
    for (const [item, s] of this.pending) {
      if (n++ >= MAX_PER_FLUSH) break;
      this.pending.delete(item);
      this.send(item, s);
    }
  }

  private send(item: vscode.TestItem, s: PendingState): void {
    const run = this.run;
    if (s.startedFirst) this.send(item, { state: 'started' });
    switch (s.state) {
      case 'enqueued':
        run.enqueued(item);
        break;
      case 'started':
        run.started(item);
        break;
      case 'skipped':
        run.skipped(item);
        break;
      case 'passed':
        run.passed(item, s.durationMs);
        break;
      case 'failed':
      case 'errored': {
        const text = s.message ?? '';
        const message = s.diff ? vscode.TestMessage.diff(text, s.diff.expected, s.diff.actual) : new vscode.TestMessage(text);
        if (s.location) message.location = s.location;
        if (s.state === 'failed') run.failed(item, message, s.durationMs);
        else run.errored(item, message, s.durationMs);
        break;
      }
    }
    this.observer()?.({
      id: item.id,
      state: s.state,
      ...(s.message !== undefined ? { message: s.message } : {}),
      ...(s.diff ? { diff: s.diff } : {}),
      ...(s.location ? { location: { file: s.location.uri.fsPath, line: s.location.range.start.line } } : {}),
      ...(s.durationMs !== undefined ? { durationMs: s.durationMs } : {}),
    });
  }
}

function isFinal(state: ReportedState): boolean {
  return state === 'passed' || state === 'failed' || state === 'errored' || state === 'skipped';
}
