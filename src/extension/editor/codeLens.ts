// CodeLens over prompt files ("▶ Run eval · last: 8/10 on 3-shot, 2 min ago") and over each test case
// with results ("✓ 3/3 variants" / "✗ zero-shot: format"), in the prompt file and in eval-set files.

import * as vscode from 'vscode';
import { isPromptFile } from '../promptFiles';
import type { RunController } from '../runs/types';
import { caseLensTitle, caseVerdicts, fileLensTitle } from './resultText';
import type { ResultsIndex } from './resultsIndex';

export class ResultsCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  readonly onDidChangeCodeLenses = this.emitter.event;

  constructor(
    private readonly index: ResultsIndex,
    private readonly runs: RunController,
  ) {
    this.disposables.push(
      this.emitter,
      index.onDidChange(() => this.emitter.fire()),
      runs.onDidRunEvent((e) => {
        if (e.event.type === 'run-started' || e.event.type === 'run-finished') this.emitter.fire();
      }),
    );
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
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
      if (!this.runs.isRunning(doc.uri)) {
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
    for (const c of this.index.casesIn(doc)) {
      const range = new vscode.Range(c.line, 0, c.line, 0);
      const verdicts = caseVerdicts(c.case, c.record.variants.map((v) => v.name));
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

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
