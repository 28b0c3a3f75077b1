// Fine-tuning jobs from the editor against a scripted server's files and fine-tuning endpoints: the job starts
// only through the confirmation (stood in for by a test hook), the Fine-Tuning Jobs view follows it to
// 'succeeded', and "Add as Variant" adds a zero-shot variant with the fine-tuned model as an undoable edit.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FineTuneConfirmation } from '../../src/extension/fineTune/fineTuneCommands';
import type { StoredFineTuneJob } from '../../src/extension/fineTune/jobsTree';
import { startScriptedServer, type ScriptedServer } from '../fixtures/scripted-server';
import { api, closeAll, waitFor, workspaceRoot } from './helpers';

const WORDS = ['apple', 'river', 'candle', 'forest', 'mirror', 'pencil', 'garden', 'rocket', 'silver', 'window', 'basket', 'thunder', 'meadow', 'lantern', 'harbor'];
const KEY = 'sk-scripted-finetune-key';

function promptText(model: string): string {
  return [
    '# A prompt whose cases all have expected values: enough for a fine-tuning dataset.',
    'name: Shout',
    `model: ${model}`,
    'messages:',
    '  - role: system',
    '    content: Reply with the word in capital letters, nothing else.',
    '  - role: user',
    '    content: "{{word}}"',
    'testData:',
    ...WORDS.flatMap((w) => [`  - word: ${w}`, `    expected: ${w.toUpperCase()}`]),
    'evaluators:',
    '  - name: upper',
    '    string:',
    '      equals: "{{expected}}"',
    '',
  ].join('\n');
}

