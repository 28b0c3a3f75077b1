// The first CodeLens of a prompt file opened for the first time: it comes from the cheap path (the file's name
// and text, no engine or loaders), how long after the open the editor shows it, and that it refines once the
// results index has been read.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, waitFor, workspaceRoot } from './helpers';

export function registerFirstLensTests(): void {
  describe('first CodeLens', () => {
    it('shows the lenses of a newly opened prompt file without asking for the heavy module, then reads the results', async () => {
      const a = await api();
      const file = path.join(workspaceRoot(), 'first-open.prompt.yml');
      fs.writeFileSync(file, fs.readFileSync(path.join(workspaceRoot(), 'classify.prompt.yml')));
      const uri = vscode.Uri.file(file);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      // Recorded by the provider when the editor itself asked for the lenses (not through executeCodeLensProvider).
      const t = await waitFor('the first lenses', () => a.codeLens.firstLensTiming(uri), 20_000);
      console.log(
        `      first CodeLens ${t.ms.toFixed(1)} ms after the open event (computed in ${t.computeMs.toFixed(2)} ms); heavy module loaded by then (by anyone): ${t.heavyLoaded}` +
          `${t.heavyLoadMs !== undefined ? ` (loading it took ${t.heavyLoadMs.toFixed(1)} ms)` : ''}`,
      );
      assert.equal(t.touchedHeavy, false, 'computing the first lenses did not ask for the heavy module');
      // the suite's scripted provider has no Batch API, so "Run via Batch API" is not offered
      assert.deepEqual(t.titles, ['▶ Run eval', 'Open results']);
      await waitFor('the results index, read after the first lenses', () => a.index.loaded || undefined, 10_000);
      fs.rmSync(file, { force: true });
    });
  });
}
