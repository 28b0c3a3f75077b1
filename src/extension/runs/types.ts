// The contract between the pieces of the extension host that start runs and those that show them
// (panel, CodeLens, decorations, diagnostics, Runs view). One RunController per window.

import type * as vscode from 'vscode';
import type { BatchEvent } from '../../core/batch/runBatch';
import type { RunEvent } from '../../core/events';
import type { RunSummary } from '../../core/runs/completeness';
import type { RunRecord } from '../../core/runs/schema';

export interface StartRunOptions {
  /** Only these case indexes (run the case at the cursor, re-run failures). */
  caseIndexes?: number[];
  /** Only these variants. */
  variants?: string[];
  /** Bypass the response cache. */
  noCache?: boolean;
  /** Where progress shows: a notification with Cancel (default), or the status bar when the caller shows its own (Test Explorer). */
  progress?: 'notification' | 'window';
  /** Run through the provider's Batch API ('calls': evaluator calls live). */
  batch?: 'all' | 'calls';
  /** Batch runs: each batch event (submitted or attached, waiting with counts, problems), for a caller that shows its own progress. */
  onBatch?: (e: BatchEvent) => void;
}

/** A batch submitted for a prompt file and not yet read back (from .promptladder/batches/). */
export interface PendingBatchRun {
  /** The pending-batch file. */
  file: string;
  /** The prompt file it belongs to. */
  promptPath: string;
  mode: 'all' | 'calls';
  variants: string[];
  caseIndexes?: number[];
  cache: boolean;
  submittedAt: string;
  batches: { id?: string; model: string; status: string; requests: number; completed: number; failed: number }[];
  /** A window is waiting for it right now. */
  waiting: boolean;
}

export interface RunEventForFile {
  /** The prompt file the run belongs to. */
  promptUri: vscode.Uri;
  runId: string;
  event: RunEvent;
}

/** A run record without its cases: what a run command resolves with (see runHeader). */
export type RunHeader = Omit<RunRecord, 'cases'>;

/**
 * What a command that runs a prompt file resolves with: the record's header. A command run from the workbench
 * (a CodeLens, the palette, a key) sends its result back to the window, and a whole record of 10,000 cases took
 * the extension host a second to serialize and the window as long to read. The cases are in the record's file
 * (the Runs view, `prompt-ladder` and `readRun` read it).
 */
export function runHeader(record: RunRecord | undefined): RunHeader | undefined {
  if (!record) return undefined;
  const { cases: _cases, ...header } = record;
  return header;
}

/** A run as the lists of runs hold it: its file and its summary (the cases stay in the file: `readRun`). */
export interface StoredRun {
  /** The run record file. */
  uri: vscode.Uri;
  record: RunSummary;
}

export interface RunController extends vscode.Disposable {
  /** Starts a run (with progress + cancel notification). Resolves with the finished record (also when cancelled). */
  start(promptUri: vscode.Uri, opts?: StartRunOptions): Promise<RunRecord | undefined>;
  /** Cancels the run of this prompt file, if one is under way. */
  cancel(promptUri: vscode.Uri): void;
  isRunning(promptUri: vscode.Uri): boolean;
  /** The record of the run under way for this prompt file (results so far), for a view opened mid-run. */
  liveRecord(promptUri: vscode.Uri): RunRecord | undefined;
  /** Every engine event, as it happens. */
  readonly onDidRunEvent: vscode.Event<RunEventForFile>;
  /** Runs (of any origin: panel, command, CLI) appeared, changed or were deleted on disk. */
  readonly onDidChangeRuns: vscode.Event<void>;
  /** Stored runs of a prompt file, newest first. */
  listRuns(promptUri: vscode.Uri): Promise<StoredRun[]>;
  /** Every stored run in the workspace, newest first. */
  listAllRuns(): Promise<StoredRun[]>;
  /** Batches submitted and not read back yet, in every workspace folder. */
  listPendingBatches(): Promise<PendingBatchRun[]>;
  /** The newest completed/cancelled full run of a prompt file (partial runs left out). */
  lastRun(promptUri: vscode.Uri): Promise<StoredRun | undefined>;
  /**
   * A run's whole record: the one in memory for a run under way in this window, else its file's (a record read
   * lately is reused for a few seconds, while its file is unchanged). Undefined, logged, when it cannot be read.
   */
  readRun(runUri: vscode.Uri): Promise<RunRecord | undefined>;
}
