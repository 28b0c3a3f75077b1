// The engine's call executor on the Batch API path. A run goes in passes over the same engine:
// - 'collect': a call the batch results do not answer yet is recorded as an input line and deferred (the cell
//   becomes a throw-away error result; nothing is written);
// - 'final': calls are answered from the batch results (failed lines become the cell's error); with mode
//   'calls', evaluator calls (judges, categorisation) go live; nothing else does.

import type { CallExecutor, ChatCall, ExecutedCall, TimedChatResult } from '../providers/executor';
import { ProviderError } from '../providers/provider';
import type { BatchResults } from './output';
import { lineOf, type BatchLine } from './lines';

/** Thrown for a call that waits for a batch (collect pass only). */
export class DeferredCall extends Error {
  constructor() {
    super('waiting for a batch');
    this.name = 'DeferredCall';
  }
}

export class BatchExecutor implements CallExecutor {
  pass: 'collect' | 'final' = 'collect';
  /** Lines recorded in the current collect pass, by cache key (one line per distinct call). */
  collected = new Map<string, BatchLine>();

  constructor(
    private readonly mode: 'all' | 'calls',
    private readonly variantIndex: Map<string, number>,
    readonly results: BatchResults,
  ) {}

  startCollecting(): void {
    this.pass = 'collect';
    this.collected = new Map();
  }

  async chat(call: ChatCall, live: () => Promise<TimedChatResult>): Promise<ExecutedCall> {
    const answer = this.results.answers.get(call.key);
    // Answers enter the response cache in the final pass only, so its results count as batched, not cached.
    if (answer) return { result: answer, batched: true, cache: this.pass === 'final' };
    const failure = this.results.failures.get(call.key);
    if (failure !== undefined) throw new ProviderError(failure, { retryable: false, code: 'batch' });
    const goesLive = this.mode === 'calls' && call.origin.purpose === 'evaluator';
    if (this.pass === 'final') {
      if (goesLive) return { result: await live() };
      throw new ProviderError(`${call.resolved.provider.label}: no batch answered this call`, { retryable: false, code: 'batch' });
    }
    if (!goesLive && !this.collected.has(call.key)) {
      if (!call.resolved.provider.batch) {
        throw new ProviderError(`${call.resolved.provider.label} has no Batch API (model ${call.resolved.ref})`, { retryable: false, code: 'batch' });
      }
      this.collected.set(call.key, lineOf(call, call.origin.variant !== undefined ? this.variantIndex.get(call.origin.variant) : undefined));
    }
    throw new DeferredCall();
  }
}
