// Commands of the Runs view and of comparing runs: open, compare, delete a run, reveal its file, collect or
// cancel a batch still on the provider, and compare a prompt file's newest run with an earlier one.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { resolvePromptUri } from './promptFiles';
import { promptPathOf } from './runs/runController';
import { runHeader, type PendingBatchRun, type StoredRun } from './runs/types';
import type { RunsTreeNode } from './runs/runsTree';
import { runLabel } from './runs/runsTree';
import { isComplete, statusText } from '../core/runs/completeness';
import { relativeTime, passRatesText } from './editor/resultText';
import type { CommandServices, CommandTable } from './commands';

export const RUNS_VIEW_COMMAND_IDS = [
  'promptLadder.compareWithPrevious',
  'promptLadder.runs.refresh',
  'promptLadder.runs.openRun',
  'promptLadder.runs.compareRuns',
  'promptLadder.runs.deleteRun',
  'promptLadder.runs.revealRunFile',
  'promptLadder.runs.collectBatchResults',
  'promptLadder.runs.cancelBatch',
] as const;

export function runsViewCommandTable(s: CommandServices): CommandTable<(typeof RUNS_VIEW_COMMAND_IDS)[number]> {
  return {
    'promptLadder.compareWithPrevious': (a) => compareWithPrevious(s, a),
    'promptLadder.runs.refresh': () => {
      s.runs.runsChanged(true);
    },
    'promptLadder.runs.openRun': (a) => openRun(s, a),
    'promptLadder.runs.compareRuns': (a, b) => compareRuns(s, a, b),
    'promptLadder.runs.deleteRun': (a, b) => deleteRun(s, a, b),
    'promptLadder.runs.revealRunFile': (a) => revealRunFile(s, a),
    'promptLadder.runs.collectBatchResults': (a) => collectBatchResults(s, a),
    'promptLadder.runs.cancelBatch': (a) => cancelBatch(s, a),
  };
}

async function pickRun(s: CommandServices, list: StoredRun[], placeHolder: string) {
  return (
    await vscode.window.showQuickPick(
      list.map((r) => ({
        label: runLabel(r.record),
        description: `${r.record.status} · ${relativeTime(r.record.startedAt)}`,
        detail: passRatesText(r.record),
        run: r,
      })),
      { placeHolder },
    )
  )?.run;
}

async function compareWithPrevious(s: CommandServices, arg?: unknown) {
  const { runs, panels } = s;
  const uri = await resolvePromptUri(arg);
  if (!uri) return undefined;
  const list = (await runs.listRuns(uri)).filter((r) => r.record.status !== 'running');
  if (list.length < 2) {
    void vscode.window.showInformationMessage(`Prompt Ladder: ${path.basename(uri.fsPath)} needs two runs to compare (it has ${list.length}).`);
    return undefined;
  }
  const [head, ...older] = list;
  const base = older.length === 1 ? older[0] : await pickRun(s, older, `Compare the run of ${relativeTime(head.record.startedAt)} with…`);
  if (!base) return undefined;
  await panels.compare(uri, head.uri, base.uri);
  return { head: head.uri, base: base.uri };
}

function runOf(node: unknown): StoredRun | undefined {
  return node && typeof node === 'object' && (node as RunsTreeNode).kind === 'run' ? (node as { run: StoredRun }).run : undefined;
}

function selectedRuns(s: CommandServices, node: unknown, nodes: unknown): StoredRun[] {
  const list = Array.isArray(nodes) && nodes.length ? nodes : s.treeView.selection.length ? s.treeView.selection : [node];
  const out = list.map(runOf).filter((r): r is StoredRun => !!r);
  const clicked = runOf(node);
  if (clicked && !out.some((r) => r.uri.toString() === clicked.uri.toString())) out.unshift(clicked);
  return out;
}

async function openRun(s: CommandServices, node?: unknown) {
  const { panels } = s;
  const run = runOf(node);
  if (!run) return;
  await panels.show(vscode.Uri.file(promptPathOf(run)), { runUri: run.uri });
}

