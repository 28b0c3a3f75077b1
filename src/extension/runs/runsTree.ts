// The "Runs" tree in the Prompt Ladder sidebar: prompt files → their runs (best pass rate first, then how long
// ago; models, times and the pass rate of every variant in the tooltip; an icon by outcome). Refreshes when runs change on disk, so CLI runs appear live.

import * as path from 'node:path';
import { escapeMarkdown as md } from '../../shared/markdown';
import * as vscode from 'vscode';
import type { CountedRun } from '../../core/runs/completeness';
import type { RunRecord } from '../../core/runs/schema';
import { partialText } from '../../core/runs/partial';
import { promptPathOf } from './runController';
import type { PendingBatchRun, RunController, StoredRun } from './types';
import { passRatesText, relativeTime } from '../editor/resultText';
import { Disposable } from '../common/lifecycle';

export type RunsTreeNode =
  | { kind: 'prompt'; promptPath: string; runs: StoredRun[]; pending: PendingBatchRun[] }
  | { kind: 'run'; run: StoredRun; promptPath: string }
  | { kind: 'batch'; pending: PendingBatchRun; promptPath: string };

/** "in_progress · 1200/3000 done" over the batches of a pending run. */
export function pendingBatchText(p: PendingBatchRun): string {
  const done = p.batches.reduce((n, b) => n + b.completed, 0);
  const total = p.batches.reduce((n, b) => n + b.requests, 0);
  const failed = p.batches.reduce((n, b) => n + b.failed, 0);
  const status = [...new Set(p.batches.map((b) => b.status))].join(', ') || 'submitting';
  return `${status} · ${done}/${total} done${failed ? ` · ${failed} failed` : ''}`;
}

export function runIcon(record: CountedRun): vscode.ThemeIcon {
  if (record.status === 'running') return new vscode.ThemeIcon('sync~spin');
  if (record.status === 'failed') return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconErrored'));
  if (record.status === 'cancelled') return new vscode.ThemeIcon('circle-slash');
  // left unfinished by a process that is gone: a partial record
  if (record.status === 'interrupted') return new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('testing.iconQueued'));
  // a few cases re-run: neither a pass nor a failure of the eval set
  if (record.partial) return new vscode.ThemeIcon('circle-outline');
  const failed = record.variants.reduce((n, v) => n + v.failed + v.errors, 0);
  const passed = record.variants.reduce((n, v) => n + v.passed, 0);
  if (failed === 0 && passed > 0) return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
  if (passed === 0) return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
  return new vscode.ThemeIcon('warning', new vscode.ThemeColor('testing.iconQueued'));
}

function runModels(record: CountedRun): string {
  return [...new Set(record.variants.map((v) => v.model))].join(', ');
}

