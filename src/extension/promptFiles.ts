// What counts as a prompt file or an eval-set file, and where a file's run root is (its project).
// `isPromptFile` is the one predicate every part of the editor asks (CodeLens, diagnostics, runs, the panel,
// the status bar, the Test Explorer): the default names, plus YAML files the `promptLadder.files` setting names.

import * as path from 'node:path';
import { projectRootOfStore } from './runs/storeLocation';
import * as vscode from 'vscode';

import { PROMPT_FILE_RE } from '../core/prompt/fileName';
import { runRootOf } from '../core/runs/root';
import { FILES_SETTING, YAML_FILE_RE, globForPath, matchingGlob, parsePromptFileGlobs } from './promptFileGlobs';

/** Eval-set files checked live even before a run references them. */
export const CASES_FILE_RE = /\.cases\.(jsonl|csv|ya?ml)$/i;
export const PROMPT_GLOB = '**/*.{prompt.yml,prompt.yaml,prompty}';

export function isPromptFile(uri: vscode.Uri | undefined): boolean {
  if (!uri || uri.scheme !== 'file') return false;
  return PROMPT_FILE_RE.test(uri.fsPath) || settingGlobFor(uri) !== undefined;
}

/** Whether the file has one of the default prompt-file names (no setting needed). */
export function hasPromptFileName(uri: vscode.Uri): boolean {
  return PROMPT_FILE_RE.test(uri.fsPath);
}

// ---------------------------------------------------------------------------------------------------------
// promptLadder.files

/** Valid patterns of the setting per workspace folder ('' outside every folder), read once per change. */
const globsByFolder = new Map<string, string[]>();
const reported = new Set<string>();
const changeEmitter = new vscode.EventEmitter<void>();
/** Fires when the set of prompt files may have changed (the setting changed). */
export const onDidChangePromptFiles = changeEmitter.event;
let problemSink: ((message: string) => void) | undefined;

/** The workspace-relative path of a file (forward slashes) and its folder; undefined outside every folder. */
export function folderRelative(uri: vscode.Uri): { folder: vscode.WorkspaceFolder; rel: string } | undefined {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (!folder) return undefined;
  const rel = path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep).join('/');
  return rel && !rel.startsWith('../') ? { folder, rel } : undefined;
}

function globsFor(folder: vscode.WorkspaceFolder): string[] {
  const key = folder.uri.toString();
  let globs = globsByFolder.get(key);
  if (!globs) {
    const { patterns, problems } = parsePromptFileGlobs(vscode.workspace.getConfiguration('promptLadder', folder.uri).get<unknown>('files'));
    for (const p of problems) reportProblem(p);
    globs = patterns;
    globsByFolder.set(key, globs);
  }
  return globs;
}

/** The `promptLadder.files` pattern that makes this YAML file a prompt file, if one does. */
export function settingGlobFor(uri: vscode.Uri): string | undefined {
  if (uri.scheme !== 'file' || !YAML_FILE_RE.test(uri.fsPath)) return undefined;
  const where = folderRelative(uri);
  if (!where) return undefined;
  return matchingGlob(where.rel, globsFor(where.folder));
}

/** Problems of the setting reported since it last changed (for the integration tests). */
export function promptFileSettingProblems(): string[] {
  return [...reported];
}

function reportProblem(message: string): void {
  if (reported.has(message)) return;
  reported.add(message);
  problemSink?.(message);
}

/**
 * Watches the setting: forgets the read patterns and fires onDidChangePromptFiles when it changes. A bad value is
 * reported once through `onProblem` (a warning naming the setting) and the default names stay in effect.
 */
export function watchPromptFileSetting(onProblem: (message: string) => void): vscode.Disposable {
  problemSink = onProblem;
  const sub = vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(FILES_SETTING)) promptFilesChanged();
  });
  const folders = vscode.workspace.onDidChangeWorkspaceFolders(() => promptFilesChanged());
  return {
    dispose: () => {
      sub.dispose();
      folders.dispose();
      problemSink = undefined;
    },
  };
}

/** Re-reads the setting on next use and tells everyone who shows something for prompt files. */
export function promptFilesChanged(): void {
  globsByFolder.clear();
  reported.clear();
  changeEmitter.fire();
}

/** The pattern "Treat as Prompt File" writes for a file: its own workspace-relative path. */
export function patternForFile(uri: vscode.Uri): string | undefined {
  const where = folderRelative(uri);
  return where ? globForPath(where.rel) : undefined;
}

/** Prompt files of the workspace: the default names and the files the setting's patterns match. */
export async function findPromptFiles(maxResults = 200): Promise<vscode.Uri[]> {
  const found = new Map<string, vscode.Uri>();
  for (const f of await vscode.workspace.findFiles(PROMPT_GLOB, '**/node_modules/**', maxResults)) found.set(f.toString(), f);
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    for (const glob of globsFor(folder)) {
      const pattern = new vscode.RelativePattern(folder, glob.includes('/') ? glob : `**/${glob}`);
      for (const f of await vscode.workspace.findFiles(pattern, '**/node_modules/**', maxResults)) {
        if (isPromptFile(f)) found.set(f.toString(), f);
      }
    }
  }
  return [...found.values()].slice(0, maxResults);
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

/** Run records live in <store>/.promptladder/runs/: the project root of a record file (see runs/storeLocation.ts). */
export function rootOfRunFile(runFile: string): string {
  return projectRootOfStore(path.dirname(path.dirname(path.dirname(runFile))));
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
  const files = await findPromptFiles(200);
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
