// "Generate Test Cases…": effort and options, a modal with the estimated calls, tokens and cost, the generation
// (src/core/generate) with progress and Cancel, then the new cases as a WorkspaceEdit marked needsConfirmation, so
// VS Code's refactor preview shows them for review before anything changes, and Undo takes them back. Nothing is
// saved by the command: the edited documents stay dirty until the user saves.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { generateModule } from '../lazy';
import { resolvePromptUri } from '../promptFiles';
import { RunBlockedError, type EditorRunController } from '../runs/runController';
import type { ProviderResolver } from '../../core/providers/provider';
import type { Effort, GenerateResult, GenerationEstimate } from '../../core/generate/generate';
import type { TextInsertion } from '../../core/generate/target';

export const GENERATE_COMMAND_IDS = ['promptLadder.generateTestCases'] as const;

/** Options a caller (or a test) may pass instead of answering the pickers. */
export interface GenerateCommandOptions {
  effort?: Effort;
  count?: number;
  groundtruth?: boolean;
  evaluator?: boolean;
  /** Stands in for the cost confirmation (a test cannot answer the modal). Honoured only under a test runner. */
  confirm?: (estimate: GenerationEstimate) => Promise<boolean>;
}

export interface GenerateServices {
  runs: EditorRunController;
  log: vscode.LogOutputChannel;
  createResolver(): Promise<ProviderResolver>;
  maxConcurrency(): number;
  isTestMode: boolean;
}

const EFFORT_ITEMS: (vscode.QuickPickItem & { effort: Effort })[] = [
  { label: 'Low effort', description: 'up to 5 rules, one input each, plus 2 happy paths and 2 edge cases', effort: 'low' },
  { label: 'Medium effort', description: 'up to 8 rules and their inverses, plus 3 happy paths and 3 edge cases', effort: 'medium' },
  { label: 'High effort', description: 'up to 15 rules and their inverses, two inputs each, plus 4 + 4', effort: 'high' },
];

function estimateDetail(e: GenerationEstimate): string {
  const tokens = (e.tokens.prompt + e.tokens.completion).toLocaleString('en-US');
  const cost = e.costUsd !== undefined ? ` (≈ $${e.costUsd.toFixed(e.costUsd < 0.01 ? 4 : 2)})` : '';
  const into = `${vscode.workspace.asRelativePath(e.target.file)}${e.target.format === 'inline' ? ' (inline testData)' : e.target.exists ? '' : ' (new file)'}`;
  return [
    `Model: ${e.model}${e.groundtruthModel ? `; expected outputs from ${e.groundtruthModel}` : ''}.`,
    `Up to ${e.calls} calls, ≈ ${tokens} tokens${cost}.`,
    `New cases go to ${into}; you review them before anything is saved.`,
    ...e.warnings,
  ].join('\n');
}

/** The text a file holds now: the open document (saved or not), else the disk. */
async function currentText(file: string): Promise<string | undefined> {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
  if (doc) return doc.getText();
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(file)));
  } catch {
    return undefined;
  }
}

/** The generation's insertions as one WorkspaceEdit whose entries need confirmation (the refactor preview). */
export function previewEdit(result: Pick<GenerateResult, 'edits' | 'rows' | 'rules'>, evaluatorName: string): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  const casesLabel: vscode.WorkspaceEditEntryMetadata = {
    needsConfirmation: true,
    label: `Add ${result.rows.length} generated test case${result.rows.length === 1 ? '' : 's'}`,
    description: `probing ${result.rules.length} rule${result.rules.length === 1 ? '' : 's'}`,
  };
  const evaluatorLabel: vscode.WorkspaceEditEntryMetadata = {
    needsConfirmation: true,
    label: `Add the "${evaluatorName}" llm evaluator`,
    description: 'judges replies against the extracted rules',
  };
  result.edits.forEach((e: TextInsertion, i) => {
    const meta = i === 0 ? casesLabel : evaluatorLabel;
    const uri = vscode.Uri.file(e.file);
    if (e.create) edit.createFile(uri, { contents: new TextEncoder().encode(e.text), ignoreIfExists: false }, meta);
    else edit.insert(uri, new vscode.Position(e.line, e.character), e.text, meta);
  });
  return edit;
}

