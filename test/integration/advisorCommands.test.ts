// The commands behind the advisor's buttons: they edit the prompt file (undoable) or export a dataset.
// (Run records are written atomically through a temporary sibling: only finished `.json` files are read.)

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, closeAll, fixture, workspaceRoot } from './helpers';

type ExportResult = { train: vscode.Uri; validation?: vscode.Uri; counts: { train: number }; warnings: string[] };

async function scratchCopy(name: string): Promise<vscode.Uri> {
  const src = await vscode.workspace.fs.readFile(fixture('classify.prompt.yml'));
  const uri = vscode.Uri.file(path.join(workspaceRoot(), name));
  await vscode.workspace.fs.writeFile(uri, src);
  return uri;
}

async function discard(uri: vscode.Uri): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.files.revert');
  await closeAll();
  await vscode.workspace.fs.delete(uri);
}

export function registerAdvisorCommandTests(): void {
  describe('advisor action commands', () => {
    it('adds retrieval: a retrieval block and a rag variant, as an edit of the open document', async () => {
      const uri = await scratchCopy('advisor-rag.prompt.yml');
      try {
        await vscode.commands.executeCommand('promptLadder.addRetrieval', uri);
        const doc = await vscode.workspace.openTextDocument(uri);
        assert.equal(doc.isDirty, false, 'saved, so the next run reads it');
        assert.match(doc.getText(), /^retrieval:\n {2}documents: \.\/docs\/\*\*\/\*\.md/m);
        assert.match(doc.getText(), /- name: rag\n {4}retrieval: true/);
        await vscode.commands.executeCommand('undo');
        assert.doesNotMatch(doc.getText(), /^retrieval:/m, 'the edit can be undone');
      } finally {
        await discard(uri);
      }
    });

    it('adds retrieval and re-runs at once when ./docs has documents: the run has a rag column', async function () {
      this.timeout(30_000);
      const docsDir = vscode.Uri.file(path.join(workspaceRoot(), 'docs'));
      await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(docsDir, 'refunds.md'), Buffer.from('# Refunds\nRefunds are paid within 30 days.\n'));
      const uri = await scratchCopy('advisor-rag-run.prompt.yml');
      const runsDir = vscode.Uri.file(path.join(workspaceRoot(), '.promptladder', 'runs'));
      try {
        await vscode.commands.executeCommand('promptLadder.addRetrieval', uri);
        let variants: string[] = [];
        for (let i = 0; i < 100 && !variants.includes('rag'); i++) {
          await new Promise((r) => setTimeout(r, 200));
          const entries = await vscode.workspace.fs.readDirectory(runsDir).then(undefined, () => [] as [string, vscode.FileType][]);
          for (const [name] of entries.filter(([n]) => n.startsWith('advisor-rag-run-') && n.endsWith('.json'))) {
            const rec = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(runsDir, name))).toString('utf8'));
            if (rec.status !== 'running') variants = rec.variants.map((v: { name: string }) => v.name);
          }
        }
        assert.ok(variants.includes('rag'), `a finished run with a rag column (saw ${JSON.stringify(variants)})`);
      } finally {
        await discard(uri);
        await vscode.workspace.fs.delete(docsDir, { recursive: true });
      }
    });

    it('adds chain-of-thought and self-repair variants', async () => {
      const uri = await scratchCopy('advisor-cot.prompt.yml');
      try {
        await vscode.commands.executeCommand('promptLadder.addChainOfThoughtVariant', uri);
        await vscode.commands.executeCommand('promptLadder.addSelfRepairVariant', uri);
        const text = (await vscode.workspace.openTextDocument(uri)).getText();
        assert.match(text, /- name: chain-of-thought\n {4}chainOfThought: true/);
        assert.match(text, /- name: self-repair\n {4}selfRepair: 2/);
      } finally {
        await discard(uri);
      }
    });

    it('adds retrieval variants the advisor proposes (a chunk-size sweep) copying the rag variant, saved', async () => {
      const uri = await scratchCopy('advisor-sweep.prompt.yml');
      try {
        await vscode.commands.executeCommand('promptLadder.addRetrieval', uri);
        const added = await vscode.commands.executeCommand<string[]>('promptLadder.addRetrievalVariant', uri, {
          base: 'rag',
          variants: [
            { name: 'rag-chunk-400', retrieval: { chunk: { size: 400, overlap: 50 } } },
            { name: 'rag-rerank', retrieval: { rerank: 'lexical', topK: 4 } },
          ],
        });
        assert.deepEqual(added, ['rag-chunk-400', 'rag-rerank']);
        const doc = await vscode.workspace.openTextDocument(uri);
        assert.equal(doc.isDirty, false, 'saved, so the re-run reads it');
        assert.match(doc.getText(), /- name: rag-chunk-400\n(?:(?! {2}- name:)[\s\S])*? {4}retrieval:\n {6}chunk:\n {8}size: 400\n {8}overlap: 50/);
        assert.match(doc.getText(), /- name: rag-rerank\n(?:(?! {2}- name:)[\s\S])*? {4}retrieval:\n {6}topK: 4\n {6}rerank: lexical/);
        assert.match(doc.getText(), /- name: rag-rerank\n {4}systemSuffix:/, 'the rag variant\'s system suffix (its {{context}}) is copied');
      } finally {
        await discard(uri);
      }
    });

    it('adds an empty test case with the input variables and expected', async () => {
      const uri = await scratchCopy('advisor-case.prompt.yml');
      try {
        await vscode.commands.executeCommand('promptLadder.addTestCase', uri);
        const text = (await vscode.workspace.openTextDocument(uri)).getText();
        assert.match(text, /label: xss\n {2}- text: ""\n {4}expected: ""\n/);
      } finally {
        await discard(uri);
      }
    });

    it('exports a fine-tuning dataset where the save dialog says, suggesting the place beside the prompt file with the CLI\'s names', async () => {
      const a = await api();
      const suggestions: vscode.Uri[] = [];
      a.fineTune.testHooks?.chooseExportFileWith(async (suggested) => (suggestions.push(suggested), suggested));
      try {
        await vscode.commands.executeCommand('promptLadder.runEval', fixture('classify.prompt.yml'));
        const res = await vscode.commands.executeCommand<ExportResult>('promptLadder.exportFineTune', fixture('classify.prompt.yml'), { format: 'openai' });
        assert.ok(res, 'the export ran');
        assert.equal(suggestions.length, 1, 'the save dialog was asked');
        assert.equal(suggestions[0].fsPath, path.join(workspaceRoot(), 'classify.openai.train.jsonl'), 'beside the prompt file, the CLI\'s file name');
        assert.equal(res.train.fsPath, suggestions[0].fsPath);
        const lines = new TextDecoder().decode(await vscode.workspace.fs.readFile(res.train)).trim().split('\n');
        assert.equal(lines.length, res.counts.train);
        const first = JSON.parse(lines[0]) as { messages: { role: string }[] };
        assert.deepEqual(first.messages.map((m) => m.role).slice(-2), ['user', 'assistant']);
      } finally {
        a.fineTune.testHooks?.chooseExportFileWith(undefined);
        await closeAll();
      }
    });

    it('exports a fine-tuning dataset into the folder chosen, remembers it for the prompt file, and reports every warning', async () => {
      const a = await api();
      const chosen = vscode.Uri.file(path.join(workspaceRoot(), 'ft-out', 'mine.openai.train.jsonl'));
      const suggestions: vscode.Uri[] = [];
      a.fineTune.testHooks?.chooseExportFileWith(async (suggested) => (suggestions.push(suggested), chosen));
      try {
        await vscode.commands.executeCommand('promptLadder.runEval', fixture('classify.prompt.yml'));
        const res = await vscode.commands.executeCommand<ExportResult>('promptLadder.exportFineTune', fixture('classify.prompt.yml'), { format: 'openai' });
        assert.ok(res, 'the export ran');
        assert.equal(res.train.fsPath, chosen.fsPath);
        if (res.validation) assert.equal(res.validation.fsPath, path.join(workspaceRoot(), 'ft-out', 'mine.openai.validation.jsonl'), 'the validation file beside it, same scheme');
        assert.ok(res.counts.train < 10, 'the fixture is small');
        assert.ok(res.warnings.length >= 2, `more than the first warning: ${res.warnings.join(' | ')}`);
        assert.ok(res.warnings.some((w) => /at least 10 training examples; this export has \d+/.test(w)), res.warnings.join(' | '));
        // the next export suggests the place chosen last, for the format asked now
        await vscode.commands.executeCommand<ExportResult>('promptLadder.exportFineTune', fixture('classify.prompt.yml'), { format: 'vertex' });
        assert.equal(suggestions[1]?.fsPath, path.join(workspaceRoot(), 'ft-out', 'mine.vertex.train.jsonl'));
      } finally {
        a.fineTune.testHooks?.chooseExportFileWith(undefined);
        await closeAll();
        await vscode.workspace.fs.delete(vscode.Uri.file(path.join(workspaceRoot(), 'ft-out')), { recursive: true }).then(undefined, () => undefined);
      }
    });
  });
}
