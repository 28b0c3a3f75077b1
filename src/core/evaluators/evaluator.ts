// The evaluator contract: one file per kind in this folder implements `Evaluator`, `registry.ts` maps kinds to them.

import type { ChatMessage, ErrorCategory, EvaluatorSpec } from '../prompt/spec';

/** A call to a model made on an evaluator's behalf (LLM judges, Ragas metrics). Goes through the scheduler and cache. */
export interface JudgeClient {
  /** Chat completion with the given model (undefined → the configured judge model). Returns the reply text. */
  complete(messages: ChatMessage[], opts?: { model?: string; temperature?: number; json?: boolean }): Promise<string>;
  /** Embeddings, when the judge's provider offers them; undefined otherwise. */
  embed?: (texts: string[], opts?: { model?: string }) => Promise<number[][]>;
}

export interface EvalInput {
  /** The model's reply, already whitespace-trimmed (gh rule). */
  output: string;
  /** The case's variables (templating source for evaluator values). */
  vars: Record<string, unknown>;
  expected?: string;
  /** Context passages (the case's `context`, or what retrieval put into the prompt). */
  context?: string[];
  /** The exact messages sent (few-shot pairs included). */
  messages: ChatMessage[];
  /** The user's question: the final user message as sent. */
  question: string;
  latencyMs: number;
  costUsd: number;
  judge: JudgeClient;
  signal: AbortSignal;
  /**
   * False in an untrusted workspace (VS Code Workspace Trust): evaluators that run code from the workspace
   * (CODE_EVALUATOR_KINDS) do not run. Undefined means trusted (the CLI: the user chose to run it).
   */
  workspaceTrusted?: boolean;
}

/** Evaluator kinds that execute code from the workspace; off in an untrusted workspace. */
export const CODE_EVALUATOR_KINDS: ReadonlySet<string> = new Set(['code']);

export interface EvaluatorResult {
  name: string;
  passed: boolean;
  /** 0..1 */
  score: number;
  /** Human-readable explanation; for Ragas metrics, per-statement verdicts. */
  details?: string;
  /** Structured details (e.g. Ragas per-statement verdicts) for the panel. */
  data?: unknown;
  /** Category this failure points at (from the evaluator's declaration or its nature, e.g. json → format). */
  category?: ErrorCategory;
}

export type EvaluatorFn<S extends EvaluatorSpec = EvaluatorSpec> = (spec: S, input: EvalInput) => Promise<EvaluatorResult>;
