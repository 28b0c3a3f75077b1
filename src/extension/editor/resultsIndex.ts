// Which results the editor shows where: the current results of each prompt file (core/runs/partial.ts), indexed
// by the file and line of each case (inline testData lines of the prompt file, lines of JSONL/CSV/YAML eval
// files). It keeps each case's verdicts, not its results: a run's outputs stay in its file, and a hover reads
// the case it shows (RunController.readRun keeps a record read lately for a few seconds). A prompt file's cases
// are indexed again only when the runs its results come from changed. Marks a prompt's results stale when the
// file's text no longer hashes to the record's promptHash.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { summaryOf, type RunSummary } from '../../core/runs/completeness';
import type { CaseRecord } from '../../core/runs/schema';
import { rootOfRunFile } from '../promptFiles';
import type { RunController, StoredRun } from '../runs/types';
import { Disposable } from '../common/lifecycle';
import { currentRunOf, currentRunsOf } from '../runs/currentRun';
import { caseVerdicts, type VariantVerdict } from './resultText';

/** Where a case is: its index in the run, and its eval-set file (relative to the run root) and 1-based line. */
export interface CaseBrief {
  index: number;
  file?: string;
  line: number;
}

export interface CaseAtLine {
  /** 0-based line in the document. */
  line: number;
  case: CaseBrief;
  /** One verdict per variant that has a result, in the run's order of variants. */
  verdicts: readonly VariantVerdict[];
  /** The summary of the current results the case belongs to. */
  record: RunSummary;
  runUri: vscode.Uri;
  promptPath: string;
}

export interface PromptResults {
  /** The current results (a partial run merged over the full one) and the newest run file among them. */
  run: StoredRun;
  promptPath: string;
  /** Cells (case index NUL variant) whose results come from a partial run. */
  updated: ReadonlySet<string>;
}

