// The climb record: every attempt, kept or not, with its evidence, stored under .promptladder/climbs/ and
// written after each run, so a killed climb resumes from it (the response cache answers what was asked) and
// the editor's Climb view reads it after a window reload.

import * as path from 'node:path';
import * as z from 'zod';
import { STATE_DIR } from '../runs/store';
import { isStorePath, readStoreDir, readStoreFile, writeStoreFileAtomic } from '../storeFs';
import { RecommendationKindSchema } from '../runs/schema';

const PassRatesSchema = z.object({
  searchPassRate: z.number().nullable(),
  validationPassRate: z.number().nullable(),
  testPassRate: z.number().nullable(),
});

const PatchSchema = z.object({ variant: z.record(z.string(), z.unknown()).optional(), file: z.record(z.string(), z.unknown()).optional() });

export const MoveSchema = z.object({
  kind: RecommendationKindSchema,
  action: z.string(),
  label: z.string(),
  patch: PatchSchema,
  source: z.string().optional(),
  fromTop: z.boolean().optional(),
  confidence: z.number().optional(),
});

export const StepSchema = z.object({
  round: z.number().int(),
  move: MoveSchema,
  searchPassRate: z.number().nullable(),
  validationPassRate: z.number().nullable(),
  fixed: z.number().int().nullable(),
  broken: z.number().int().nullable(),
  pValue: z.number().nullable(),
  costUsd: z.number().nullable(),
  calls: z.number().int(),
  kept: z.boolean(),
  why: z.string(),
  /** Search (and validation) cases the move passed, for resuming and for the view. */
  searchPassed: z.array(z.number().int()).optional(),
  validationPassed: z.array(z.number().int()).optional(),
  /** The prompt the move led to (two moves that lead to the same prompt are tried once). */
  key: z.string().optional(),
  /** Dollars per percentage point of validation pass rate the kept move gained. */
  usdPerPoint: z.number().nullable().optional(),
});

export const RoundSchema = z.object({
  round: z.number().int(),
  estimateUsd: z.number().nullable(),
  estimateCalls: z.number().int(),
  /** Dollars spent when the step was planned (its estimate was checked against the rest) and when it ended. */
  spentBeforeUsd: z.number().nullable(),
  spentUsd: z.number().nullable().optional(),
  /** The advisor's top recommendation at the start of the step. */
  top: z.object({ kind: RecommendationKindSchema, confidence: z.number(), title: z.string() }).nullable(),
  /** Whether a move that follows the top recommendation was kept (null: none was tried). */
  topKept: z.boolean().nullable(),
  /** The candidates of the step (written before they run, so a resumed climb tries the same ones). */
  moves: z.array(MoveSchema),
  notes: z.array(z.string()),
  done: z.boolean(),
});

const IncumbentSchema = z.object({ variant: z.record(z.string(), z.unknown()), file: z.record(z.string(), z.unknown()) });

