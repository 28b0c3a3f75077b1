// Cancelling a run: the cancel command aborts the in-flight calls and the run ends 'cancelled' with what finished.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../../src/core/runs/schema';
import { startScriptedServer } from '../fixtures/scripted-server';
import { api, closeAll, workspaceRoot } from './helpers';

export function registerCancelTests(): void {
  describe('cancel a run', () => {
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
