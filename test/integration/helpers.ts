// Shared helpers of the integration suite: the extension's API, the fixture workspace, polling.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PromptLadderApi } from '../../src/extension/extension';
import { installPanelTestHost } from './webviewProbe';
import type { PromptTests, ReportedResult } from '../../src/extension/testing/promptTests';
import type { RunRecord } from '../../src/core/runs/schema';

export const EXTENSION_ID = 'prompt-ladder.prompt-ladder';

export async function api(): Promise<PromptLadderApi> {
  const ext = vscode.extensions.getExtension<PromptLadderApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} not found`);
  const a = ext.isActive ? ext.exports : await ext.activate();
  installPanelTestHost(a);
  return a;
}

const recorded = new WeakMap<PromptTests, ReportedResult[]>();

/** Every state the Test Explorer handed to the Testing API, in order (recorded through its observer seam). */
export function testStates(tests: PromptTests): ReportedResult[] {
  let list = recorded.get(tests);
  if (!list) {
    const states: ReportedResult[] = [];
    tests.setObserver((r) => states.push(r));
    recorded.set(tests, (list = states));
  }
  return list;
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the suite needs the fixture workspace open');
  return folder.uri.fsPath;
}

export function fixture(name: string): vscode.Uri {
  return vscode.Uri.file(path.join(workspaceRoot(), name));
}

export async function open(name: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(fixture(name));
  return vscode.window.showTextDocument(doc);
}

/** Polls until `check` returns a truthy value (or throws its last error after `timeoutMs`). */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function lensTitles(uri: vscode.Uri): Promise<{ line: number; title: string }[]> {
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
  return lenses.filter((l) => l.command).map((l) => ({ line: l.range.start.line, title: l.command!.title }));
}

export async function hoverText(uri: vscode.Uri, pos: vscode.Position): Promise<string> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos)) ?? [];
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

export async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/**
 * The whole record of a run a command reported: run commands resolve with the record's header (no cases), and
 * the cases are read from its file, as the Runs view reads them.
 */
export async function storedRecord(header: { id: string } | undefined): Promise<RunRecord> {
  assert.ok(header, 'the command resolves with the run');
  assert.equal((header as { cases?: unknown }).cases, undefined, 'a run command resolves with the header alone');
  const a = await api();
  const run = (await a.runs.listAllRuns()).find((r) => r.record.id === header.id);
  assert.ok(run, `run ${header.id} is stored`);
  const record = await a.runs.readRun(run.uri);
  assert.ok(record, `run ${header.id} reads back whole`);
  return record;
}