export const ClimbRecordSchema = z.object({
  version: z.literal(1),
  id: z.string(),
  promptFile: z.string(),
  promptHash: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  status: z.enum(['running', 'finished', 'interrupted', 'failed']),
  stopReason: z.string().nullable(),
  options: z.object({
    seed: z.number().int(),
    maxSteps: z.number().int(),
    width: z.number().int(),
    confirm: z.number().int(),
    alpha: z.number(),
    baseVariant: z.string().nullable(),
    models: z.array(z.string()),
    /** Each step's runs went through the Batch API ('calls': the evaluators' calls live). */
    batch: z.enum(['all', 'calls']).optional(),
  }),
  pricesKnown: z.boolean(),
  budgetUsd: z.number().nullable(),
  maxCalls: z.number().int().nullable(),
  estimateUsd: z.number().nullable(),
  estimateCalls: z.number().int(),
  spentUsd: z.number().nullable(),
  /** The evaluators' share of spentUsd: judges, the judge's categorisation, retrieval helpers. */
  judgeUsd: z.number().nullable().optional(),
  calls: z.number().int(),
  split: z
    .object({
      seed: z.number().int(),
      sizes: z.object({ search: z.number().int(), validation: z.number().int(), test: z.number().int() }),
      search: z.array(z.number().int()),
      validation: z.array(z.number().int()),
      test: z.array(z.number().int()),
    })
    .nullable(),
  baseline: PassRatesSchema.nullable(),
  final: PassRatesSchema.nullable(),
  /** The baseline's passing cases per part (the start of the paired comparisons). */
  baselinePassed: z.array(z.number().int()).optional(),
  incumbent: IncumbentSchema,
  /** The incumbent's passing search and validation cases. */
  incumbentPassed: z.object({ search: z.array(z.number().int()), validation: z.array(z.number().int()) }).optional(),
  steps: z.array(StepSchema),
  rounds: z.array(RoundSchema),
  /** Dollars per percentage point of pass rate gained on the test part (validation without one), in total. */
  usdPerPoint: z.number().nullable(),
  /** The climbed prompt file and the name of its climbed variant (null until something was kept). */
  climbed: z.object({ text: z.string(), variant: z.string() }).nullable(),
  wallMs: z.number(),
});

export type ClimbRecord = z.infer<typeof ClimbRecordSchema>;
export type Step = z.infer<typeof StepSchema>;
export type Round = z.infer<typeof RoundSchema>;
export type PassRates = z.infer<typeof PassRatesSchema>;

export function climbsDir(root: string): string {
  return path.join(root, STATE_DIR, 'climbs');
}

export function climbFileName(r: Pick<ClimbRecord, 'startedAt' | 'id'>): string {
  return `${r.startedAt.replace(/[:.]/g, '-')}-${r.id.slice(0, 8)}.json`;
}

export async function writeClimb(root: string, record: ClimbRecord): Promise<string> {
  const file = path.join(climbsDir(root), climbFileName(record));
  // the store is ours alone: written without following a symlink planted in .promptladder/
  await writeStoreFileAtomic(file, JSON.stringify(record, null, 2) + '\n');
  return file;
}

/** A climb record from the store (.promptladder/climbs/), validated; a clear error naming the file otherwise. */
export async function readClimb(file: string): Promise<ClimbRecord> {
  // climb records live in the store only: a path elsewhere (a tampered view state) is never opened
  if (!isStorePath(file)) throw new Error(`${file}: not a climb record of this project's store (.promptladder/climbs/)`);
  let data: unknown;
  try {
    data = JSON.parse(await readStoreFile(file));
  } catch (e) {
    throw new Error(`${file}: not a readable climb record (${(e as Error).message})`, { cause: e });
  }
  const r = ClimbRecordSchema.safeParse(data);
  if (!r.success) throw new Error(`${file}: not a climb record (${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message})`);
  return r.data;
}

/** Climb records of the project, newest first (unreadable ones skipped). */
export async function listClimbs(root: string): Promise<{ file: string; record: ClimbRecord }[]> {
  const dir = climbsDir(root);
  let names: string[];
  try {
    names = (await readStoreDir(dir)).filter((d) => d.isFile() && d.name.endsWith('.json')).map((d) => d.name).sort().reverse();
  } catch {
    return [];
  }
  const out: { file: string; record: ClimbRecord }[] = [];
  for (const n of names) {
    try {
      out.push({ file: path.join(dir, n), record: await readClimb(path.join(dir, n)) });
    } catch {
      // not a climb record: skipped
    }
  }
  return out;
}

/** The unfinished climb of this prompt file text with the same seed, to resume. */
export async function findResumable(root: string, promptFile: string, promptHash: string, seed: number): Promise<{ file: string; record: ClimbRecord } | undefined> {
  return (await listClimbs(root)).find(
    ({ record }) => record.promptFile === promptFile && record.promptHash === promptHash && record.options.seed === seed && (record.status === 'running' || record.status === 'interrupted'),
  );
}
