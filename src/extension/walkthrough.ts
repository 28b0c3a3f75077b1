// The "Get started with Prompt Ladder" walkthrough: opened once, on the first start in the demo workspace
// (`npm start` opens examples/, which holds the scripted demo model's rules in .demo/), and the example it
// opens goes beside it rather than over it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const WALKTHROUGH_ID = 'promptLadder.firstRun';
const SHOWN_KEY = 'promptLadder.walkthroughShown';

/** True for a folder that is the demo workspace: it carries the scripted demo model's rules. */
export function isDemoWorkspace(folder: string): boolean {
  return fs.existsSync(path.join(folder, '.demo', 'rules.json'));
}

/** Opens the walkthrough when one of `folders` is the demo workspace and it was never shown; says whether it did. */
export async function openWalkthroughOnFirstStart(state: vscode.Memento, extensionId: string, folders: readonly string[]): Promise<boolean> {
  if (state.get<boolean>(SHOWN_KEY) || !folders.some(isDemoWorkspace)) return false;
  await state.update(SHOWN_KEY, true);
  await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${extensionId}#${WALKTHROUGH_ID}`, false);
  return true;
}

/** Where an example opened from the walkthrough goes: beside the walkthrough when it is the active editor, else the active group. */
export function exampleColumn(): vscode.ViewColumn | undefined {
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
  const isEditorOfFile = tab && (tab.input instanceof vscode.TabInputText || tab.input instanceof vscode.TabInputTextDiff || tab.input instanceof vscode.TabInputCustom || tab.input instanceof vscode.TabInputNotebook);
  return tab && !isEditorOfFile && /welcome|walkthrough|get started/i.test(tab.label) ? vscode.ViewColumn.Beside : undefined;
}
