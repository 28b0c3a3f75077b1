// The comparison a results panel shows: a base run against the shown results. A partial run on either side is
// compared as the file's results stood after it (merged over the full run before it), never its few cases
// against the whole set. Redone when the shown run changes; a run under way drops it and, when it finishes,
// compares again with the same base (or with the run "re-run failures" started from).

import * as vscode from 'vscode';
import type { RunRecord } from '../../core/runs/schema';
import { compareForPanel } from '../../shared/compareData';
import type { CompareData } from '../../shared/protocol';
import { summaryOf } from '../../core/runs/completeness';
import type { RunController, StoredRun } from '../runs/types';
import { currentRunOf, shownStatus } from '../runs/currentRun';
import { pickOtherRun } from './panelActions';

export interface CompareHost {
  readonly promptUri: vscode.Uri;
  readonly runs: RunController;
  /** The shown results' whole record, read for a moment; undefined while a run goes on. */
  head(): Promise<RunRecord | undefined>;
  post(data: CompareData | null): void;
}

/** A partial run as the file's results stood after it: merged over the full run before it (runs/partial.ts). */
export async function wholeView(runs: RunController, promptUri: vscode.Uri, rec: RunRecord, uri?: vscode.Uri): Promise<{ record: RunRecord; updated?: Set<string> }> {
  if (!rec.partial) return { record: rec };
  let list = (await runs.listRuns(promptUri)).filter((r) => shownStatus(r.record) || r.record.id === rec.id);
  // a run that has just finished may not be listed yet
  if (uri && !list.some((r) => r.record.id === rec.id)) list = [{ uri, record: summaryOf(rec) }, ...list];
  const read = (r: StoredRun) => (r.record.id === rec.id ? Promise.resolve(rec) : runs.readRun(r.uri));
  return (await currentRunOf(list, read, rec)) ?? { record: rec };
}

export class PanelCompare {
  private current: { data: CompareData; baseUri: vscode.Uri } | null = null;
  /** Compare the next finished run with this run record (set by "re-run failures", or by a run started while comparing). */
  private next: vscode.Uri | null = null;

  constructor(private readonly host: CompareHost) {}

  get data(): CompareData | null {
    return this.current?.data ?? null;
  }

  async set(baseUri: vscode.Uri, post = true, head?: RunRecord): Promise<CompareData | null> {
    const read = await this.host.runs.readRun(baseUri);
    const base = read && (await wholeView(this.host.runs, this.host.promptUri, read)).record;
    if (!base) {
      void vscode.window.showErrorMessage(`Prompt Ladder: could not read the run ${vscode.workspace.asRelativePath(baseUri)}.`);
      return null;
    }
    const rec = head ?? (await this.host.head());
    if (!rec) return null;
    this.current = { baseUri, data: compareForPanel(base, rec, baseUri.toString()) };
    if (post) this.host.post(this.current.data);
    return this.current.data;
  }

  clear(): void {
    this.current = this.next = null;
    this.host.post(null);
  }

  async redo(): Promise<void> {
    if (this.current) await this.set(this.current.baseUri, false);
  }

  /** The next finished run is compared with this one. */
  compareNextWith(baseUri: vscode.Uri): void {
    this.next = baseUri;
  }

  /** A run starts: the comparison goes, to be redone against the same base when the run finishes. */
  runStarted(): void {
    if (!this.current) return;
    const next = this.next ?? this.current.baseUri;
    this.clear();
    this.next = next;
  }

  /** A run finished (`head`: what the panel now shows): compare it with the base it was meant for; else redo. */
  async runFinished(head: RunRecord, post: boolean, redo: boolean): Promise<void> {
    const next = this.next;
    this.next = null;
    if (next) await this.set(next, post, head);
    else if (redo) await this.redo();
  }

  async pick(shownId: string): Promise<CompareData | null> {
    const picked = await pickOtherRun(this.host.runs, this.host.promptUri, shownId);
    return picked ? this.set(picked.uri, false) : null;
  }
}
