// Command registrations (category "Prompt Ladder"). Commands that need a prompt file take a Uri (explorer,
// CodeLens, tree) or use the active editor, else offer a pick. User-caused errors become messages, never stacks.

import { isComplete, statusText } from '../core/runs/completeness';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { cacheModule, editsModule, engineModule, resolverModule, storeModule, templatesModule } from './lazy';
import type { SourceProblem } from '../core/errors';
import type { PromptSpec } from '../core/prompt/spec';
import type { ProviderResolver } from '../core/providers/provider';
import type { CaseResult, RunRecord } from '../core/runs/schema';
import type { ProblemDiagnostics } from './editor/diagnostics';
import type { ResultsIndex } from './editor/resultsIndex';
import type { RunsTreeNode, RunsTreeProvider } from './history/runsTree';
import type { PanelBridge } from './panelBridge';
import { PROMPT_GLOB, isPromptFile, resolvePromptUri, runRootFor, uriFromArg } from './promptFiles';
import { projectRoot } from '../core/paths';
import { ADVISOR_COMMAND_IDS, advisorCommandTable } from './advisorCommands';
import { GENERATE_COMMAND_IDS, generateCommandTable } from './generate/generateTestCases';
import { FINE_TUNE_COMMAND_IDS, fineTuneCommandTable, type FineTuneServices } from './fineTune/fineTuneCommands';
import { availableLanguageModels } from './providers/languageModelProvider';
import { RunBlockedError, promptPathOf, type EditorRunController } from './runs/runController';
import type { PendingBatchRun, StartRunOptions, StoredRun } from './runs/types';
import type { ApiKeys } from './secrets';
import { SECTION, readSettings } from './settings';
import { relativeTime, passRatesText } from './editor/resultText';
import { runLabel } from './history/runsTree';
import { PROMPT_FILE_COMMAND_IDS, stopTreatingAsPromptFile, treatAsPromptFile } from './promptFileCommands';

export interface CommandServices {
  context: vscode.ExtensionContext;
  runs: EditorRunController;
  index: ResultsIndex;
  keys: ApiKeys;
  panels: PanelBridge;
  problems: ProblemDiagnostics;
  tree: RunsTreeProvider;
  treeView: vscode.TreeView<RunsTreeNode>;
  log: vscode.LogOutputChannel;
  onSettingsChanged(): void;
  createResolver(): Promise<ProviderResolver>;
  fineTune: FineTuneServices;
}

export const COMMAND_IDS = [
  'promptLadder.runEval',
  'promptLadder.runEvalBatch',
  'promptLadder.runCaseAtCursor',
  'promptLadder.runOnSelection',
  'promptLadder.openPanel',
  'promptLadder.addFewShotVariants',
  'promptLadder.addTestCaseFromSelection',
  'promptLadder.addTestCaseFromResult',
  'promptLadder.compareWithPrevious',
  'promptLadder.setApiKey',
  'promptLadder.selectModel',
  'promptLadder.newPromptFile',
  'promptLadder.openExample',
  'promptLadder.clearCache',
  'promptLadder.cancelRun',
  'promptLadder.openCell',
  'promptLadder.history.refresh',
  'promptLadder.history.openRun',
  'promptLadder.history.compareRuns',
  'promptLadder.history.deleteRun',
  'promptLadder.history.revealRunFile',
  'promptLadder.history.resumeBatch',
  'promptLadder.history.cancelBatch',
  ...ADVISOR_COMMAND_IDS,
  ...FINE_TUNE_COMMAND_IDS,
  ...GENERATE_COMMAND_IDS,
  ...PROMPT_FILE_COMMAND_IDS,
] as const;

interface CellArg {
  runUri: string;
  caseIndex: number;
  variant?: string;
}

function isCellArg(a: unknown): a is CellArg {
  return !!a && typeof a === 'object' && typeof (a as CellArg).runUri === 'string' && typeof (a as CellArg).caseIndex === 'number';
}

