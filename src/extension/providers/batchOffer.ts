// Whether "Run via Batch API" is offered: only when a configured provider runs Batch API jobs. It sets the context
// key `promptLadder.batchApi` (the editor title button's `when`) and tells the CodeLens when the answer changes; it
// is worked out again when the settings or the stored keys change. A file whose own model has no Batch API still
// gets the run-time check's message (runController's batch refusal).

import * as vscode from 'vscode';
import { Disposable } from '../common/lifecycle';
import { resolverModule } from '../lazy';
import type { ProviderResolver } from '../../core/providers/provider';
import { affectsSettings, type ExtensionSettings } from '../settings';

export const BATCH_CONTEXT_KEY = 'promptLadder.batchApi';

export class BatchOffer extends Disposable {
  private readonly emitter = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.emitter.event;
  /** Offered until the providers have been checked, so a check that has not run yet hides nothing. */
  private available = true;

  constructor(
    private readonly settings: () => ExtensionSettings,
    private readonly createResolver: () => Promise<ProviderResolver>,
    keysChanged: vscode.Event<unknown>,
  ) {
    super();
    const recheck = (): void => void this.check();
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsSettings(e)) recheck();
      }),
    );
    this._register(keysChanged(recheck));
  }

  get offered(): boolean {
    return this.available;
  }

  /** Resolves the configured providers and updates the context key and listeners. */
  async check(): Promise<boolean> {
    const resolver = await this.createResolver();
    const next = resolverModule().batchCapableProviders(resolver, this.settings()).length > 0;
    await vscode.commands.executeCommand('setContext', BATCH_CONTEXT_KEY, next);
    if (next !== this.available) {
      this.available = next;
      this.emitter.fire();
    }
    return next;
  }
}
