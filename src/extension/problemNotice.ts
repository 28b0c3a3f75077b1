// A run refused because its file has problems is said in an error-coloured status-bar item, not a notification:
// a notification cannot be taken back, so it stayed on screen after the file was fixed. The item names the first
// problem (click: go to it), and goes away once the file has no Prompt Ladder error left in Problems, or when the
// next refusal replaces it.

import * as vscode from 'vscode';
import { Disposable } from './common/lifecycle';
import type { SourceProblem } from '../core/errors';

export class ProblemNotice extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('promptLadder.problem', vscode.StatusBarAlignment.Left, 1000));
  private shownFor: string | undefined;

  constructor() {
    super();
    this.item.name = 'Prompt Ladder: problem';
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    this._register(
      vscode.languages.onDidChangeDiagnostics((e) => {
        if (this.shownFor && e.uris.some((u) => u.toString() === this.shownFor)) this.hideWhenFixed();
      }),
    );
  }

  /** The file whose problem is shown (a uri string), if any. */
  get showing(): string | undefined {
    return this.shownFor;
  }

  show(problems: readonly SourceProblem[], message: string): void {
    const first = problems[0];
    const uri = vscode.Uri.file(first.file);
    this.shownFor = uri.toString();
    this.item.text = `$(error) ${vscode.workspace.asRelativePath(uri)}:${first.line}${problems.length > 1 ? ` (+${problems.length - 1})` : ''}`;
    this.item.tooltip = `${message}\n\nClick to go to the problem.`;
    const pos = new vscode.Position(Math.max(0, first.line - 1), Math.max(0, first.col - 1));
    this.item.command = { title: 'Go to Problem', command: 'vscode.open', arguments: [uri, { selection: new vscode.Range(pos, pos) }] };
    this.item.show();
  }

  hide(): void {
    this.shownFor = undefined;
    this.item.hide();
  }

  private hideWhenFixed(): void {
    if (!this.shownFor) return;
    const errors = vscode.languages
      .getDiagnostics(vscode.Uri.parse(this.shownFor))
      .filter((d) => d.severity === vscode.DiagnosticSeverity.Error && d.source?.startsWith('Prompt Ladder'));
    if (!errors.length) this.hide();
  }
}
