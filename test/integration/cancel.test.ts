// Cancelling a run: the cancel command aborts the in-flight calls and the run ends 'cancelled' with what finished.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../../src/core/runs/schema';
import { startScriptedServer } from '../fixtures/scripted-server';
import { api, closeAll, waitFor, workspaceRoot } from './helpers';
import type { StoredRun } from '../../src/extension/runs/types';
import { probePanel } from './webviewProbe';

export function registerCancelTests(): void {
  describe('cancel a run', () => {
    it('a results panel opened while a run is under way shows the results so far; the run is listed from memory', async function () {
      this.timeout(30_000);
      const a = await api();
      const slow = await startScriptedServer({ rules: [{ user: '^slow', latencyMs: 30_000, reply: 'late' }] });
      const cfg = vscode.workspace.getConfiguration('promptLadder');
      const before = cfg.inspect<unknown[]>('providers')?.globalValue ?? [];
      await cfg.update('providers', [...before, { name: 'half', kind: 'custom', baseURL: slow.url, label: 'Half-slow scripted model' }], vscode.ConfigurationTarget.Global);
      const uri = vscode.Uri.file(path.join(workspaceRoot(), 'midrun.prompt.yml'));
      const text = 'name: Midrun\nmodel: half/m\nmessages:\n  - role: user\n    content: "{{q}}"\ntestData:\n  - q: fast one\n  - q: slow one\n';
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
      try {
        const firstDone = new Promise<void>((resolve) => {
          const sub = a.runs.onDidRunEvent((e) => {
            if (e.event.type === 'case-finished' && e.promptUri.fsPath === uri.fsPath) {
              sub.dispose();
              resolve();
            }
          });
        });
        const running = vscode.commands.executeCommand<RunRecord>('promptLadder.runEval', uri);
        await firstDone;
        // The Run command opened the panel: close it, then open it again mid-run. Closed before its page has
        // loaded, the first webview of a fresh window leaves the window's webviews unable to load (code-server:
        // a new panel, or any other webview, then never runs its script), so it is closed once it has loaded.
        await a.panelManager._whenReadyForTest(uri);
        await closeAll();
        assert.equal(a.runs.isRunning(uri), true);
        await a.panelManager.show(uri);
        await a.panelManager._whenReadyForTest(uri);
        const snap = await probePanel(a, uri);
        const fast = snap.cells.find((c) => c.caseIndex === 0);
        assert.equal(fast?.status, 'pass', `the finished case shows (${JSON.stringify(snap.cells)})`);
        assert.notEqual(snap.cells.find((c) => c.caseIndex === 1)?.status, 'pass', 'the slow case is still under way');
        // the Runs view and the editor list the run under way from memory: its file is rewritten as cells finish
        // (its file appears once the writer has written it: the list is read again until it has the run)
        const live = a.runs.liveRecord(uri);
        const listed = await waitFor('the run under way in the list', async () => {
          a.runs.runsChanged(true);
          return (await a.runs.listAllRuns()).find((r) => r.record.id === live?.id);
        }, 10_000).catch((err: unknown) => err);
        await vscode.commands.executeCommand('promptLadder.cancelRun', uri);
        await running;
        assert.ok(!(listed instanceof Error), String(listed));
        const { record: summary, uri: runUri } = listed as StoredRun;
        assert.equal(summary.status, 'running');
        assert.equal('cases' in summary, false, 'the list holds the summary of the run, not its cases');
        assert.equal(await a.runs.readRun(runUri), live, 'the run under way is the record in memory, not its file read back');
        const after = (await a.runs.listAllRuns()).find((r) => r.record.id === live?.id);
        assert.equal(after?.record.status, 'cancelled', 'once it ended, its summary comes from its file');
        assert.equal(after?.record.results, 1);
        // written whole at the end: read from memory while its file stays as written
        assert.equal(await a.runs.readRun(runUri), live);
      } finally {
        await cfg.update('providers', before.length ? before : undefined, vscode.ConfigurationTarget.Global);
        await closeAll();
        await vscode.workspace.fs.delete(uri);
        await slow.close();
      }
    });

    it('cancelRun aborts the run under way; the record says cancelled', async () => {
      const a = await api();
      const slow = await startScriptedServer({ latencyMs: 30_000 });
      const cfg = vscode.workspace.getConfiguration('promptLadder');
      const before = cfg.inspect<unknown[]>('providers')?.globalValue ?? [];
      await cfg.update('providers', [...before, { name: 'slow', kind: 'custom', baseURL: slow.url, label: 'Slow scripted model' }], vscode.ConfigurationTarget.Global);
      const uri = vscode.Uri.file(path.join(workspaceRoot(), 'slow.prompt.yml'));
      const text = 'name: Slow\nmodel: slow/m\nmessages:\n  - role: user\n    content: "{{q}}"\ntestData:\n  - q: one\n  - q: two\n';
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
      try {
        const started = new Promise<void>((resolve) => {
          const sub = a.runs.onDidRunEvent((e) => {
            if (e.event.type === 'case-started' && e.promptUri.fsPath === uri.fsPath) {
              sub.dispose();
              resolve();
            }
          });
        });
        const running = vscode.commands.executeCommand<RunRecord>('promptLadder.runEval', uri);
        await started;
        assert.equal(a.runs.isRunning(uri), true);
        await vscode.commands.executeCommand('promptLadder.cancelRun', uri);
        const record = await running;
        assert.equal(record?.status, 'cancelled');
        assert.equal(a.runs.isRunning(uri), false);
        assert.ok(slow.stats.aborted >= 1 || slow.stats.inFlight === 0, 'the in-flight request was abandoned');
      } finally {
        await cfg.update('providers', before.length ? before : undefined, vscode.ConfigurationTarget.Global);
        await closeAll();
        await vscode.workspace.fs.delete(uri);
        await slow.close();
      }
    });
  });
}
