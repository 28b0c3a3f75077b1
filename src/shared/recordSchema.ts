// The run record as the panel protocol validates it: a zod/mini mirror of src/core/runs/schema.ts.
// zod/mini keeps the webview bundle small (the classic `z` namespace pulls every locale into it).
// The checks at the bottom fail to compile when this mirror and the core schema drift apart: if a field was
// added to the core schema, add it here too (optional fields the panel does not read may be left out).

import * as z from 'zod/mini';
import { ERROR_CATEGORIES } from '../core/prompt/spec';
import type { CaseResult, RunRecord } from '../core/runs/schema';

export const Int = z.int();
export const Index = z.int().check(z.nonnegative());

const Category = z.enum(ERROR_CATEGORIES);
const Tokens = z.object({ prompt: z.number(), completion: z.number() });

export const WireCaseResultSchema = z.object({
  variant: z.string(),
  repeat: z.optional(Int),
  output: z.string(),
  passed: z.boolean(),
  error: z.nullable(z.string()),
  category: z.optional(z.nullable(Category)),
  categoryReason: z.optional(z.nullable(z.string())),
  latencyMs: z.number(),
  tokens: Tokens,
  costUsd: z.optional(z.number()),
  cached: z.boolean(),
  batched: z.optional(z.boolean()),
  score: z.optional(z.number()),
  evaluators: z.array(
    z.object({
      name: z.string(),
      passed: z.boolean(),
      score: z.number(),
      details: z.optional(z.string()),
      data: z.optional(z.unknown()),
      category: z.optional(Category),
    }),
  ),
  messages: z.optional(z.array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }))),
  model: z.optional(z.string()),
  context: z.optional(z.array(z.string())),
});

export const WireCaseRecordSchema = z.object({
  index: Int,
  file: z.optional(z.string()),
  line: Int,
  vars: z.record(z.string(), z.unknown()),
  expected: z.optional(z.string()),
  tags: z.optional(z.array(z.string())),
  results: z.array(WireCaseResultSchema),
});

export const WireVariantSummarySchema = z.object({
  name: z.string(),
  model: z.string(),
  shots: z.optional(Int),
  retrieval: z.optional(z.boolean()),
  passed: Int,
  failed: Int,
  errors: Int,
  passRate: z.number(),
  passRateInterval: z.optional(z.tuple([z.number(), z.number()])),
  tokens: Tokens,
  costUsd: z.number(),
  latencyMs: z.object({ p50: z.number(), p95: z.number() }),
  categories: z.record(z.string(), z.number()),
  cached: z.optional(Int),
});

export const WireRecommendationSchema = z.object({
  kind: z.enum(['evaluation', 'prompt-engineering', 'rag', 'fine-tuning']),
  confidence: z.number(),
  title: z.optional(z.string()),
  why: z.string(),
  evidence: z.record(z.string(), z.unknown()),
  actions: z.array(z.string()),
});

export const WireRunRecordSchema = z.object({
  version: z.literal(1),
  id: z.string(),
  startedAt: z.string(),
  finishedAt: z.nullable(z.string()),
  promptFile: z.string(),
  promptName: z.optional(z.string()),
  status: z.enum(['running', 'completed', 'cancelled', 'failed', 'interrupted']),
  statusReason: z.optional(z.string()),
  partial: z.optional(z.object({ of: Int, caseIndexes: z.array(Int) })),
  promptHash: z.optional(z.string()),
  repeat: z.optional(Int),
  variants: z.array(WireVariantSummarySchema),
  cases: z.array(WireCaseRecordSchema),
  problems: z.optional(z.array(z.string())),
  calls: z.optional(Int),
  batch: z.optional(
    z.object({
      mode: z.enum(['all', 'calls']),
      batches: z.array(z.object({ id: z.string(), model: z.string(), requests: Int, status: z.string() })),
      results: Int,
      costUsd: z.number(),
      savedUsd: z.number(),
    }),
  ),
  advice: z.optional(z.object({ recommendations: z.array(WireRecommendationSchema) })),
});

// Drift checks: what the mirror accepts is a valid RunRecord, and every RunRecord fits the mirror.
type Assignable<A, B> = [A] extends [B] ? true : false;
const outputIsRecord: Assignable<z.infer<typeof WireRunRecordSchema>, RunRecord> = true;
const recordFitsInput: Assignable<RunRecord, z.input<typeof WireRunRecordSchema>> = true;
const resultOutput: Assignable<z.infer<typeof WireCaseResultSchema>, CaseResult> = true;
const resultInput: Assignable<CaseResult, z.input<typeof WireCaseResultSchema>> = true;
void [outputIsRecord, recordFitsInput, resultOutput, resultInput];
