// The call executor: how the engine makes a chat call the response cache could not answer. By default the
// call goes live through the endpoint's scheduler; the Batch API path (src/core/batch) supplies an executor
// that collects calls into batch input files and later answers them from the batch's output.

import type { ChatRequest, ChatResult, ResolvedModel } from './provider';

/** Where a call comes from: the cell (case, variant, repeat) and whether the prompt or an evaluator made it. */
export interface CallOrigin {
  /** The case's index (absent for calls shared by the run, e.g. a retrieval query rewrite). */
  caseIndex?: number;
  variant?: string;
  repeat?: number;
  /** 'case': the variant's own call (self-repair attempts too); 'evaluator': judges, categorisation, retrieval helpers. */
  purpose: 'case' | 'evaluator';
}

export interface ChatCall {
  /** The response-cache key of this call (endpoint, request, repeat). */
  key: string;
  resolved: ResolvedModel;
  request: ChatRequest;
  repeat: number;
  origin: CallOrigin;
}

/** A chat result with the latency of the answering attempt. */
export interface TimedChatResult extends ChatResult {
  latencyMs: number;
}

export interface ExecutedCall {
  result: TimedChatResult;
  /** Answered by a provider batch (priced at the batch rate). */
  batched?: boolean;
  /** Write the result to the response cache (default true). */
  cache?: boolean;
}

export interface CallExecutor {
  /** Makes the call; `live` runs it now through the scheduler. Rejecting makes the cell an error result. */
  chat(call: ChatCall, live: () => Promise<TimedChatResult>): Promise<ExecutedCall>;
}
