// The results panel's dependencies and options (what PanelManager hands each panel).

import type * as vscode from 'vscode';
import type { RunController } from '../runs/types';

export interface PanelLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface PanelFocus {
  caseIndex?: number;
  variant?: string;
  open?: boolean;
}

export interface ResultsPanelDeps {
  extensionUri: vscode.Uri;
  runs: RunController;
  log: PanelLog;
  testHost?: () => PanelTestHost | undefined;
}

export interface PanelRestore {
  runUri?: vscode.Uri;
  compareWith?: vscode.Uri;
}

/**
 * The test seam of the results panel (set only by the integration suite, through the extension's test-mode API):
 * scripts of its own loaded into the webview before the panel's, the raw messages of a webview offered to it
 * first, and each webview that said `ready`. The panel's protocol knows nothing of it.
 */
export interface PanelTestHost {
  /** Files under dist/ loaded into the webview before the panel's script. */
  readonly scripts: readonly string[];
  /** True when `raw` was the test host's own message (the panel then ignores it). */
  receive(promptUri: vscode.Uri, raw: unknown): boolean;
  ready(promptUri: vscode.Uri, webview: vscode.Webview): void;
}
