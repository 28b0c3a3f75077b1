// Which files are prompt files (promptLadder.files, "Treat as Prompt File") and strict mode (promptLadder.strict),
// in real VS Code: CodeLens, diagnostics and runs follow the one predicate.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../../src/core/runs/schema';
import type { SourceProblem } from '../../src/core/errors';
import { api, closeAll, lensTitles, storedRecord, waitFor, workspaceRoot } from './helpers';

/** A prompt file whose name says nothing (as gh's sample_prompt.yml), with one lint warning (an unknown key). */
const SAMPLE = `name: Sample
model: openai/gpt-4o-mini
messages:
  - role: user
    content: "{{text}}"
testData:
  - text: "I want my money back"
    label: refund
evaluatrs:
  - name: typo
evaluators:
  - name: label
    string:
      contains: "{{label}}"
`;

function write(rel: string, text: string): vscode.Uri {
  const file = path.join(workspaceRoot(), rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return vscode.Uri.file(file);
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source?.startsWith('Prompt Ladder'));
}

async function setFiles(value: unknown): Promise<void> {
  const folder = vscode.workspace.workspaceFolders![0];
  await vscode.workspace.getConfiguration('promptLadder', folder.uri).update('files', value, vscode.ConfigurationTarget.WorkspaceFolder);
}

async function hasRunLens(uri: vscode.Uri): Promise<boolean> {
  return (await lensTitles(uri)).some((l) => l.line === 0 && l.title.startsWith('▶ Run eval'));
}