/** Shows a user-caused problem as a message (with fixing buttons); anything else is logged and summarised. */
export function showFailure(err: unknown, log: vscode.LogOutputChannel): void {
  if (err instanceof RunBlockedError) {
    log.warn(err.message);
    void vscode.window.showErrorMessage(err.message, ...err.actions.map((a) => a.title)).then((choice) => {
      const action = err.actions.find((a) => a.title === choice);
      if (action) void vscode.commands.executeCommand(action.command, ...(action.args ?? []));
    });
    return;
  }
  const problems = (err as { problems?: SourceProblem[] }).problems;
  if (Array.isArray(problems) && problems.length) {
    const first = problems[0];
    const where = `${vscode.workspace.asRelativePath(first.file)}:${first.line}:${first.col}`;
    const more = problems.length > 1 ? ` (+${problems.length - 1} more in the Problems panel)` : '';
    const message = `Prompt Ladder: ${where}: ${first.message}${more}`;
    log.warn(message);
    void vscode.window.showErrorMessage(message, 'Go to Problem', 'Show Problems').then(async (choice) => {
      if (choice === 'Go to Problem') {
        const pos = new vscode.Position(Math.max(0, first.line - 1), Math.max(0, first.col - 1));
        await vscode.window.showTextDocument(vscode.Uri.file(first.file), { selection: new vscode.Range(pos, pos) });
      } else if (choice === 'Show Problems') {
        await vscode.commands.executeCommand('workbench.actions.view.problems');
      }
    });
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  log.error(err instanceof Error ? (err.stack ?? message) : message);
  void vscode.window.showErrorMessage(`Prompt Ladder: ${message}`);
}

function applyFullEdit(doc: vscode.TextDocument, text: string): Thenable<boolean> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), text);
  return vscode.workspace.applyEdit(edit);
}

/** Variables of the final user message template (what a case must provide). */
function inputVariables(spec: PromptSpec, templateVariables: (t: string) => string[]): string[] {
  const users = spec.messages.filter((m) => m.role === 'user');
  const last = users[users.length - 1];
  return last ? templateVariables(last.content) : [];
}

async function pickVariable(vars: string[], what: string): Promise<string | undefined> {
  if (vars.length === 1) return vars[0];
  if (vars.length === 0) return 'input';
  return (await vscode.window.showQuickPick(vars, { placeHolder: `Variable that receives ${what}` })) ?? undefined;
}

function resultsOf(record: RunRecord, caseIndex: number, variant?: string): CaseResult | undefined {
  const c = record.cases.find((x) => x.index === caseIndex);
  return c?.results.find((r) => !variant || r.variant === variant) ?? c?.results[0];
}

