// The Test Explorer: prompt files discovered lazily (a file created after activation appears through the
// watcher), cases with the ranges of their eval-set lines, a run through the run controller with passed,
// failed (expected vs actual) and errored leaves, the run in the history, and continuous runs on save.

import * as assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, closeAll, fixture, workspaceRoot, waitFor, testStates } from './helpers';

const PROMPT = `# Test Explorer fixture: one case passes, one fails against its expected output, one errors (rules.json).
name: Explorer QA
model: openai/gpt-4o-mini
messages:
  - role: user
    content: "Question: {{question}}"
testFile: ./explorer.cases.jsonl
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
  '{"question": "what if the server explodes?", "expected": "nothing"}',
].join('\n');

const children = (item: vscode.TestItem): vscode.TestItem[] => {
  const out: vscode.TestItem[] = [];
  item.children.forEach((c) => out.push(c));
  return out.sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label));
};

export function registerTestingTests(): void {
  describe('Test Explorer', () => {
    const promptPath = () => path.join(workspaceRoot(), 'explorer.prompt.yml');
    const casesPath = () => path.join(workspaceRoot(), 'explorer.cases.jsonl');

    before(async () => {
      await api();
    });

    after(async () => {
      await closeAll();
      rmSync(promptPath(), { force: true });
      rmSync(casesPath(), { force: true });
    });

    it('discovers prompt files without parsing them, and a new file through the watcher', async () => {
      const { tests } = await api();
      await tests.discover();
      const qa = tests.controller.items.get(fixture('qa.prompt.yml').toString());
      assert.ok(qa, 'the workspace prompt files are listed');
      assert.ok(tests.controller.items.get(fixture('notes.prompty').toString()), '.prompty files too');
      assert.equal(qa.canResolveChildren, true, 'children come on demand');
      // created after discovery: only the watcher can bring it in
      const uri = vscode.Uri.file(promptPath());
      assert.equal(tests.controller.items.get(uri.toString()), undefined);
      writeFileSync(casesPath(), CASES + '\n');
      writeFileSync(promptPath(), PROMPT);
      const item = await waitFor('the new prompt file as a test item', () => tests.controller.items.get(uri.toString()));
      assert.equal(item.canResolveChildren, true);
      assert.equal(item.children.size, 0, 'listed, not parsed, until it is expanded, opened or run');
    });

    it('resolves cases with the ranges of their eval-set lines, variants as leaves made when a case is expanded', async () => {
      const { tests } = await api();
      const item = tests.controller.items.get(vscode.Uri.file(promptPath()).toString())!;
      await tests.controller.resolveHandler!(item);
      const cases = children(item);
      // named by the eval-set line, as the CLI, the HTML report, the panel and Problems name a case
      assert.deepEqual(cases.map((c) => c.label), [
        'explorer.cases.jsonl:1 · capital of France?',
        'explorer.cases.jsonl:2 · two plus two?',
        'explorer.cases.jsonl:3 · what if the server explodes?',
      ]);
      assert.deepEqual(cases.map((c) => c.id.slice(c.id.indexOf('#'))), ['#explorer.cases.jsonl:1', '#explorer.cases.jsonl:2', '#explorer.cases.jsonl:3']);
      assert.deepEqual(cases.map((c) => [c.uri?.fsPath, c.range?.start.line]), [
        [casesPath(), 0],
        [casesPath(), 1],
        [casesPath(), 2],
      ]);
      for (const c of cases) {
        assert.equal(c.children.size, 0, 'no leaves until the case is expanded or run');
        assert.equal(c.canResolveChildren, true);
        await tests.controller.resolveHandler!(c);
        const leaves = children(c);
        assert.deepEqual(leaves.map((l) => l.label), ['short', 'long']);
        // what a screen reader hears for a leaf (its description, when set): the variant and the case, each its own
        const line = c.range!.start.line + 1;
        assert.deepEqual(leaves.map((l) => l.description?.split(' · ').slice(0, 2).join(' · ')), [`short · explorer.cases.jsonl:${line}`, `long · explorer.cases.jsonl:${line}`]);
        assert.ok(leaves.every((l) => l.range?.start.line === c.range?.start.line && l.uri?.fsPath === casesPath()));
      }

      // inline testData: the rows of the prompt file itself (lines 10, 12, 14, 1-based)
      const classify = tests.controller.items.get(fixture('classify.prompt.yml').toString())!;
      await tests.controller.resolveHandler!(classify);
      assert.deepEqual(children(classify).map((c) => [path.basename(c.uri!.fsPath), c.range!.start.line, c.label.split(' · ')[0]]), [
        ['classify.prompt.yml', 9, 'line 10'],
        ['classify.prompt.yml', 11, 'line 12'],
        ['classify.prompt.yml', 13, 'line 14'],
      ]);
    });

    it('runs through the run controller: passed, failed with expected vs actual, errored; durations; the run is in the history', async () => {
      const a = await api();
      const tests = a.tests;
      const uri = vscode.Uri.file(promptPath());
      const item = tests.controller.items.get(uri.toString())!;
      const before = (await a.runs.listRuns(uri)).length;
      testStates(tests).length = 0;
      const token = new vscode.CancellationTokenSource().token;
      await tests.runProfile.runHandler(new vscode.TestRunRequest([item], undefined, tests.runProfile), token);

      const final = (id: string) => [...testStates(tests)].reverse().find((r) => r.id === id && ['passed', 'failed', 'errored', 'skipped'].includes(r.state));
      const [c0, c1, c2] = children(item);
      for (const leaf of children(c0)) {
        const r = final(leaf.id);
        assert.equal(r?.state, 'passed', `${leaf.id}: ${JSON.stringify(r)}`);
        assert.equal(typeof r?.durationMs, 'number');
      }
      for (const leaf of children(c1)) {
        const r = final(leaf.id);
        assert.equal(r?.state, 'failed', JSON.stringify(r));
        assert.deepEqual(r?.diff, { expected: '4', actual: '5' });
        assert.match(r?.message ?? '', /✗ answer/, 'the evaluator verdict');
        assert.match(r?.message ?? '', /^knowledge|^instruction|^reasoning/, 'the category comes first');
        assert.deepEqual(r?.location, { file: casesPath(), line: 1 });
      }
      for (const leaf of children(c2)) {
        const r = final(leaf.id);
        assert.equal(r?.state, 'errored', JSON.stringify(r));
        assert.match(r?.message ?? '', /The call failed/);
      }
      assert.ok(testStates(tests).some((r) => r.state === 'started'), 'leaves are marked started as their calls begin');

      const runs = await waitFor('the run in the history', async () => {
        const list = await a.runs.listRuns(uri);
        return list.length > before ? list : undefined;
      });
      assert.equal(runs[0].record.caseCount, 3);
      assert.deepEqual(runs[0].record.variants.map((v) => [v.name, v.passed, v.failed, v.errors]), [
        ['short', 1, 1, 1],
        ['long', 1, 1, 1],
      ]);
      const roots = await a.tree.getChildren();
      assert.ok(roots.some((n) => n.kind === 'prompt' && n.promptPath === promptPath()), 'the history tree lists the prompt file');
    });

    it('runs only the case and variant picked', async () => {
      const a = await api();
      const tests = a.tests;
      const uri = vscode.Uri.file(promptPath());
      const item = tests.controller.items.get(uri.toString())!;
      const leaf = children(children(item)[1])[1];
      await tests.runProfile.runHandler(new vscode.TestRunRequest([leaf], undefined, tests.runProfile), new vscode.CancellationTokenSource().token);
      const newest = await a.runs.readRun((await a.runs.listRuns(uri))[0].uri);
      assert.ok(newest);
      assert.deepEqual(newest.cases.map((c) => c.index), [1]);
      assert.deepEqual(newest.variants.map((v) => v.name), ['long']);
    });

    it('a run started elsewhere (Run Eval) shows its results here too', async () => {
      const a = await api();
      const tests = a.tests;
      const uri = vscode.Uri.file(promptPath());
      const item = tests.controller.items.get(uri.toString())!;
      testStates(tests).length = 0;
      await vscode.commands.executeCommand('promptLadder.runEval', uri);
      const [c0, c1, c2] = children(item);
      const states = (c: vscode.TestItem) => children(c).map((l) => testStates(tests).find((r) => r.id === l.id && r.state !== 'enqueued' && r.state !== 'started')?.state);
      assert.deepEqual(states(c0), ['passed', 'passed']);
      assert.deepEqual(states(c1), ['failed', 'failed']);
      assert.deepEqual(states(c2), ['errored', 'errored']);
    });

    it('a file with more than 500 cases is in groups of 100 cases: a run reports to the groups, a case run from here to the case', async () => {
      const a = await api();
      const tests = a.tests;
      const bigPrompt = path.join(workspaceRoot(), 'explorer-big.prompt.yml');
      const bigCases = path.join(workspaceRoot(), 'explorer-big.cases.jsonl');
      // case i: France passes in both variants, two plus two fails in both, every 7th case errors
      const rows = Array.from({ length: 520 }, (_, i) =>
        i % 7 === 3 ? '{"question": "what if the server explodes?", "expected": "nothing"}' : i % 2 ? '{"question": "two plus two?", "expected": "4"}' : '{"question": "capital of France?", "expected": "Paris"}',
      );
      writeFileSync(bigCases, rows.join('\n') + '\n');
      writeFileSync(bigPrompt, PROMPT.replace('explorer.cases.jsonl', 'explorer-big.cases.jsonl').replace('Explorer QA', 'Explorer QA big'));
      const final = () => testStates(tests).filter((r) => r.state !== 'enqueued' && r.state !== 'started');
      try {
        const uri = vscode.Uri.file(bigPrompt);
        const item = await waitFor('the big file is discovered', () => tests.controller.items.get(uri.toString()));
        await tests.controller.resolveHandler!(item);
        const groups = children(item);
        assert.deepEqual(groups.map((g) => g.label), ['cases 1–100', 'cases 101–200', 'cases 201–300', 'cases 301–400', 'cases 401–500', 'cases 501–520']);
        assert.equal(groups[5].description, 'explorer-big.cases.jsonl:501–520');
        // no file of its own: opening the eval set does not make the workbench expand every group
        assert.ok(groups.every((g) => g.uri === undefined && g.canResolveChildren && g.children.size === 0), 'groups are made without their cases');

        // a run from the command: one final state per group, the first cases that did not pass named
        testStates(tests).length = 0;
        await vscode.commands.executeCommand('promptLadder.runEval', uri);
        assert.deepEqual(final().map((r) => r.id).sort(), groups.map((g) => g.id).sort(), 'one final state per group');
        const first = final().find((r) => r.id === groups[0].id);
        assert.equal(first?.state, 'failed');
        // rows 2, 4, 6, 8 (i = 1, 3, 5, 7) fail or error; i = 3 errors (every 7th from 3)
        assert.match(first?.message ?? '', /^\d+ of 100 cases failed: explorer-big\.cases\.jsonl:2, explorer-big\.cases\.jsonl:6, /);
        assert.match(first?.message ?? '', /\n\d+ of 100 cases errored: explorer-big\.cases\.jsonl:4, .* and \d+ more\n/);
        assert.equal(first?.location?.file, bigCases);
        assert.equal(first?.location?.line, 1, 'at the first case that did not pass (0-based line)');

        // expanded, a group has its cases as the tests (no variant items); a run still reports to the groups, and to
        // a case when the request names it
        await tests.controller.resolveHandler!(groups[0]);
        const cases = children(groups[0]);
        assert.equal(cases.length, 100);
        assert.ok(cases.every((c) => !c.canResolveChildren && c.children.size === 0), 'no case has variant items');
        testStates(tests).length = 0;
        await vscode.commands.executeCommand('promptLadder.runEval', uri);
        assert.deepEqual(final().map((r) => r.id).sort(), groups.map((g) => g.id).sort(), 'the groups again, not their 100 cases');
        testStates(tests).length = 0;
        await tests.runProfile.runHandler(new vscode.TestRunRequest(cases.slice(0, 4), undefined, tests.runProfile), new vscode.CancellationTokenSource().token);
        const stateOf = (i: number) => final().find((r) => r.id === cases[i].id);
        assert.equal(final().length, 4, 'the cases picked');
        assert.equal(stateOf(0)?.state, 'passed');
        assert.equal(stateOf(1)?.state, 'failed');
        assert.match(stateOf(1)?.message ?? '', /^2 of 2 results did not pass:\nshort: .*\nlong: /);
        assert.equal(stateOf(1)?.diff?.expected, '4');
        assert.equal(stateOf(3)?.state, 'errored');

        // a group run from the Test Explorer runs its cases alone
        testStates(tests).length = 0;
        await tests.runProfile.runHandler(new vscode.TestRunRequest([groups[5]], undefined, tests.runProfile), new vscode.CancellationTokenSource().token);
        assert.deepEqual(final().map((r) => [r.id, r.state]), [[groups[5].id, 'failed']]);
        assert.match(final()[0].message ?? '', / of 20 cases failed: explorer-big\.cases\.jsonl:502, /);
      } finally {
        rmSync(bigPrompt, { force: true });
        rmSync(bigCases, { force: true });
      }
    });

    it('a file that does not load is errored with its problem', async () => {
      const a = await api();
      const tests = a.tests;
      const broken = tests.controller.items.get(fixture('broken.prompt.yml').toString())!;
      testStates(tests).length = 0;
      await tests.runProfile.runHandler(new vscode.TestRunRequest([broken], undefined, tests.runProfile), new vscode.CancellationTokenSource().token);
      const r = testStates(tests).find((x) => x.id === broken.id);
      assert.equal(r?.state, 'errored');
      assert.match(r?.message ?? '', /broken\.prompt\.yml cannot be run:\nline \d+: /);
      assert.ok(broken.error, 'the item shows the error in the explorer');
    });

    it('continuous run re-runs the cases an eval-set save changed, and only those', async () => {
      const a = await api();
      const tests = a.tests;
      const uri = vscode.Uri.file(promptPath());
      const item = await waitFor('the prompt file item', () => tests.controller.items.get(uri.toString()));
      await tests.controller.resolveHandler!(item);
      assert.equal(tests.runProfile.supportsContinuousRun, true);
      testStates(tests).length = 0;
      const cts = new vscode.CancellationTokenSource();
      const running = tests.runProfile.runHandler(new vscode.TestRunRequest([item], undefined, tests.runProfile, true), cts.token);
      try {
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(casesPath()));
        const editor = await vscode.window.showTextDocument(doc);
        await editor.edit((e) => e.replace(doc.lineAt(1).range, '{"question": "two plus two?", "expected": "5"}'));
        await doc.save();
        const c1 = children(item)[1];
        await waitFor('case 1 re-run and passing', () =>
          children(c1).every((leaf) => testStates(tests).some((r) => r.id === leaf.id && r.state === 'passed')) ? true : undefined,
        ).catch((err: Error) => {
          throw new Error(`${err.message}; reported: ${JSON.stringify(testStates(tests))}`);
        });
        const started = new Set(testStates(tests).filter((r) => r.state === 'started').map((r) => r.id));
        const c0 = children(item)[0];
        assert.ok(children(c0).every((leaf) => !started.has(leaf.id)), 'an unchanged case is not re-run');
      } finally {
        cts.cancel();
        await running;
      }
    });
  });
}
