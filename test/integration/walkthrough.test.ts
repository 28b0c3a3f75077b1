// The walkthrough on the first start in the demo workspace, and Open Example beside it, in real VS Code.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, closeAll, waitFor, workspaceRoot } from './helpers';
import { openWalkthroughOnFirstStart } from '../../src/extension/walkthrough';

/** A Memento in memory: a first start's global state. */
class MemoryState implements vscode.Memento {
  private readonly values = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
  get<T>(key: string, fallback?: T): T | undefined {
    return (this.values.has(key) ? this.values.get(key) : fallback) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
  }
}

const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => ({ group: g.viewColumn, tab: t })));
const walkthroughTab = () => tabs().find((x) => !(x.tab.input instanceof vscode.TabInputText) && /welcome|walkthrough|get started/i.test(x.tab.label));

export function registerWalkthroughTests(): void {
  describe('walkthrough', () => {
    let demo: string;
    before(() => {
      demo = path.join(workspaceRoot(), 'demo-ws');
      fs.mkdirSync(path.join(demo, '.demo'), { recursive: true });
      fs.writeFileSync(path.join(demo, '.demo', 'rules.json'), '[]');
    });
    after(async () => {
      await closeAll();
      fs.rmSync(demo, { recursive: true, force: true });
    });

    it('opens once on the first start in the demo workspace, and not in another workspace', async () => {
      await closeAll();
      const state = new MemoryState();
      assert.equal(await openWalkthroughOnFirstStart(state, EXTENSION_ID, [workspaceRoot()]), false, 'not the demo workspace');
      assert.equal(await openWalkthroughOnFirstStart(state, EXTENSION_ID, [demo]), true);
      await waitFor('the walkthrough tab', walkthroughTab);
      assert.equal(await openWalkthroughOnFirstStart(state, EXTENSION_ID, [demo]), false, 'only the first start');
    });

    it('Open Example opens the prompt file beside the walkthrough instead of over it', async () => {
      const before = await waitFor('the walkthrough tab', walkthroughTab);
      const opened = await vscode.commands.executeCommand<vscode.Uri>('promptLadder.openExample');
      assert.ok(opened);
      const editor = await waitFor('the example editor', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === opened.fsPath));
      assert.notEqual(editor.viewColumn, before.group, 'the example is in another group');
      assert.ok(walkthroughTab(), 'the walkthrough is still open');
    });

    it('the results panel of the example opens in the walkthrough\'s group: two editor groups, not three', async () => {
      const example = await waitFor('the example editor', () => vscode.window.visibleTextEditors.find((e) => /support-intent|\.prompt\.yml$/.test(e.document.uri.fsPath)));
      await vscode.window.showTextDocument(example.document, { viewColumn: example.viewColumn });
      assert.equal(vscode.window.tabGroups.all.length, 2, 'the walkthrough and the example');
      await vscode.commands.executeCommand('promptLadder.openPanel', example.document.uri);
      const panel = await waitFor('the results panel tab', () => tabs().find((x) => x.tab.input instanceof vscode.TabInputWebview && /Results/.test(x.tab.label)));
      assert.equal(vscode.window.tabGroups.all.length, 2, `still two groups: ${tabs().map((x) => `${x.group}:${x.tab.label}`).join(', ')}`);
      assert.notEqual(panel.group, example.viewColumn, 'beside the prompt file, not over it');
    });
  });
}
