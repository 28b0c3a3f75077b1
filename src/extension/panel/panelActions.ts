// What the results panel does for the webview outside its own state: open a file of the run at a line, add a
// case from a result, run an advisor action (checked first: it comes from a record on disk), and the quick pick
// of another run to compare with.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { isAllowedActionCommand, parseAction } from '../../shared/actions';
import { checkAdvisorAction } from '../../core/analysis/advisor/commandArgs';
import { rootOfRunFile, runRootFor } from '../promptFiles';
import type { RunController, StoredRun } from '../runs/types';

export interface ActionLog {
  warn(message: string): void;
}

/** Opens a file of the run (relative to the run root; the prompt file when absent) at a 1-based line. */
export async function openRunFile(promptUri: vscode.Uri, file: string | undefined, line: number, log: ActionLog): Promise<void> {
  let target = promptUri;
  if (file) {
    const root = vscode.Uri.file(runRootFor(promptUri));
    const candidate = vscode.Uri.joinPath(root, file);
    const rel = path.relative(root.path, candidate.path);
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      log.warn(`results panel: refused to open ${file} (outside the workspace folder)`);
      return;
    }
    target = candidate;
  }
  const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === target.toString());
  const pos = new vscode.Position(Math.max(0, line - 1), 0);
  try {
    await vscode.window.showTextDocument(target, {
      viewColumn: shown?.viewColumn ?? vscode.ViewColumn.One,
      selection: new vscode.Range(pos, pos),
      preview: false,
    });
  } catch (err) {
    void vscode.window.showErrorMessage(`Prompt Ladder: could not open ${vscode.workspace.asRelativePath(target)}: ${String(err)}`);
  }
}

/** Adds the case to the eval set with this variant's output as the expected answer. Returns an error to show, if any. */
export async function addTestCase(runUri: vscode.Uri | undefined, caseIndex: number, variant: string): Promise<string | undefined> {
  const command = 'promptLadder.addTestCaseFromResult';
  if (!runUri) return 'This run has not been written yet; try again when it finished.';
  if (!(await vscode.commands.getCommands(true)).includes(command)) {
    void vscode.window.showInformationMessage('Prompt Ladder: adding a test case from a result is not available in this version.');
    return undefined;
  }
  await vscode.commands.executeCommand(command, { runUri: runUri.toString(), caseIndex, variant });
  return undefined;
}

/** Runs an advisor action (`command:<id>?args`) after checking it, or shows it as text. */
export async function executeAction(action: string, promptUri: vscode.Uri, runUri: vscode.Uri | undefined, log: ActionLog): Promise<void> {
  const a = parseAction(action);
  if (!a.command) {
    void vscode.window.showInformationMessage(a.label);
    return;
  }
  // the action comes from a run record on disk (data a cloned repository may ship): checked before it runs
  const checked = checkAdvisorAction(action, runUri ? { runRoot: rootOfRunFile(runUri.fsPath), promptFile: promptUri.fsPath } : undefined);
  if (!isAllowedActionCommand(a.command) || !checked.ok) {
    const why = checked.ok ? `'${a.command}' is not a Prompt Ladder command` : checked.reason;
    log.warn(`results panel: advisor action not run: ${why}`);
    void vscode.window.showWarningMessage(`Prompt Ladder did not run this advice: ${why}.`);
    return;
  }
  const known = await vscode.commands.getCommands(true);
  if (!known.includes(a.command)) {
    log.warn(`results panel: advisor action '${a.command}' is not a registered command`);
    void vscode.window.showInformationMessage(`Prompt Ladder: "${a.label}" is not available in this version.`);
    return;
  }
  await vscode.commands.executeCommand(checked.command, promptUri, ...checked.args);
}

/** A quick pick of the prompt file's other runs; the picked run, or undefined. */
export async function pickOtherRun(runs: RunController, promptUri: vscode.Uri, shownId: string): Promise<StoredRun | undefined> {
  const others = (await runs.listRuns(promptUri)).filter((r) => r.record.id !== shownId);
  if (others.length === 0) {
    void vscode.window.showInformationMessage(`Prompt Ladder: there is no other run of ${path.basename(promptUri.path)} to compare with.`);
    return undefined;
  }
  const items = others.map((r) => ({
    label: `$(history) ${new Date(r.record.startedAt).toLocaleString()}`,
    description: r.record.variants.map((v) => `${v.name} ${Math.round(v.passRate * 100)}%`).join(' · '),
    detail: `${r.record.status} · ${r.record.caseCount} case${r.record.caseCount === 1 ? '' : 's'} · ${vscode.workspace.asRelativePath(r.uri, false)}`,
    run: r,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: `Compare ${path.basename(promptUri.path)} with…`,
    placeHolder: 'Pick an earlier run (the base); the shown run is compared against it',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked?.run;
}
