// The Climb view: its own webview panel (apart from the results panel) showing one climb record. It follows
// the record while the climb runs, and comes back after a window reload by reading the record again (the
// panel's state holds the record's path). Apply replaces the prompt file with the climbed one as one
// undoable edit; Open as New File opens the climbed text in an untitled editor.

import * as vscode from 'vscode';
import * as path from 'node:path';
import { webviewPage } from '../panel/html';
import { replaceDocument } from '../editing/replaceDocument';
import { readClimb } from '../../core/climb/record';
import { readText } from '../promptFiles';
import { climbView } from '../../core/climb/view';
import { ClimbStateSchema, parseClimbWebviewMessage, type ClimbHostMessage } from '../../shared/climbProtocol';
import type { ClimbRecord } from '../../core/climb/record';

import { CLIMB_VIEW_TYPE } from './viewType';

interface State {
  recordFile: string;
  promptFile: string;
}

export class ClimbPanel {
  private static readonly open = new Map<string, ClimbPanel>();
  private ready = false;
  private record: ClimbRecord | undefined;
  private readonly subs: vscode.Disposable[] = [];

  static show(context: vscode.ExtensionContext, promptFile: string, log: vscode.LogOutputChannel): ClimbPanel {
    const existing = ClimbPanel.open.get(promptFile);
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside, true);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(CLIMB_VIEW_TYPE, `Climb: ${path.basename(promptFile)}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, climbWebviewOptions(context.extensionUri));
    return new ClimbPanel(panel, context, promptFile, log);
  }

  /** A Climb view left open before a window reload: reopened from its record (the state holds its path). */
  static async deserialize(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const s = ClimbStateSchema.safeParse(state).data as State | undefined;
    if (!s) {
      panel.dispose();
      return;
    }
    panel.webview.options = climbWebviewOptions(context.extensionUri);
    const view = new ClimbPanel(panel, context, s.promptFile, log);
    try {
      view.update(await readClimb(s.recordFile), s.recordFile);
    } catch (e) {
      log.warn(`Climb view: ${(e as Error).message}`);
    }
  }

  private recordFile: string | undefined;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly promptFile: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    ClimbPanel.open.set(promptFile, this);
    panel.webview.html = html(panel.webview, context.extensionUri);
    this.subs.push(
      panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.fsPath === promptFile) void this.post();
      }),
    );
  }

  /** Shows this record (the climb's latest state); the file is where it is stored. */
  update(record: ClimbRecord, recordFile: string): void {
    this.record = record;
    this.recordFile = recordFile;
    void this.post();
  }

  private async post(): Promise<void> {
    if (!this.ready || !this.record) return;
    let text: string | undefined;
    try {
      text = await readText(vscode.Uri.file(this.promptFile));
    } catch {
      text = undefined;
    }
    const message: ClimbHostMessage = { type: 'view', view: climbView(this.record, text), ...(this.recordFile ? { state: { recordFile: this.recordFile, promptFile: this.promptFile } } : {}) };
    await this.panel.webview.postMessage(message);
  }

  private async onMessage(data: unknown): Promise<void> {
    const parsed = parseClimbWebviewMessage(data);
    if (!parsed.ok) {
      this.log.warn(`Climb view: dropped a message (${parsed.error})`);
      return;
    }
    const m = parsed.message;
    if (m.type === 'ready') {
      this.ready = true;
      await this.post();
      return;
    }
    const climbed = this.record?.climbed;
    if (!climbed) return;
    if (m.type === 'openAsNew') {
      const doc = await vscode.workspace.openTextDocument({ content: climbed.text, language: 'yaml' });
      await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
      return;
    }
    await applyClimbed(this.promptFile, climbed.text);
    await this.post();
  }

  dispose(): void {
    ClimbPanel.open.delete(this.promptFile);
    for (const s of this.subs) s.dispose();
    this.panel.dispose();
  }
}

/** Replaces the whole prompt file with the climbed text as one undoable edit (the file stays unsaved). */
export async function applyClimbed(promptFile: string, text: string): Promise<boolean> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(promptFile));
  const ok = await replaceDocument(doc, text);
  if (ok) await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
  return ok;
}

function climbWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')] };
}

function html(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  return webviewPage(webview, extensionUri, { script: 'climb.js', style: 'climb.css', title: 'Climb' });
}
