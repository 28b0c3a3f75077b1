// A run refused for a file's problems says so in the status bar until the file is fixed, instead of a notification
// that stayed on screen after the fix: running a broken prompt file shows the notice, fixing the file takes it away.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, closeAll, fixture, waitFor, workspaceRoot } from './helpers';

export function registerProblemNoticeTests(): void {
  describe('problem notice', () => {
    const uri = () => vscode.Uri.file(path.join(workspaceRoot(), 'notice-broken.prompt.yml'));

    before(async () => {
      await vscode.workspace.fs.copy(fixture('broken.prompt.yml'), uri(), { overwrite: true });
    });

    after(async () => {
      await closeAll();
      await vscode.workspace.fs.delete(uri()).then(undefined, () => undefined);
    });

    it('shows a refused run\'s problem until the file is fixed, then takes it away', async function () {
      this.timeout(30_000);
      const a = await api();
      const record = await vscode.commands.executeCommand('promptLadder.runEval', uri());
      assert.equal(record, undefined, 'the broken file is not run');
      assert.equal(a.problemNotice.showing, uri().toString(), 'the notice names the broken file');

      // the fix, typed into the open document: its diagnostics clear, and so does the notice
      const doc = await vscode.workspace.openTextDocument(uri());
      await vscode.window.showTextDocument(doc);
      const at = doc.getText().indexOf('  - content:');
      assert.ok(at > 0);
      const edit = new vscode.WorkspaceEdit();
      edit.replace(uri(), new vscode.Range(doc.positionAt(at), doc.positionAt(at + '  - content:'.length)), '  - role: user\n    content:');
      assert.ok(await vscode.workspace.applyEdit(edit));
      await doc.save();
      await waitFor('the notice to go', () => (a.problemNotice.showing === undefined ? true : undefined));
    });
  });
}
