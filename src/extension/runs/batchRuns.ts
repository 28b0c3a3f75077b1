// Batch runs seen from the editor: the question Cancel asks while a batch runs on the provider, and the list of
// batches submitted and not yet read back (the Runs view shows them; the window waits again for them at start).

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProviderResolver } from '../../core/providers/provider';
import { batchModule, batchStateModule } from '../lazy';
import { privateStoreRoot } from './storeLocation';
import type { PendingBatchRun } from './types';

/** Cancel on a batch run: cancel the batch on the provider (its answered part is kept), or only stop waiting. */
export async function askCancelBatch(
  promptUri: vscode.Uri,
  stateFile: () => string | undefined,
  resolver: ProviderResolver,
  abort: AbortController,
  log: vscode.LogOutputChannel,
): Promise<void> {
  const CANCEL = 'Cancel Batch on Provider';
  const STOP = 'Stop Waiting';
  const choice = await vscode.window.showWarningMessage(
    `The batch for ${path.basename(promptUri.fsPath)} runs on the provider. Cancel it there too?`,
    { modal: true, detail: 'Cancelling it keeps the requests it has already answered. Stopping only the wait leaves it running: the Runs view lists it, and the results are collected when you open it again.' },
    CANCEL,
    STOP,
  );
  if (choice === STOP) abort.abort();
  if (choice !== CANCEL) return;
  const file = stateFile();
  if (!file) return abort.abort();
  try {
    const ids = await batchModule().cancelPendingBatches(file, resolver);
    log.info(`cancelled batch ${ids.join(', ') || '(none running)'} on the provider`);
  } catch (err) {
    void vscode.window.showErrorMessage(`Prompt Ladder: cancelling the batch failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The batches submitted from these run roots and not read back yet; `waiting` says whether a run waits for a prompt file's. */
export async function listPendingBatches(roots: Iterable<string>, waiting: (promptPath: string) => boolean): Promise<PendingBatchRun[]> {
  const { listStates } = batchStateModule();
  const out: PendingBatchRun[] = [];
  for (const root of roots) {
    const stores = [root, privateStoreRoot(root)].filter((r): r is string => r !== undefined);
    for (const { file, state } of (await Promise.all(stores.map((s) => listStates(s)))).flat()) {
      const promptPath = path.resolve(root, state.promptFile);
      const parts = state.phases.flatMap((p) => p.parts);
      out.push({
        file,
        promptPath,
        mode: state.mode,
        variants: state.variants,
        ...(state.caseIndexes ? { caseIndexes: state.caseIndexes } : {}),
        cache: state.cache !== false,
        submittedAt: state.phases[0]?.submittedAt ?? state.createdAt,
        batches: parts.map((p) => ({
          ...(p.batchId ? { id: p.batchId } : {}),
          model: p.modelRef,
          status: p.status ?? 'not submitted',
          requests: p.requests,
          completed: p.counts?.completed ?? 0,
          failed: p.counts?.failed ?? 0,
        })),
        waiting: waiting(promptPath),
      });
    }
  }
  return out;
}
