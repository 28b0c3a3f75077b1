// API keys in VS Code's SecretStorage, one per provider name (a profile name or a built-in: openai, azure,
// github). Keys are never written to settings, files, logs, run records or the cache.

import type * as vscode from 'vscode';

const PREFIX = 'promptLadder.apiKey.';

export class ApiKeys {
  constructor(private readonly storage: vscode.SecretStorage) {}

  get onDidChange(): vscode.Event<vscode.SecretStorageChangeEvent> {
    return this.storage.onDidChange;
  }

  async get(provider: string): Promise<string | undefined> {
    return (await this.storage.get(PREFIX + provider)) || undefined;
  }

  async set(provider: string, key: string): Promise<void> {
    await this.storage.store(PREFIX + provider, key);
  }

  async delete(provider: string): Promise<void> {
    await this.storage.delete(PREFIX + provider);
  }

  /** Keys for these provider names (missing ones absent from the map). */
  async getMany(providers: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    await Promise.all(
      [...new Set(providers)].map(async (p) => {
        const k = await this.get(p);
        if (k) out.set(p, k);
      }),
    );
    return out;
  }
}
