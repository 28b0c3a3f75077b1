// Commands of the set-up: an API key (into the editor's secret storage), the default model, the response cache.

import * as vscode from 'vscode';
import { privateStoreRoot } from './runs/storeLocation';
import { cacheModule, resolverModule, storeModule } from './lazy';
import { projectRoot } from '../core/paths';
import { availableLanguageModels } from './providers/languageModelProvider';
import { SECTION, readSettings } from './settings';
import type { CommandServices, CommandTable } from './commands';

export const SETTINGS_COMMAND_IDS = ['promptLadder.setApiKey', 'promptLadder.selectModel', 'promptLadder.clearCache'] as const;

export function settingsCommandTable(s: CommandServices): CommandTable<(typeof SETTINGS_COMMAND_IDS)[number]> {
  return {
    'promptLadder.setApiKey': (a) => setApiKey(s, a),
    'promptLadder.selectModel': () => selectModel(s),
    'promptLadder.clearCache': () => clearCache(s),
  };
}

async function setApiKey(s: CommandServices, arg?: unknown) {
  const settings = readSettings();
  const { keyedProviderNames } = resolverModule();
  const names = [...new Set(keyedProviderNames(settings))];
  const provider =
    typeof arg === 'string' && names.includes(arg)
      ? arg
      : (
          await vscode.window.showQuickPick(
            names.map((n) => {
              const p = settings.providers.find((x) => x.name === n);
              return { label: n, description: p ? `profile (${p.kind}${p.baseURL ? `, ${p.baseURL}` : ''})` : 'built-in' };
            }),
            { placeHolder: 'Which provider is the key for?' },
          )
        )?.label;
  if (!provider) return undefined;
  const key = await vscode.window.showInputBox({
    prompt: `API key for ${provider} (stored in the editor's secret storage, never in files). Leave empty to remove it.`,
    password: true,
    ignoreFocusOut: true,
  });
  if (key === undefined) return undefined;
  if (key.trim()) await s.keys.set(provider, key.trim());
  else await s.keys.delete(provider);
  void vscode.window.showInformationMessage(key.trim() ? `Prompt Ladder: saved the API key for ${provider}.` : `Prompt Ladder: removed the API key for ${provider}.`);
  return provider;
}

async function selectModel(s: CommandServices) {
  const settings = readSettings();
  type Item = vscode.QuickPickItem & { ref?: string; custom?: boolean };
  const items: Item[] = [];
  const lm = await availableLanguageModels();
  if (lm.length) {
    items.push({ label: 'VS Code language models (no key needed)', kind: vscode.QuickPickItemKind.Separator });
    for (const m of lm) items.push({ label: m.ref, description: `${m.name} · ${m.vendor}`, ref: m.ref });
  }
  if (settings.providers.length) {
    items.push({ label: 'Your profiles', kind: vscode.QuickPickItemKind.Separator });
    for (const p of settings.providers) items.push({ label: `${p.name}/gpt-4o-mini`, description: p.label ?? `${p.kind} profile`, ref: `${p.name}/gpt-4o-mini` });
  }
  items.push({ label: 'Built-in providers', kind: vscode.QuickPickItemKind.Separator });
  for (const ref of ['openai/gpt-4o-mini', 'openai/gpt-4o', 'github/gpt-4o-mini', 'ollama/llama3.2']) items.push({ label: ref, ref });
  items.push({ label: 'Enter a model…', description: 'provider/name, e.g. azure/my-deployment', custom: true });
  const current = settings.defaultModel;
  const picked = await vscode.window.showQuickPick(items, { placeHolder: `Default model${current ? ` (now ${current})` : ''}` });
  if (!picked) return undefined;
  let ref = picked.ref;
  if (picked.custom || (ref && settings.providers.some((p) => ref!.startsWith(`${p.name}/`)))) {
    ref = await vscode.window.showInputBox({ prompt: 'Model as provider/name', value: ref ?? current ?? '', ignoreFocusOut: true });
  }
  if (!ref) return undefined;
  await vscode.workspace.getConfiguration(SECTION).update('defaultModel', ref, vscode.ConfigurationTarget.Global);
  s.onSettingsChanged();
  return ref;
}

async function clearCache(_s: CommandServices) {
  const { cacheDir } = storeModule();
  const { ResponseCache } = cacheModule();
  let removed = 0;
  // The cache lives beside the runs: in each folder's project (and, from before, in the folder itself).
  const roots = new Set((vscode.workspace.workspaceFolders ?? []).flatMap((f) => [f.uri.fsPath, projectRoot(f.uri.fsPath), privateStoreRoot(projectRoot(f.uri.fsPath)) ?? f.uri.fsPath]));
  for (const root of roots) removed += await new ResponseCache(cacheDir(root)).clear();
  void vscode.window.showInformationMessage(`Prompt Ladder: cleared the response cache (${removed} entr${removed === 1 ? 'y' : 'ies'}).`);
  return removed;
}
