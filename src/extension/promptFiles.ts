// What counts as a prompt file or an eval-set file, and where a file's run root is (its project).

import * as path from 'node:path';
import * as vscode from 'vscode';

import { PROMPT_FILE_RE } from '../core/prompt/fileName';
import { runRootOf } from '../core/runs/root';

/** Eval-set files checked live even before a run references them. */
export const CASES_FILE_RE = /\.cases\.(jsonl|csv|ya?ml)$/i;
export const PROMPT_GLOB = '**/*.{prompt.yml,prompt.yaml,prompty}';

export function isPromptFile(uri: vscode.Uri | undefined): boolean {
  return !!uri && uri.scheme === 'file' && PROMPT_FILE_RE.test(uri.fsPath);
}

/**
 * The folder runs of this file are stored under: its project (nearest folder with .git, package.json or
 * .promptladder), as the CLI does, so both put runs of one file in the same .promptladder/.
 */
export function runRootFor(uri: vscode.Uri): string {
  return runRootOf(uri.fsPath);
}

/** `root`-relative path with forward slashes, as run records store it. */
export function relativeToRoot(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/') || path.basename(file);
}

/** Run records live in <root>/.promptladder/runs/: the root of a record file. */
export function rootOfRunFile(runFile: string): string {
  return path.dirname(path.dirname(path.dirname(runFile)));
}

/**
 * The prompt file a command acts on: the Uri it was given (explorer, tree item, CodeLens), else the active
 * editor's file, else a quick pick of the workspace's prompt files.
 */
export async function resolvePromptUri(arg: unknown, pick = true): Promise<vscode.Uri | undefined> {
  const fromArg = uriFromArg(arg);
  if (fromArg && isPromptFile(fromArg)) return fromArg;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && isPromptFile(active)) return active;
  if (!pick) return undefined;
  const files = await vscode.workspace.findFiles(PROMPT_GLOB, '**/node_modules/**', 200);
  if (files.length === 0) {
    const choice = await vscode.window.showWarningMessage(
      'Prompt Ladder: no prompt file (*.prompt.yml or *.prompty) is open or in the workspace.',
      'New Prompt File',
    );
    if (choice) await vscode.commands.executeCommand('promptLadder.newPromptFile');
    return undefined;
  }
  if (files.length === 1) return files[0];
  const chosen = await vscode.window.showQuickPick(
    files.map((f) => ({ label: path.basename(f.fsPath), description: vscode.workspace.asRelativePath(f), uri: f })),
    { placeHolder: 'Prompt file' },
  );
  return chosen?.uri;
}

export function uriFromArg(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string') {
    try {
      return arg.includes('://') ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
    } catch {
      return undefined;
    }
  }
  if (arg && typeof arg === 'object') {
    const o = arg as { resourceUri?: unknown; uri?: unknown; promptUri?: unknown };
    return uriFromArg(o.promptUri ?? o.resourceUri ?? o.uri);
  }
  return undefined;
}

/** The text of a file: the open document's (unsaved edits included), else the file on disk. */
export async function readText(uri: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}
