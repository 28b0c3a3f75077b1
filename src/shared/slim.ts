// Slimming of run data before it crosses to the webview: the matrix needs outputs and verdicts, not the
// messages sent (few-shot pairs repeat in every cell), retrieved passages or evaluators' structured data.
// Those come back unabridged through a `details` request when a cell is opened.

import type { CaseRecord, CaseResult } from '../core/runs/schema';

/** Outputs longer than this are cut in the matrix (details show the whole text). */
export const SLIM_OUTPUT_CHARS = 2000;

export function slimResult(r: CaseResult): CaseResult {
  const { messages: _m, context: _c, ...rest } = r;
  void _m;
  void _c;
  return {
    ...rest,
    output: r.output.length > SLIM_OUTPUT_CHARS ? r.output.slice(0, SLIM_OUTPUT_CHARS) + '…' : r.output,
    evaluators: r.evaluators.map(({ data: _d, ...e }) => {
      void _d;
      return e;
    }),
  };
}

export function slimCase(c: CaseRecord): CaseRecord {
  return { ...c, results: c.results.map(slimResult) };
}
