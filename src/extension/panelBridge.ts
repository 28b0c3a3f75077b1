// What the commands, CodeLens, hovers and the Runs view ask of the results panel. The panel host
// (src/extension/panel) provides the implementation; until one is attached, a fallback opens the run file.

import * as vscode from 'vscode';
import type { RunController } from './runs/types';

export interface ResultsPanels {
  /** Shows (or reveals) the panel of a prompt file; with `runUri`, that run instead of the newest. */
  show(promptUri: vscode.Uri, opts?: { runUri?: vscode.Uri; preserveFocus?: boolean }): Promise<void>;
  /** Shows a run with one cell's details open. */
  showCell(runUri: vscode.Uri, caseIndex: number, variant?: string): Promise<void>;
  /** Shows `head` compared with `base` (two runs of one prompt file). */
  compare(promptUri: vscode.Uri, headUri: vscode.Uri, baseUri: vscode.Uri): Promise<void>;
}

export class PanelBridge implements ResultsPanels {
  private impl: ResultsPanels | undefined;

  constructor(private readonly runs: RunController) {}

  attach(impl: ResultsPanels): void {
    this.impl = impl;
  }

  get attached(): boolean {
    return !!this.impl;
  }

  async show(promptUri: vscode.Uri, opts?: { runUri?: vscode.Uri; preserveFocus?: boolean }): Promise<void> {
    if (this.impl) return this.impl.show(promptUri, opts);
    const run = opts?.runUri ?? (await this.runs.lastRun(promptUri))?.uri;
    if (run) await vscode.window.showTextDocument(run, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: opts?.preserveFocus });
  }

  async showCell(runUri: vscode.Uri, caseIndex: number, variant?: string): Promise<void> {
    if (this.impl) return this.impl.showCell(runUri, caseIndex, variant);
    await vscode.window.showTextDocument(runUri, { viewColumn: vscode.ViewColumn.Beside });
  }

  async compare(promptUri: vscode.Uri, headUri: vscode.Uri, baseUri: vscode.Uri): Promise<void> {
    if (this.impl) return this.impl.compare(promptUri, headUri, baseUri);
    await vscode.commands.executeCommand('vscode.diff', baseUri, headUri, 'Prompt Ladder: compare runs');
  }
}
