// Validation of advisor command arguments (zod). Kept apart from commands.ts, which the editor's activation
// bundle imports: zod loads with the heavy modules (src/extension/heavy.ts), on first use.

import * as z from 'zod';
import type { RetrievalVariantArgs } from './commands';

const RetrievalOverrideSchema = z.strictObject({
  chunk: z.object({ size: z.number().int().positive(), overlap: z.number().int().min(0) }).refine((c) => c.overlap < c.size, 'overlap must be smaller than size').optional(),
  topK: z.number().int().positive().optional(),
  query: z.enum(['input', 'hyde', 'expand']).optional(),
  rerank: z.enum(['llm', 'lexical']).optional(),
});

export const RetrievalVariantArgsSchema = z.object({
  base: z.string().optional(),
  variants: z.array(z.object({ name: z.string().regex(/^[\w.-]+$/), retrieval: RetrievalOverrideSchema })).min(1),
});

/** The validated argument of promptLadder.addRetrievalVariant, or undefined when it is not one. */
export function retrievalVariantArgs(v: unknown): RetrievalVariantArgs | undefined {
  const r = RetrievalVariantArgsSchema.safeParse(v);
  return r.success ? r.data : undefined;
}

const FORMAT_NAMES = ['openai', 'vertex', 'bedrock', 'local'] as const;

/** The options of promptLadder.exportFineTune after the prompt file: a format, and for distillation a teacher and student. */
export const ExportFineTuneArgsSchema = z.strictObject({
  format: z.enum(FORMAT_NAMES).optional(),
  teacher: z.string().min(1).optional(),
  variant: z.string().min(1).optional(),
});

export type ExportFineTuneArgs = z.infer<typeof ExportFineTuneArgsSchema>;

export function exportFineTuneArgs(v: unknown): ExportFineTuneArgs | undefined {
  const r = ExportFineTuneArgsSchema.safeParse(v);
  return r.success ? r.data : undefined;
}
