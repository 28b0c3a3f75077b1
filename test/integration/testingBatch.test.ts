// The Test Explorer's "Run via Batch API" profile, against a scripted server's Batch API (/v1/files, /v1/batches):
// the same path as "Run Eval via Batch API" (one record, in the history, the open panel shows it), results per
// item when the batch completes and no live call; cancel of the test run leaves the batch on the provider and says
// how to resume, and running the profile again attaches to that batch; a provider with no Batch API is refused
// with a clear message.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startScriptedServer, type ScriptedServer, type ScriptedServerOptions } from '../fixtures/scripted-server';
import type { ReportedResult } from '../../src/extension/testing/promptTests';
import { api, closeAll, fixture, waitFor, workspaceRoot, testStates } from './helpers';
import { probePanel } from './webviewProbe';

const KEY = 'sk-scripted-explorer-batch-key';

const PROMPT = [
  '# Test Explorer batch fixture: the scripted server answers in capitals; the second case expects the wrong word.',
  'name: Shout',
  'model: batchte/gpt-4o-mini',
  'messages:',
  '  - role: user',
  '    content: "{{word}}"',
  'variants:',
  '  - name: plain',
  '  - name: again',
  'testData:',
  '  - word: apple',
  '    expected: APPLE',
  '  - word: river',
  '    expected: RIVERS',
  'evaluators:',
  '  - name: upper',
  '    string:',
  '      equals: "{{expected}}"',
  '',
].join('\n');

const children = (item: vscode.TestItem): vscode.TestItem[] => {
  const out: vscode.TestItem[] = [];
  item.children.forEach((c) => out.push(c));
  return out.sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label));
};

