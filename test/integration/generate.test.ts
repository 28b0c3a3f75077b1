// "Generate Test Cases…" in real VS Code against a scripted server answering the generation steps: the cost
// confirmation comes first (declining calls nothing), the cases arrive as a refactor preview that must be applied,
// the document is left unsaved with the old lines intact, and Undo takes the cases back.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startScriptedServer, type ScriptedServer } from '../fixtures/scripted-server';
import { generationRules } from '../fixtures/generation-rules';
import type { GenerationEstimate } from '../../src/core/generate/generate';
import { closeAll, workspaceRoot } from './helpers';

const PROMPT = [
  'name: Generate me',
  'model: genlab/test-model',
  'messages:',
  '  - role: system',
  '    content: Classify the message. Reply with JSON.',
  '  - role: user',
  '    content: "{{message}}"',
  'testData:',
  '  - message: parcel never arrived # the only case',
  'evaluators:',
  '  - name: json',
  '    json: {}',
  '',
].join('\n');

export function registerGenerateTests(): void {
  describe('generate test cases', () => {
    let server: ScriptedServer;
    let saved: unknown[];
    const cfg = () => vscode.workspace.getConfiguration('promptLadder');
    const uri = () => vscode.Uri.file(path.join(workspaceRoot(), 'generate-me.prompt.yml'));

    let autoSave: string | undefined;
    const files = () => vscode.workspace.getConfiguration('files');

    before(async () => {
      // Web hosts (code-server) save after a delay by default; the test checks that the command itself saves nothing.
      autoSave = files().inspect<string>('autoSave')?.globalValue;
      await files().update('autoSave', 'off', vscode.ConfigurationTarget.Global);
      server = await startScriptedServer({ rules: generationRules() });
      saved = cfg().inspect<unknown[]>('providers')?.globalValue ?? [];
      await cfg().update('providers', [...saved, { name: 'genlab', kind: 'custom', baseURL: server.url, label: 'Scripted generation lab' }], vscode.ConfigurationTarget.Global);
    });

    after(async () => {
      await files().update('autoSave', autoSave, vscode.ConfigurationTarget.Global);
      await cfg().update('providers', saved.length ? saved : undefined, vscode.ConfigurationTarget.Global);
      await server.close();
    });

    beforeEach(async () => {
      await vscode.workspace.fs.writeFile(uri(), new TextEncoder().encode(PROMPT));
      server.resetStats();
    });

    afterEach(async () => {
      await closeAll();
      await vscode.workspace.fs.delete(uri()).then(undefined, () => undefined);
    });

    it('declining the cost confirmation makes no call and changes nothing', async () => {
      const seen: GenerationEstimate[] = [];
      const result = await vscode.commands.executeCommand('promptLadder.generateTestCases', uri(), {
        effort: 'low',
        confirm: async (e: GenerationEstimate) => (seen.push(e), false),
      });
      assert.equal(result, undefined);
      assert.equal(seen.length, 1);
      assert.ok(seen[0].calls >= 4 && seen[0].tokens.prompt > 0, 'the estimate names calls and tokens');
      assert.equal(seen[0].target.format, 'inline');
      assert.equal(server.stats.chatRequests, 0);
      assert.equal(Buffer.from(await vscode.workspace.fs.readFile(uri())).toString('utf8'), PROMPT);
    });

    it('shows the cases as a preview edit; once applied the document holds them unsaved, and Undo removes them', async function () {
      this.timeout(40_000);
      const pending = Promise.resolve(
        vscode.commands.executeCommand<{ rows: unknown[] } | undefined>('promptLadder.generateTestCases', uri(), {
          effort: 'low',
          count: 3,
          confirm: async () => true,
        }),
      );
      let settled = false;
      void pending.finally(() => (settled = true));
      // The edit waits in the refactor preview until someone applies it.
      const deadline = Date.now() + 30_000;
      let applyAttempts = 0;
      while (!settled && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 300));
        if (server.stats.chatRequests >= 5) {
          // give the refactor preview time to open and read the edit
          await new Promise((r) => setTimeout(r, 1500));
          if (settled) break;
          applyAttempts++;
          // needsConfirmation entries start unticked: tick the file's entry, as a reviewer would, then apply
          const run = (id: string) => vscode.commands.executeCommand(id).then(undefined, () => undefined);
          await run('refactorPreview.focus');
          await run('list.focusFirst');
          await run('refactorPreview.toggleCheckedState');
          await run('refactorPreview.apply');
        }
      }
      const result = await pending;
      const shown = (await vscode.workspace.openTextDocument(uri())).getText();
      assert.ok(result, `the command finished with a result (calls ${server.stats.chatRequests}, apply attempts ${applyAttempts}, document:\n${shown})`);
      assert.ok(applyAttempts >= 1, 'it waited for the preview to be applied');
      assert.equal(result.rows.length, 3);

      const doc = await vscode.workspace.openTextDocument(uri());
      const text = doc.getText();
      assert.ok(doc.isDirty, 'not saved: the user reviews and saves');
      assert.equal(Buffer.from(await vscode.workspace.fs.readFile(uri())).toString('utf8'), PROMPT, 'the file on disk is untouched');
      const before = PROMPT.slice(0, PROMPT.indexOf('evaluators:'));
      assert.ok(text.startsWith(before), 'existing lines kept as they were');
      assert.match(text, /# the only case\n {2}- message: .*\n {4}tags: \[generated, rule:1\]\n {4}rule: /);
      assert.ok(text.endsWith('evaluators:\n  - name: json\n    json: {}\n'));

      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('undo');
      assert.equal(doc.getText(), PROMPT, 'Undo takes the generated cases back');
    });
  });
}