/** A prompt file's indexed results, and what they were made from. */
interface PromptEntry {
  results: PromptResults;
  /** The runs the results are made of, newest first. */
  runs: StoredRun[];
  /** Those runs as they were when indexed: the entry is made again when this changes. */
  key: string;
  /** Made while a run of the prompt file was under way in this window (its record changes in memory). */
  live: boolean;
  /** Cases by the absolute path of the file they are in. */
  byFile: Map<string, CaseAtLine[]>;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class ResultsIndex extends Disposable {
  private entries = new Map<string, PromptEntry>();
  private byCaseFile = new Map<string, CaseAtLine[]>();
  /**
   * Where the cases of an open eval-set file are now, as it is edited: the case's current 0-based line, or -1
   * once its own line was edited. No lines for a file whose text may differ from the run's (changed on disk
   * before it was opened, or unsaved when the index was read): its lines may no longer be those cases.
   */
  private readonly tracked = new Map<string, { of: string; lines: number[] | undefined; moved?: boolean }>();
  private readonly emitter = new vscode.EventEmitter<void>();
  private refreshing: Promise<void> | undefined;
  /** Whether the runs have been read once (before that the index is empty, not "no runs"). */
  loaded = false;
  readonly onDidChange = this.emitter.event;

  constructor(private readonly runs: RunController) {
    super();
    this._registerAll(
      this.emitter,
      runs.onDidChangeRuns(() => void this.refresh()),
      vscode.workspace.onDidChangeTextDocument((e) => this.follow(e)),
      vscode.workspace.onDidCloseTextDocument((d) => this.tracked.delete(d.uri.fsPath)),
    );
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
    const byPrompt = new Map<string, StoredRun[]>();
    for (const run of all) {
      if (run.record.status === 'failed') continue;
      const root = rootOfRunFile(run.uri.fsPath);
      const promptPath = path.resolve(root, run.record.promptFile);
      const list = byPrompt.get(promptPath) ?? [];
      list.push(run);
      byPrompt.set(promptPath, list);
    }
    // each prompt file's current results: its newest full run with the cells of later partial runs in place
    const entries = new Map<string, PromptEntry>();
    await Promise.all(
      [...byPrompt].map(async ([promptPath, runs]) => {
        const used = currentRunsOf(runs);
        const key = used.map((r) => `${r.uri.fsPath}|${r.record.status}|${r.record.finishedAt}|${r.record.results}`).join('\n');
        const old = this.entries.get(promptPath);
        const entry = old && old.key === key && !old.live ? old : await this.indexed(promptPath, used, key);
        if (entry) entries.set(promptPath, entry);
      }),
    );
    const byCaseFile = new Map<string, CaseAtLine[]>();
    for (const e of entries.values()) {
      for (const [file, cases] of e.byFile) {
        const list = byCaseFile.get(file);
        if (list) list.push(...cases);
        else byCaseFile.set(file, [...cases]);
      }
    }
    this.entries = entries;
    this.byCaseFile = byCaseFile;
    this.loaded = true;
    this.emitter.fire();
  }

  /** Reads the runs a prompt file's current results are made of and indexes their cases' verdicts. */
  private async indexed(promptPath: string, used: StoredRun[], key: string): Promise<PromptEntry | undefined> {
    const live = this.runs.isRunning(vscode.Uri.file(promptPath));
    const view = await currentRunOf(used, (r) => this.runs.readRun(r.uri));
    if (!view) return undefined;
    const record = summaryOf(view.record);
    const root = rootOfRunFile(view.uri.fsPath);
    const variants = view.record.variants.map((v) => v.name);
    // most verdicts are alike ("passed" per variant): one object each, shared by the cases
    const verdicts = new Map<string, VariantVerdict>();
    const shared = (v: VariantVerdict) => {
      const k = `${v.variant}\0${v.passed}\0${v.error}\0${v.category ?? ''}\0${v.failedEvaluator ?? ''}`;
      let hit = verdicts.get(k);
      if (!hit) verdicts.set(k, (hit = v));
      return hit;
    };
    const files = new Map<string, { abs: string; rel?: string }>();
    const byFile = new Map<string, CaseAtLine[]>();
    for (const c of view.record.cases) {
      if (c.results.length === 0) continue;
      let f = files.get(c.file ?? '');
      if (!f) files.set(c.file ?? '', (f = c.file ? { abs: path.resolve(root, c.file), rel: c.file } : { abs: promptPath }));
      const list = byFile.get(f.abs) ?? [];
      list.push({
        line: Math.max(0, c.line - 1),
        case: f.rel === undefined ? { index: c.index, line: c.line } : { index: c.index, file: f.rel, line: c.line },
        verdicts: caseVerdicts(c, variants).map(shared),
        record,
        runUri: view.uri,
        promptPath,
      });
      byFile.set(f.abs, list);
    }
    return { results: { run: { uri: view.uri, record }, promptPath, updated: view.updated }, runs: used, key, live, byFile };
  }

  /** The whole record of a case the editor shows (its outputs and verdicts), read from its runs' files. */
  async caseRecord(c: CaseAtLine): Promise<CaseRecord | undefined> {
    const entry = this.entries.get(c.promptPath);
    if (!entry) return undefined;
    const view = await currentRunOf(entry.runs, (r) => this.runs.readRun(r.uri));
    return view?.record.cases.find((x) => x.index === c.case.index);
  }

  /** Newest run of a prompt file (running runs included: their finished cells show live). */
  forPrompt(promptPath: string): PromptResults | undefined {
    return this.entries.get(promptPath)?.results;
  }

  /** Whether the prompt file changed since its newest run (by hash of the document's text). */
  isStale(promptPath: string, text: string | undefined): boolean {
    const hash = this.entries.get(promptPath)?.results.run.record.promptHash;
    if (!hash || text === undefined) return false;
    return sha256(text) !== hash;
  }

  /**
   * Cases to show in a document, stale results left out. In an eval-set file being edited, each case moves with
   * its line, and a case whose own line was edited is left out until the next run.
   */
  casesIn(doc: vscode.TextDocument): CaseAtLine[] {
    const list = this.byCaseFile.get(doc.uri.fsPath) ?? [];
    if (list.length === 0) return list;
    // Staleness is a property of the prompt file: hash each prompt file's text once, not once per case.
    const stale = new Map<string, boolean>();
    const fresh = (c: CaseAtLine) => {
      let s = stale.get(c.promptPath);
      if (s === undefined) stale.set(c.promptPath, (s = this.isStale(c.promptPath, textOfOpen(c.promptPath))));
      return !s;
    };
    if (doc.uri.fsPath === list[0].promptPath) return list.filter((c) => c.line < doc.lineCount && fresh(c));
    const key = doc.uri.fsPath;
    // What the tracking is of: the cases of one run as read (a run under way gains cases as it goes).
    const of = `${list[0].record.id}:${list.length}`;
    let t = this.tracked.get(key);
    // Edited, then back to the text the run saw (reverted, or undone to it): the cases are where the run found them.
    const reverted = t?.moved && !doc.isDirty && !changedSince(doc, list[0].record.startedAt);
    if (!t || t.of !== of || reverted) {
      t = { of, lines: changedSince(doc, list[0].record.startedAt) ? undefined : list.map((c) => c.line) };
      this.tracked.set(key, t);
    }
    const lines = t.lines;
    if (!lines) return [];
    const out: CaseAtLine[] = [];
    list.forEach((c, i) => {
      const line = lines[i];
      if (line >= 0 && line < doc.lineCount && fresh(c)) out.push(line === c.line ? c : { ...c, line });
    });
    return out;
  }

  /** Moves the tracked cases of an edited eval-set file with their lines; a case on an edited line drops out. */
  private follow(e: vscode.TextDocumentChangeEvent): void {
    const key = e.document.uri.fsPath;
    if (!this.tracked.has(key) || !e.contentChanges.length) return;
    const t = this.tracked.get(key);
    const lines = t?.lines;
    if (!t || !lines) return;
    t.moved = true;
    // Changes of one event refer to the text before the event; applied from the bottom up they do not interfere.
    const changes = [...e.contentChanges].sort((a, b) => b.range.start.line - a.range.start.line);
    for (const ch of changes) {
      const start = ch.range.start.line;
      const end = ch.range.end.line;
      const added = ch.text.split('\n').length - 1;
      const delta = added - (end - start);
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i];
        if (l < 0 || l < start) continue;
        if (l > end) lines[i] = l + delta;
        else if (l === start && start === end && ch.range.start.character === 0 && ch.text.endsWith('\n') && ch.rangeLength === 0) lines[i] = l + delta;
        else lines[i] = -1;
      }
    }
  }

  /** Files (prompt files and eval sets) holding cases of the current results. */
  caseFiles(): string[] {
    return [...this.byCaseFile.keys()];
  }

  /**
   * Cases of a file that is not open, at the lines the case loader recorded: none while the run is under way
   * (they come when it ends), none when the file changed on disk since the run (its lines may be other cases
   * now), none whose prompt file's text no longer hashes to the run's (on disk or in an open editor).
   */
  casesInClosedFile(file: string): CaseAtLine[] {
    const list = this.byCaseFile.get(file) ?? [];
    if (list.length === 0 || list[0].record.status === 'running') return [];
    if (changedOnDisk(file, list[0].record.startedAt)) return [];
    const stale = new Map<string, boolean>();
    return list.filter((c) => {
      let s = stale.get(c.promptPath);
      if (s === undefined) stale.set(c.promptPath, (s = this.isStale(c.promptPath, textOfOpen(c.promptPath) ?? textOnDisk(c.promptPath))));
      return !s;
    });
  }

  /** Whether any newest run has cases from this file (an eval-set file in use; not a prompt file's own testData). */
  hasCaseFile(file: string): boolean {
    return this.byCaseFile.has(file) && !this.entries.has(file);
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
  return changedOnDisk(doc.uri.fsPath, iso);
}

function changedOnDisk(file: string, iso: string): boolean {
  try {
    return fs.statSync(file).mtimeMs > Date.parse(iso);
  } catch {
    return false;
  }
}

function textOnDisk(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function textOfOpen(file: string): string | undefined {
  return vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file)?.getText();
}
