// CodeLens over prompt files ("▶ Run eval · last: 8/10 on 3-shot, 2 min ago") and over each test case
// with results ("✓ 3/3 variants" / "✗ zero-shot: format"), in the prompt file and in eval-set files.

import * as vscode from 'vscode';
import { heavyLoad, withoutHeavy } from '../lazy';
import { isPromptFile, onDidChangePromptFiles } from '../promptFiles';
import type { RunController } from '../runs/types';
import { caseLensTitle, fileLensTitle } from './resultText';
import type { ResultsIndex } from './resultsIndex';
import { Disposable } from '../common/lifecycle';

export interface FirstLensTiming {
  /** ms from the document's open event to the first non-empty lenses. */
  ms: number;
  /** ms the provider took to compute them (the rest is the editor's: opening the editor, its CodeLens debounce). */
  computeMs: number;
  /** Whether the heavy module (engine, loaders) had been loaded when they were computed. */
  heavyLoaded: boolean;
  heavyLoadMs?: number;
  /** Whether computing them asked for the heavy module (it must not). */
  touchedHeavy: boolean;
  titles: string[];
}

/** Above this many cases in a document, only the lenses of the lines around its visible ranges are given. */
const MAX_CASE_LENSES = 400;
const LENS_MARGIN = 150;

