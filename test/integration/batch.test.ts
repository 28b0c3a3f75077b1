// Run Eval via Batch API from the editor, against a scripted server's Batch API: the pending batch shows in the
// Runs view while it runs, the record fills when it completes (no live call), and a batch submitted by a window
// that went away is listed from disk and collected from the Runs view by attaching to it, not resubmitting.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../../src/core/runs/schema';
import type { RunsTreeNode } from '../../src/extension/runs/runsTree';
import { runEvalViaBatch } from '../../src/core/batch/runBatch';
import { loadPromptFile } from '../../src/core/prompt/load';
import { startScriptedServer, type ScriptedServer } from '../fixtures/scripted-server';
import { api, closeAll, storedRecord, waitFor, workspaceRoot } from './helpers';

const KEY = 'sk-scripted-batch-key';

function promptText(): string {
  return [
    'name: Loud',
    'model: batchlab/gpt-4o-mini',
    'messages:',
    '  - role: user',
    '    content: "{{word}}"',
    'testData:',
    ...['apple', 'river', 'candle', 'forest', 'mirror'].flatMap((w) => [`  - word: ${w}`, `    expected: ${w.toUpperCase()}`]),
    'evaluators:',
    '  - name: upper',
    '    string:',
    '      equals: "{{expected}}"',
    '',
  ].join('\n');
}

async function pendingNodes(promptPath: string): Promise<Extract<RunsTreeNode, { kind: 'batch' }>[]> {
  const a = await api();
  const roots = await a.tree.getChildren();
  const prompt = roots.find((n) => n.kind === 'prompt' && n.promptPath === promptPath);
  if (!prompt) return [];
  return (await a.tree.getChildren(prompt)).filter((n): n is Extract<RunsTreeNode, { kind: 'batch' }> => n.kind === 'batch');
}

export function registerBatchTests(): void {
  describe('Run Eval via Batch API', () => {
    let server: ScriptedServer;
    let saved: unknown[];
    const cfg = () => vscode.workspace.getConfiguration('promptLadder');
    const uri = () => vscode.Uri.file(path.join(workspaceRoot(), 'loud.prompt.yml'));

    before(async () => {
      server = await startScriptedServer({ rules: [{ reply: (req) => req.user.toUpperCase() }], batch: { completionDelayMs: 1500 } });
      saved = cfg().inspect<unknown[]>('providers')?.globalValue ?? [];
      await cfg().update('providers', [...saved, { name: 'batchlab', kind: 'openai', baseURL: server.url, label: 'Scripted batch lab' }], vscode.ConfigurationTarget.Global);
      const a = await api();
      await a.fineTune.testHooks?.setApiKey('batchlab', KEY);
      await vscode.workspace.fs.writeFile(uri(), new TextEncoder().encode(promptText()));
    });

    after(async () => {
      const a = await api();
      await a.fineTune.testHooks?.deleteApiKey('batchlab');
      await cfg().update('providers', saved.length ? saved : undefined, vscode.ConfigurationTarget.Global);
      await vscode.workspace.fs.delete(uri()).then(undefined, () => undefined);
      await server.close();
      await closeAll();
    });

    it('shows the pending batch in the Runs view while it runs, then the record with batched results and no live call', async () => {
      const a = await api();
      server.resetStats();
      const running = vscode.commands.executeCommand<RunRecord | undefined>('promptLadder.runEvalBatch', uri());
      const pending = await waitFor('a pending batch node', async () => {
        a.runs.runsChanged(true);
        const nodes = await pendingNodes(uri().fsPath);
        return nodes.length && nodes[0].pending.batches[0]?.id ? nodes : undefined;
      });
      const item = a.tree.getTreeItem(pending[0]);
      assert.equal(item.contextValue, 'pendingBatch');
      assert.match(String(item.description), /^waiting · (validating|in_progress|completed) · \d+\/5 done/);
      const record = await storedRecord(await running);
      assert.equal(record.status, 'completed');
      assert.equal(record.variants[0].passed, 5);
      assert.ok(record.cases.every((c) => c.results[0].batched === true));
      assert.equal(record.batch?.batches.length, 1);
      assert.equal(record.batch?.batches[0].id, pending[0].pending.batches[0].id);
      assert.equal(server.stats.chatRequests, 0, 'no live chat call');
      assert.equal(server.stats.batchesCreated, 1);
      a.runs.runsChanged(true);
      assert.deepEqual(await pendingNodes(uri().fsPath), [], 'nothing pending once the record is written');
    });

    it('a batch submitted by a window that went away is listed from disk and collected by attaching to it', async () => {
      const a = await api();
      server.resetStats();
      const spec = await loadPromptFile(uri().fsPath);
      const detached = await runEvalViaBatch(spec, { providers: await a.createResolver(), root: workspaceRoot(), cache: false, detach: true, variants: spec.variants.map((v) => v.name) });
      assert.equal(detached.kind, 'detached');
      const batchId = detached.kind === 'detached' ? detached.parts[0].id : undefined;
      assert.ok(batchId);
      const nodes = await waitFor('the pending batch from disk', async () => {
        a.runs.runsChanged(true);
        const n = await pendingNodes(uri().fsPath);
        return n.length ? n : undefined;
      });
      assert.doesNotMatch(String(a.tree.getTreeItem(nodes[0]).description), /^waiting/, 'no window waits for it');
      const record = await vscode.commands.executeCommand<RunRecord | undefined>('promptLadder.runs.collectBatchResults', nodes[0]);
      assert.ok(record);
      assert.equal(record.variants[0].passed, 5);
      assert.equal(record.batch?.batches[0].id, batchId, 'the same batch, not a new one');
      assert.equal(server.stats.batchesCreated, 1);
      assert.equal(server.stats.chatRequests, 0);
      const last = await waitFor('the run in the history', async () => {
        a.runs.runsChanged(true);
        const r = await a.runs.lastRun(uri());
        return r?.record.id === record.id ? r : undefined;
      });
      assert.equal(last.record.batch?.results, 5);
    });
  });
}
