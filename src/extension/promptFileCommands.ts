// "Treat as Prompt File" / "Stop Treating as Prompt File": add or remove a YAML file's own workspace-relative
// path in the workspace folder's `promptLadder.files`, and the context keys the menus use to offer them and
// the run commands (`promptLadder.promptFiles`: the paths of files the setting makes prompt files).

import * as path from 'node:path';
import * as vscode from 'vscode';
import { FILES_SETTING, YAML_FILE_RE, parsePromptFileGlobs } from './promptFileGlobs';
import {
  findPromptFiles,
  folderRelative,
  hasPromptFileName,
  isPromptFile,
  onDidChangePromptFiles,
  patternForFile,
  promptFilesChanged,
  settingGlobFor,
  uriFromArg,
} from './promptFiles';
import { RunBlockedError } from './runs/runController';
import { Disposable } from './common/lifecycle';

export const PROMPT_FILE_COMMAND_IDS = ['promptLadder.treatAsPromptFile', 'promptLadder.stopTreatingAsPromptFile'] as const;

function targetUri(arg: unknown): vscode.Uri | undefined {
  return uriFromArg(arg) ?? vscode.window.activeTextEditor?.document.uri;
}

/** The folder-level value of the setting as a list of strings (the effective value when the folder sets none). */
function folderList(folder: vscode.WorkspaceFolder): string[] {
  const cfg = vscode.workspace.getConfiguration('promptLadder', folder.uri);
  const own = cfg.inspect<unknown>('files')?.workspaceFolderValue;
  // A folder value replaces the user's and workspace's lists, so start from what is in effect now.
  const start = own !== undefined ? own : cfg.get<unknown>('files');
  return parsePromptFileGlobs(start).patterns;
}

async function writeFolderList(folder: vscode.WorkspaceFolder, list: string[]): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('promptLadder', folder.uri);
  await cfg.update('files', list, vscode.ConfigurationTarget.WorkspaceFolder);
  promptFilesChanged();
}

/** Adds the file's path to `promptLadder.files` of its workspace folder. Returns the pattern written. */
export async function treatAsPromptFile(arg?: unknown): Promise<string | undefined> {
  const uri = targetUri(arg);
  if (!uri || uri.scheme !== 'file') throw new RunBlockedError('Open the YAML file to treat as a prompt file first.');
  const name = path.basename(uri.fsPath);
  if (isPromptFile(uri)) {
    void vscode.window.showInformationMessage(`Prompt Ladder: ${name} is already a prompt file.`);
    return undefined;
  }
  if (!YAML_FILE_RE.test(uri.fsPath)) throw new RunBlockedError(`Prompt Ladder: only YAML files (.yml, .yaml) can be treated as prompt files; ${name} is not one.`);
  const where = folderRelative(uri);
  const pattern = patternForFile(uri);
  if (!where || !pattern) {
    throw new RunBlockedError(`Prompt Ladder: ${name} is outside the workspace folders; ${FILES_SETTING} patterns are relative to a workspace folder.`);
  }
  const list = folderList(where.folder);
  if (!list.includes(pattern)) list.push(pattern);
  await writeFolderList(where.folder, list);
  void vscode.window.showInformationMessage(`Prompt Ladder: ${where.rel} is now a prompt file (added to ${FILES_SETTING} of ${where.folder.name}).`);
  return pattern;
}

/** Removes the file's own path from `promptLadder.files` of its folder. Returns the patterns removed. */
export async function stopTreatingAsPromptFile(arg?: unknown): Promise<string[]> {
  const uri = targetUri(arg);
  if (!uri || uri.scheme !== 'file') throw new RunBlockedError('Open the file to stop treating as a prompt file first.');
  const name = path.basename(uri.fsPath);
  const where = folderRelative(uri);
  const own = patternForFile(uri);
  if (!where || !own) throw new RunBlockedError(`Prompt Ladder: ${name} is outside the workspace folders.`);
  const list = folderList(where.folder);
  const kept = list.filter((p) => p !== own && p !== where.rel);
  const removed = list.filter((p) => !kept.includes(p));
  if (removed.length) await writeFolderList(where.folder, kept);
  const still = hasPromptFileName(uri) ? `its name ends in ${path.extname(uri.fsPath) === '.prompty' ? '.prompty' : '.prompt.yml/.prompt.yaml'}` : settingGlobFor(uri) ? `the pattern "${settingGlobFor(uri)}" of ${FILES_SETTING} matches it` : undefined;
  if (still) {
    void vscode.window.showWarningMessage(`Prompt Ladder: ${where.rel} is still a prompt file: ${still}.`);
  } else if (removed.length) {
    void vscode.window.showInformationMessage(`Prompt Ladder: ${where.rel} is no longer a prompt file.`);
  }
  return removed;
}

/**
 * Context keys: `promptLadder.promptFiles` (paths of the files the setting makes prompt files, for the menus'
 * `resourcePath in …`), `promptLadder.canTreatAsPromptFile` and `promptLadder.treatedAsPromptFile` (active editor).
 */
export class PromptFileContext extends Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private paths = new Set<string>();

  constructor(private readonly log: vscode.LogOutputChannel) {
    super();
    this._registerAll(
      onDidChangePromptFiles(() => this.schedule()),
      vscode.window.onDidChangeActiveTextEditor(() => this.updateActive()),
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (settingGlobFor(d.uri) && !this.paths.has(d.uri.path)) this.schedule();
      }),
    );
    this.updateActive();
    this.schedule(1000);
  }

  private schedule(delay = 50): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), delay);
  }

  private async update(): Promise<void> {
    this.updateActive();
    try {
      const files = await findPromptFiles(1000);
      const open = vscode.workspace.textDocuments.map((d) => d.uri).filter((u) => settingGlobFor(u));
      this.paths = new Set([...files, ...open].filter((u) => !hasPromptFileName(u)).map((u) => u.path));
      await vscode.commands.executeCommand('setContext', 'promptLadder.promptFiles', [...this.paths]);
    } catch (e) {
      this.log.warn(`listing prompt files: ${String(e)}`);
    }
  }

  private updateActive(): void {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const yaml = !!uri && uri.scheme === 'file' && YAML_FILE_RE.test(uri.fsPath);
    const can = yaml && !isPromptFile(uri) && !!folderRelative(uri!);
    const own = uri ? patternForFile(uri) : undefined;
    const treated = yaml && !!own && settingGlobFor(uri!) !== undefined && folderList(folderRelative(uri!)!.folder).some((p) => p === own);
    void vscode.commands.executeCommand('setContext', 'promptLadder.canTreatAsPromptFile', can);
    void vscode.commands.executeCommand('setContext', 'promptLadder.treatedAsPromptFile', treated);
  }

  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    super.dispose();
  }
}
