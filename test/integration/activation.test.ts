// Activation on a prompt file: the extension activates, shows the model in the status bar, and is quick.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, open } from './helpers';
import type { PromptLadderApi } from '../../src/extension/extension';

export function registerActivationTests(): void {
  describe('activation', () => {
    it('activates when a prompt file is opened and reports its activation time', async () => {
      await open('classify.prompt.yml');
      const ext = vscode.extensions.getExtension<PromptLadderApi>(EXTENSION_ID);
      assert.ok(ext, 'extension is installed');
      const deadline = Date.now() + 15_000;
      while (!ext.isActive && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(ext.isActive, true, 'opening a .prompt.yml activates the extension');
      const api = ext.exports;
      assert.equal(typeof api.activationMs, 'number');
      console.log(`      activate() took ${api.activationMs.toFixed(1)} ms`);
    });

    it('a .prompty file opens as the Prompty language; a .prompt.yml stays YAML', async () => {
      const prompty = await open('notes.prompty');
      assert.equal(prompty.document.languageId, 'prompty');
      const yml = await open('classify.prompt.yml');
      assert.equal(yml.document.languageId, 'yaml');
    });

    it('shows the provider profile label and model of the prompt file in the status bar', async () => {
      await open('classify.prompt.yml');
      const ext = vscode.extensions.getExtension<PromptLadderApi>(EXTENSION_ID)!;
      ext.exports.statusBar.update();
      const text = ext.exports.statusBar.item.text;
      assert.match(text, /Scripted test model/);
      assert.match(text, /openai\/gpt-4o-mini/);
    });
  });
}
