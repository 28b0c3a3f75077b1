// Events the engine streams while a run is under way. The CLI prints progress from them; the panel fills cells.

import type { CaseResult, RunRecord } from './runs/schema';

export type RunEvent =
  | { type: 'run-started'; runId: string; total: number; variants: string[]; caseCount: number; record: RunRecord }
  | { type: 'case-started'; caseIndex: number; variant: string; repeat: number }
  | { type: 'case-finished'; caseIndex: number; result: CaseResult }
  | { type: 'progress'; done: number; total: number; passed: number; failed: number; errors: number; cached: number }
  /**
   * `changed`: the cases whose results changed after their last case-finished event (categories the variants'
   * evidence relabelled), for a view that followed the run and updates only those; absent when not known.
   */
  | { type: 'run-finished'; record: RunRecord; path?: string; problems?: string[]; changed?: number[] };
