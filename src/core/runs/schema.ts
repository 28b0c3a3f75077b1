// The run record (FORMATS.md §3): the one result format read by the panel, the history tree, the CLI and comparisons.

import * as z from 'zod';
import { ERROR_CATEGORIES } from '../prompt/spec';

export const ErrorCategorySchema = z.enum(ERROR_CATEGORIES);

export const TokensSchema = z.object({ prompt: z.number(), completion: z.number() });

export const EvaluatorVerdictSchema = z.object({
  name: z.string(),
  passed: z.boolean(),
  score: z.number(),
  details: z.string().optional(),
  data: z.unknown().optional(),
  category: ErrorCategorySchema.optional(),
});

export const MessageSchema = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() });

export const CaseResultSchema = z.object({
  variant: z.string(),
  /** 0-based repeat index when --repeat > 1. */
  repeat: z.number().int().optional(),
  output: z.string(),
  passed: z.boolean(),
  /** Provider/transport failure after retries; such a result has category 'error'. */
  error: z.string().nullable(),
  category: ErrorCategorySchema.nullable().optional(),
  categoryReason: z.string().nullable().optional(),
  /** How the category was decided: a deterministic signal, the judge, a variant's evidence, or a guess. */
  categoryBasis: z.enum(['certain', 'judge', 'variant', 'guess']).optional(),
  latencyMs: z.number(),
  tokens: TokensSchema,
  costUsd: z.number().optional(),
  cached: z.boolean(),
  /** Answered through a provider batch (Batch API); costUsd is then at the batch rate. */
  batched: z.boolean().optional(),
  /** Weighted score over evaluators, 0..1. */
  score: z.number().optional(),
  evaluators: z.array(EvaluatorVerdictSchema),
  /** The exact messages sent, few-shot pairs included. */
  messages: z.array(MessageSchema).optional(),
  /** Model actually used for this cell. */
  model: z.string().optional(),
  /** Retrieved passages, for RAG variants. */
  context: z.array(z.string()).optional(),
  /** What the evaluators saw when it differs from `output` (the final answer of a chain-of-thought reply). */
  answer: z.string().optional(),
  /** Calls made for this cell when a self-repair variant retried (1 = first reply was kept). */
  attempts: z.number().int().optional(),
});

export const CaseRecordSchema = z.object({
  index: z.number().int(),
  /** Source file of the case, relative to the workspace/run root (the prompt file for inline testData). */
  file: z.string().optional(),
  line: z.number().int(),
  vars: z.record(z.string(), z.unknown()),
  expected: z.string().optional(),
  tags: z.array(z.string()).optional(),
  results: z.array(CaseResultSchema),
});

export const VariantSummarySchema = z.object({
  name: z.string(),
  model: z.string(),
  shots: z.number().int().optional(),
  /** The variant retrieves context (a RAG column). */
  retrieval: z.boolean().optional(),
  passed: z.number().int(),
  failed: z.number().int(),
  errors: z.number().int(),
  passRate: z.number(),
  /** 95 % interval of passRate (Wilson; the case is the unit, so with --repeat a case adds its pass share). */
  passRateInterval: z.tuple([z.number(), z.number()]).optional(),
  tokens: TokensSchema,
  costUsd: z.number(),
  latencyMs: z.object({ p50: z.number(), p95: z.number() }),
  categories: z.record(z.string(), z.number()),
  /** Calls served from the cache. */
  cached: z.number().int().optional(),
});

export const RecommendationKindSchema = z.enum(['evaluation', 'prompt-engineering', 'rag', 'fine-tuning']);

export const RecommendationSchema = z.object({
  kind: RecommendationKindSchema,
  confidence: z.number(),
  /** One-line headline shown on the card. */
  title: z.string().optional(),
  why: z.string(),
  evidence: z.record(z.string(), z.unknown()),
  actions: z.array(z.string()),
});

export const AdviceSchema = z.object({ recommendations: z.array(RecommendationSchema) });

export const RunRecordSchema = z.object({
  version: z.literal(1),
  id: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  /** Relative to the run root (workspace folder or CLI cwd). */
  promptFile: z.string(),
  promptName: z.string().optional(),
  status: z.enum(['running', 'completed', 'cancelled', 'failed', 'interrupted']),
  /**
   * Why a failed run failed (e.g. no provider configured), why a run stopped. `interrupted` is never written:
   * readers give it to a record left `running` by a process that is gone (killed, disk full, power lost).
   */
  statusReason: z.string().optional(),
  /**
   * Set when the run covered a subset of the eval set's cases (one case from the Test Explorer, "Run shown",
   * re-run failures): `of` cases in the eval set at run time, `caseIndexes` the ones run. Readers show such a
   * run merged over the file's latest full run (partial.ts) and never compare, advise on or gate with it alone.
   * Records without it covered every case.
   */
  partial: z.object({ of: z.number().int(), caseIndexes: z.array(z.number().int()) }).optional(),
  /** Results the run was to produce (cases × variants × repeats), so a partial record can say how much it holds. */
  total: z.number().int().optional(),
  /** The process writing the record while it is `running` (removed when the run ends). */
  pid: z.number().int().optional(),
  /** sha256 of the prompt file's text at run time, to mark inline results stale. */
  promptHash: z.string().optional(),
  repeat: z.number().int().optional(),
  variants: z.array(VariantSummarySchema),
  cases: z.array(CaseRecordSchema),
  /** Problems found while loading (bad rows skipped etc.), as file:line:col strings. */
  problems: z.array(z.string()).optional(),
  /** Provider calls actually made (cache misses), per run. */
  calls: z.number().int().optional(),
  /**
   * Large runs are streamed: this file (the header) keeps `cases` empty on disk and names a sibling
   * JSONL file with one case record per line, in case order; a later line for the same case index supersedes
   * an earlier one (see store.ts). `readRun` joins them.
   */
  casesFile: z.string().optional(),
  /** Set when the run's calls went through the provider's Batch API (`eval --batch`). */
  batch: z
    .object({
      /** 'all': every model call batched (evaluators in a later phase); 'calls': the variants' calls only. */
      mode: z.enum(['all', 'calls']),
      batches: z.array(z.object({ id: z.string(), model: z.string(), requests: z.number().int(), status: z.string() })),
      /** Results of this run answered through a batch. */
      results: z.number().int(),
      /** Their cost at the batch rate, and what the same calls cost live minus that. */
      costUsd: z.number(),
      savedUsd: z.number(),
    })
    .optional(),
  advice: AdviceSchema.optional(),
});

export type EvaluatorVerdict = z.infer<typeof EvaluatorVerdictSchema>;
export type CaseResult = z.infer<typeof CaseResultSchema>;
export type CaseRecord = z.infer<typeof CaseRecordSchema>;
export type VariantSummary = z.infer<typeof VariantSummarySchema>;
export type Recommendation = z.infer<typeof RecommendationSchema>;
export type RecommendationKind = z.infer<typeof RecommendationKindSchema>;
export type Advice = z.infer<typeof AdviceSchema>;
export type RunRecord = z.infer<typeof RunRecordSchema>;
export type RunStatus = RunRecord['status'];
