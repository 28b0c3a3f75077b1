// End-of-line decorations on each test case with results: ✓/✗ per variant and the failure category,
// coloured with the theme's test colours.

import * as vscode from 'vscode';
import { decorationText } from './resultText';
import type { ResultsIndex } from './resultsIndex';
import { Disposable } from '../common/lifecycle';

export interface CaseDecoration {
  line: number;
  text: string;
  passed: boolean;
}

export class ResultDecorations extends Disposable {
  private readonly passType = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', color: new vscode.ThemeColor('testing.iconPassed') },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly failType = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', color: new vscode.ThemeColor('testing.iconFailed') },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  /** What each document shows (by uri), for tests and hovers. */
  private readonly shown = new Map<string, CaseDecoration[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly index: ResultsIndex) {
    super();
    this._registerAll(
      this.passType,
      this.failType,
      index.onDidChange(() => this.updateAll()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.updateAll()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (vscode.window.visibleTextEditors.some((ed) => ed.document === e.document)) this.schedule();
      }),
    );
    this.updateAll();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.updateAll(), 300);
  }

  updateAll(): void {
    for (const editor of vscode.window.visibleTextEditors) this.update(editor);
  }

  decorationsFor(uri: vscode.Uri): CaseDecoration[] {
    return this.shown.get(uri.toString()) ?? [];
  }

  private update(editor: vscode.TextEditor): void {
    const doc = editor.document;
    const pass: vscode.DecorationOptions[] = [];
    const fail: vscode.DecorationOptions[] = [];
    const shown: CaseDecoration[] = [];
    for (const c of this.index.casesIn(doc)) {
      const verdicts = c.verdicts;
      if (verdicts.length === 0) continue;
      const text = decorationText(verdicts);
      const passed = verdicts.every((v) => v.passed);
      const end = doc.lineAt(c.line).range.end;
      (passed ? pass : fail).push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: text } } });
      shown.push({ line: c.line, text, passed });
    }
    editor.setDecorations(this.passType, pass);
    editor.setDecorations(this.failType, fail);
    this.shown.set(doc.uri.toString(), shown);
  }

  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    super.dispose();
  }
}
