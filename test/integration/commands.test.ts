// Every contributed command is registered, and the main ones do their job.

import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMAND_IDS } from '../../src/extension/commands';
import { EXTENSION_ID, api, closeAll, fixture, open, workspaceRoot } from './helpers';

export function registerCommandTests(): void {
  describe('commands', () => {
    after(closeAll);

    it('registers every command the manifest contributes', async () => {
      await api();
      const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
      const contributed = (ext.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
      const registered = new Set(await vscode.commands.getCommands(true));
      const missing = contributed.filter((c) => !registered.has(c));
      assert.deepEqual(missing, []);
      assert.deepEqual([...contributed].sort(), [...COMMAND_IDS].sort(), 'manifest and code list the same commands');
    });

    it('creates a new prompt file from a template and opens it', async () => {
      const uri = await vscode.commands.executeCommand<vscode.Uri>('promptLadder.newPromptFile', 'classifier');
      assert.ok(uri);
      assert.equal(path.basename(uri.fsPath), 'classifier.prompt.yml');
      assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), uri.toString());
      assert.match(vscode.window.activeTextEditor!.document.getText(), /variants:/);
      await vscode.workspace.fs.delete(uri);
    });

    it('adds few-shot variants from the examples pool, keeping comments', async () => {
      const uri = vscode.Uri.file(path.join(workspaceRoot(), 'fewshot.prompt.yml'));
      const text = [
        '# keep this comment',
        'name: Few',
        'messages:',
        '  - role: user',
        '    content: "{{q}}"',
        'examples:',
        '  - input: a',
        '    output: b',
        '  - input: c',
        '    output: d',
        'variants:',
        '  - name: zero-shot # baseline',
        '    shots: 0',
        '',
      ].join('\n');
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
      try {
        const added = await vscode.commands.executeCommand<string[]>('promptLadder.addFewShotVariants', uri);
        assert.deepEqual(added, ['1-shot'], 'only the counts the 2-example pool can fill and that are missing');
        const doc = await vscode.workspace.openTextDocument(uri);
        assert.match(doc.getText(), /# keep this comment/);
        assert.match(doc.getText(), /- name: zero-shot # baseline/);
        assert.match(doc.getText(), /- name: 1-shot\n\s+shots: 1/);
      } finally {
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
        await vscode.workspace.fs.delete(uri);
      }
    });

    it('adds a test case from the selection to testData', async () => {
      const editor = await open('qa.prompt.yml');
      const before = editor.document.getText();
      const line = editor.document.lineAt(0);
      editor.selection = new vscode.Selection(0, 2, 0, 13);
      const selected = editor.document.getText(editor.selection);
      await vscode.commands.executeCommand('promptLadder.addTestCaseFromSelection');
      const after = editor.document.getText();
      assert.notEqual(after, before);
      assert.match(after, new RegExp(`testData:\\n  - question: ${selected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.ok(line.text.startsWith('#'), 'comment line kept');
      await vscode.commands.executeCommand('workbench.action.files.revert');
    });

    it('opens the results panel for a prompt file', async () => {
      const a = await api();
      const uri = fixture('classify.prompt.yml');
      await vscode.commands.executeCommand('promptLadder.openPanel', uri);
      assert.ok(a.panelManager.openPrompts().some((u) => u.toString() === uri.toString()));
    });

    it('clears the response cache', async () => {
      // one entry planted where the engine keeps its cache: the log of the key's first hex digit, one line
      // `<key>\t<first 16 hex of sha256(value)>\t<value JSON>` (src/core/providers/cache.ts)
      const key = 'ab'.repeat(32);
      const json = JSON.stringify({ text: 'x', usage: { prompt: 1, completion: 1 } });
      const sum = createHash('sha256').update(json).digest('hex').slice(0, 16);
      const log = vscode.Uri.file(path.join(workspaceRoot(), '.promptladder', 'cache', `log-${key[0]}.jsonl`));
      await vscode.workspace.fs.writeFile(log, Buffer.from(`${key}\t${sum}\t${json}\n`));
      const removed = await vscode.commands.executeCommand<number>('promptLadder.clearCache');
      assert.ok(removed >= 1, `removed ${removed}`);
      await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(log)), 'the log is gone');
    });

    it('cancel with nothing running is a no-op', async () => {
      await vscode.commands.executeCommand('promptLadder.cancelRun');
      assert.equal((await api()).runs.anyRunning, false);
    });

    it('opens an example prompt file', async () => {
      const uri = await vscode.commands.executeCommand<vscode.Uri>('promptLadder.openExample');
      assert.ok(uri);
      assert.match(uri.fsPath, /\.prompt\.yml$/);
    });
  });
}