export function runLabel(record: CountedRun): string {
  const d = new Date(record.startedAt);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * The short line a run shows in the tree, pass rate first so it survives the default sidebar width:
 * "67% · 2-shot" (the best variant; ties go to the first). The time and details are in the description and tooltip.
 */
export function runTreeLabel(record: CountedRun): string {
  const partial = partialText(record);
  if (partial) return partial;
  const best = [...record.variants].sort((a, b) => b.passRate - a.passRate)[0];
  if (!best) return record.status === 'running' ? 'running…' : 'no results';
  const rate = `${Math.round(best.passRate * 100)}%`;
  return record.variants.length > 1 ? `${rate} · ${best.name}` : rate;
}

/**
 * The description of a run in the tree, enough to tell look-alike runs apart: "52 min ago · 14:03:26 · a1b2c3 ·
 * zero-shot, 3-shot" (status when not completed, how long ago, the start time to the second, the start of the
 * run id, and its variants).
 */
export function runDescription(record: CountedRun): string {
  const status = record.status === 'completed' ? '' : `${record.status} · `;
  const d = new Date(record.startedAt);
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = Number.isNaN(d.getTime()) ? '' : ` · ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const id = record.id ? ` · ${record.id.replace(/[^A-Za-z0-9]/g, '').slice(0, 6)}` : '';
  const names = record.variants.map((v) => v.name).join(', ');
  const variants = names ? ` · ${names.length > 40 ? `${names.slice(0, 39)}…` : names}` : '';
  return `${status}${relativeTime(record.startedAt)}${clock}${id}${variants}`;
}

export class RunsTreeProvider extends Disposable implements vscode.TreeDataProvider<RunsTreeNode> {
  private readonly emitter = new vscode.EventEmitter<RunsTreeNode | undefined | void>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(private readonly runs: RunController) {
    super();
    this._registerAll(this.emitter, runs.onDidChangeRuns(() => this.emitter.fire()));
  }

  refresh(): void {
    this.emitter.fire();
  }

  async getChildren(node?: RunsTreeNode): Promise<RunsTreeNode[]> {
    if (node?.kind === 'run' || node?.kind === 'batch') return [];
    if (node?.kind === 'prompt') {
      return [
        ...node.pending.map((pending): RunsTreeNode => ({ kind: 'batch', pending, promptPath: node.promptPath })),
        ...node.runs.map((run): RunsTreeNode => ({ kind: 'run', run, promptPath: node.promptPath })),
      ];
    }
    const [all, pending] = await Promise.all([this.runs.listAllRuns(), this.runs.listPendingBatches()]);
    const groups = new Map<string, { runs: StoredRun[]; pending: PendingBatchRun[] }>();
    const group = (p: string) => {
      let g = groups.get(p);
      if (!g) groups.set(p, (g = { runs: [], pending: [] }));
      return g;
    };
    for (const run of all) group(promptPathOf(run)).runs.push(run);
    for (const p of pending) group(p.promptPath).pending.push(p);
    return [...groups.entries()]
      .sort((a, b) => path.basename(a[0]).localeCompare(path.basename(b[0])))
      .map(([promptPath, g]) => ({ kind: 'prompt', promptPath, runs: g.runs, pending: g.pending }));
  }

  getTreeItem(node: RunsTreeNode): vscode.TreeItem {
    if (node.kind === 'prompt') {
      const item = new vscode.TreeItem(path.basename(node.promptPath), vscode.TreeItemCollapsibleState.Expanded);
      item.resourceUri = vscode.Uri.file(node.promptPath);
      item.iconPath = vscode.ThemeIcon.File;
      const pending = node.pending.length ? ` · ${node.pending.length} batch pending` : '';
      item.description = `${node.runs.length} run${node.runs.length === 1 ? '' : 's'}${pending} · ${vscode.workspace.asRelativePath(path.dirname(node.promptPath))}`;
      item.contextValue = 'promptFile';
      item.id = `prompt:${node.promptPath}`;
      item.command = { title: 'Open Prompt File', command: 'vscode.open', arguments: [item.resourceUri] };
      return item;
    }
    if (node.kind === 'batch') {
      const p = node.pending;
      const item = new vscode.TreeItem(`Batch API · ${runLabel({ startedAt: p.submittedAt } as CountedRun)}`, vscode.TreeItemCollapsibleState.None);
      item.description = `${p.waiting ? 'waiting · ' : ''}${pendingBatchText(p)}`;
      item.iconPath = new vscode.ThemeIcon(p.waiting ? 'sync~spin' : 'cloud-upload');
      item.contextValue = 'pendingBatch';
      item.id = `batch:${p.file}`;
      const tip = new vscode.MarkdownString();
      tip.appendMarkdown(`**Batch pending** for ${md(path.basename(node.promptPath))} (submitted ${relativeTime(p.submittedAt)})\n\n`);
      for (const b of p.batches) tip.appendMarkdown(`- ${md(b.id ?? '(not created yet)')} — ${md(b.model)}: ${md(b.status)}, ${b.completed}/${b.requests} done${b.failed ? `, ${b.failed} failed` : ''}\n`);
      tip.appendMarkdown(`\nClick to wait for it and show the results; it keeps running on the provider when VS Code closes.`);
      item.tooltip = tip;
      item.command = { title: 'Collect Batch Results', command: 'promptLadder.runs.collectBatchResults', arguments: [node] };
      return item;
    }
    const { record, uri } = node.run;
    const item = new vscode.TreeItem(runTreeLabel(record), vscode.TreeItemCollapsibleState.None);
    item.description = runDescription(record);
    item.iconPath = runIcon(record);
    item.contextValue = 'run';
    item.id = `run:${uri.toString()}`;
    item.resourceUri = uri;
    const tip = new vscode.MarkdownString();
    // names come from the run record, a file that a cloned repository may have written: shown as text
    tip.appendMarkdown(`**${md(record.promptName ?? path.basename(node.promptPath))}** — ${md(record.status)}, ${md(runLabel(record))} (${relativeTime(record.startedAt)})\n\n`);
    tip.appendMarkdown(`${md(passRatesText(record))} · ${md(runModels(record))}\n\n`);
    for (const v of record.variants) {
      tip.appendMarkdown(`- ${md(v.name)} (${md(v.model)}): ${v.passed} passed, ${v.failed} failed, ${v.errors} errors — ${Math.round(v.passRate * 100)}%\n`);
    }
    if (record.statusReason) tip.appendText(`\n${record.statusReason}`);
    if (record.partial) tip.appendText(`\n${partialTooltip(record.partial)}`);
    item.tooltip = tip;
    item.command = { title: 'Open Run in Panel', command: 'promptLadder.runs.openRun', arguments: [node] };
    return item;
  }

  override dispose(): void {
    super.dispose();
  }
}

/** What a partial run is, for its tooltip. */
export function partialTooltip(p: NonNullable<RunRecord['partial']>): string {
  return `Partial run: ${p.caseIndexes.length} of ${p.of} case${p.of === 1 ? '' : 's'}. The results panel and the editor show its cells in place of the latest full run's; it is not compared, advised on or used as a baseline on its own.`;
}
