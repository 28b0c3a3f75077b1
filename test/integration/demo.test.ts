// Every action of `npm start`'s workspace works on the demo model: the scripted server with the demo's rules files
// (examples/.demo/tasks.json for the product's own calls, rules.json for the examples) and a profile set up as
// scripts/lib/host.mjs sets it. Before the demo answered generation steps, "Generate Test Cases…" failed on its
// reply ("the model's reply had the wrong shape twice"); before its profile declared a Batch API, "Run via Batch
// API" was offered and always refused. Fine-tuning jobs are created, polled and finish on it too. A provider without
// a Batch API gets no "Run via Batch API" lens.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../../src/core/runs/schema';
import type { GenerateResult } from '../../src/core/generate/generate';
import type { StoredFineTuneJob } from '../../src/extension/fineTune/jobsTree';
import { startScriptedServer, type ScriptedServer } from '../fixtures/scripted-server';
import { loadRulesFile } from '../fixtures/demoBehaviours';
import { api, closeAll, lensTitles, storedRecord, waitFor, workspaceRoot } from './helpers';

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
const BATCH_LENS = /^Run via Batch API/;

async function copyExample(name: string, into: string): Promise<void> {
  await vscode.workspace.fs.copy(vscode.Uri.file(path.join(EXAMPLES, name)), vscode.Uri.file(into), { overwrite: true });
}

/** Ticks the refactor preview's entry and applies it, as a reviewer would, until the command settles. */
async function applyPreview(pending: Promise<unknown>, ready: () => boolean): Promise<void> {
  let settled = false;
  void pending.finally(() => (settled = true));
  const deadline = Date.now() + 40_000;
  while (!settled && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 300));
    if (!ready()) continue;
    await new Promise((r) => setTimeout(r, 1500));
    if (settled) break;
    const run = (id: string) => vscode.commands.executeCommand(id).then(undefined, () => undefined);
    await run('refactorPreview.focus');
    await run('list.focusFirst');
    await run('refactorPreview.toggleCheckedState');
    await run('refactorPreview.apply');
  }
}

