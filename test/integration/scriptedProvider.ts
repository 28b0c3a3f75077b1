// Makes sure the extension under test talks to a scripted model server. scripts/run-integration.mjs starts one
// and writes its URL into the user settings; hosts that do not (@vscode/test-cli / test-electron online) get
// one started here, in the extension host, and written to the user settings the same way.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startScriptedServer, type ScriptedServer } from '../fixtures/scripted-server';

let server: ScriptedServer | undefined;

export async function ensureScriptedProvider(): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('promptLadder');
  const existing = cfg.inspect<unknown[]>('providers')?.globalValue;
  if (Array.isArray(existing) && existing.length) return;
  const rulesFile = path.resolve(__dirname, '..', '..', 'test', 'integration', 'rules.json');
  const parsed = JSON.parse(fs.readFileSync(rulesFile, 'utf8')) as { rules: never[] };
  server = await startScriptedServer({ rules: parsed.rules, latencyMs: 5 });
  const profile = (name: string) => ({ name, kind: 'custom', baseURL: server!.url, label: 'Scripted test model' });
  await cfg.update('providers', ['openai', 'github', 'ollama', 'demo'].map(profile), vscode.ConfigurationTarget.Global);
  await cfg.update('defaultModel', 'openai/gpt-4o-mini', vscode.ConfigurationTarget.Global);
  await cfg.update('cache.enabled', false, vscode.ConfigurationTarget.Global);
}

export async function stopScriptedProvider(): Promise<void> {
  if (!server) return;
  const cfg = vscode.workspace.getConfiguration('promptLadder');
  await cfg.update('providers', undefined, vscode.ConfigurationTarget.Global);
  await cfg.update('defaultModel', undefined, vscode.ConfigurationTarget.Global);
  await cfg.update('cache.enabled', undefined, vscode.ConfigurationTarget.Global);
  await server.close();
  server = undefined;
}