export function generateCommandTable(s: GenerateServices): Record<(typeof GENERATE_COMMAND_IDS)[number], (...args: unknown[]) => unknown> {
  return { 'promptLadder.generateTestCases': (arg?: unknown, options?: unknown) => generateTestCases(s, arg, options) };
}

type GenerateBase = Parameters<ReturnType<typeof generateModule>['estimateGeneration']>[1];

/** The command: options, the cost confirmation, the generation, then the cases as a preview edit. */
async function generateTestCases(s: GenerateServices, arg?: unknown, options?: unknown): Promise<GenerateResult | undefined> {
  const given = options && typeof options === 'object' ? (options as GenerateCommandOptions) : undefined;
  const uri = await resolvePromptUri(arg);
  if (!uri) return undefined;
  const name = path.basename(uri.fsPath);
  const { spec, text } = await s.runs.loadSpec(uri);
  const choices = await askOptions(name, given);
  if (!choices) return undefined;

  const gen = generateModule();
  const providers = await s.createResolver();
  const model = spec.model ?? providers.defaultModel;
  const base: GenerateBase = {
    providers,
    promptText: text,
    effort: choices.effort,
    evaluator: choices.evaluator,
    ...(given?.count ? { count: given.count } : {}),
    ...(choices.groundtruth && model ? { groundtruthModel: model } : {}),
    ...(s.maxConcurrency() > 0 ? { concurrency: s.maxConcurrency() } : {}),
  };
  let estimate: GenerationEstimate;
  try {
    estimate = await gen.estimateGeneration(spec, base);
  } catch (err) {
    throw asBlocked(err, name, gen);
  }
  const ok =
    s.isTestMode && given?.confirm
      ? await given.confirm(estimate)
      : (await vscode.window.showInformationMessage(`Generate test cases for ${name}?`, { modal: true, detail: estimateDetail(estimate) }, 'Generate')) === 'Generate';
  if (!ok) return undefined;

  const result = await generateWithProgress(spec, base, name);
  if (!result) return undefined;
  await refuseIfChanged(result);
  for (const w of result.warnings) s.log.warn(`generate ${name}: ${w}`);
  return (await applyAsPreview(result, gen.EVALUATOR_NAME)) ? result : undefined;
}

/** Effort and extras from the pickers, or from the caller's options. */
async function askOptions(name: string, given: GenerateCommandOptions | undefined): Promise<{ effort: Effort; groundtruth: boolean; evaluator: boolean } | undefined> {
  let effort = given?.effort;
  if (!effort) {
    const pick = await vscode.window.showQuickPick(EFFORT_ITEMS, { title: `Generate Test Cases for ${name}`, placeHolder: 'How thoroughly to probe the prompt’s rules' });
    if (!pick) return undefined;
    effort = pick.effort;
  }
  if (given) return { effort, groundtruth: Boolean(given.groundtruth), evaluator: Boolean(given.evaluator) };
  const extras = await vscode.window.showQuickPick(
    [
      { label: 'Fill expected outputs', description: 'the prompt’s own model answers each new case (groundtruth)', id: 'groundtruth' },
      { label: 'Propose a rules-compliance evaluator', description: 'an llm evaluator that checks replies against the extracted rules', id: 'evaluator' },
    ],
    { title: `Generate Test Cases for ${name}: options`, placeHolder: 'Optional extras (Enter for none)', canPickMany: true },
  );
  if (!extras) return undefined;
  return { effort, groundtruth: extras.some((x) => x.id === 'groundtruth'), evaluator: extras.some((x) => x.id === 'evaluator') };
}

