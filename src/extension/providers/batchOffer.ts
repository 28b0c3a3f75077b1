// Whether "Run via Batch API" is offered: only when a configured provider runs Batch API jobs. It sets the context
// key `promptLadder.batchApi` (the editor title button's and the palette's `when`) and tells the CodeLens when the
// answer changes; it is worked out again when the settings or the stored keys change. It reads settings, keys and
// the environment only (./batchSupport.ts), so it runs during activation without loading the heavy modules. A file whose own model has no Batch API still
// gets the run-time check's message (runController's batch refusal).

import * as vscode from 'vscode';
import { Disposable } from '../common/lifecycle';
import type { ApiKeys } from '../secrets';
import { affectsSettings, type ExtensionSettings } from '../settings';
import { batchCapableProviders, batchKeyNames } from './batchSupport';

export const BATCH_CONTEXT_KEY = 'promptLadder.batchApi';

export class BatchOffer extends Disposable {
  private readonly emitter = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.emitter.event;
  /** Known at once from the settings and the environment; stored keys (read asynchronously) can only add to it. */
  private available: boolean;

  constructor(
    private readonly settings: () => ExtensionSettings,
    private readonly keys: ApiKeys,
  ) {
    super();
    this.available = batchCapableProviders(settings(), new Map(), process.env).length > 0;
    void vscode.commands.executeCommand('setContext', BATCH_CONTEXT_KEY, this.available);
    const recheck = (): void => void this.check();
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsSettings(e)) recheck();
      }),
    );
    this._register(keys.onDidChange(recheck));
  }

  get offered(): boolean {
    return this.available;
  }

  /** Checks the configured providers and updates the context key and listeners. */
  async check(): Promise<boolean> {
    const settings = this.settings();
    const keys = await this.keys.getMany(batchKeyNames(settings));
    const next = batchCapableProviders(settings, keys, process.env).length > 0;
    await vscode.commands.executeCommand('setContext', BATCH_CONTEXT_KEY, next);
    if (next !== this.available) {
      this.available = next;
      this.emitter.fire();
    }
    return next;
  }
}