export function registerCommands(s: CommandServices): vscode.Disposable[] {
  const { runs, panels, log } = s;
  const wrap =
    (fn: (...args: unknown[]) => unknown) =>
    async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        showFailure(err, log);
        return undefined;
      }
    };

  const runEval = async (arg?: unknown, opts?: StartRunOptions) => {
    const uri = await resolvePromptUri(arg);
    if (!uri) return undefined;
    void panels.show(uri, { preserveFocus: true }).catch((e) => log.warn(`panel: ${String(e)}`));
    return runs.start(uri, opts);
  };

  const runCaseAtCursor = async (arg?: unknown) => {
    if (arg && typeof arg === 'object' && typeof (arg as { caseIndex?: unknown }).caseIndex === 'number') {
      const a = arg as { promptUri: vscode.Uri | string; caseIndex: number };
      const uri = uriFromArg(a.promptUri);
      if (uri) return runEval(uri, { caseIndexes: [a.caseIndex] });
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
      return runEval(doc.uri, { caseIndexes: [here.index] });
    }
    if (known) return runEval(vscode.Uri.file(known.promptPath), { caseIndexes: [known.case.index] });
    throw new RunBlockedError('No test case at the cursor: run the whole eval once so Prompt Ladder knows which prompt uses this file.');
  };

  const runOnSelection = async (arg?: unknown) => {
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
  };

  const addFewShotVariants = async (arg?: unknown) => {
    const uri = await resolvePromptUri(arg);
    if (!uri) return undefined;
    const doc = await vscode.workspace.openTextDocument(uri);
    const edits = editsModule();
    const prompty = uri.fsPath.endsWith('.prompty');
    let text = doc.getText();
    if (!edits.hasExamples(text, prompty)) {
      const last = await runs.lastRun(uri);
      const passing = (last?.record.cases ?? []).filter((c) => c.results.length && c.results.every((r) => r.passed));
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
    await applyFullEdit(doc, next);
    await vscode.window.showTextDocument(doc);
    void vscode.window.showInformationMessage(
      added.length ? `Prompt Ladder: added variants ${added.join(', ')}.` : 'Prompt Ladder: added examples.',
    );
    return added;
  };

  const addTestCase = async (uri: vscode.Uri, row: Record<string, unknown>) => {
    const doc = await vscode.workspace.openTextDocument(uri);
    const { addTestCase: add } = editsModule();
    const next = add(doc.getText(), row, { prompty: uri.fsPath.endsWith('.prompty') });
    await applyFullEdit(doc, next);
    const editor = await vscode.window.showTextDocument(doc);
    const last = new vscode.Position(Math.max(0, doc.lineCount - 2), 0);
    editor.revealRange(new vscode.Range(last, last));
    return next;
  };

  const addTestCaseFromSelection = async (arg?: unknown) => {
    const editor = vscode.window.activeTextEditor;
    const selected = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection).trim() : '';
    if (!selected) throw new RunBlockedError('Select the text to use as the new test case\'s input first.');
    const uri = await resolvePromptUri(arg);
    if (!uri) return undefined;
    const { spec } = await runs.loadSpec(uri);
    const { templateVariables } = editsModule();
    const variable = await pickVariable(inputVariables(spec, templateVariables), 'the selection');
    if (!variable) return undefined;
    return addTestCase(uri, { [variable]: selected });
  };

  const addTestCaseFromResult = async (arg?: unknown) => {
    if (!isCellArg(arg)) throw new RunBlockedError('Open a result in the panel or a hover and add it from there.');
    const runUri = vscode.Uri.parse(arg.runUri);
    const record = await runs.readRun(runUri);
    if (!record) throw new RunBlockedError(`Cannot read the run ${runUri.fsPath}.`);
    const c = record.cases.find((x) => x.index === arg.caseIndex);
    const result = resultsOf(record, arg.caseIndex, arg.variant);
    if (!c || !result) throw new RunBlockedError(`The run has no such case (it may come from an older run).`);
    const promptUri = vscode.Uri.file(promptPathOf({ uri: runUri, record }));
    return addTestCase(promptUri, { ...c.vars, expected: result.output });
  };

  const pickRun = async (list: StoredRun[], placeHolder: string) =>
    (
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

  const compareWithPrevious = async (arg?: unknown) => {
    const uri = await resolvePromptUri(arg);
    if (!uri) return undefined;
    const list = (await runs.listRuns(uri)).filter((r) => r.record.status !== 'running');
    if (list.length < 2) {
      void vscode.window.showInformationMessage(`Prompt Ladder: ${path.basename(uri.fsPath)} needs two runs to compare (it has ${list.length}).`);
      return undefined;
    }
    const [head, ...older] = list;
    const base = older.length === 1 ? older[0] : await pickRun(older, `Compare the run of ${relativeTime(head.record.startedAt)} with…`);
    if (!base) return undefined;
    await panels.compare(uri, head.uri, base.uri);
    return { head: head.uri, base: base.uri };
  };

  const setApiKey = async (arg?: unknown) => {
    const settings = readSettings();
    const { keyedProviderNames } = resolverModule();
    const names = [...new Set(keyedProviderNames(settings))];
    const provider =
      typeof arg === 'string' && names.includes(arg)
        ? arg
        : (
            await vscode.window.showQuickPick(
              names.map((n) => {
                const p = settings.providers.find((x) => x.name === n);
                return { label: n, description: p ? `profile (${p.kind}${p.baseURL ? `, ${p.baseURL}` : ''})` : 'built-in' };
              }),
              { placeHolder: 'Which provider is the key for?' },
            )
          )?.label;
    if (!provider) return undefined;
    const key = await vscode.window.showInputBox({
      prompt: `API key for ${provider} (stored in the editor's secret storage, never in files). Leave empty to remove it.`,
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) return undefined;
    if (key.trim()) await s.keys.set(provider, key.trim());
    else await s.keys.delete(provider);
    void vscode.window.showInformationMessage(key.trim() ? `Prompt Ladder: saved the API key for ${provider}.` : `Prompt Ladder: removed the API key for ${provider}.`);
    return provider;
  };

  const selectModel = async () => {
    const settings = readSettings();
    
    type Item = vscode.QuickPickItem & { ref?: string; custom?: boolean };
    const items: Item[] = [];
    const lm = await availableLanguageModels();
    if (lm.length) {
      items.push({ label: 'VS Code language models (no key needed)', kind: vscode.QuickPickItemKind.Separator });
      for (const m of lm) items.push({ label: m.ref, description: `${m.name} · ${m.vendor}`, ref: m.ref });
    }
    if (settings.providers.length) {
      items.push({ label: 'Your profiles', kind: vscode.QuickPickItemKind.Separator });
      for (const p of settings.providers) items.push({ label: `${p.name}/gpt-4o-mini`, description: p.label ?? `${p.kind} profile`, ref: `${p.name}/gpt-4o-mini` });
    }
    items.push({ label: 'Built-in providers', kind: vscode.QuickPickItemKind.Separator });
    for (const ref of ['openai/gpt-4o-mini', 'openai/gpt-4o', 'github/gpt-4o-mini', 'ollama/llama3.2']) items.push({ label: ref, ref });
    items.push({ label: 'Enter a model…', description: 'provider/name, e.g. azure/my-deployment', custom: true });
    const current = settings.defaultModel;
    const picked = await vscode.window.showQuickPick(items, { placeHolder: `Default model${current ? ` (now ${current})` : ''}` });
    if (!picked) return undefined;
    let ref = picked.ref;
    if (picked.custom || (ref && settings.providers.some((p) => ref!.startsWith(`${p.name}/`)))) {
      ref = await vscode.window.showInputBox({ prompt: 'Model as provider/name', value: ref ?? current ?? '', ignoreFocusOut: true });
    }
    if (!ref) return undefined;
    await vscode.workspace.getConfiguration(SECTION).update('defaultModel', ref, vscode.ConfigurationTarget.Global);
    s.onSettingsChanged();
    return ref;
  };

  const newPromptFile = async (arg?: unknown) => {
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
  };

  const openExample = async () => {
    const found = await vscode.workspace.findFiles('**/examples/**/*.{prompt.yml,prompt.yaml,prompty}', '**/node_modules/**', 20);
    const all = found.length ? found : await vscode.workspace.findFiles(PROMPT_GLOB, '**/node_modules/**', 20);
    const pick = all.sort((a, b) => a.fsPath.localeCompare(b.fsPath)).find((u) => /support-intent/.test(u.fsPath)) ?? all[0];
    if (pick) {
      await vscode.window.showTextDocument(pick);
      return pick;
    }
    return newPromptFile('classifier');
  };

  const clearCache = async () => {
    const { cacheDir } = storeModule();
    const { ResponseCache } = cacheModule();
    let removed = 0;
    // The cache lives beside the runs: in each folder's project (and, from before, in the folder itself).
    const roots = new Set((vscode.workspace.workspaceFolders ?? []).flatMap((f) => [f.uri.fsPath, projectRoot(f.uri.fsPath)]));
    for (const root of roots) removed += await new ResponseCache(cacheDir(root)).clear();
    void vscode.window.showInformationMessage(`Prompt Ladder: cleared the response cache (${removed} entr${removed === 1 ? 'y' : 'ies'}).`);
    return removed;
  };

  const cancelRun = (arg?: unknown) => {
    const uri = uriFromArg(arg) ?? vscode.window.activeTextEditor?.document.uri;
    if (uri && runs.isRunning(uri)) runs.cancel(uri);
    else runs.cancelAll();
  };

  const openCell = async (arg?: unknown) => {
    if (!isCellArg(arg)) return;
    await panels.showCell(vscode.Uri.parse(arg.runUri), arg.caseIndex, arg.variant);
  };

  const runOf = (node: unknown): StoredRun | undefined =>
    node && typeof node === 'object' && (node as RunsTreeNode).kind === 'run' ? (node as { run: StoredRun }).run : undefined;

  const selectedRuns = (node: unknown, nodes: unknown): StoredRun[] => {
    const list = Array.isArray(nodes) && nodes.length ? nodes : s.treeView.selection.length ? s.treeView.selection : [node];
    const out = list.map(runOf).filter((r): r is StoredRun => !!r);
    const clicked = runOf(node);
    if (clicked && !out.some((r) => r.uri.toString() === clicked.uri.toString())) out.unshift(clicked);
    return out;
  };

  const openRun = async (node?: unknown) => {
    const run = runOf(node);
    if (!run) return;
    await panels.show(vscode.Uri.file(promptPathOf(run)), { runUri: run.uri });
  };

  const compareRuns = async (node?: unknown, nodes?: unknown) => {
    const chosen = selectedRuns(node, nodes);
    if (chosen.length === 0) return undefined;
    let [a, b] = chosen;
    const promptPath = promptPathOf(a);
    if (!b) {
      const others = (await runs.listRuns(vscode.Uri.file(promptPath))).filter((r) => r.uri.toString() !== a.uri.toString() && r.record.status !== 'running');
      if (others.length === 0) {
        void vscode.window.showInformationMessage('Prompt Ladder: this prompt file has no other run to compare with.');
        return undefined;
      }
      b = (await pickRun(others, 'Compare with…'))!;
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
  };

  const deleteRun = async (node?: unknown, nodes?: unknown) => {
    const chosen = selectedRuns(node, nodes);
    if (chosen.length === 0) return;
    const what = chosen.length === 1 ? `the run of ${runLabel(chosen[0].record)}` : `${chosen.length} runs`;
    const ok = await vscode.window.showWarningMessage(`Delete ${what}? The run file is removed from disk.`, { modal: true }, 'Delete');
    if (ok !== 'Delete') return;
    for (const r of chosen) await runs.deleteRun(r.uri);
  };

  const pendingOf = (node: unknown): PendingBatchRun | undefined =>
    node && typeof node === 'object' && (node as RunsTreeNode).kind === 'batch' ? (node as { pending: PendingBatchRun }).pending : undefined;

  const resumeBatch = async (node?: unknown) => {
    const pending = pendingOf(node);
    if (!pending) return undefined;
    const uri = vscode.Uri.file(pending.promptPath);
    if (runs.isRunning(uri)) {
      void vscode.window.showInformationMessage(`Prompt Ladder: already waiting for the batch of ${path.basename(pending.promptPath)}.`);
      return undefined;
    }
    void panels.show(uri, { preserveFocus: true }).catch((e) => log.warn(`panel: ${String(e)}`));
    return runs.resumeBatch(pending);
  };

  const cancelBatch = async (node?: unknown) => {
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
  };

  const revealRunFile = async (node?: unknown) => {
    const run = runOf(node);
    if (!run) return;
    await vscode.window.showTextDocument(run.uri, { preview: true });
    await vscode.commands.executeCommand('revealInExplorer', run.uri).then(undefined, () => undefined);
  };

  const table: Record<(typeof COMMAND_IDS)[number], (...args: unknown[]) => unknown> = {
    'promptLadder.runEval': (arg) => runEval(arg),
    'promptLadder.runEvalBatch': (arg) => runEval(arg, { batch: 'all' }),
    'promptLadder.runCaseAtCursor': runCaseAtCursor,
    'promptLadder.runOnSelection': runOnSelection,
    'promptLadder.openPanel': async (arg) => {
      const uri = await resolvePromptUri(arg);
      if (uri) await panels.show(uri);
      return uri;
    },
    'promptLadder.addFewShotVariants': addFewShotVariants,
    'promptLadder.addTestCaseFromSelection': addTestCaseFromSelection,
    'promptLadder.addTestCaseFromResult': addTestCaseFromResult,
    'promptLadder.compareWithPrevious': compareWithPrevious,
    'promptLadder.setApiKey': setApiKey,
    'promptLadder.selectModel': selectModel,
    'promptLadder.newPromptFile': newPromptFile,
    'promptLadder.openExample': openExample,
    'promptLadder.clearCache': clearCache,
    'promptLadder.cancelRun': cancelRun,
    'promptLadder.openCell': openCell,
    'promptLadder.history.refresh': () => {
      runs.runsChanged(true);
    },
    'promptLadder.history.openRun': openRun,
    'promptLadder.history.compareRuns': compareRuns,
    'promptLadder.history.deleteRun': deleteRun,
    'promptLadder.history.revealRunFile': revealRunFile,
    'promptLadder.history.resumeBatch': resumeBatch,
    'promptLadder.history.cancelBatch': cancelBatch,
    'promptLadder.treatAsPromptFile': treatAsPromptFile,
    'promptLadder.stopTreatingAsPromptFile': stopTreatingAsPromptFile,
    ...advisorCommandTable(runs),
    ...fineTuneCommandTable(s.fineTune),
    ...generateCommandTable({
      runs,
      log,
      createResolver: s.createResolver,
      maxConcurrency: () => readSettings().maxConcurrency,
      isTestMode: s.context.extensionMode === vscode.ExtensionMode.Test,
    }),
  };
  return COMMAND_IDS.map((id) => vscode.commands.registerCommand(id, wrap(table[id])));
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
