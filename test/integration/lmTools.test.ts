// The agent tools as VS Code Language Model tools: registered with vscode.lm, invoked through vscode.lm.invokeTool
// (as Copilot agent mode does), a run through the run controller (in the history), a confirmation before a
// run that costs model calls, and errors the agent can read.

import * as assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, fixture, workspaceRoot } from './helpers';

const textOf = (r: vscode.LanguageModelToolResult) =>
  r.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');

const none = () => new vscode.CancellationTokenSource().token;

export function registerLmToolTests(): void {
  describe('Language Model tools', () => {
    before(api);

    it('climb: an estimate asks nothing and sends nothing; a confirmed climb asks first, with the budget and where the cases go', async () => {
      const { lmTools } = await api();
      const estimateOnly = await lmTools.get('climb')!.prepareInvocation!({ input: { file: 'classify.prompt.yml' } }, none());
      assert.equal(estimateOnly?.confirmationMessages, undefined);
      const prep = await lmTools.get('climb')!.prepareInvocation!({ input: { file: 'classify.prompt.yml', confirmed: true, budgetUsd: 0.5 } }, none());
      assert.equal(prep?.confirmationMessages?.title, 'Climb a prompt?');
      const message = prep?.confirmationMessages?.message;
      assert.match((typeof message === 'string' ? message : message?.value) ?? '', /within \$0\\.5\. It may make up to \d+ model calls .* sends the eval set's cases to/);
      const text = textOf(await vscode.lm.invokeTool('promptLadder_climb', { input: { file: 'classify.prompt.yml' }, toolInvocationToken: undefined }, none()));
      assert.match(text, /Estimate for climbing classify\.prompt\.yml: .*Nothing was sent/);
    });

    it('Climb… on a 3-case file records `evaluation` as the first move, opens the Climb view and sends nothing', async () => {
      await api();
      const uri = fixture('classify.prompt.yml');
      await vscode.commands.executeCommand('promptLadder.climb', uri);
      const folder = vscode.workspace.getWorkspaceFolder(uri)!.uri;
      const dir = vscode.Uri.joinPath(folder, '.promptladder', 'climbs');
      const names = (await vscode.workspace.fs.readDirectory(dir)).map(([n]) => n);
      const newest = names.sort().pop()!;
      const record = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(dir, newest)))) as { steps: { move: { kind: string } }[]; calls: number };
      assert.equal(record.steps[0].move.kind, 'evaluation');
      assert.equal(record.calls, 0);
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Climb: classify.prompt.yml');
      assert.equal(tabs.length, 1, 'the Climb view is open');
      await vscode.window.tabGroups.close(tabs);
    });

    it('registers the tools with their input schemas', () => {
      const ours = vscode.lm.tools.filter((t) => t.name.startsWith('promptLadder_'));
      assert.deepEqual(ours.map((t) => t.name).sort(), ['promptLadder_climb', 'promptLadder_get_advice', 'promptLadder_get_run', 'promptLadder_list_runs', 'promptLadder_run_eval']);
      const run = ours.find((t) => t.name === 'promptLadder_run_eval')!;
      assert.deepEqual((run.inputSchema as { required?: string[] }).required, ['file']);
    });

    it('asks before a run, naming the cases, variants, calls and model; reads do not ask', async () => {
      const { lmTools } = await api();
      const prep = await lmTools.get('run_eval')!.prepareInvocation!({ input: { file: 'classify.prompt.yml' } }, none());
      assert.equal(prep?.confirmationMessages?.title, 'Run a prompt eval?');
      const message = prep?.confirmationMessages?.message;
      const text = typeof message === 'string' ? message : message?.value;
      assert.match(text ?? '', /3 cases × 2 variants \(zero-shot, 2-shot\), up to 6 model calls with openai\/gpt-4o-mini/);
      const read = await lmTools.get('list_runs')!.prepareInvocation!({ input: {} }, none());
      assert.equal(read?.confirmationMessages, undefined);
    });

    it('the confirmation says when code from the workspace will run, with names shown as text', async () => {
      const { lmTools } = await api();
      const root = workspaceRoot();
      const file = path.join(root, 'sec-code.prompt.yml');
      writeFileSync(path.join(root, 'sec-check.cjs'), 'exports.evaluate = () => true;\n');
      writeFileSync(
        file,
        'name: code\nmodel: openai/gpt-4o-mini\nmessages:\n  - role: user\n    content: "{{q}}"\ntestData:\n  - q: hi\nvariants:\n  - name: "[x](https://evil.example)"\nevaluators:\n  - name: repo_check\n    code: ./sec-check.cjs\n',
      );
      try {
        const prep = await lmTools.get('run_eval')!.prepareInvocation!({ input: { file: 'sec-code.prompt.yml' } }, none());
        const message = prep?.confirmationMessages?.message;
        const text = (typeof message === 'string' ? message : message?.value) ?? '';
        assert.match(text, /\*\*This runs code from the workspace\*\*: its code evaluators \(repo\\_check\) execute the project's JavaScript/);
        assert.ok(text.includes('\\[x\\]\\(https\\://evil.example\\)'), text);
      } finally {
        rmSync(file, { force: true });
        rmSync(path.join(root, 'sec-check.cjs'), { force: true });
      }
    });

    it('run_eval runs through the run controller and answers with pass rates, failures, advice and the record', async () => {
      const a = await api();
      const uri = fixture('classify.prompt.yml');
      const before = (await a.runs.listRuns(uri)).length;
      const result = await vscode.lm.invokeTool('promptLadder_run_eval', { input: { file: 'classify.prompt.yml' }, toolInvocationToken: undefined }, none());
      const text = textOf(result);
      assert.match(text, /zero-shot \(openai\/gpt-4o-mini\): 33\.3% pass/);
      assert.match(text, /2-shot \(openai\/gpt-4o-mini\): 66\.7% pass/);
      assert.match(text, /- classify\.prompt\.yml:10 \(case index 0\) \[zero-shot\] format/);
      assert.match(text, /Advice: /);
      assert.match(text, /Run record: \.promptladder\/runs\/classify-.*\.json/);
      const runs = await a.runs.listRuns(uri);
      assert.equal(runs.length, before + 1, 'the run is in the history');
      assert.ok(text.includes(vscode.workspace.asRelativePath(runs[0].uri)), 'the answer names the record in the history');

      const list = textOf(await vscode.lm.invokeTool('promptLadder_list_runs', { input: { file: 'classify.prompt.yml' }, toolInvocationToken: undefined }, none()));
      assert.match(list, new RegExp(runs[0].record.id.slice(0, 8)));
      const advice = textOf(await vscode.lm.invokeTool('promptLadder_get_advice', { input: { file: 'classify.prompt.yml' }, toolInvocationToken: undefined }, none()));
      assert.match(advice, /Why: /);
    });

    it('bad arguments and paths outside the project come back as errors that say why', async () => {
      await assert.rejects(
        Promise.resolve(vscode.lm.invokeTool('promptLadder_run_eval', { input: { file: '../../etc/x.prompt.yml' }, toolInvocationToken: undefined }, none())),
        /outside the project/,
      );
      await assert.rejects(
        Promise.resolve(vscode.lm.invokeTool('promptLadder_run_eval', { input: { file: 'classify.prompt.yml', variants: ['nope'] }, toolInvocationToken: undefined }, none())),
        /no variant named "nope"/,
      );
      await assert.rejects(
        Promise.resolve(vscode.lm.invokeTool('promptLadder_get_run', { input: { run: 'ffffffff' }, toolInvocationToken: undefined }, none())),
        /no run "ffffffff"/,
      );
    });
  });
}
