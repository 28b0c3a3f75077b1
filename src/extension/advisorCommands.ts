// Commands the advisor's recommendations point at (shown as buttons on the panel's advice card):
// add retrieval, export a fine-tuning dataset, add chain-of-thought / self-repair variants, add a test case.
// Each takes the prompt file's Uri (the panel passes it) or uses the active editor.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { advisorArgsModule, editsModule } from './lazy';
import { resolvePromptUri } from './promptFiles';
import { RunBlockedError, type EditorRunController } from './runs/runController';
import { exportFineTuneCommand, type ExportServices } from './fineTune/exportCommand';
import { replaceDocument } from './editing/replaceDocument';

export const ADVISOR_COMMAND_IDS = [
  'promptLadder.addRetrieval',
  'promptLadder.exportFineTune',
  'promptLadder.addChainOfThoughtVariant',
  'promptLadder.addSelfRepairVariant',
  'promptLadder.addTestCase',
  'promptLadder.addRetrievalVariant',
] as const;

/** `{ rerun: true }` (what the advisor's buttons pass): save the edit and re-run the eval at once. */
function wantsRerun(arg: unknown): boolean {
  return !!arg && typeof arg === 'object' && (arg as { rerun?: unknown }).rerun === true;
}

async function replaceAll(uri: vscode.Uri, next: (text: string, prompty: boolean) => string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(uri);
  let text: string;
  try {
    text = next(doc.getText(), uri.fsPath.endsWith('.prompty'));
  } catch (err) {
    throw new RunBlockedError(`Prompt Ladder: cannot edit ${path.basename(uri.fsPath)}: ${err instanceof Error ? err.message : String(err)}`);
  }
  await replaceDocument(doc, text);
  return vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
}

function revealLast(editor: vscode.TextEditor, pattern: RegExp): void {
  const lines = editor.document.getText().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    if (pattern.test(lines[i])) {
      const pos = new vscode.Position(i, lines[i].length);
      editor.selection = new vscode.Selection(pos, pos);
      editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      return;
    }
  }
}

export function advisorCommandTable(runs: EditorRunController, exports: ExportServices): Record<(typeof ADVISOR_COMMAND_IDS)[number], (...args: unknown[]) => unknown> {
  return {
    'promptLadder.addRetrieval': addRetrieval,
    'promptLadder.exportFineTune': (arg?: unknown, options?: unknown) => exportFineTuneCommand(exports, arg, options),
    'promptLadder.addChainOfThoughtVariant': variantAdder('chain-of-thought', { chainOfThought: true }),
    'promptLadder.addSelfRepairVariant': variantAdder('self-repair', { selfRepair: 2 }),
    'promptLadder.addTestCase': (arg?: unknown) => addTestCase(runs, arg),
    'promptLadder.addRetrievalVariant': (arg?: unknown, options?: unknown) => addRetrievalVariant(runs, arg, options),
  };
}

async function addRetrieval(arg?: unknown): Promise<vscode.Uri | undefined> {
  const uri = await resolvePromptUri(arg);
  if (!uri) return undefined;
  const edits = editsModule();
  const editor = await replaceAll(uri, (text, prompty) => edits.addRetrievalScaffold(text, { prompty }));
  revealLast(editor, /^retrieval:/);
  await editor.document.save();
  // With documents in place, re-run at once so the `rag` variant appears beside the others.
  const folder = vscode.Uri.joinPath(uri, '..');
  const docs = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, 'docs/**/*.md'), undefined, 1);
  if (docs.length > 0) {
    void vscode.window.showInformationMessage('Prompt Ladder: added a `retrieval` block over ./docs and a `rag` variant; running the eval to compare.');
    void vscode.commands.executeCommand('promptLadder.runEval', uri);
    return uri;
  }
  const create = 'Create docs Folder';
  const run = 'Run Eval';
  void vscode.window
    .showInformationMessage(
      'Prompt Ladder: added a `retrieval` block (documents ./docs/**/*.md) and a `rag` variant. Put your Markdown documents in ./docs, then run the eval to compare.',
      create,
      run,
    )
    .then(async (choice) => {
      if (choice === create) {
        const dir = vscode.Uri.joinPath(folder, 'docs');
        await vscode.workspace.fs.createDirectory(dir);
        await vscode.commands.executeCommand('revealInExplorer', dir);
      } else if (choice === run) {
        await vscode.commands.executeCommand('promptLadder.runEval', uri);
      }
    });
  return uri;
}

