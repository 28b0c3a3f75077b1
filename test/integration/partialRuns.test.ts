// Partial runs and Problems in real VS Code: a full run's failing cases go to Problems at their eval-set lines
// while the eval set is not open; then one case run from the Test Explorer is a partial run: the panel keeps
// all cases with that case's cells marked updated, no comparison or advice about a one-case set appears, the
// Runs view labels it "partial · 1 of 4 cases" with a neutral icon, and Problems keep the other cases' entries.

import * as assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../../src/core/runs/schema';
import type { RunsTreeNode } from '../../src/extension/runs/runsTree';
import { api, closeAll, workspaceRoot, waitFor } from './helpers';
import { probePanel } from './webviewProbe';

const PROMPT = `# Partial-run fixture: cases 1 and 3 fail (the scripted model says 5), cases 0 and 2 pass.
name: Partial QA
model: openai/gpt-4o-mini
messages:
  - role: user
    content: "Question: {{question}}"
testFile: ./partial.cases.jsonl
variants:
  - name: short
  - name: long
    modelParameters: { maxTokens: 80 }
evaluators:
  - name: answer
    string:
      contains: "{{expected}}"
`;
const CASES = [
  '{"question": "capital of France?", "expected": "Paris"}',
  '{"question": "two plus two?", "expected": "4"}',
  '{"question": "where is my parcel?", "expected": "delivery"}',
  '{"question": "two plus two, again?", "expected": "4"}',
].join('\n');

export function registerPartialRunTests(): void {
  describe('partial runs and Problems', () => {
    const promptPath = () => path.join(workspaceRoot(), 'partial.prompt.yml');
    const casesPath = () => path.join(workspaceRoot(), 'partial.cases.jsonl');
    const promptUri = () => vscode.Uri.file(promptPath());
    const casesUri = () => vscode.Uri.file(casesPath());
    let full: RunRecord | undefined;

    before(async () => {
      await api();
      await closeAll();
      writeFileSync(casesPath(), CASES + '\n');
      writeFileSync(promptPath(), PROMPT);
    });

    after(async () => {
      await closeAll();
      const a = await api();
      for (const r of await a.runs.listRuns(promptUri())) await a.runs.deleteRun(r.uri);
      rmSync(promptPath(), { force: true });
      rmSync(casesPath(), { force: true });
    });

    const warnings = () => vscode.languages.getDiagnostics(casesUri()).filter((d) => d.source === 'Prompt Ladder' && /^Case /.test(d.message));

    it('lists failing cases in Problems at their eval-set lines after a full run, the eval set not open', async () => {
      const a = await api();
      full = await a.runs.start(promptUri(), { progress: 'window' });
      assert.equal(full?.status, 'completed');
      assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.fsPath === casesPath()), 'the eval set was never opened');
      const diags = await waitFor('failing cases in Problems', () => (warnings().length === 4 ? warnings() : undefined));
      assert.deepEqual([...new Set(diags.map((d) => d.range.start.line))].sort(), [1, 3], 'at the lines of the failing cases');
      assert.ok(diags.every((d) => d.severity === vscode.DiagnosticSeverity.Warning));
      assert.match(diags[0].message, /^Case partial\.cases\.jsonl:[24], variant (short|long): failed answer/);
    });

    it('runs one case from the Test Explorer as a partial run shown over the full results', async () => {
      const a = await api();
      await a.panelManager.show(promptUri());
      await a.panelManager._whenReadyForTest(promptUri());
      const item = await waitFor('the prompt file in the Test Explorer', async () => {
        await a.tests.discover();
        return a.tests.controller.items.get(promptUri().toString());
      });
      await a.tests.controller.resolveHandler!(item);
      const caseItem = await waitFor('case 1 as a test item', () => {
        let found: vscode.TestItem | undefined;
        item.children.forEach((c) => {
          if (c.label.startsWith('partial.cases.jsonl:2')) found = c;
        });
        return found;
      });
      await a.tests.runProfile.runHandler(new vscode.TestRunRequest([caseItem], undefined, a.tests.runProfile), new vscode.CancellationTokenSource().token);

      const runs = await a.runs.listRuns(promptUri());
      const partial = runs[0].record;
      assert.deepEqual(partial.partial, { of: 4, caseIndexes: [1] }, 'the record says it is partial');
      assert.deepEqual(partial.advice?.recommendations ?? [], [], 'no advice on a one-case run');
      assert.equal((await a.runs.lastRun(promptUri()))?.record.id, full!.id, 'whole-file readers keep the full run');

      // the panel: every case, the re-run case's cells marked, no comparison with the full run
      const s = await waitFor('the merged results in the panel', async () => {
        const snap = await probePanel(a, promptUri());
        return snap.runId === partial.id && snap.rowCount === 4 && snap.cells.some((c) => c.updated) ? snap : undefined;
      });
      assert.deepEqual(
        s.cells.filter((c) => c.updated).map((c) => `${c.caseIndex}:${c.variant}`).sort(),
        ['1:long', '1:short'],
        'only the cells the partial run ran are marked',
      );
      assert.equal(s.cells.length, 8);
      assert.equal(s.cells.find((c) => c.caseIndex === 3 && c.variant === 'short')?.status, 'fail', 'cells it did not run keep the full run’s results');
      assert.match(s.summary, /50(\.0)?%/, 'pass rates over all four cases');
      assert.doesNotMatch(s.summary, /\b0(\.0)?%/);
      assert.equal(s.compare, null, 'not compared with the full run');
      assert.doesNotMatch(s.advice ?? '', /only 1 case/);

      // inline results: the current results hold every case
      await a.index.ready();
      assert.equal(a.index.forPrompt(promptPath())?.run.record.caseCount, 4);

      // the Runs view: labelled partial, with a neutral icon
      const promptNode = (await a.tree.getChildren()).find((n): n is Extract<RunsTreeNode, { kind: 'prompt' }> => n.kind === 'prompt' && n.promptPath === promptPath());
      assert.ok(promptNode, 'the prompt file is in the Runs view');
      const runNode = (await a.tree.getChildren(promptNode)).find((n) => n.kind === 'run' && n.run.record.id === partial.id);
      assert.ok(runNode, 'the partial run is listed');
      const treeItem = a.tree.getTreeItem(runNode);
      assert.equal(treeItem.label, 'partial · 1 of 4 cases');
      assert.equal((treeItem.iconPath as vscode.ThemeIcon).id, 'circle-outline');
      assert.equal((treeItem.iconPath as vscode.ThemeIcon).color, undefined, 'neither red nor green');

      // Problems: the partial run updated its case's entries only; case 4's warnings stay
      const diags = await waitFor('Problems after the partial run', () => (warnings().length === 4 ? warnings() : undefined));
      assert.deepEqual([...new Set(diags.map((d) => d.range.start.line))].sort(), [1, 3]);
    });
  });
}
