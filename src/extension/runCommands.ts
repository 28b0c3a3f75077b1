// Commands that run a prompt file: the whole eval (live or through the Batch API), the case at the cursor, the
// prompt once on a selection; open its results panel, a cell of a run, cancel a run.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { editsModule, engineModule } from './lazy';
import type { PromptSpec } from '../core/prompt/spec';
import { isPromptFile, resolvePromptUri, runRootFor, uriFromArg } from './promptFiles';
import { RunBlockedError } from './runs/runController';
import { runHeader, type StartRunOptions } from './runs/types';
import { inputVariables, isCellArg, pickVariable } from './editCommands';
import type { CommandServices, CommandTable } from './commands';

export const RUN_COMMAND_IDS = [
  'promptLadder.runEval',
  'promptLadder.runEvalBatch',
  'promptLadder.runCaseAtCursor',
  'promptLadder.runOnSelection',
  'promptLadder.openPanel',
  'promptLadder.cancelRun',
  'promptLadder.openCell',
] as const;

export function runCommandTable(s: CommandServices): CommandTable<(typeof RUN_COMMAND_IDS)[number]> {
  return {
    'promptLadder.runEval': (arg) => runEval(s, arg),
    'promptLadder.runEvalBatch': (arg) => runEval(s, arg, { batch: 'all' }),
    'promptLadder.runCaseAtCursor': (a) => runCaseAtCursor(s, a),
    'promptLadder.runOnSelection': (a) => runOnSelection(s, a),
    'promptLadder.openPanel': async (arg) => {
      const uri = await resolvePromptUri(arg);
      if (uri) await s.panels.show(uri);
      return uri;
    },
    'promptLadder.cancelRun': (a) => cancelRun(s, a),
    'promptLadder.openCell': (a) => openCell(s, a),
  };
}

async function runEval(s: CommandServices, arg?: unknown, opts?: StartRunOptions) {
  const { runs, panels, log } = s;
  const uri = await resolvePromptUri(arg);
  if (!uri) return undefined;
  void panels.show(uri, { preserveFocus: true }).catch((e) => log.warn(`panel: ${String(e)}`));
  return runHeader(await runs.start(uri, opts));
}

async function runCaseAtCursor(s: CommandServices, arg?: unknown) {
  const { runs } = s;
  if (arg && typeof arg === 'object' && typeof (arg as { caseIndex?: unknown }).caseIndex === 'number') {
    const a = arg as { promptUri: vscode.Uri | string; caseIndex: number };
    const uri = uriFromArg(a.promptUri);
    if (uri) return runEval(s, uri, { caseIndexes: [a.caseIndex] });
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor) throw new RunBlockedError('Put the cursor on a test case in a prompt file or an eval-set file first.');
  const doc = editor.document;
  const line = editor.selection.active.line;
  await s.index.ready();
  // A case with results at or above the cursor (prompt files and eval-set files alike).
  const known = s.index.casesIn(doc).filter((c) => c.line <= line).sort((a, b) => b.line - a.line)[0];
  if (isPromptFile(doc.uri)) {
    const { spec } = await runs.loadSpec(doc.uri);
    const here = spec.cases.filter((c) => c.file === doc.uri.fsPath && c.line - 1 <= line).sort((a, b) => b.line - a.line)[0];
    if (!here) throw new RunBlockedError(`No test case at line ${line + 1} of ${path.basename(doc.uri.fsPath)}: put the cursor on an item of testData.`);
    return runEval(s, doc.uri, { caseIndexes: [here.index] });
  }
  if (known) return runEval(s, vscode.Uri.file(known.promptPath), { caseIndexes: [known.case.index] });
  throw new RunBlockedError('No test case at the cursor: run the whole eval once so Prompt Ladder knows which prompt uses this file.');
}

async function runOnSelection(s: CommandServices, arg?: unknown) {
  const { runs } = s;
  const editor = vscode.window.activeTextEditor;
  const selected = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : '';
  const uri = await resolvePromptUri(arg);
  if (!uri) return undefined;
  const input =
    selected ||
    (await vscode.window.showInputBox({ prompt: 'Input for the prompt (no text was selected)', ignoreFocusOut: true }));
  if (!input) return undefined;
  const { spec, text } = await runs.loadSpec(uri);
  const { templateVariables } = editsModule();
  const variable = await pickVariable(inputVariables(spec, templateVariables), 'the selection');
  if (!variable) return undefined;
  const providers = await s.createResolver();
  runs.preflight(spec, providers);
  const oneCase: PromptSpec = {
    ...spec,
    evaluators: [],
    cases: [{ index: 0, file: spec.file, line: 1, vars: { [variable]: input } }],
  };
  const { runEval: engineRun } = engineModule();
  const { record } = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Prompt Ladder: running ${spec.name} once`, cancellable: true },
    (_p, token) => {
      const ac = new AbortController();
      token.onCancellationRequested(() => ac.abort());
      return engineRun(oneCase, { providers, root: runRootFor(uri), write: false, cache: false, signal: ac.signal, promptText: text });
    },
  );
  const lines = [`# ${spec.name} — one run on the selection`, '', `\`${variable}\` = ${JSON.stringify(input).slice(0, 200)}`, ''];
  for (const r of record.cases[0]?.results ?? []) {
    lines.push(`## ${r.variant} (${r.model ?? ''}, ${Math.round(r.latencyMs)} ms)`, '');
    const body = r.error ? `error: ${r.error}` : r.output;
    const fence = '`'.repeat(Math.max(3, ...(body.match(/`+/g) ?? []).map((x) => x.length + 1)));
    lines.push(`${fence}text`, body, fence, '');
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: lines.join('\n') });
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  return record;
}

function cancelRun(s: CommandServices, arg?: unknown) {
  const { runs } = s;
  const uri = uriFromArg(arg) ?? vscode.window.activeTextEditor?.document.uri;
  if (uri && runs.isRunning(uri)) runs.cancel(uri);
  else runs.cancelAll();
}

async function openCell(s: CommandServices, arg?: unknown) {
  const { panels } = s;
  if (!isCellArg(arg)) return;
  await panels.showCell(vscode.Uri.parse(arg.runUri), arg.caseIndex, arg.variant);
}
