// Validation of advisor command arguments (zod). Kept apart from commands.ts, which the editor's activation
// bundle imports: zod loads with the heavy modules (src/extension/heavy.ts), on first use.

import * as z from 'zod';
import { ADVISOR_COMMANDS, type AdvisorCommand, type RetrievalVariantArgs } from './commands';
import { parseAction } from '../../../shared/actions';
import { isInsideProject } from '../../paths';
import { PROMPT_FILE_RE } from '../../prompt/fileName';

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

const NO_ARGS = z.tuple([]);
const RERUN_ARGS = z.union([z.tuple([]), z.tuple([z.strictObject({ rerun: z.literal(true) })])]);

/** The arguments each advisor command accepts from an action (the prompt file is passed by the editor, never by the action). */
const ARGS: Record<AdvisorCommand, z.ZodType<unknown[]>> = {
  [ADVISOR_COMMANDS.runEval]: NO_ARGS,
  [ADVISOR_COMMANDS.selectModel]: NO_ARGS,
  [ADVISOR_COMMANDS.setApiKey]: NO_ARGS,
  [ADVISOR_COMMANDS.addRetrieval]: NO_ARGS,
  [ADVISOR_COMMANDS.addRetrievalVariant]: z.tuple([RetrievalVariantArgsSchema]),
  [ADVISOR_COMMANDS.exportFineTune]: z.union([NO_ARGS, z.tuple([ExportFineTuneArgsSchema])]),
  [ADVISOR_COMMANDS.addChainOfThought]: RERUN_ARGS,
  [ADVISOR_COMMANDS.addSelfRepair]: RERUN_ARGS,
  [ADVISOR_COMMANDS.addFewShot]: NO_ARGS,
  [ADVISOR_COMMANDS.addTestCase]: NO_ARGS,
  [ADVISOR_COMMANDS.generateTestCases]: NO_ARGS,
  [ADVISOR_COMMANDS.climb]: NO_ARGS,
};

export type CheckedAction = { ok: true; command: AdvisorCommand; args: unknown[]; label: string } | { ok: false; reason: string };

/**
 * An advice action as loaded from a run record on disk, checked before it runs: a run record is data (a cloned
 * repository may ship one), so the command must be one the advisor emits, with arguments of the shape that
 * command takes, and the prompt file it acts on (the record's `promptFile`, resolved) must be a prompt file inside
 * the project the record belongs to. Anything else is refused with the reason.
 */
export function checkAdvisorAction(action: string, target?: { runRoot: string; promptFile: string }): CheckedAction {
  const a = parseAction(action);
  if (!a.command) return { ok: false, reason: `"${a.label}" names no command` };
  const schema = Object.hasOwn(ARGS, a.command) ? ARGS[a.command as AdvisorCommand] : undefined;
  if (!schema) return { ok: false, reason: `'${a.command}' is not a command advice can run` };
  const args = schema.safeParse(a.args ?? []);
  if (!args.success) return { ok: false, reason: `the arguments of '${a.command}' in this run record are not ones it takes` };
  if (target) {
    if (!PROMPT_FILE_RE.test(target.promptFile)) return { ok: false, reason: `${target.promptFile} is not a prompt file` };
    if (!isInsideProject(target.runRoot, target.promptFile)) return { ok: false, reason: `${target.promptFile} is outside the project of this run record (${target.runRoot})` };
  }
  return { ok: true, command: a.command as AdvisorCommand, args: args.data, label: a.label };
}