export function registerPromptFileTests(): void {
  describe('promptLadder.files and Treat as Prompt File', () => {
    let sample: vscode.Uri;
    before(() => {
      sample = write('prompts/sample.yml', SAMPLE);
    });
    after(async () => {
      await setFiles(undefined);
      await closeAll();
    });

    it('a YAML file with another name is not a prompt file by default: no CodeLens, no diagnostics', async () => {
      const a = await api();
      const doc = await vscode.workspace.openTextDocument(sample);
      await vscode.window.showTextDocument(doc);
      assert.equal(a.promptFiles.isPromptFile(sample), false);
      await a.problems.checkNow(doc);
      assert.equal(await hasRunLens(sample), false);
      assert.deepEqual(ours(sample), []);
    });

    it('a pattern in promptLadder.files makes it one: CodeLens, located lint warning, and a run', async () => {
      const a = await api();
      // its own editor: CodeLens and diagnostics are for open documents (run alone, no earlier test opened it)
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(sample));
      await setFiles(['prompts/*.yml']);
      await waitFor('the file to be a prompt file', () => a.promptFiles.isPromptFile(sample) || undefined);
      await waitFor('the Run eval lens', () => hasRunLens(sample));
      const warn = await waitFor('the lint warning', () => ours(sample).find((d) => /unknown key "evaluatrs"/.test(d.message)));
      assert.equal(warn.range.start.line, 8, 'at the line of the unknown key');
      assert.equal(warn.severity, vscode.DiagnosticSeverity.Warning);
      const record = await storedRecord(await vscode.commands.executeCommand<RunRecord>('promptLadder.runEval', sample));
      assert.equal(record.cases.length, 1);
      assert.equal(record.cases[0].results[0]?.passed, true, 'the scripted reply contains the label');
      // the Test Explorer lists it through the same predicate, without the file having to be opened first
      await waitFor('the Test Explorer item', () => a.tests.controller.items.get(sample.toString()));
    });

    it('a bad value names the setting and falls back to the default names', async () => {
      const a = await api();
      await setFiles('prompts/*.yml');
      await waitFor('the file to stop being a prompt file', () => !a.promptFiles.isPromptFile(sample) || undefined);
      await waitFor('the Test Explorer item to go', () => !a.tests.controller.items.get(sample.toString()) || undefined);
      assert.equal(a.promptFiles.isPromptFile(vscode.Uri.file(path.join(workspaceRoot(), 'classify.prompt.yml'))), true, 'default names still count');
      const problem = await waitFor('the reported problem', () => a.promptFiles.settingProblems().find((m) => m.includes('promptLadder.files')));
      assert.match(problem, /must be a list of glob patterns/);
      assert.match(problem, /only the default names/);
      await waitFor('the lenses to go', async () => !(await hasRunLens(sample)) || undefined);
      await waitFor('the diagnostics to go', () => ours(sample).length === 0 || undefined);
      await setFiles(['ok/*.yml', 42]);
      a.promptFiles.isPromptFile(sample);
      assert.ok(a.promptFiles.settingProblems().some((m) => /promptLadder\.files\[1\] must be a non-empty glob pattern string, not 42/.test(m)));
      await setFiles(undefined);
    });

    it('Treat as Prompt File adds the file to the folder setting and shows CodeLens and diagnostics at once; Stop removes it', async () => {
      const a = await api();
      const other = write('other dir/thing.yml', SAMPLE);
      const doc = await vscode.workspace.openTextDocument(other);
      await vscode.window.showTextDocument(doc);
      assert.equal(a.promptFiles.isPromptFile(other), false);
      const pattern = await vscode.commands.executeCommand<string>('promptLadder.treatAsPromptFile');
      assert.equal(pattern, 'other dir/thing.yml');
      const folder = vscode.workspace.workspaceFolders![0];
      const written = vscode.workspace.getConfiguration('promptLadder', folder.uri).inspect<string[]>('files')?.workspaceFolderValue;
      assert.deepEqual(written, ['other dir/thing.yml']);
      assert.equal(a.promptFiles.isPromptFile(other), true);
      assert.equal(await hasRunLens(other), true, 'the lens is there as soon as the command returns');
      await waitFor('the lint warning', () => ours(other).find((d) => /unknown key "evaluatrs"/.test(d.message)));
      assert.equal(a.promptFiles.isPromptFile(sample), false, 'only that file');

      const removed = await vscode.commands.executeCommand<string[]>('promptLadder.stopTreatingAsPromptFile');
      assert.deepEqual(removed, ['other dir/thing.yml']);
      assert.equal(a.promptFiles.isPromptFile(other), false);
      assert.deepEqual(vscode.workspace.getConfiguration('promptLadder', folder.uri).inspect<string[]>('files')?.workspaceFolderValue, []);
      await waitFor('the diagnostics to go', () => ours(other).length === 0 || undefined);
      assert.equal(await hasRunLens(other), false);
    });
  });

  describe('promptLadder.strict', () => {
    let lint: vscode.Uri;
    before(() => {
      lint = write('strict/lint.prompt.yml', SAMPLE);
    });
    after(async () => {
      const a = await api();
      a.runs.askStrict = originalAsk!;
      await vscode.workspace.getConfiguration('promptLadder').update('strict', undefined, vscode.ConfigurationTarget.Workspace);
      await closeAll();
    });
    let originalAsk: Awaited<ReturnType<typeof api>>['runs']['askStrict'] | undefined;

    it('shows lint warnings as errors while strict is on, and as warnings again when it is off', async () => {
      const a = await api();
      originalAsk = a.runs.askStrict;
      const doc = await vscode.workspace.openTextDocument(lint);
      await vscode.window.showTextDocument(doc);
      const warn = await waitFor('the warning', () => ours(lint).find((d) => /unknown key "evaluatrs"/.test(d.message)));
      assert.equal(warn.severity, vscode.DiagnosticSeverity.Warning);
      await vscode.workspace.getConfiguration('promptLadder').update('strict', true, vscode.ConfigurationTarget.Workspace);
      const err = await waitFor('the error', () =>
        ours(lint).find((d) => /unknown key "evaluatrs"/.test(d.message) && d.severity === vscode.DiagnosticSeverity.Error),
      );
      assert.equal(err.source, 'Prompt Ladder (strict)');
      assert.equal(err.range.start.line, 8);
    });

    it('a run from the editor asks first, listing the problems; declining runs nothing, "Run anyway" runs', async () => {
      const a = await api();
      const asked: { file: string; problems: SourceProblem[] }[] = [];
      a.runs.askStrict = async (file, problems) => {
        asked.push({ file, problems });
        return undefined;
      };
      const refused = await vscode.commands.executeCommand<RunRecord>('promptLadder.runEval', lint);
      assert.equal(refused, undefined, 'no run');
      assert.equal(asked.length, 1);
      assert.equal(asked[0].file, 'lint.prompt.yml');
      assert.ok(asked[0].problems.some((p) => p.line === 9 && /unknown key "evaluatrs"/.test(p.message)), JSON.stringify(asked[0].problems));
      const runs = await a.runs.listAllRuns();
      assert.equal(runs.filter((r) => r.record.promptFile.endsWith('lint.prompt.yml')).length, 0, 'no run record was written');

      a.runs.askStrict = async (file, problems) => {
        asked.push({ file, problems });
        return 'run';
      };
      const record = await vscode.commands.executeCommand<RunRecord>('promptLadder.runEval', lint);
      assert.ok(record, 'Run anyway runs it');
      assert.equal(asked.length, 2);

      await vscode.workspace.getConfiguration('promptLadder').update('strict', false, vscode.ConfigurationTarget.Workspace);
      const again = await vscode.commands.executeCommand<RunRecord>('promptLadder.runEval', lint);
      assert.ok(again, 'without strict the run starts without asking');
      assert.equal(asked.length, 2);
      await waitFor('warnings again', () =>
        ours(lint).find((d) => /unknown key "evaluatrs"/.test(d.message) && d.severity === vscode.DiagnosticSeverity.Warning),
      );
    });
  });
}