export function registerDemoTests(): void {
  describe('the demo workspace (npm start)', () => {
    let server: ScriptedServer;
    let saved: unknown[] | undefined;
    const cfg = () => vscode.workspace.getConfiguration('promptLadder');
    const dir = () => path.join(workspaceRoot(), 'demo-support-intent');
    const prompt = () => vscode.Uri.file(path.join(dir(), 'support-intent.prompt.yml'));
    const demoProfiles = (batchApi: boolean) =>
      ['openai', 'github', 'ollama', 'demo'].map((name) => ({ name, kind: 'custom', baseURL: server.url, label: 'Scripted demo model', ...(batchApi ? { batchApi } : {}) }));

    before(async () => {
      const rules = ['tasks.json', 'rules.json'].map((f) => loadRulesFile(path.join(EXAMPLES, '.demo', f)).rules).flat();
      server = await startScriptedServer({ rules, latencyMs: 5, batch: { completionDelayMs: 500 } });
      saved = cfg().inspect<unknown[]>('providers')?.globalValue;
      await cfg().update('providers', demoProfiles(true), vscode.ConfigurationTarget.Global);
      await copyExample('support-intent', dir());
    });

    after(async () => {
      await cfg().update('providers', saved, vscode.ConfigurationTarget.Global);
      await closeAll();
      await vscode.workspace.fs.delete(vscode.Uri.file(dir()), { recursive: true }).then(undefined, () => undefined);
      // the server is missing when `before` failed
      await (server as ScriptedServer | undefined)?.close();
    });

    it('Generate Test Cases… adds cases written by the demo model to the example eval set', async function () {
      this.timeout(60_000);
      server.resetStats();
      const pending = Promise.resolve(
        vscode.commands.executeCommand<GenerateResult | undefined>('promptLadder.generateTestCases', prompt(), { effort: 'low', count: 3, confirm: async () => true }),
      );
      await applyPreview(pending, () => server.stats.chatRequests >= 5);
      const result = await pending;
      assert.ok(result, `the command finished with the cases (calls ${server.stats.chatRequests})`);
      assert.equal(result.rows.length, 3);
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(dir(), 'intent.cases.jsonl')));
      const added = doc.getText().split('\n').filter((l) => l.includes('"generated"'));
      assert.equal(added.length, 3, doc.getText());
      assert.ok(added.every((l) => typeof (JSON.parse(l) as { message?: unknown }).message === 'string'), 'each case fills the prompt’s placeholder');
      await vscode.commands.executeCommand('workbench.action.files.revert');
    });

    it('Run via Batch API completes on the demo model: one batch, every result batched, no live call', async function () {
      this.timeout(60_000);
      server.resetStats();
      const record = await storedRecord(await vscode.commands.executeCommand<RunRecord | undefined>('promptLadder.runEvalBatch', prompt()));
      assert.equal(record.status, 'completed');
      assert.ok(record.cases.length > 0 && record.cases.every((c) => c.results.every((r) => r.batched === true)));
      assert.equal(server.stats.batchesCreated, 1);
      assert.equal(server.stats.chatRequests, 0, 'no live chat call');
    });

    it('a fine-tuning job on the demo model is created, polled and finishes; its model is added as a variant', async function () {
      this.timeout(60_000);
      const a = await api();
      a.fineTune.jobs.pollIntervalMs = 200;
      a.fineTune.testHooks?.confirmWith(async () => true);
      try {
        await vscode.commands.executeCommand('promptLadder.runEval', prompt());
        server.resetStats();
        const finished: StoredFineTuneJob[] = [];
        const sub = a.fineTune.jobs.onDidFinish((j) => finished.push(j));
        const job = await vscode.commands.executeCommand<StoredFineTuneJob>('promptLadder.startFineTuneJob', prompt());
        assert.ok(job, 'a job was started');
        assert.equal(server.stats.byPath['/v1/fine_tuning/jobs'], 1);
        const done = await waitFor('the job to succeed', () => finished.find((j) => j.id === job.id && j.state === 'succeeded'), 30_000);
        sub.dispose();
        const ref = await vscode.commands.executeCommand<string>('promptLadder.fineTune.addAsVariant', done.id);
        assert.ok(ref && ref.includes(done.fineTunedModel!), `the fine-tuned model is a variant: ${ref}`);
        assert.ok((await vscode.workspace.openTextDocument(prompt())).getText().includes(done.fineTunedModel!));
      } finally {
        a.fineTune.testHooks?.confirmWith(undefined);
        await vscode.commands.executeCommand('workbench.action.files.revert');
      }
    });

    it('offers Run via Batch API only while a configured provider has a Batch API', async function () {
      this.timeout(40_000);
      const a = await api();
      await vscode.window.showTextDocument(prompt());
      await waitFor('the Batch API lens', async () => ((await lensTitles(prompt())).some((l) => BATCH_LENS.test(l.title)) ? true : undefined));
      await cfg().update('providers', demoProfiles(false), vscode.ConfigurationTarget.Global);
      await waitFor('no Batch API lens', async () => ((await lensTitles(prompt())).some((l) => BATCH_LENS.test(l.title)) ? undefined : true));
      assert.ok((await lensTitles(prompt())).some((l) => /Run eval/.test(l.title)), 'the live run is still offered');
      // run anyway (the palette), it says why and submits nothing
      server.resetStats();
      await assert.rejects(a.runs.start(prompt(), { batch: 'all' }), /via the Batch API: .*has no Batch API/);
      assert.equal(server.stats.batchesCreated, 0);
      await cfg().update('providers', demoProfiles(true), vscode.ConfigurationTarget.Global);
      await waitFor('the Batch API lens again', async () => ((await lensTitles(prompt())).some((l) => BATCH_LENS.test(l.title)) ? true : undefined));
    });
  });
}
