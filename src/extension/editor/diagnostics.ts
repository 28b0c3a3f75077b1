// Diagnostics in the Problems panel:
// - invalid prompt files and eval-set files as errors/warnings at exact ranges, live as you type (debounced);
// - failing cases of each prompt file's current results as warnings (variant, category, failed evaluator), at
//   their eval-set lines whether the file is open or not, cleared when stale.

import * as vscode from 'vscode';
import { loadModule } from '../lazy';
import type { SourceProblem } from '../../core/errors';
import { CASES_FILE_RE, isPromptFile, onDidChangePromptFiles } from '../promptFiles';
import { isStrict } from '../settings';
import type { CaseAtLine, ResultsIndex } from './resultsIndex';
import { caseRef } from '../../core/runs/caseRef';
import { Disposable } from '../common/lifecycle';

const DEBOUNCE_MS = 300;
const BIG_FILE_LINES = 2000;
const BIG_FILE_DEBOUNCE_MS = 1500;
/** Failing-case warnings per file in Problems; the rest are summed up in one more. */
const MAX_RESULT_WARNINGS = 500;

export function problemRange(p: SourceProblem, doc?: vscode.TextDocument): vscode.Range {
  const line = Math.max(0, p.line - 1);
  const col = Math.max(0, p.col - 1);
  if (p.endLine !== undefined && p.endCol !== undefined) {
    return new vscode.Range(line, col, Math.max(line, p.endLine - 1), Math.max(0, p.endCol - 1));
  }
  if (doc && line < doc.lineCount) {
    const text = doc.lineAt(line).text;
    const end = text.length > col ? text.length : col + 1;
    return new vscode.Range(line, col, line, end);
  }
  return new vscode.Range(line, col, line, col + 1);
}