export function registerTestingBatchTests(): void {
  describe('Test Explorer: Run via Batch API', () => {
    let server: ScriptedServer;
    let saved: unknown[];
    const serverOptions: ScriptedServerOptions = { rules: [{ reply: (req) => req.user.toUpperCase() }], batch: { completionDelayMs: 300 } };
    const cfg = () => vscode.workspace.getConfiguration('promptLadder');
    const uri = () => vscode.Uri.file(path.join(workspaceRoot(), 'shout.prompt.yml'));
    const final = (reported: ReportedResult[], id: string) =>
      [...reported].reverse().find((r) => r.id === id && ['passed', 'failed', 'errored', 'skipped'].includes(r.state));

    before(async () => {
      server = await startScriptedServer(serverOptions);
      saved = cfg().inspect<unknown[]>('providers')?.globalValue ?? [];
      await cfg().update('providers', [...saved, { name: 'batchte', kind: 'openai', baseURL: server.url, label: 'Scripted batch lab' }], vscode.ConfigurationTarget.Global);
      const a = await api();
      await a.fineTune.testHooks?.setApiKey('batchte', KEY);
      await vscode.workspace.fs.writeFile(uri(), new TextEncoder().encode(PROMPT));
    });

    after(async () => {
      const a = await api();
      for (const p of await a.runs.listPendingBatches()) {
        if (p.promptPath === uri().fsPath) await vscode.workspace.fs.delete(vscode.Uri.file(p.file)).then(undefined, () => undefined);
      }
      await a.fineTune.testHooks?.deleteApiKey('batchte');
      await cfg().update('providers', saved.length ? saved : undefined, vscode.ConfigurationTarget.Global);
      await vscode.workspace.fs.delete(uri()).then(undefined, () => undefined);
      await server.close();
      await closeAll();
    });

    it('runs the items through the Batch API: results per item when it completes, the same record and history, the open panel shows it', async () => {
      const a = await api();
      const tests = a.tests;
      assert.equal(tests.batchProfile.label, 'Run via Batch API');
      assert.equal(tests.batchProfile.supportsContinuousRun, false, 'a batch per save would pile up');
      const item = await waitFor('the prompt file item', () => tests.controller.items.get(uri().toString()));
      await tests.controller.resolveHandler!(item);
      await a.panelManager.show(uri());
      await a.panelManager._whenReadyForTest(uri());
      server.resetStats();
      testStates(tests).length = 0;
      await tests.batchProfile.runHandler(new vscode.TestRunRequest([item], undefined, tests.batchProfile), new vscode.CancellationTokenSource().token);

      const [apple, river] = children(item);
      assert.deepEqual([apple.label, river.label], ['line 11 · apple', 'line 13 · river'], 'cases named by their line, as everywhere else');
      for (const leaf of children(apple)) assert.equal(final(testStates(tests), leaf.id)?.state, 'passed', leaf.id);
      for (const leaf of children(river)) {
        const r = final(testStates(tests), leaf.id);
        assert.equal(r?.state, 'failed', JSON.stringify(r));
        assert.deepEqual(r?.diff, { expected: 'RIVERS', actual: 'RIVER' });
      }
      const leaves = [...children(apple), ...children(river)];
      for (const leaf of leaves) {
        const states = testStates(tests).filter((r) => r.id === leaf.id).map((r) => r.state);
        assert.ok(states.includes('started') && states.indexOf('started') < states.length - 1, `${leaf.id} started before its result: ${states.join(',')}`);
      }
      assert.equal(server.stats.chatRequests, 0, 'no live call');
      assert.equal(server.stats.batchesCreated, 1, 'one batch for one model');

      const newest = await waitFor('the run in the history', async () => {
        a.runs.runsChanged(true);
        const r = (await a.runs.listRuns(uri()))[0];
        return r?.record.batch ? r : undefined;
      });
      assert.equal(newest.record.status, 'completed');
      const whole = await a.runs.readRun(newest.uri);
      assert.ok(whole?.cases.every((c) => c.results.every((r) => r.batched === true)), 'every result came from the batch');
      assert.deepEqual(newest.record.variants.map((v) => [v.name, v.passed, v.failed]), [
        ['plain', 1, 1],
        ['again', 1, 1],
      ]);
      const shown = await waitFor('the panel showing the batch run', async () => {
        const s = await probePanel(a, uri());
        return s.runId === newest.record.id ? s : undefined;
      });
      assert.equal(shown.cells.length, 4);
    });

    it('cancel leaves the batch on the provider and says how to resume; running again attaches to it', async () => {
      const a = await api();
      const tests = a.tests;
      const item = tests.controller.items.get(uri().toString())!;
      const river = children(item)[1];
      // Only the failing case, with the cache off so it is asked again: the batch now takes far longer than the test.
      serverOptions.batch!.completionDelayMs = 600_000;
      server.resetStats();
      testStates(tests).length = 0;
      const cts = new vscode.CancellationTokenSource();
      const running = tests.batchProfile.runHandler(new vscode.TestRunRequest([river], undefined, tests.batchProfile), cts.token);
      await waitFor('the leaves started once the batch is submitted', () =>
        children(river).every((l) => testStates(tests).some((r) => r.id === l.id && r.state === 'started')) ? true : undefined,
      );
      cts.cancel();
      await running;
      for (const leaf of children(river)) {
        const r = final(testStates(tests), leaf.id);
        assert.equal(r?.state, 'skipped', JSON.stringify(r));
        assert.match(r?.message ?? '', /keeps running on the provider\. To collect its results, open it in the Prompt Ladder Runs view \(Collect Batch Results\), or run "Run via Batch API" again/);
      }
      assert.equal(a.runs.isRunning(uri()), false, 'the wait has stopped');
      const pending = await waitFor('the batch listed as pending', async () => (await a.runs.listPendingBatches()).find((p) => p.promptPath === uri().fsPath));
      assert.equal(pending.waiting, false);
      const id = pending.batches[0].id!;
      assert.ok(id);
      const res = await fetch(`${server.url}/batches/${id}`, { headers: { authorization: `Bearer ${KEY}` } });
      const remote = (await res.json()) as { status: string };
      assert.ok(['validating', 'in_progress'].includes(remote.status), `the batch is not cancelled on the provider: ${remote.status}`);

      // Resume: the batch finishes; the profile run again attaches to it (no second batch) and reports the results.
      serverOptions.batch!.completionDelayMs = 0;
      testStates(tests).length = 0;
      await tests.batchProfile.runHandler(new vscode.TestRunRequest([river], undefined, tests.batchProfile), new vscode.CancellationTokenSource().token);
      for (const leaf of children(river)) assert.equal(final(testStates(tests), leaf.id)?.state, 'failed', leaf.id);
      assert.equal(server.stats.batchesCreated, 1, 'attached, not submitted again');
      assert.equal(server.stats.chatRequests, 0);
      a.runs.runsChanged(true);
      assert.equal((await a.runs.listPendingBatches()).filter((p) => p.promptPath === uri().fsPath).length, 0, 'collected');
    });

    it('a provider without a Batch API: the items are errored with a clear message, nothing is submitted', async () => {
      const a = await api();
      const tests = a.tests;
      const qa = tests.controller.items.get(fixture('qa.prompt.yml').toString())!;
      server.resetStats();
      testStates(tests).length = 0;
      await tests.batchProfile.runHandler(new vscode.TestRunRequest([qa], undefined, tests.batchProfile), new vscode.CancellationTokenSource().token);
      const results = testStates(tests).filter((r) => r.state === 'errored');
      assert.ok(results.length > 0);
      for (const r of results) {
        assert.match(r.message ?? '', /^Prompt Ladder cannot run qa\.prompt\.yml via the Batch API: model openai\/gpt-4o-mini runs on .*, which has no Batch API \(only OpenAI and Azure OpenAI endpoints have one\); run it with live calls instead \(Run Eval, or the Test Explorer's Run profile\)$/);
      }
      assert.equal(server.stats.batchesCreated, 0);
    });
  });
}
