// Invalid prompt files → errors at the exact line, live as you type.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAll, fixture, open, waitFor } from './helpers';

function errors(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
}

export function registerDiagnosticsTests(): void {
  describe('diagnostics for invalid files', () => {
    after(closeAll);

    it('reports a message without a role as an error on its line', async () => {
      const editor = await open('broken.prompt.yml');
      const diags = await waitFor('an error', () => {
        const d = errors(editor.document.uri);
        return d.length ? d : undefined;
      });
      assert.equal(diags[0].range.start.line, 6, 'line 7 (1-based) holds `- content:`');
      assert.match(diags[0].message, /messages\[1\]\.role/);
      assert.equal(diags[0].source, 'Prompt Ladder');
    });

    it('updates as you type: fixing the file clears the error, breaking it again brings it back', async () => {
      const editor = await open('broken.prompt.yml');
      const uri = editor.document.uri;
      await waitFor('the initial error', () => errors(uri).length > 0 || undefined);
      await editor.edit((e) => e.replace(new vscode.Range(6, 0, 6, 4), '  - role: user\n    '));
      await waitFor('no errors after the fix', () => errors(uri).length === 0 || undefined);
      await editor.edit((e) => e.insert(new vscode.Position(2, 0), 'modelParameters: 5\n'));
      const diags = await waitFor('an error on the new line', () => {
        const d = errors(uri);
        return d.length ? d : undefined;
      });
      assert.equal(diags[0].range.start.line, 2);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    });

    it('refuses to run an invalid file with a message naming file:line:col', async () => {
      const r = await vscode.commands.executeCommand('promptLadder.runEval', fixture('broken.prompt.yml'));
      assert.equal(r, undefined, 'no run starts');
    });
  });
}
