// The status-bar item: the active provider and model (of the prompt file in the editor, else the default
// model); click to pick another. Says "Scripted demo model" when the demo server's profile serves it.

import * as vscode from 'vscode';
import { isPromptFile } from './promptFiles';
import { modelOfPromptText } from './promptModel';
import type { ExtensionSettings } from './settings';
import { Disposable } from './common/lifecycle';

const BUILTIN_LABELS: Record<string, string> = {
  openai: 'OpenAI',
  azure: 'Azure OpenAI',
  ollama: 'Ollama',
  github: 'GitHub Models',
  vscode: 'VS Code LM',
};

export function providerLabel(ref: string, settings: ExtensionSettings): string {
  const slash = ref.indexOf('/');
  const prefix = slash > 0 ? ref.slice(0, slash) : 'openai';
  const profile = settings.providers.find((p) => p.name === prefix);
  if (profile) return profile.label ?? profile.name;
  return BUILTIN_LABELS[prefix] ?? prefix;
}

export class ModelStatusBar extends Disposable {
  readonly item = vscode.window.createStatusBarItem('promptLadder.model', vscode.StatusBarAlignment.Right, 100);

  constructor(private readonly settings: () => ExtensionSettings) {
    super();
    this.item.name = 'Prompt Ladder Model';
    this.item.command = 'promptLadder.selectModel';
    this._registerAll(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (d === vscode.window.activeTextEditor?.document) this.update();
      }),
    );
    this.update();
  }

  update(): void {
    const s = this.settings();
    const doc = vscode.window.activeTextEditor?.document;
    const fromFile = doc && isPromptFile(doc.uri) ? modelOfPromptText(doc.getText()) : undefined;
    const ref = fromFile ?? s.defaultModel;
    if (!ref) {
      this.item.text = '$(beaker) Prompt Ladder: no model';
      this.item.tooltip = 'No model configured: click to pick a provider and model';
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    } else {
      const label = providerLabel(ref, s);
      this.item.text = `$(beaker) ${label} · ${ref}`;
      this.item.tooltip = `Prompt Ladder runs ${fromFile ? 'this file' : 'prompts without a model'} with ${ref} (${label}). Click to change the default model.`;
      this.item.backgroundColor = undefined;
    }
    this.item.show();
  }

  override dispose(): void {
    super.dispose();
  }
}
