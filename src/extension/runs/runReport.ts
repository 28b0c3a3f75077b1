// What the editor says about a run's providers: before it starts, a variant whose model has no usable provider
// stops it (RunBlockedError); when it ends, one line in the output channel, and a message with the button that
// fixes it when the run failed, a key was refused or every call failed.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../../core/runs/schema';
import type { PromptSpec } from '../../core/prompt/spec';
import type { ProviderResolver } from '../../core/providers/provider';
import { RunBlockedError, SELECT_MODEL, SET_KEY } from './runQuestions';

/** Tells the user how a run ended when it needs their attention: a refused key, a failed run, every call failed. */
export function reportRun(record: RunRecord, promptUri: vscode.Uri, log: vscode.LogOutputChannel): void {
  const file = path.basename(promptUri.fsPath);
  const parts = record.variants.map((v) => `${v.name} ${v.passed}/${v.passed + v.failed + v.errors}`);
  log.info(`${record.status}: ${file} — ${parts.join(', ')}`);
  // a refused key is one message for the run (the engine stopped calling that provider), not one per case
  const refused = (record.problems ?? []).filter((p) => / was refused \(HTTP 40[13]/.test(p));
  if (refused.length) {
    for (const p of refused) log.error(p);
    void vscode.window
      .showErrorMessage(`Prompt Ladder: ${file}: ${refused[0].replace(/^error: /, '')}`, SET_KEY.title)
      .then((choice) => {
        if (choice === SET_KEY.title) void vscode.commands.executeCommand(SET_KEY.command);
      });
    return;
  }
  if (record.status === 'failed') {
    void vscode.window.showErrorMessage(`Prompt Ladder: the run of ${file} failed: ${record.statusReason ?? 'see the output'}`);
    return;
  }
  const errors = record.variants.reduce((n, v) => n + v.errors, 0);
  const total = record.variants.reduce((n, v) => n + v.passed + v.failed + v.errors, 0);
  if (total > 0 && errors === total) {
    const first = record.cases.flatMap((c) => c.results).find((r) => r.error)?.error ?? '';
    void vscode.window
      .showErrorMessage(`Prompt Ladder: every call failed for ${file}. ${first}`, SET_KEY.title, SELECT_MODEL.title)
      .then((choice) => {
        if (choice === SET_KEY.title) void vscode.commands.executeCommand(SET_KEY.command);
        if (choice === SELECT_MODEL.title) void vscode.commands.executeCommand(SELECT_MODEL.command);
      });
  }
}

/** Throws RunBlockedError when a variant's model has no usable provider. */
export function checkProviders(spec: PromptSpec, resolver: ProviderResolver, variants?: string[]): void {
  const wanted = variants?.length ? new Set(variants) : undefined;
  const refs = new Set<string>();
  for (const v of spec.variants) {
    if (wanted && !wanted.has(v.name)) continue;
    const ref = v.model ?? spec.model ?? resolver.defaultModel;
    if (!ref) {
      throw new RunBlockedError(
        `${path.basename(spec.file)} names no model and the setting promptLadder.defaultModel is empty: pick a model to run it with.`,
        [SELECT_MODEL],
      );
    }
    refs.add(ref);
  }
  for (const ref of refs) {
    try {
      resolver.resolve(ref);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new RunBlockedError(`Prompt Ladder cannot run ${path.basename(spec.file)}: ${message}`, [SET_KEY, SELECT_MODEL]);
    }
  }
}
