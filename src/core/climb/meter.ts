// What a climb's runs cost, counted where the calls are made rather than read from the run record (which
// prices only the prompt's own calls): every chat call the response cache cannot answer — the prompt's calls,
// self-repair retries, and the model-graded ones (judges, the judge's categorisation, retrieval helpers) — at
// the price of the model that answered it, from the usage the provider reported. Batch answers are counted
// when their output file is read, at the batch rate.

import type { CallExecutor } from '../providers/executor';
import type { TokenUsage } from '../providers/provider';
import { estimateCostUsd } from '../providers/pricing';

export class Meter {
  usd = 0;
  calls = 0;
  /** The evaluators' share of `usd` and `calls` (judges, categorisation, retrieval helpers). */
  judgeUsd = 0;
  judgeCalls = 0;

  add(model: string, usage: TokenUsage, o: { batch?: boolean; judge?: boolean; calls?: number } = {}): void {
    const usd = estimateCostUsd(model, usage, o.batch ? { batch: true } : undefined);
    const calls = o.calls ?? 1;
    this.usd += usd;
    this.calls += calls;
    if (o.judge) {
      this.judgeUsd += usd;
      this.judgeCalls += calls;
    }
  }
}

/** The engine's default live calls, each metered; `after` runs once a call is counted (the budget guard). */
export function meteredExecutor(meter: Meter, after: () => void): CallExecutor {
  return {
    async chat(call, live) {
      const result = await live();
      meter.add(call.resolved.ref, result.usage, { judge: call.origin.purpose === 'evaluator' });
      after();
      return { result };
    },
  };
}
