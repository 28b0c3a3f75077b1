// Which results the editor shows where: the newest run of each prompt file, indexed by the file and line of
// each case (inline testData lines of the prompt file, lines of JSONL/CSV/YAML eval files). Marks a prompt's
// results stale when the file's text no longer hashes to the record's promptHash.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CaseRecord, RunRecord } from '../../core/runs/schema';
import { rootOfRunFile } from '../promptFiles';
import type { RunController, StoredRun } from '../runs/types';
import { Disposable } from '../common/lifecycle';

export interface CaseAtLine {
  /** 0-based line in the document. */
  line: number;
  case: CaseRecord;
  record: RunRecord;
  runUri: vscode.Uri;
  promptPath: string;
}

export interface PromptResults {
  run: StoredRun;
  promptPath: string;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class ResultsIndex extends Disposable {
  private latest = new Map<string, PromptResults>();
  private byCaseFile = new Map<string, CaseAtLine[]>();
  private readonly emitter = new vscode.EventEmitter<void>();
  private refreshing: Promise<void> | undefined;
  /** Whether the runs have been read once (before that the index is empty, not "no runs"). */
  loaded = false;
  readonly onDidChange = this.emitter.event;

  constructor(private readonly runs: RunController) {
    super();
    this._registerAll(this.emitter, runs.onDidChangeRuns(() => void this.refresh()));
  }

  refresh(): Promise<void> {
    const p = this.doRefresh().catch(() => undefined);
    this.refreshing = p;
    return p;
  }

  /** Resolves once the index reflects the runs on disk. */
  ready(): Promise<void> {
    return this.refreshing ?? this.refresh();
  }

  private async doRefresh(): Promise<void> {
    const all = await this.runs.listAllRuns();
    const latest = new Map<string, PromptResults>();
    for (const run of all) {
      if (run.record.status === 'failed') continue;
      const root = rootOfRunFile(run.uri.fsPath);
      const promptPath = path.resolve(root, run.record.promptFile);
      if (!latest.has(promptPath)) latest.set(promptPath, { run, promptPath });
    }
    const byCaseFile = new Map<string, CaseAtLine[]>();
    for (const { run, promptPath } of latest.values()) {
      const root = rootOfRunFile(run.uri.fsPath);
      for (const c of run.record.cases) {
        if (c.results.length === 0) continue;
        const file = c.file ? path.resolve(root, c.file) : promptPath;
        const list = byCaseFile.get(file) ?? [];
        list.push({ line: Math.max(0, c.line - 1), case: c, record: run.record, runUri: run.uri, promptPath });
        byCaseFile.set(file, list);
      }
    }
    this.latest = latest;
    this.byCaseFile = byCaseFile;
    this.loaded = true;
    this.emitter.fire();
  }

  /** Newest run of a prompt file (running runs included: their finished cells show live). */
  forPrompt(promptPath: string): PromptResults | undefined {
    return this.latest.get(promptPath);
  }

  /** Whether the prompt file changed since its newest run (by hash of the document's text). */
  isStale(promptPath: string, text: string | undefined): boolean {
    const hash = this.latest.get(promptPath)?.run.record.promptHash;
    if (!hash || text === undefined) return false;
    return sha256(text) !== hash;
  }

  /** Cases to show in a document, stale results left out. */
  casesIn(doc: vscode.TextDocument): CaseAtLine[] {
    const list = this.byCaseFile.get(doc.uri.fsPath) ?? [];
    if (list.length === 0) return list;
    // An eval-set file edited since the run: its lines may no longer be those cases.
    if (doc.uri.fsPath !== list[0].promptPath && changedSince(doc, list[0].record.startedAt)) return [];
    return list.filter((c) => c.line < doc.lineCount && !this.isStale(c.promptPath, textOfOpen(c.promptPath)));
  }

  /** Whether any newest run has cases from this file (an eval-set file in use; not a prompt file's own testData). */
  hasCaseFile(file: string): boolean {
    return this.byCaseFile.has(file) && !this.latest.has(file);
  }

  caseAt(doc: vscode.TextDocument, line: number): CaseAtLine | undefined {
    return this.casesIn(doc).find((c) => c.line === line);
  }

  override dispose(): void {
    super.dispose();
  }
}

function changedSince(doc: vscode.TextDocument, iso: string): boolean {
  if (doc.isDirty) return true;
  try {
    return fs.statSync(doc.uri.fsPath).mtimeMs > Date.parse(iso);
  } catch {
    return false;
  }
}

function textOfOpen(file: string): string | undefined {
  return vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file)?.getText();
}