/** The generation under a cancellable progress notification; undefined when cancelled. */
async function generateWithProgress(spec: Parameters<ReturnType<typeof generateModule>['generateCases']>[0], base: GenerateBase, name: string): Promise<GenerateResult | undefined> {
  const gen = generateModule();
  const abort = new AbortController();
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Prompt Ladder: generating test cases for ${name}`, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => abort.abort());
        let last = 0;
        return gen.generateCases(spec, {
          ...base,
          signal: abort.signal,
          onProgress: (p) => {
            const pct = Math.min(95, Math.round((p.calls / Math.max(1, p.estimatedCalls)) * 100));
            progress.report({ message: p.message, increment: pct - last });
            last = pct;
          },
        });
      },
    );
  } catch (err) {
    if (abort.signal.aborted) {
      void vscode.window.showInformationMessage(`Prompt Ladder: generation cancelled; ${name} and its eval set are unchanged.`);
      return undefined;
    }
    throw asBlocked(err, name, gen);
  }
}

/** The insertions were made against the texts read at the start: refuse if a file changed since. */
async function refuseIfChanged(result: GenerateResult): Promise<void> {
  for (const [file, source] of Object.entries(result.sources)) {
    if (!result.edits.some((e) => e.file === file)) continue;
    const now = await currentText(file);
    const creating = result.edits.some((e) => e.file === file && e.create);
    if (creating ? now !== undefined : now !== source) {
      throw new RunBlockedError(`Prompt Ladder: ${path.basename(file)} changed while the cases were generated; nothing was changed. Run Generate Test Cases again.`);
    }
  }
}

/** Applies the cases through the refactor preview and shows where they landed; false when nothing was applied. */
async function applyAsPreview(result: GenerateResult, evaluatorName: string): Promise<boolean> {
  // The file is shown first, so the edit lands in the document the user sees (unsaved until they save) and Undo works there.
  const target = vscode.Uri.file(result.target.file);
  const fileName = path.basename(result.target.file);
  const n = result.rows.length;
  if (!result.edits[0].create) await vscode.window.showTextDocument(target, { preview: false });
  void vscode.window.showInformationMessage(`Prompt Ladder: ${n} generated test case${n === 1 ? '' : 's'} for ${fileName} are in the Refactor Preview: tick what to keep, then Apply.`);
  if (!(await vscode.workspace.applyEdit(previewEdit(result, evaluatorName)))) {
    void vscode.window.showInformationMessage(`Prompt Ladder: no test cases added to ${fileName}.`);
    return false;
  }
  const doc = await vscode.workspace.openTextDocument(target);
  const first = result.edits[0];
  const line = Math.min(doc.lineCount - 1, first.create ? 0 : first.line + (first.text.startsWith('\n') || first.text.startsWith('\r\n') ? 1 : 0));
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  editor.revealRange(new vscode.Range(line, 0, line, 0), vscode.TextEditorRevealType.AtTop);
  editor.selection = new vscode.Selection(line, 0, line, 0);
  const d = result.dropped;
  const dropped = d.duplicates + d.invalid ? ` (${d.duplicates} duplicate${d.duplicates === 1 ? '' : 's'} and ${d.invalid} invalid input${d.invalid === 1 ? '' : 's'} dropped)` : '';
  void vscode.window.showInformationMessage(`Prompt Ladder: added ${n} generated test case${n === 1 ? '' : 's'} to ${fileName}${dropped}. Review, then save (Undo removes them).`);
  return true;
}

/** Generation failures as the one-line messages the command shows. */
function asBlocked(err: unknown, name: string, gen: ReturnType<typeof generateModule>): unknown {
  if (err instanceof gen.GenerationError) {
    const actions = err.kind === 'usage' && /model/i.test(err.message) ? [{ title: 'Select Provider/Model', command: 'promptLadder.selectModel' }] : [];
    return new RunBlockedError(`Prompt Ladder: generating test cases for ${name}: ${err.message}`, actions);
  }
  return err;
}
