// "Export Fine-Tuning Dataset" from the editor: the same formats and file names as `prompt-ladder finetune
// --format` (NAME.FORMAT.train.jsonl, NAME.FORMAT.validation.jsonl, NAME.local.axolotl.yml), written where a save
// dialog says (remembered per prompt file), with every warning shown. The advisor's buttons pass the format (and,
// to distil, the teacher and the student); without one the user picks it.

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
  /** Every warning of the export, as shown. */
  warnings: string[];
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
  const record = await runs.readRun(last.uri);
  if (!record) throw new RunBlockedError(`Cannot read the run ${last.uri.fsPath} (the output channel says why).`);
  const { exportFineTuneDataset } = finetuneModule();
  let result: FineTuneExport;
  try {
    result = exportFineTuneDataset(spec, record, { source: 'auto', ...options });
  } catch (err) {
    throw new RunBlockedError(`Prompt Ladder: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (result.counts.train === 0) throw new RunBlockedError(`No examples to export from ${path.basename(uri.fsPath)}: ${result.warnings.join(' ') || 'no passing outputs.'}`);
  return { result, spec };
}

/** What the export command needs: the runs, a place to remember where each prompt file's export went, the log. */
export interface ExportServices {
  runs: EditorRunController;
  /** Remembers, per prompt file, the training file chosen last (workspaceState). */
  state: vscode.Memento;
  log: vscode.LogOutputChannel;
  isTestMode: boolean;
  /** Stands in for the save dialog. Honoured only under a test runner (ExtensionMode.Test). */
  chooseFileForTests?: (suggested: vscode.Uri) => Promise<vscode.Uri | undefined>;
}

const REMEMBERED = 'promptLadder.fineTuneExport:';

/** Where the training file goes: the save dialog, suggesting the place chosen last for this prompt file. */
async function chooseTrainFile(s: ExportServices, promptUri: vscode.Uri, format: FormatName): Promise<vscode.Uri | undefined> {
  const { exportBaseOf, trainFileName } = fineTuneModule();
  const last = s.state.get<string>(REMEMBERED + promptUri.fsPath);
  const suggested = last
    ? vscode.Uri.file(path.join(path.dirname(last), trainFileName(exportBaseOf(path.basename(last), format), format)))
    : vscode.Uri.file(path.join(path.dirname(promptUri.fsPath), trainFileName(promptBaseName(promptUri.fsPath), format)));
  if (s.isTestMode && s.chooseFileForTests) return s.chooseFileForTests(suggested);
  return vscode.window.showSaveDialog({
    defaultUri: suggested,
    title: `Export Fine-Tuning Dataset (${format}): the training file; the validation file goes beside it`,
    saveLabel: 'Export',
    filters: { 'JSON Lines': ['jsonl'] },
  });
}

/** Every warning of the export: in the log, and in the message (one), or behind "Show All N Warnings" (more). */
function reportExport(s: ExportServices, result: FineTuneExport, format: FormatName, written: vscode.Uri[]): void {
  const cost = result.estimatedTrainingCostUsd !== undefined ? `, ≈ $${result.estimatedTrainingCostUsd.toFixed(2)} to train` : '';
  const saved = result.tokensSavedPerCall ? `; drops ${result.tokensSavedPerCall} prompt tokens per call` : '';
  const where = written.map((u) => vscode.workspace.asRelativePath(u)).join(', ');
  const summary = `Prompt Ladder: exported ${result.counts.train} training and ${result.counts.validation} validation examples (${format}) to ${where}${cost}${saved}. ${finetuneModule().describeSources(result)}`;
  for (const w of result.warnings) s.log.warn(`fine-tuning export: ${w}`);
  const n = result.warnings.length;
  if (n === 0) return void vscode.window.showInformationMessage(summary);
  if (n === 1) return void vscode.window.showWarningMessage(`${summary} ${result.warnings[0]}`);
  const showAll = `Show All ${n} Warnings`;
  void vscode.window.showWarningMessage(`${summary} ${n} warnings, first: ${result.warnings[0]}`, showAll).then((choice) => {
    if (choice === showAll) void vscode.window.showWarningMessage(`Fine-tuning export: ${n} warnings`, { modal: true, detail: result.warnings.map((w) => `• ${w}`).join('\n') });
  });
}

export async function exportFineTuneCommand(s: ExportServices, arg?: unknown, options?: unknown): Promise<ExportedFineTune | undefined> {
  const uri = await resolvePromptUri(arg);
  if (!uri) return undefined;
  const opts = options === undefined ? {} : advisorArgsModule().exportFineTuneArgs(options);
  if (!opts) throw new RunBlockedError(`Prompt Ladder: the export options ${JSON.stringify(options)} are not valid.`);
  const format = opts.format ?? (await pickFormat());
  if (!format) return undefined;
  const { result } = await fineTuneExportFor(s.runs, uri, { ...opts, format });
  const trainFile = await chooseTrainFile(s, uri, format);
  if (!trainFile) return undefined;
  await s.state.update(REMEMBERED + uri.fsPath, trainFile.fsPath);
  const base = fineTuneModule().exportBaseOf(path.basename(trainFile.fsPath), format);
  const written: Partial<Record<'train' | 'validation' | 'config', vscode.Uri>> = {};
  for (const f of fineTuneModule().exportFilesOf(result, base)) {
    const file = vscode.Uri.file(path.join(path.dirname(trainFile.fsPath), f.name));
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(f.content));
    written[f.kind] = file;
  }
  await vscode.window.showTextDocument(written.train!, { preview: true });
  reportExport(s, result, format, Object.values(written));
  return {
    format,
    train: written.train!,
    ...(written.validation ? { validation: written.validation } : {}),
    ...(written.config ? { config: written.config } : {}),
    counts: result.counts,
    warnings: result.warnings,
  };
}