export function registerFineTuneTests(): void {
  describe('fine-tuning jobs', () => {
    let server: ScriptedServer;
    let saved: unknown[];
    const cfg = () => vscode.workspace.getConfiguration('promptLadder');

    before(async () => {
      server = await startScriptedServer({ rules: [{ reply: (req) => req.user.toUpperCase() }], fineTunePolls: 2 });
      saved = cfg().inspect<unknown[]>('providers')?.globalValue ?? [];
      await cfg().update(
        'providers',
        [...saved, { name: 'ftlab', kind: 'openai', baseURL: server.url, label: 'Scripted fine-tuning lab' }],
        vscode.ConfigurationTarget.Global,
      );
    });

    after(async () => {
      const a = await api();
      a.fineTune.testHooks?.confirmWith(undefined);
      await a.fineTune.testHooks?.deleteApiKey('ftlab');
      await cfg().update('providers', saved.length ? saved : undefined, vscode.ConfigurationTarget.Global);
      await server.close();
    });

    it('starts a job after the confirmation, follows it to succeeded, and adds the model as a variant', async () => {
      const a = await api();
      const hooks = a.fineTune.testHooks;
      assert.ok(hooks, 'test hooks exist under the test runner');
      await hooks.setApiKey('ftlab', KEY);
      a.fineTune.jobs.pollIntervalMs = 200;
      const uri = vscode.Uri.file(path.join(workspaceRoot(), 'shout.prompt.yml'));
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(promptText('ftlab/gpt-4o-mini')));
      try {
        await vscode.commands.executeCommand('promptLadder.runEval', uri);

        // Declining the confirmation starts nothing.
        const seen: FineTuneConfirmation[] = [];
        hooks.confirmWith(async (c) => (seen.push(c), false));
        const declined = await vscode.commands.executeCommand('promptLadder.startFineTuneJob', uri);
        assert.equal(declined, undefined);
        assert.equal(server.stats.byPath['/v1/files'] ?? 0, 0, 'nothing uploaded without confirmation');
        assert.equal(seen.length, 1);
        assert.equal(seen[0].baseModel, 'gpt-4o-mini');
        assert.equal(seen[0].providerName, 'ftlab');
        assert.equal(seen[0].examples.train + seen[0].examples.validation, WORDS.length);
        assert.ok(seen[0].trainingTokens > 0);
        assert.ok(seen[0].estimatedTrainingCostUsd !== undefined && seen[0].estimatedTrainingCostUsd > 0, 'gpt-4o-mini has a training price');

        hooks.confirmWith(async () => true);
        const finished: StoredFineTuneJob[] = [];
        const sub = a.fineTune.jobs.onDidFinish((j) => finished.push(j));
        const job = await vscode.commands.executeCommand<StoredFineTuneJob>('promptLadder.startFineTuneJob', uri);
        assert.ok(job, 'a job was started');
        assert.match(job.id, /^ftjob-/);
        const stored = a.fineTune.jobs.get(job.id);
        assert.deepEqual(
          { promptPath: stored?.promptPath, baseModel: stored?.baseModel, providerName: stored?.providerName },
          { promptPath: uri.fsPath, baseModel: 'gpt-4o-mini', providerName: 'ftlab' },
        );
        assert.ok(!JSON.stringify(a.fineTune.jobs.list()).includes(KEY), 'the key is not stored with the job');

        // The server saw two uploads (train + validation) and one job creation, each with the configured key.
        assert.equal(server.stats.byPath['/v1/files'], 2);
        assert.equal(server.stats.byPath['/v1/fine_tuning/jobs'], 1);
        const uploads = server.stats.headers.filter((h) => (h['content-type'] ?? '').startsWith('multipart/form-data'));
        assert.equal(uploads.length, 2);
        for (const h of uploads) assert.equal(h.authorization, `Bearer ${KEY}`);
        const create = server.stats.bodies.find((b) => typeof (b as { training_file?: unknown }).training_file === 'string') as
          | { model: string; training_file: string; validation_file?: string }
          | undefined;
        assert.ok(create, 'the job creation body was recorded');
        assert.equal(create.model, 'gpt-4o-mini');
        assert.match(create.validation_file ?? '', /^file-/);
        const jsonRequests = server.stats.headers.filter((h) => (h['content-type'] ?? '').startsWith('application/json'));
        assert.ok(jsonRequests.length > 0 && jsonRequests.every((h) => h.authorization === `Bearer ${KEY}`));

        // The view polls until the job succeeded.
        const item = await waitFor('the job to show succeeded in the view', () => {
          const node = a.fineTune.jobs.getChildren().find((j) => j.id === job.id);
          if (!node) return undefined;
          const ti = a.fineTune.jobs.getTreeItem(node);
          return ti.contextValue === 'fineTuneJob-succeeded' ? ti : undefined;
        });
        assert.equal((item.iconPath as vscode.ThemeIcon).id, 'pass');
        assert.match(String(item.description), /succeeded · ft:gpt-4o-mini:/);
        sub.dispose();
        assert.deepEqual(
          finished.map((j) => [j.id, j.state]),
          [[job.id, 'succeeded']],
          'one finish event (the "Add as Variant" message) for the job',
        );

        const ref = await vscode.commands.executeCommand<string>('promptLadder.fineTune.addAsVariant', job.id);
        assert.match(ref ?? '', /^ftlab\/ft:gpt-4o-mini:/);
        const doc = await vscode.workspace.openTextDocument(uri);
        assert.equal(doc.isDirty, true, 'the variant is an undoable edit of the open document');
        const text = doc.getText();
        assert.match(text, /^# A prompt whose cases all have expected values/, 'comments are kept');
        const variant = /- name: fine-tuned\n {4}model: (\S+)\n {4}shots: 0/.exec(text);
        assert.ok(variant, `a fine-tuned variant in:\n${text}`);
        assert.match(variant[1], /^ftlab\/ft:/);
        assert.equal(a.fineTune.jobs.get(job.id)?.variantAdded, true);
      } finally {
        await vscode.commands.executeCommand('workbench.action.files.revert');
        await closeAll();
        await vscode.workspace.fs.delete(uri);
      }
    });

    it('cancels an unfinished job from the view; it shows cancelled and offers no variant', async () => {
      const a = await api();
      a.fineTune.testHooks?.confirmWith(async () => true);
      a.fineTune.jobs.pollIntervalMs = 60_000;
      const uri = vscode.Uri.file(path.join(workspaceRoot(), 'shout-cancel.prompt.yml'));
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(promptText('ftlab/gpt-4o-mini')));
      try {
        await vscode.commands.executeCommand('promptLadder.runEval', uri);
        const job = await vscode.commands.executeCommand<StoredFineTuneJob>('promptLadder.startFineTuneJob', uri);
        assert.ok(job);
        const item = a.fineTune.jobs.getTreeItem(a.fineTune.jobs.get(job.id)!);
        assert.equal(item.contextValue, 'fineTuneJob-queued', 'Cancel Job is offered on a queued job');
        const cancelled = await vscode.commands.executeCommand<StoredFineTuneJob>('promptLadder.fineTune.cancelJob', job.id);
        assert.equal(cancelled?.state, 'cancelled');
        const after = a.fineTune.jobs.getTreeItem(a.fineTune.jobs.get(job.id)!);
        assert.equal(after.contextValue, 'fineTuneJob-cancelled');
        assert.equal((after.iconPath as vscode.ThemeIcon).id, 'circle-slash');
        const added = await vscode.commands.executeCommand('promptLadder.fineTune.addAsVariant', job.id);
        assert.equal(added, undefined, 'a cancelled job has no model to add');
        assert.doesNotMatch((await vscode.workspace.openTextDocument(uri)).getText(), /fine-tuned/);
      } finally {
        a.fineTune.jobs.pollIntervalMs = 200;
        await closeAll();
        await vscode.workspace.fs.delete(uri);
      }
    });

    it('a vscode/ model gets a message instead of a job', async () => {
      const a = await api();
      let asked = 0;
      a.fineTune.testHooks?.confirmWith(async () => (asked++, true));
      const jobsBefore = a.fineTune.jobs.list().length;
      const uri = vscode.Uri.file(path.join(workspaceRoot(), 'shout-lm.prompt.yml'));
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(promptText('ftlab/gpt-4o-mini')));
      try {
        await vscode.commands.executeCommand('promptLadder.runEval', uri);
        await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(promptText('vscode/gpt-4o')));
        const uploadsBefore = server.stats.byPath['/v1/files'] ?? 0;
        const res = await vscode.commands.executeCommand('promptLadder.startFineTuneJob', uri);
        assert.equal(res, undefined, 'the command reports the problem instead of starting a job');
        assert.equal(server.stats.byPath['/v1/files'] ?? 0, uploadsBefore);
        assert.equal(asked, 0, 'refused before the confirmation');
        assert.equal(a.fineTune.jobs.list().length, jobsBefore);
      } finally {
        await closeAll();
        await vscode.workspace.fs.delete(uri);
      }
    });
  });
}
