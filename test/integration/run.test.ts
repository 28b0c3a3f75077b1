// A run against the scripted model server over real HTTP, then everything that shows it: the history tree,
// CodeLens, end-of-line decorations, hovers, failing-case diagnostics, staleness, and the eval-set file.

import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { RunRecord } from '../../src/core/runs/schema';
import type { RunsTreeNode } from '../../src/extension/runs/runsTree';
import type { RunBlockedError } from '../../src/extension/runs/runController';
import { createSettingsResolver } from '../../src/extension/providers/settingsResolver';
import { api, closeAll, fixture, hoverText, lensTitles, open, storedRecord, waitFor } from './helpers';

export function registerRunTests(): void {
  describe('run eval against the scripted server', () => {
    let record: RunRecord;

    before(async () => {
      await open('classify.prompt.yml');
      const a = await api();
      const r = await vscode.commands.executeCommand<RunRecord>('promptLadder.runEval', fixture('classify.prompt.yml'));
      assert.ok(r, 'runEval resolves with the record');
      record = r;
      await a.index.refresh();
    });

    after(closeAll);

    it('completes with per-variant results that the scripted replies decide', () => {
      assert.equal(record.status, 'completed');
      const byName = Object.fromEntries(record.variants.map((v) => [v.name, v]));
      assert.equal(byName['zero-shot'].passed, 1, 'zero-shot passes only the refund case');
      assert.equal(byName['2-shot'].passed, 2, '2-shot also fixes the delivery case');
      assert.equal(byName['zero-shot'].categories.format, 2);
    });

    it('lists the run in the history tree under its prompt file', async () => {
      const a = await api();
      const roots = await waitFor('a prompt node', async () => {
        const nodes = await a.tree.getChildren();
        return nodes.length ? nodes : undefined;
      });
      const prompt = roots.find((n) => n.kind === 'prompt' && n.promptPath.endsWith('classify.prompt.yml'));
      assert.ok(prompt, 'classify.prompt.yml is a root');
      const runs = (await a.tree.getChildren(prompt)) as Extract<RunsTreeNode, { kind: 'run' }>[];
      assert.ok(runs.some((r) => r.run.record.id === record.id), 'the run is a child');
      const item = a.tree.getTreeItem(runs[0]);
      assert.equal(item.label, '67% · 2-shot', 'the best pass rate first, short enough for the default sidebar');
      assert.match(String(item.description), /ago|just now/);
      assert.match((item.tooltip as vscode.MarkdownString).value, /zero-shot 33% · 2-shot 67%/);
      assert.equal(item.contextValue, 'run');
    });

    it('shows the file CodeLens with the last result and a lens per test case', async () => {
      const uri = fixture('classify.prompt.yml');
      const lenses = await waitFor('result lenses', async () => {
        const l = await lensTitles(uri);
        return l.some((x) => x.title.startsWith('✗')) ? l : undefined;
      });
      assert.ok(!lenses.some((l) => /Running/.test(l.title)), 'the running lens is gone once the run finished');
      const file = lenses.find((l) => l.line === 0 && l.title.startsWith('▶ Run eval'));
      assert.ok(file, `file lens present: ${JSON.stringify(lenses)}`);
      assert.match(file.title, /last: 2\/3 on 2-shot, just now/);
      // testData items are at lines 10, 12, 14 (1-based) → 9, 11, 13.
      const at = (line: number) => lenses.filter((l) => l.line === line).map((l) => l.title);
      assert.ok(at(9).includes('✗ zero-shot: format'), `delivery case: ${at(9)}`);
      assert.ok(at(11).includes('✓ 2/2 variants'), `refund case: ${at(11)}`);
      assert.ok(at(13).some((t) => t.startsWith('✗ zero-shot: format, 2-shot: format')), `xss case: ${at(13)}`);
    });

    it('decorates each test case line with ✓/✗ per variant and the category', async () => {
      const a = await api();
      const editor = await open('classify.prompt.yml');
      a.decorations.updateAll();
      const shown = await waitFor('decorations', () => {
        const d = a.decorations.decorationsFor(editor.document.uri);
        return d.length === 3 ? d : undefined;
      });
      const byLine = Object.fromEntries(shown.map((d) => [d.line, d]));
      assert.equal(byLine[9].text, '✗ zero-shot (format)  ✓ 2-shot');
      assert.equal(byLine[9].passed, false);
      assert.equal(byLine[11].text, '✓ zero-shot  ✓ 2-shot');
      assert.equal(byLine[11].passed, true);
    });

    it('hovers a case with each variant output as text, the verdicts and a link to the panel', async () => {
      const text = await hoverText(fixture('classify.prompt.yml'), new vscode.Position(13, 5));
      assert.match(text, /<img src=x onerror=alert\(1\)>/, 'the XSS output is inside a code block, as text');
      assert.match(text, /```text/);
      assert.match(text, /valid-json/);
      assert.match(text, /command:promptLadder\.openCell\?/);
    });

    it('lists runs as summaries, and indexes each case by its verdicts (the outputs stay in the run file)', async () => {
      const a = await api();
      const [newest] = await a.runs.listRuns(fixture('classify.prompt.yml'));
      assert.equal('cases' in newest.record, false, 'a listed run holds no cases');
      assert.equal(newest.record.caseCount, 3);
      assert.equal(newest.record.results, 6);
      await a.index.ready();
      const cases = a.index.casesIn(await vscode.workspace.openTextDocument(fixture('classify.prompt.yml')));
      assert.deepEqual(
        cases.map((c) => [c.line, 'results' in c.case, c.verdicts.map((v) => `${v.variant} ${v.passed ? 'passed' : v.category}`)]),
        [
          [9, false, ['zero-shot format', '2-shot passed']],
          [11, false, ['zero-shot passed', '2-shot passed']],
          [13, false, ['zero-shot format', '2-shot format']],
        ],
      );
      assert.equal(cases[0].verdicts[1], cases[1].verdicts[1], 'alike verdicts are one object');
    });

    it('reports failing cases as warnings with variant, evaluator and category', async () => {
      const uri = fixture('classify.prompt.yml');
      const diags = await waitFor('result warnings', () => {
        const d = vscode.languages.getDiagnostics(uri).filter((x) => x.severity === vscode.DiagnosticSeverity.Warning);
        return d.length >= 3 ? d : undefined;
      });
      const line9 = diags.filter((d) => d.range.start.line === 9).map((d) => d.message);
      assert.deepEqual(line9, ['Case line 10, variant zero-shot: failed valid-json (category: format)']);
    });

    it('marks results stale when the prompt file changes, and clears inline results', async () => {
      const a = await api();
      const editor = await open('classify.prompt.yml');
      const uri = editor.document.uri;
      await editor.edit((e) => e.insert(new vscode.Position(1, 0), '# edited\n'));
      try {
        const lenses = await waitFor('stale lens', async () => {
          const l = await lensTitles(uri);
          return l.some((x) => /file changed since/.test(x.title)) ? l : undefined;
        });
        assert.ok(!lenses.some((l) => l.title.startsWith('✗') || l.title.startsWith('✓')), 'case lenses are cleared');
        a.decorations.updateAll();
        assert.equal(a.decorations.decorationsFor(uri).length, 0);
      } finally {
        await vscode.commands.executeCommand('undo');
        await editor.document.save();
      }
    });

    it('shows results on the lines of a JSONL eval-set file', async () => {
      const a = await api();
      const r = await vscode.commands.executeCommand<RunRecord>('promptLadder.runEval', fixture('qa.prompt.yml'));
      assert.equal(r?.status, 'completed');
      await a.index.refresh();
      const cases = fixture('qa.cases.jsonl');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(cases));
      const lenses = await waitFor('jsonl lenses', async () => {
        const l = await lensTitles(cases);
        return l.length >= 2 ? l : undefined;
      });
      assert.equal(lenses.find((l) => l.line === 0)?.title, '✓ 1/1 variant');
      assert.match(lenses.find((l) => l.line === 1)?.title ?? '', /^✗ default: /);
      const doc = await vscode.workspace.openTextDocument(cases);
      await vscode.window.showTextDocument(doc);
      const shown = await waitFor('jsonl decorations', () => {
        a.decorations.updateAll();
        const d = a.decorations.decorationsFor(cases);
        return d.length === 2 ? d : undefined;
      });
      assert.equal(shown.find((d) => d.line === 0)?.text, '✓ default');
      // Editing the eval-set file: each case's results follow its line; a case whose own line is edited loses them.
      const editor = vscode.window.activeTextEditor!;
      await editor.edit((e) => e.insert(new vscode.Position(0, 0), '{"question": "new?", "expected": "x"}\n'));
      const moved = await waitFor('jsonl lenses moved down a line', async () => {
        const l = await lensTitles(cases);
        return l.some((x) => x.line === 2) ? l : undefined;
      });
      assert.equal(moved.find((l) => l.line === 1)?.title, '✓ 1/1 variant');
      assert.match(moved.find((l) => l.line === 2)?.title ?? '', /^✗ default: /);
      assert.equal(moved.some((l) => l.line === 0), false, 'the new row has no results');
      await editor.edit((e) => e.insert(new vscode.Position(1, 14), ' really'));
      const edited = await waitFor('the edited case without its results', async () => {
        const l = await lensTitles(cases);
        return l.some((x) => x.line === 1) ? undefined : l;
      });
      assert.match(edited.find((l) => l.line === 2)?.title ?? '', /^✗ default: /, 'the other case keeps its results');
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await waitFor('results back on the reverted file', async () => {
        const l = await lensTitles(cases);
        return l.some((x) => x.line === 0) && l.some((x) => x.line === 1) ? true : undefined;
      });
    });

    it('runs the prompt once on the selection and shows each variant output', async () => {
      const editor = await open('classify.prompt.yml');
      editor.selection = new vscode.Selection(9, 11, 9, 29);
      assert.equal(editor.document.getText(editor.selection), 'the parcel is late');
      const r = await vscode.commands.executeCommand<RunRecord>('promptLadder.runOnSelection');
      assert.ok(r);
      assert.deepEqual(r.cases[0].vars, { text: 'the parcel is late' });
      assert.deepEqual(r.cases[0].results.map((x) => x.output).sort(), ['It is about a delivery.', '{"label": "delivery"}']);
      const shown = vscode.window.activeTextEditor!.document;
      assert.equal(shown.isUntitled, true);
      assert.match(shown.getText(), /## 2-shot[\s\S]*\{"label": "delivery"\}/);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });

    it('without a usable provider, refuses to run with a message whose buttons fix it', async () => {
      const a = await api();
      const { spec } = await a.runs.loadSpec(fixture('classify.prompt.yml'));
      const bare = createSettingsResolver({ settings: { providers: [], maxConcurrency: 0, cacheEnabled: true }, keys: new Map(), env: {} });
      assert.throws(
        () => a.runs.preflight(spec, bare),
        (err: unknown) => {
          // The extension's own class (its bundle is not this suite's), so check by name and shape.
          const e = err as RunBlockedError;
          assert.equal(e.name, 'RunBlockedError');
          assert.match(e.message, /Set API Key/);
          assert.deepEqual(e.actions.map((x) => x.command), ['promptLadder.setApiKey', 'promptLadder.selectModel']);
          return true;
        },
      );
      const noModel = { ...spec, model: undefined };
      assert.throws(() => a.runs.preflight(noModel, bare), /promptLadder\.defaultModel is empty/);
    });

    it('runs only the case at the cursor', async () => {
      const editor = await open('classify.prompt.yml');
      editor.selection = new vscode.Selection(11, 4, 11, 4);
      const r = await storedRecord(await vscode.commands.executeCommand<RunRecord>('promptLadder.runCaseAtCursor'));
      assert.deepEqual(r.cases.map((c) => c.index), [1]);
      assert.equal(r.cases[0].results.length, 2);
    });

    it('compares the newest run of a file with the previous one', async () => {
      const a = await api();
      const runs = await a.runs.listRuns(fixture('classify.prompt.yml'));
      assert.ok(runs.length >= 2, 'the full run and the single-case run');
      const res = await vscode.commands.executeCommand<{ head: vscode.Uri; base: vscode.Uri }>('promptLadder.compareWithPrevious', fixture('classify.prompt.yml'));
      assert.ok(res);
      assert.equal(res.head.toString(), runs[0].uri.toString());
      assert.equal(res.base.toString(), runs[1].uri.toString());
    });

    it('shows a run written by another process (the CLI) live, reveals its file, and deletes it', async () => {
      const a = await api();
      const [newest] = await a.runs.listRuns(fixture('classify.prompt.yml'));
      const whole = await a.runs.readRun(newest.uri);
      assert.ok(whole);
      const copy: RunRecord = { ...whole, id: 'cli00000-0000-0000-0000-000000000000', startedAt: new Date(Date.now() + 60_000).toISOString() };
      const target = vscode.Uri.joinPath(newest.uri, '..', 'classify-cli-copy.json');
      // Written with plain fs, as another process would: only the file watcher can notice it.
      writeFileSync(target.fsPath, JSON.stringify(copy));
      const node = await waitFor('the CLI run in the tree', async () => {
        const roots = await a.tree.getChildren();
        const prompt = roots.find((n) => n.kind === 'prompt' && n.promptPath.endsWith('classify.prompt.yml'));
        const runs = prompt ? await a.tree.getChildren(prompt) : [];
        return runs.find((r) => r.kind === 'run' && r.run.record.id === copy.id);
      });
      await vscode.commands.executeCommand('promptLadder.runs.revealRunFile', node);
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, target.fsPath);
      await closeAll();
      assert.equal(node.kind, 'run');
      if (node.kind === 'run') await a.runs.deleteRun(node.run.uri);
      await waitFor('the run gone from the tree', async () => {
        const all = await a.runs.listAllRuns();
        return all.some((r) => r.record.id === copy.id) ? undefined : true;
      });
    });

    it('runs a .prompty file with its sibling eval set, with results on the eval-set lines', async () => {
      const a = await api();
      const editor = await open('notes.prompty');
      a.statusBar.update();
      assert.match(a.statusBar.item.text, /openai\/gpt-4o-mini/, 'the status bar reads the model from the front matter');
      const r = await vscode.commands.executeCommand<RunRecord>('promptLadder.runEval', editor.document.uri);
      assert.equal(r?.status, 'completed');
      assert.deepEqual(r.variants.map((v) => [v.name, v.passed, v.failed]), [['plain', 1, 1], ['1-shot', 1, 1]]);
      await a.index.refresh();
      const lenses = await waitFor('prompty file lens', async () => {
        const l = await lensTitles(editor.document.uri);
        return l.some((x) => x.title.startsWith('▶ Run eval · last: 1/2')) ? l : undefined;
      });
      assert.ok(lenses.length >= 2);
      const cases = fixture('notes.cases.jsonl');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(cases));
      const caseLenses = await waitFor('cases lenses', async () => {
        const l = await lensTitles(cases);
        return l.length >= 2 ? l : undefined;
      });
      assert.equal(caseLenses.find((l) => l.line === 0)?.title, '✓ 2/2 variants');
      assert.match(caseLenses.find((l) => l.line === 1)?.title ?? '', /^✗ plain: .*, 1-shot: /);
    });
  });
}
