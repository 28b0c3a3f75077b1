// Opens and restores results panels: one per prompt file, beside the editor, surviving window reloads.

import * as vscode from 'vscode';
import { besideColumn } from '../editorGroups';
import { PersistedStateSchema } from '../../shared/protocol';
import type { RunController } from '../runs/types';
import { webviewOptions } from './html';
import { ResultsPanel } from './resultsPanel';
import type { PanelLog, PanelTestHost } from './panelTypes';
import { redact } from '../../core/redact';
import { Disposable } from '../common/lifecycle';

/** The webview panel type; package.json needs the activation event `onWebviewPanel:promptLadder.results`. */
export const RESULTS_VIEW_TYPE = 'promptLadder.results';

export interface ShowPanelOptions {
  /** Show this run record instead of the newest run of the prompt file. */
  runUri?: vscode.Uri;
  /** Compare the shown run with this run record. */
  compareWith?: vscode.Uri;
  /** Start a run once the panel is open. */
  run?: boolean;
  /** Scroll to (and focus) this case. */
  focusCase?: number;
  /** Focus this variant's cell of the case (and open its details). */
  focusVariant?: string;
}

export class PanelManager extends Disposable {
  private readonly panels = new Map<string, ResultsPanel>();
  private readonly log: PanelLog;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly runs: RunController,
    log?: PanelLog,
    private readonly testHost?: () => PanelTestHost | undefined,
  ) {
    super();
    this.log = log ?? lazyLog((d) => this._register(d));
    this._registerAll(
      vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state) => this.deserialize(panel, state),
      }),
    );
    context.subscriptions.push(this);
  }

  /** Opens (or reveals) the results panel of a prompt file. */
  async show(promptUri: vscode.Uri, opts: ShowPanelOptions = {}): Promise<void> {
    let p = this.panels.get(promptUri.toString());
    if (p) {
      p.reveal();
    } else {
      const panel = vscode.window.createWebviewPanel(
        RESULTS_VIEW_TYPE,
        'Results',
        { viewColumn: besideColumn(), preserveFocus: true },
        webviewOptions(this.context.extensionUri),
      );
      p = this.track(new ResultsPanel(panel, promptUri, this.deps(), {}));
    }
    await p.apply({
      runUri: opts.runUri,
      compareWith: opts.compareWith,
      run: opts.run,
      ...(opts.focusCase !== undefined || opts.focusVariant !== undefined
        ? { focus: { caseIndex: opts.focusCase, variant: opts.focusVariant, open: opts.focusVariant !== undefined } }
        : {}),
    });
  }

  /** The prompt files with an open results panel. */
  openPrompts(): vscode.Uri[] {
    return [...this.panels.values()].map((p) => p.promptUri);
  }

  private deps() {
    return { extensionUri: this.context.extensionUri, runs: this.runs, log: this.log, ...(this.testHost ? { testHost: this.testHost } : {}) };
  }

  private track(p: ResultsPanel): ResultsPanel {
    const key = p.promptUri.toString();
    this.panels.get(key)?.dispose();
    this.panels.set(key, p);
    p.onDidDispose(() => {
      if (this.panels.get(key) === p) this.panels.delete(key);
    });
    return p;
  }

  /**
   * Restores a panel after a window reload (the serializer calls this): the webview kept only its UI state and
   * where its data came from (PersistedState); the data is read again from disk. Unusable state closes the panel.
   */
  async deserialize(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const parsed = PersistedStateSchema.safeParse(state);
    if (!parsed.success) {
      this.log.warn('results panel: no usable saved state; closing the restored panel');
      panel.dispose();
      return;
    }
    panel.webview.options = webviewOptions(this.context.extensionUri);
    const s = parsed.data;
    this.track(
      new ResultsPanel(panel, vscode.Uri.parse(s.promptUri), this.deps(), {
        ...(s.runUri ? { runUri: vscode.Uri.parse(s.runUri) } : {}),
        ...(s.compareUri ? { compareWith: vscode.Uri.parse(s.compareUri) } : {}),
      }),
    );
  }

  // ---- test hooks (used by test/integration/panel.test.ts only) ----------------------------------------------

  /** Resolves once the panel of this prompt file has loaded its webview. */
  async _whenReadyForTest(promptUri: vscode.Uri): Promise<void> {
    const p = this.panels.get(promptUri.toString());
    if (!p) throw new Error(`no results panel for ${promptUri.toString()}`);
    // a hidden webview has no page to probe (another tab in its group may have been shown over it)
    if (!p.visible) p.reveal();
    await p.whenReady();
  }

  /** What the panel of this prompt file keeps of the run it shows (its header and how many rows it indexes). */
  _heldForTest(promptUri: vscode.Uri): ResultsPanel['held'] | undefined {
    return this.panels.get(promptUri.toString())?.held;
  }

  override dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.panels.clear();
    super.dispose();
  }
}

function lazyLog(keep: (d: vscode.Disposable) => void): PanelLog {
  let channel: vscode.LogOutputChannel | undefined;
  const get = () => {
    if (!channel) {
      channel = vscode.window.createOutputChannel('Prompt Ladder Panel', { log: true });
      keep(channel);
    }
    return channel;
  };
  return {
    info: (m) => get().info(redact(m)),
    warn: (m) => get().warn(redact(m)),
    error: (m) => get().error(redact(m)),
  };
}
