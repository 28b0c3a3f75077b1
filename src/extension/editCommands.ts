// Commands that write prompt files: few-shot variants (and the examples pool they need), a test case from the
// selection or from a result, a new prompt file from a template, the example to start from. Each rewrite of a
// document is one undoable edit (editing/replaceDocument.ts).

import * as path from 'node:path';
import * as vscode from 'vscode';
import { exampleColumn } from './walkthrough';
import { editsModule, templatesModule } from './lazy';
import type { PromptSpec } from '../core/prompt/spec';
import type { CaseResult, RunRecord } from '../core/runs/schema';
import { PROMPT_GLOB, resolvePromptUri, uriFromArg } from './promptFiles';
import { RunBlockedError, promptPathOf } from './runs/runController';
import { replaceDocument } from './editing/replaceDocument';
import type { CommandServices, CommandTable } from './commands';

export const EDIT_COMMAND_IDS = [
  'promptLadder.addFewShotVariants',
  'promptLadder.addTestCaseFromSelection',
  'promptLadder.addTestCaseFromResult',
  'promptLadder.newPromptFile',
  'promptLadder.openExample',
] as const;

/** A cell of a stored run, as the panel, hovers and CodeLens pass it. */
export interface CellArg {
  runUri: string;
  caseIndex: number;
  variant?: string;
}

export function isCellArg(a: unknown): a is CellArg {
  return !!a && typeof a === 'object' && typeof (a as CellArg).runUri === 'string' && typeof (a as CellArg).caseIndex === 'number';
}

/** Variables of the final user message template (what a case must provide). */
export function inputVariables(spec: PromptSpec, templateVariables: (t: string) => string[]): string[] {
  const users = spec.messages.filter((m) => m.role === 'user');
  const last = users[users.length - 1];
  return last ? templateVariables(last.content) : [];
}

export async function pickVariable(vars: string[], what: string): Promise<string | undefined> {
  if (vars.length === 1) return vars[0];
  if (vars.length === 0) return 'input';
  return (await vscode.window.showQuickPick(vars, { placeHolder: `Variable that receives ${what}` })) ?? undefined;
}

function resultsOf(record: RunRecord, caseIndex: number, variant?: string): CaseResult | undefined {
  const c = record.cases.find((x) => x.index === caseIndex);
  return c?.results.find((r) => !variant || r.variant === variant) ?? c?.results[0];
}

export function editCommandTable(s: CommandServices): CommandTable<(typeof EDIT_COMMAND_IDS)[number]> {
  return {
    'promptLadder.addFewShotVariants': (a) => addFewShotVariants(s, a),
    'promptLadder.addTestCaseFromSelection': (a) => addTestCaseFromSelection(s, a),
    'promptLadder.addTestCaseFromResult': (a) => addTestCaseFromResult(s, a),
    'promptLadder.newPromptFile': (a) => newPromptFile(s, a),
    'promptLadder.openExample': () => openExample(s),
  };
}

async function addFewShotVariants(s: CommandServices, arg?: unknown) {
  const { runs } = s;
  const uri = await resolvePromptUri(arg);
  if (!uri) return undefined;
  const doc = await vscode.workspace.openTextDocument(uri);
  const edits = editsModule();
  const prompty = uri.fsPath.endsWith('.prompty');
  let text = doc.getText();
  if (!edits.hasExamples(text, prompty)) {
    const last = await runs.lastRun(uri);
    const record = last && (await runs.readRun(last.uri));
    const passing = (record?.cases ?? []).filter((c) => c.results.length && c.results.every((r) => r.passed));
    if (passing.length === 0) {
      throw new RunBlockedError(
        `${path.basename(uri.fsPath)} has no \`examples\` pool and no passing cases to make one from: add \`examples\` (input/output pairs) or run the eval first.`,
      );
    }
    const choice = await vscode.window.showInformationMessage(
      `${path.basename(uri.fsPath)} has no \`examples\`. Create them from the ${Math.min(passing.length, 5)} passing case(s) of the last run?`,
      'Create Examples',
    );
    if (choice !== 'Create Examples') return undefined;
    const { spec } = await runs.loadSpec(uri);
    const vars = inputVariables(spec, edits.templateVariables);
    const examples = passing.slice(0, 5).map((c) => ({
      input: vars.length === 1 ? String(c.vars[vars[0]] ?? '') : Object.fromEntries(vars.map((v) => [v, c.vars[v]])),
      output: c.results[0].output,
    }));
    text = edits.addExamples(text, examples, { prompty });
  }
  const { text: next, added } = edits.addFewShotVariants(text, { prompty });
  if (next === doc.getText()) {
    void vscode.window.showInformationMessage(`${path.basename(uri.fsPath)} already has the 0/1/3/5-shot variants its examples allow.`);
    return [];
  }
  await replaceDocument(doc, next);
  await vscode.window.showTextDocument(doc);
  void vscode.window.showInformationMessage(
    added.length ? `Prompt Ladder: added variants ${added.join(', ')}.` : 'Prompt Ladder: added examples.',
  );
  return added;
}

