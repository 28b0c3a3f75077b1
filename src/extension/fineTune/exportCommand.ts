// "Export Fine-Tuning Dataset" from the editor: the same formats and file names as `prompt-ladder finetune
// --format` (NAME.FORMAT.train.jsonl, NAME.FORMAT.validation.jsonl, NAME.local.axolotl.yml), written beside the
// prompt file. The advisor's buttons pass the format (and, to distil, the teacher and the student); without one
// the user picks it.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { partialRunRefusal } from '../../core/runs/completeness';
import { advisorArgsModule, fineTuneModule, finetuneModule } from '../lazy';
import { resolvePromptUri } from '../promptFiles';
import { RunBlockedError, type EditorRunController } from '../runs/runController';
import { promptBaseName } from '../../core/prompt/fileName';
import type { ExportFineTuneArgs } from '../../core/analysis/advisor/commandArgs';
import type { FormatName } from '../../core/finetune/formats/format';
import type { FineTuneExport } from '../../core/finetune/dataset';
import type { PromptSpec } from '../../core/prompt/spec';

export interface ExportedFineTune {
  format: FormatName;
  train: vscode.Uri;
  validation?: vscode.Uri;
  config?: vscode.Uri;
  counts: FineTuneExport['counts'];
}

async function pickFormat(): Promise<FormatName | undefined> {
  const items = fineTuneModule()
    .exportFormatItems()
    .map((f) => ({ label: f.name, description: f.platforms.join(', '), detail: f.title, name: f.name }));
  const chosen = await vscode.window.showQuickPick(items, { placeHolder: 'Fine-tuning export format (the platform that will train)' });
  return chosen?.name;
}

/**
 * The dataset of a prompt file from its newest run: per case its expected value when it has one, else the best
 * variant's passing output (source 'auto', as the CLI), or the teacher's passing outputs when distilling.
 */
export async function fineTuneExportFor(
  runs: EditorRunController,
  uri: vscode.Uri,
  options: ExportFineTuneArgs = {},
): Promise<{ result: FineTuneExport; spec: PromptSpec }> {
  const last = await runs.lastRun(uri);
  if (!last) throw new RunBlockedError(`Run ${path.basename(uri.fsPath)} first: the dataset is made from a run's passing outputs or the cases' expected values.`);
  const { spec } = await runs.loadSpec(uri);
  // a run that did not finish holds part of the cases: never export from it without asking
  const partial = partialRunRefusal(last.record);
  if (partial) {
    const anyway = 'Export Anyway';
    const choice = await vscode.window.showWarningMessage(`Prompt Ladder: the ${partial}. Export from it anyway?`, { modal: true }, anyway);
    if (choice !== anyway) throw new RunBlockedError(`Not exported: the ${partial}. Run the eval again to completion.`);
  }
  const { exportFineTuneDataset } = finetuneModule();
  let result: FineTuneExport;
  try {
    result = exportFineTuneDataset(spec, last.record, { source: 'auto', ...options });
  } catch (err) {
    throw new RunBlockedError(`Prompt Ladder: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (result.counts.train === 0) throw new RunBlockedError(`No examples to export from ${path.basename(uri.fsPath)}: ${result.warnings.join(' ') || 'no passing outputs.'}`);
  return { result, spec };
}

export async function exportFineTuneCommand(runs: EditorRunController, arg?: unknown, options?: unknown): Promise<ExportedFineTune | undefined> {
  const uri = await resolvePromptUri(arg);
  if (!uri) return undefined;
  const opts = options === undefined ? {} : advisorArgsModule().exportFineTuneArgs(options);
  if (!opts) throw new RunBlockedError(`Prompt Ladder: the export options ${JSON.stringify(options)} are not valid.`);
  const format = opts.format ?? (await pickFormat());
  if (!format) return undefined;
  const { result } = await fineTuneExportFor(runs, uri, { ...opts, format });
  const base = promptBaseName(uri.fsPath, true);
  const written: Partial<Record<'train' | 'validation' | 'config', vscode.Uri>> = {};
  for (const f of fineTuneModule().exportFilesOf(result, path.basename(base))) {
    const file = vscode.Uri.file(path.join(path.dirname(base), f.name));
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(f.content));
    written[f.kind] = file;
  }
  await vscode.window.showTextDocument(written.train!, { preview: true });
  const cost = result.estimatedTrainingCostUsd !== undefined ? `, ≈ $${result.estimatedTrainingCostUsd.toFixed(2)} to train` : '';
  const saved = result.tokensSavedPerCall ? `; drops ${result.tokensSavedPerCall} prompt tokens per call` : '';
  void vscode.window.showInformationMessage(
    `Prompt Ladder: exported ${result.counts.train} training and ${result.counts.validation} validation examples (${format})${cost}${saved}. ${finetuneModule().describeSources(result)}` +
      (result.warnings.length ? ` ${result.warnings[0]}` : ''),
  );
  return { format, train: written.train!, ...(written.validation ? { validation: written.validation } : {}), ...(written.config ? { config: written.config } : {}), counts: result.counts };
}
