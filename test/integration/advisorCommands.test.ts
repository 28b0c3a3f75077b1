// The commands behind the advisor's buttons: they edit the prompt file (undoable) or export a dataset.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { closeAll, fixture, workspaceRoot } from './helpers';

async function scratchCopy(name: string): Promise<vscode.Uri> {
  const src = await vscode.workspace.fs.readFile(fixture('classify.prompt.yml'));
  const uri = vscode.Uri.file(path.join(workspaceRoot(), name));
  await vscode.workspace.fs.writeFile(uri, src);
  return uri;
}

async function discard(uri: vscode.Uri): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.files.revert');
  await closeAll();
  await vscode.workspace.fs.delete(uri);
}

export function registerAdvisorCommandTests(): void {
  describe('advisor action commands', () => {
    it('adds retrieval: a retrieval block and a rag variant, as an edit of the open document', async () => {
      const uri = await scratchCopy('advisor-rag.prompt.yml');
      try {
        await vscode.commands.executeCommand('promptLadder.addRetrieval', uri);
        const doc = await vscode.workspace.openTextDocument(uri);
        assert.equal(doc.isDirty, true, 'the change is an undoable edit, not a write behind the editor');
        assert.match(doc.getText(), /^retrieval:\n {2}documents: \.\/docs\/\*\*\/\*\.md/m);
        assert.match(doc.getText(), /- name: rag\n {4}retrieval: true/);
      } finally {
        await discard(uri);
      }
    });

    it('adds chain-of-thought and self-repair variants', async () => {
      const uri = await scratchCopy('advisor-cot.prompt.yml');
      try {
        await vscode.commands.executeCommand('promptLadder.addChainOfThoughtVariant', uri);
        await vscode.commands.executeCommand('promptLadder.addSelfRepairVariant', uri);
        const text = (await vscode.workspace.openTextDocument(uri)).getText();
        assert.match(text, /- name: chain-of-thought\n {4}systemSuffix:/);
        assert.match(text, /- name: self-repair\n {4}systemSuffix:/);
      } finally {
        await discard(uri);
      }
    });

    it('adds an empty test case with the input variables and expected', async () => {
      const uri = await scratchCopy('advisor-case.prompt.yml');
      try {
        await vscode.commands.executeCommand('promptLadder.addTestCase', uri);
        const text = (await vscode.workspace.openTextDocument(uri)).getText();
        assert.match(text, /label: xss\n {2}- text: ""\n {4}expected: ""\n/);
      } finally {
        await discard(uri);
      }
    });

    it('exports a fine-tuning dataset from the last run next to the prompt file', async () => {
      await vscode.commands.executeCommand('promptLadder.runEval', fixture('classify.prompt.yml'));
      const res = await vscode.commands.executeCommand<{ train: vscode.Uri; counts: { train: number } }>('promptLadder.exportFineTune', fixture('classify.prompt.yml'));
      assert.ok(res, 'the export ran');
      assert.equal(path.basename(res.train.fsPath), 'classify.finetune.train.jsonl');
      const lines = new TextDecoder().decode(await vscode.workspace.fs.readFile(res.train)).trim().split('\n');
      assert.equal(lines.length, res.counts.train);
      const first = JSON.parse(lines[0]) as { messages: { role: string }[] };
      assert.deepEqual(first.messages.map((m) => m.role).slice(-2), ['user', 'assistant']);
      await closeAll();
    });
  });
}