// The engine's own variant kinds: chain of thought (final-answer extraction) and self-repair (checks fed back).
function variantAdder(name: string, fields: Record<string, unknown>) {
  return async (arg?: unknown, options?: unknown): Promise<string | undefined> => {
    const uri = await resolvePromptUri(arg);
    if (!uri) return undefined;
    const edits = editsModule();
    const editor = await replaceAll(uri, (text, prompty) => edits.addVariant(text, { name, ...fields }, { prompty }));
    revealLast(editor, new RegExp(`name: ${name}`));
    if (wantsRerun(options)) {
      await editor.document.save();
      void vscode.window.showInformationMessage(`Prompt Ladder: added the variant "${name}"; running the eval to compare it with the others.`);
      void vscode.commands.executeCommand('promptLadder.runEval', uri);
      return name;
    }
    void vscode.window.showInformationMessage(`Prompt Ladder: added the variant "${name}". Run the eval to compare it with the others.`);
    return name;
  };
}

// Retrieval variants the advisor proposes (chunk sizes, reranking, HyDE, query expansion, topK): each copies a
// base variant (its shots, model, system text) with `retrieval` overrides; saved, then the eval re-runs.
async function addRetrievalVariant(runs: EditorRunController, arg?: unknown, options?: unknown): Promise<string[] | undefined> {
  const uri = await resolvePromptUri(arg);
  if (!uri) return undefined;
  const parsed = advisorArgsModule().retrievalVariantArgs(options);
  if (!parsed) throw new RunBlockedError('Prompt Ladder: Add Retrieval Variant needs the variants to add (it is run from the advisor card).');
  const { spec } = await runs.loadSpec(uri);
  if (!spec.retrieval) throw new RunBlockedError(`${path.basename(uri.fsPath)} has no \`retrieval\` section yet: use Add Retrieval (RAG) Variant first.`);
  const base = spec.variants.find((v) => v.name === parsed.base) ?? spec.variants.find((v) => v.retrieval);
  const copied: Record<string, unknown> = {};
  if (base) for (const k of ['shots', 'select', 'seed', 'model', 'modelParameters', 'system', 'systemSuffix'] as const) if (base[k] !== undefined) copied[k] = base[k];
  const baseOverride = base && typeof base.retrieval === 'object' ? base.retrieval : {};
  const taken = new Set(spec.variants.map((v) => v.name));
  const added: string[] = [];
  const edits = editsModule();
  const editor = await replaceAll(uri, (text, prompty) => {
    let next = text;
    for (const v of parsed.variants) {
      if (taken.has(v.name)) continue;
      next = edits.addVariant(next, { name: v.name, ...copied, retrieval: { ...baseOverride, ...v.retrieval } }, { prompty });
      taken.add(v.name);
      added.push(v.name);
    }
    return next;
  });
  if (!added.length) {
    void vscode.window.showInformationMessage(`Prompt Ladder: ${parsed.variants.map((v) => `"${v.name}"`).join(', ')} ${parsed.variants.length === 1 ? 'is' : 'are'} already in the file.`);
    return [];
  }
  revealLast(editor, new RegExp(`name: ${added[added.length - 1]}`));
  await editor.document.save();
  void vscode.window.showInformationMessage(`Prompt Ladder: added ${added.map((n) => `"${n}"`).join(', ')}; running the eval to compare.`);
  void vscode.commands.executeCommand('promptLadder.runEval', uri);
  return added;
}

async function addTestCase(runs: EditorRunController, arg?: unknown): Promise<vscode.Uri | undefined> {
  const uri = await resolvePromptUri(arg);
  if (!uri) return undefined;
  const { spec } = await runs.loadSpec(uri);
  const edits = editsModule();
  const users = spec.messages.filter((m) => m.role === 'user');
  const vars = users.length ? edits.templateVariables(users[users.length - 1].content) : [];
  const row: Record<string, unknown> = Object.fromEntries((vars.length ? vars : ['input']).map((v) => [v, '']));
  row.expected = '';
  const editor = await replaceAll(uri, (text, prompty) => edits.addTestCase(text, row, { prompty }));
  revealLast(editor, /^\s+- \w+:/);
  return uri;
}
