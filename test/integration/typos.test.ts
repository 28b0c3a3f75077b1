// A misspelt key in real VS Code: the warning says what it most likely means, the quick fix replaces it, and a
// file left with no cases is not run (no "0 %" run in the history) but says why.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, closeAll, waitFor, workspaceRoot } from './helpers';

const TYPO = `name: Typo
model: openai/gpt-4o-mini
messages:
  - role: user
    content: "{{q}}"
testFlie: ./typo.cases.jsonl
`;

export function registerTypoTests(): void {
  describe('misspelt keys', () => {
    let uri: vscode.Uri;
    before(() => {
      const dir = path.join(workspaceRoot(), 'prompts');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'typo.cases.jsonl'), '{"q":"hello"}\n');
      const file = path.join(dir, 'typo-key.prompt.yml');
      fs.writeFileSync(file, TYPO);
      uri = vscode.Uri.file(file);
    });
    after(closeAll);

    it('a run of a file whose testFile is misspelt is not started: the error names the typo and its line, and no run is recorded', async () => {
      const a = await api();
      await assert.rejects(() => a.runs.start(uri), (err: Error) => {
        assert.equal(err.name, 'RunBlockedError');
        assert.match(err.message, /typo-key\.prompt\.yml has no cases to run/);
        assert.match(err.message, /typo-key\.prompt\.yml:6: unknown key "testFlie"; did you mean "testFile"\?/);
        return true;
      });
      assert.equal(await a.runs.lastRun(uri), undefined, 'no 0-case run in the history');
    });

    it('the warning offers "Change to testFile" as the preferred quick fix, and applying it makes the file runnable', async () => {
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      const warn = await waitFor('the did-you-mean warning', () =>
        vscode.languages.getDiagnostics(uri).find((d) => d.source?.startsWith('Prompt Ladder') && /did you mean "testFile"/.test(d.message)),
      );
      assert.equal(doc.getText(warn.range), 'testFlie', 'the warning sits on the key');
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, warn.range, vscode.CodeActionKind.QuickFix.value);
      const fix = actions.find((x) => x.title === 'Change to "testFile"');
      assert.ok(fix?.edit, JSON.stringify(actions.map((x) => x.title)));
      assert.equal(fix.isPreferred, true);
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      assert.match(doc.getText(), /^testFile: \.\/typo\.cases\.jsonl$/m);
      await waitFor('the warning to go', () => (vscode.languages.getDiagnostics(uri).some((d) => /testFlie/.test(d.message)) ? undefined : true));
      await doc.save();
      const spec = (await (await api()).runs.loadSpec(uri)).spec;
      assert.equal(spec.cases.length, 1, 'the fixed key finds the eval set');
    });
  });
}