async function compareRuns(s: CommandServices, node?: unknown, nodes?: unknown) {
  const { runs, panels } = s;
  const chosen = selectedRuns(s, node, nodes);
  if (chosen.length === 0) return undefined;
  const a = chosen[0];
  let b = chosen[1];
  const promptPath = promptPathOf(a);
  if (!b) {
    const others = (await runs.listRuns(vscode.Uri.file(promptPath))).filter((r) => r.uri.toString() !== a.uri.toString() && r.record.status !== 'running');
    if (others.length === 0) {
      void vscode.window.showInformationMessage('Prompt Ladder: this prompt file has no other run to compare with.');
      return undefined;
    }
    b = (await pickRun(s, others, 'Compare with…'))!;
    if (!b) return undefined;
  }
  if (promptPathOf(b) !== promptPath) {
    void vscode.window.showWarningMessage('Prompt Ladder: pick two runs of the same prompt file to compare.');
    return undefined;
  }
  const [head, base] = a.record.startedAt >= b.record.startedAt ? [a, b] : [b, a];
  // a partial run compares only the cases it holds: say so rather than show its missing cases as changes
  const partial = [base, head].filter((r) => !isComplete(r.record)).map((r) => `${runLabel(r.record)} is ${statusText(r.record)}`);
  if (partial.length) void vscode.window.showWarningMessage(`Prompt Ladder: comparing a partial run (${partial.join('; ')}); cases it does not hold show as added or removed.`);
  await panels.compare(vscode.Uri.file(promptPath), head.uri, base.uri);
  return { head: head.uri, base: base.uri };
}

async function deleteRun(s: CommandServices, node?: unknown, nodes?: unknown) {
  const { runs } = s;
  const chosen = selectedRuns(s, node, nodes);
  if (chosen.length === 0) return;
  const what = chosen.length === 1 ? `the run of ${runLabel(chosen[0].record)}` : `${chosen.length} runs`;
  const ok = await vscode.window.showWarningMessage(`Delete ${what}? The run file is removed from disk.`, { modal: true }, 'Delete');
  if (ok !== 'Delete') return;
  for (const r of chosen) await runs.deleteRun(r.uri);
}

function pendingOf(node: unknown): PendingBatchRun | undefined {
  return node && typeof node === 'object' && (node as RunsTreeNode).kind === 'batch' ? (node as { pending: PendingBatchRun }).pending : undefined;
}

async function collectBatchResults(s: CommandServices, node?: unknown) {
  const { runs, panels, log } = s;
  const pending = pendingOf(node);
  if (!pending) return undefined;
  const uri = vscode.Uri.file(pending.promptPath);
  if (runs.isRunning(uri)) {
    void vscode.window.showInformationMessage(`Prompt Ladder: already waiting for the batch of ${path.basename(pending.promptPath)}.`);
    return undefined;
  }
  void panels.show(uri, { preserveFocus: true }).catch((e) => log.warn(`panel: ${String(e)}`));
  return runHeader(await runs.collectBatchResults(pending));
}

async function cancelBatch(s: CommandServices, node?: unknown) {
  const { runs } = s;
  const pending = pendingOf(node);
  if (!pending) return [];
  const CANCEL = 'Cancel Batch';
  const choice = await vscode.window.showWarningMessage(
    `Cancel the batch of ${path.basename(pending.promptPath)} on the provider?`,
    { modal: true, detail: 'The requests it has already answered are kept and shown once the results are collected; the rest become errors.' },
    CANCEL,
  );
  if (choice !== CANCEL) return [];
  const ids = await runs.cancelPendingBatch(pending.file);
  void vscode.window.showInformationMessage(`Prompt Ladder: cancelled ${ids.join(', ') || 'nothing (the batch had already ended)'}. Open it in the Runs view to collect what it answered.`);
  return ids;
}

async function revealRunFile(s: CommandServices, node?: unknown) {
  const run = runOf(node);
  if (!run) return;
  await vscode.window.showTextDocument(run.uri, { preview: true });
  await vscode.commands.executeCommand('revealInExplorer', run.uri).then(undefined, () => undefined);
}