export class ResultsCodeLensProvider extends Disposable implements vscode.CodeLensProvider {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  /** When each document was opened (performance.now()), until its first lenses are shown. */
  private readonly openedAt = new Map<string, number>();
  private readonly firstLenses = new Map<string, FirstLensTiming>();
  private readonly firstLensWaiters = new Map<string, (() => void)[]>();
  /** Lines served with case lenses, per document with more cases than MAX_CASE_LENSES. */
  private readonly served = new Map<string, { from: number; to: number }>();
  private scrollTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly index: ResultsIndex,
    private readonly runs: RunController,
    /** Whether "Run via Batch API" is offered (a configured provider has a Batch API). */
    private readonly batch?: { readonly offered: boolean; readonly onDidChange: vscode.Event<void> },
  ) {
    super();
    if (batch) this._register(batch.onDidChange(() => this.emitter.fire()));
    this._registerAll(
      this.emitter,
      index.onDidChange(() => this.emitter.fire()),
      onDidChangePromptFiles(() => this.emitter.fire()),
      vscode.workspace.onDidOpenTextDocument((d) => {
        const key = d.uri.toString();
        if (!this.firstLenses.has(key)) this.openedAt.set(key, performance.now());
      }),
      runs.onDidRunEvent((e) => {
        if (e.event.type === 'run-started' || e.event.type === 'run-finished') this.emitter.fire();
      }),
      // A big file gets the lenses of the lines around what is shown: scrolling past them asks for new ones.
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => {
        const w = this.served.get(e.textEditor.document.uri.toString());
        if (!w || e.visibleRanges.every((r) => r.start.line >= w.from && r.end.line <= w.to)) return;
        clearTimeout(this.scrollTimer);
        this.scrollTimer = setTimeout(() => this.emitter.fire(), 100);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.served.delete(d.uri.toString())),
    );
  }

  /** The lines whose case lenses a document gets: all of them, or those around its visible ranges when there are many. */
  private window(doc: vscode.TextDocument, cases: number): { from: number; to: number } | undefined {
    const key = doc.uri.toString();
    if (cases <= MAX_CASE_LENSES) {
      this.served.delete(key);
      return undefined;
    }
    const ranges = vscode.window.visibleTextEditors.filter((e) => e.document === doc).flatMap((e) => e.visibleRanges);
    const from = ranges.length ? Math.min(...ranges.map((r) => r.start.line)) : 0;
    const to = ranges.length ? Math.max(...ranges.map((r) => r.end.line)) : 0;
    const w = { from: Math.max(0, from - LENS_MARGIN), to: to + LENS_MARGIN };
    this.served.set(key, w);
    return w;
  }

  /**
   * Resolves once the document's first lenses are out (or after `capMs`, when the editor does not ask: CodeLens
   * off, file not shown). Heavy work caused by opening a file waits for this, so it does not delay them.
   */
  afterFirstLenses(uri: vscode.Uri, capMs: number): Promise<void> {
    const key = uri.toString();
    if (this.firstLenses.has(key) || !this.openedAt.has(key)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, capMs);
      const list = this.firstLensWaiters.get(key) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.firstLensWaiters.set(key, list);
    });
  }

  /** Time from opening a document to its first lenses, and whether the heavy module was loaded by then. */
  firstLensTiming(uri: vscode.Uri): FirstLensTiming | undefined {
    return this.firstLenses.get(uri.toString());
  }

  /**
   * Lenses from what is at hand: the file's name, the text, and the results index if it has been read. Never
   * loads the heavy module (engine, loaders): the first lenses of a file must not wait for it. When the index
   * has not been read yet, reading it starts once these lenses are out, and the lenses refine when it is.
   */
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const started = performance.now();
    const { value: lenses, touchedHeavy } = withoutHeavy(() => this.lenses(doc));
    if (!this.index.loaded && isPromptFile(doc.uri)) setTimeout(() => void this.index.ready(), 0);
    const key = doc.uri.toString();

    const opened = this.openedAt.get(key);
    if (lenses.length && opened !== undefined && !this.firstLenses.has(key)) {
      const now = performance.now();
      const heavy = heavyLoad();
      this.firstLenses.set(key, { ms: now - opened, computeMs: now - started, heavyLoaded: !!heavy && heavy.at <= now, heavyLoadMs: heavy?.ms, touchedHeavy, titles: lenses.map((l) => l.command?.title ?? '') });
      this.firstLensWaiters.get(key)?.forEach((w) => w());
      this.firstLensWaiters.delete(key);
      this.openedAt.delete(key);
    }
    return lenses;
  }

  private lenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    if (isPromptFile(doc.uri)) {
      const top = new vscode.Range(0, 0, 0, 0);
      if (this.runs.isRunning(doc.uri)) {
        lenses.push(new vscode.CodeLens(top, { title: '$(sync~spin) Running… cancel', command: 'promptLadder.cancelRun', arguments: [doc.uri] }));
      } else {
        const latest = this.index.forPrompt(doc.uri.fsPath);
        const stale = latest ? this.index.isStale(doc.uri.fsPath, doc.getText()) : false;
        lenses.push(
          new vscode.CodeLens(top, {
            title: fileLensTitle(latest?.run.record, { stale }),
            tooltip: 'Run every test case through every variant (Ctrl+Alt+E)',
            command: 'promptLadder.runEval',
            arguments: [doc.uri],
          }),
        );
      }
      if (!this.runs.isRunning(doc.uri) && (this.batch?.offered ?? true)) {
        lenses.push(
          new vscode.CodeLens(top, {
            title: 'Run via Batch API (≈50 % cost)',
            tooltip: "Send the calls through the provider's Batch API (OpenAI, Azure OpenAI): about half the price, results within 24 h; it keeps running when VS Code closes",
            command: 'promptLadder.runEvalBatch',
            arguments: [doc.uri],
          }),
        );
      }
      lenses.push(new vscode.CodeLens(top, { title: 'Open results', command: 'promptLadder.openPanel', arguments: [doc.uri] }));
    }
    const cases = this.index.casesIn(doc);
    const w = this.window(doc, cases.length);
    for (const c of cases) {
      if (w && (c.line < w.from || c.line > w.to)) continue;
      const range = new vscode.Range(c.line, 0, c.line, 0);
      const verdicts = c.verdicts;
      const firstFailing = verdicts.find((v) => !v.passed);
      lenses.push(
        new vscode.CodeLens(range, {
          title: caseLensTitle(verdicts),
          tooltip: 'Open this case in the results panel',
          command: 'promptLadder.openCell',
          arguments: [{ runUri: c.runUri.toString(), caseIndex: c.case.index, variant: (firstFailing ?? verdicts[0])?.variant }],
        }),
      );
      if (isPromptFile(doc.uri)) {
        lenses.push(
          new vscode.CodeLens(range, {
            title: '▷ Run case',
            command: 'promptLadder.runCaseAtCursor',
            arguments: [{ promptUri: vscode.Uri.file(c.promptPath), caseIndex: c.case.index }],
          }),
        );
      }
    }
    return lenses;
  }

  override dispose(): void {
    clearTimeout(this.scrollTimer);
    super.dispose();
  }
}