export class ProblemDiagnostics extends Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('prompt-ladder');
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Files other than the checked one that got problems from it (e.g. a testFile), by checked uri. */
  private readonly related = new Map<string, string[]>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly isCasesFile: (uri: vscode.Uri) => boolean,
    private readonly log: vscode.LogOutputChannel,
    /** Waits before the first check of a newly opened file (until its first CodeLens is out). */
    private readonly beforeFirstCheck: (uri: vscode.Uri) => Promise<void> = () => Promise.resolve(),
  ) {
    super();
    this._registerAll(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (this.wants(d)) void this.beforeFirstCheck(d.uri).then(() => this.schedule(d, 0));
      }),
      // A big file's check costs more: wait for a longer pause in typing.
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, e.document.lineCount > BIG_FILE_LINES ? BIG_FILE_DEBOUNCE_MS : DEBOUNCE_MS)),
      vscode.workspace.onDidSaveTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidCloseTextDocument((d) => this.clear(d.uri)),
      onDidChangePromptFiles(() => this.recheckOpen()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('promptLadder.strict')) this.recheckOpen();
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  /** Checks every open document again (which files are prompt files, or strict mode, changed). */
  recheckOpen(): void {
    for (const d of vscode.workspace.textDocuments) {
      if (this.wants(d)) this.schedule(d, 0);
      else if (this.related.has(d.uri.toString()) || this.collection.has(d.uri)) this.clear(d.uri);
    }
  }

  private wants(doc: vscode.TextDocument): 'prompt' | 'cases' | undefined {
    if (doc.uri.scheme !== 'file') return undefined;
    if (isPromptFile(doc.uri)) return 'prompt';
    if (CASES_FILE_RE.test(doc.uri.fsPath) || this.isCasesFile(doc.uri)) return 'cases';
    return undefined;
  }

  schedule(doc: vscode.TextDocument, delay: number): void {
    const kind = this.wants(doc);
    if (!kind) return;
    const key = doc.uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.pending.set(key, this.check(doc, kind));
      }, delay),
    );
  }

  /** Checks a document now (tests and commands use it to wait for fresh diagnostics). */
  async checkNow(doc: vscode.TextDocument): Promise<void> {
    const kind = this.wants(doc);
    if (kind) await this.check(doc, kind);
  }

  private async check(doc: vscode.TextDocument, kind: 'prompt' | 'cases'): Promise<void> {
    const version = doc.version;
    let problems: SourceProblem[];
    try {
      const load = loadModule();
      problems = kind === 'prompt' ? await load.checkPromptText(doc.uri.fsPath, doc.getText()) : await load.checkCasesText(doc.uri.fsPath, doc.getText());
    } catch (err) {
      this.log.warn(`checking ${doc.uri.fsPath}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (doc.isClosed || doc.version !== version) return;
    // Strict mode (the CLI's --strict, CI's default): a warning fails a run, so it shows as an error.
    const strict = isStrict(doc.uri, (m) => this.log.warn(m));
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const p of problems) {
      const file = p.file && p.file !== '' ? p.file : doc.uri.fsPath;
      const d = new vscode.Diagnostic(
        problemRange(p, file === doc.uri.fsPath ? doc : undefined),
        p.message,
        p.severity === 'warning' && !strict ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error,
      );
      d.source = p.severity === 'warning' && strict ? 'Prompt Ladder (strict)' : 'Prompt Ladder';
      const list = byFile.get(file) ?? [];
      list.push(d);
      byFile.set(file, list);
    }
    const key = doc.uri.toString();
    for (const old of this.related.get(key) ?? []) if (!byFile.has(vscode.Uri.parse(old).fsPath)) this.collection.delete(vscode.Uri.parse(old));
    this.collection.set(doc.uri, byFile.get(doc.uri.fsPath) ?? []);
    const others: string[] = [];
    for (const [file, list] of byFile) {
      if (file === doc.uri.fsPath) continue;
      const uri = vscode.Uri.file(file);
      this.collection.set(uri, list);
      others.push(uri.toString());
    }
    this.related.set(key, others);
  }

  private clear(uri: vscode.Uri): void {
    const key = uri.toString();
    this.collection.delete(uri);
    for (const old of this.related.get(key) ?? []) this.collection.delete(vscode.Uri.parse(old));
    this.related.delete(key);
  }

  override dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    super.dispose();
  }
}

export class ResultDiagnostics extends Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('prompt-ladder-results');
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly index: ResultsIndex) {
    super();
    this._registerAll(
      this.collection,
      index.onDidChange(() => this.update()),
      vscode.workspace.onDidOpenTextDocument(() => this.schedule()),
      vscode.workspace.onDidCloseTextDocument(() => this.schedule()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (isPromptFile(e.document.uri)) this.schedule();
      }),
    );
    this.update();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.update(), DEBOUNCE_MS);
  }

  /**
   * Warnings for failing cases of each prompt file's current results (a partial run's cells merged over the
   * latest full run): in open documents at the lines the cases have now, in files that are not open at the lines
   * the case loader recorded (VS Code fits the range to the line when the file opens).
   */
  update(): void {
    this.collection.clear();
    const open = new Set<string>();
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme !== 'file') continue;
      open.add(doc.uri.fsPath);
      const diags = failureDiagnostics(this.index.casesIn(doc), (line) => {
        const text = doc.lineAt(line).text;
        const start = text.length - text.trimStart().length;
        return new vscode.Range(line, start, line, Math.max(start + 1, text.length));
      });
      if (diags.length) this.collection.set(doc.uri, diags);
    }
    for (const file of this.index.caseFiles()) {
      if (open.has(file)) continue;
      const diags = failureDiagnostics(this.index.casesInClosedFile(file), (line) => new vscode.Range(line, 0, line, WHOLE_LINE));
      if (diags.length) this.collection.set(vscode.Uri.file(file), diags);
    }
  }

  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    super.dispose();
  }
}

/** A column past the end of any line: the editor fits such a range to the line's text. */
const WHOLE_LINE = 100_000;

/** One warning per failing result of the cases (capped per file, the rest summed up in one more). */
function failureDiagnostics(cases: readonly CaseAtLine[], rangeAt: (line: number) => vscode.Range): vscode.Diagnostic[] {
  const diags: vscode.Diagnostic[] = [];
  for (const c of cases) {
    const range = rangeAt(c.line);
    for (const v of c.verdicts) {
      if (v.passed) continue;
      const what = v.error ? 'call failed' : `failed${v.failedEvaluator ? ` ${v.failedEvaluator}` : ''}`;
      const d = new vscode.Diagnostic(range, `Case ${caseRef(c.case)}, variant ${v.variant}: ${what} (category: ${v.category ?? (v.error ? 'error' : 'uncategorized')})`, vscode.DiagnosticSeverity.Warning);
      d.source = 'Prompt Ladder';
      d.code = v.category ?? undefined;
      diags.push(d);
    }
  }
  if (diags.length > MAX_RESULT_WARNINGS) {
    const more = diags.length - MAX_RESULT_WARNINGS;
    diags.length = MAX_RESULT_WARNINGS;
    const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), `${more} more failing results in this file: the results panel lists them all.`, vscode.DiagnosticSeverity.Information);
    d.source = 'Prompt Ladder';
    diags.push(d);
  }
  return diags;
}