async function addTestCase(s: CommandServices, uri: vscode.Uri, row: Record<string, unknown>) {
  const doc = await vscode.workspace.openTextDocument(uri);
  const { addTestCase: add } = editsModule();
  const next = add(doc.getText(), row, { prompty: uri.fsPath.endsWith('.prompty') });
  await replaceDocument(doc, next);
  const editor = await vscode.window.showTextDocument(doc);
  const last = new vscode.Position(Math.max(0, doc.lineCount - 2), 0);
  editor.revealRange(new vscode.Range(last, last));
  return next;
}

async function addTestCaseFromSelection(s: CommandServices, arg?: unknown) {
  const { runs } = s;
  const editor = vscode.window.activeTextEditor;
  const selected = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection).trim() : '';
  if (!selected) throw new RunBlockedError('Select the text to use as the new test case\'s input first.');
  const uri = await resolvePromptUri(arg);
  if (!uri) return undefined;
  const { spec } = await runs.loadSpec(uri);
  const { templateVariables } = editsModule();
  const variable = await pickVariable(inputVariables(spec, templateVariables), 'the selection');
  if (!variable) return undefined;
  return addTestCase(s, uri, { [variable]: selected });
}

async function addTestCaseFromResult(s: CommandServices, arg?: unknown) {
  const { runs } = s;
  if (!isCellArg(arg)) throw new RunBlockedError('Open a result in the panel or a hover and add it from there.');
  const runUri = vscode.Uri.parse(arg.runUri);
  const record = await runs.readRun(runUri);
  if (!record) throw new RunBlockedError(`Cannot read the run ${runUri.fsPath}.`);
  const c = record.cases.find((x) => x.index === arg.caseIndex);
  const result = resultsOf(record, arg.caseIndex, arg.variant);
  if (!c || !result) throw new RunBlockedError(`The run has no such case (it may come from an older run).`);
  const promptUri = vscode.Uri.file(promptPathOf({ uri: runUri, record }));
  return addTestCase(s, promptUri, { ...c.vars, expected: result.output });
}

async function newPromptFile(s: CommandServices, arg?: unknown) {
  const { PROMPT_TEMPLATES } = templatesModule();
  const requested = typeof arg === 'string' ? PROMPT_TEMPLATES.find((t) => t.id === arg) : undefined;
  const template =
    requested ??
    (await vscode.window.showQuickPick(
      PROMPT_TEMPLATES.map((t) => ({ label: t.label, detail: t.detail, template: t })),
      { placeHolder: 'Template for the new prompt file' },
    ))?.template;
  if (!template) return undefined;
  const folder = uriFromArg(arg) ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) {
    const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: template.text });
    await vscode.window.showTextDocument(doc);
    return doc.uri;
  }
  let target = vscode.Uri.joinPath(folder, template.fileName);
  for (let i = 2; await exists(target); i++) target = vscode.Uri.joinPath(folder, template.fileName.replace('.prompt.yml', `-${i}.prompt.yml`));
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(template.text));
  await vscode.window.showTextDocument(target);
  return target;
}

async function openExample(s: CommandServices) {
  const found = await vscode.workspace.findFiles('**/examples/**/*.{prompt.yml,prompt.yaml,prompty}', '**/node_modules/**', 20);
  const all = found.length ? found : await vscode.workspace.findFiles(PROMPT_GLOB, '**/node_modules/**', 20);
  const pick = all.sort((a, b) => a.fsPath.localeCompare(b.fsPath)).find((u) => /support-intent/.test(u.fsPath)) ?? all[0];
  if (pick) {
    await vscode.window.showTextDocument(pick, { viewColumn: exampleColumn() });
    return pick;
  }
  return newPromptFile(s, 'classifier');
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
