// Pending batches on disk: <root>/.promptladder/batches/<prompt>-<identity>.json, written atomically before
// every provider call that creates something and before any wait, so a killed process (even kill -9) or a
// reboot resumes by attaching to the same batches instead of paying for them twice. One file per run
// identity (prompt file, variants, cases, repeat, mode); it is removed when the run's record is written.

import { readStoreDir, readStoreFile, removeStoreEntry } from '../storeFs';
import * as path from 'node:path';
import * as z from 'zod';
import { STATE_DIR, writeFileAtomic } from '../runs/store';
import { promptBaseName } from '../prompt/fileName';
import { sha256 } from './lines';

const PartSchema = z.object({
  part: z.number().int(),
  of: z.number().int(),
  endpointKey: z.string(),
  modelRef: z.string(),
  model: z.string(),
  requests: z.number().int(),
  bytes: z.number().int(),
  inputHash: z.string(),
  fileId: z.string().optional(),
  batchId: z.string().optional(),
  status: z.string().optional(),
  counts: z.object({ total: z.number(), completed: z.number(), failed: z.number() }).optional(),
});

const PhaseSchema = z.object({
  inputHash: z.string(),
  requests: z.number().int(),
  submittedAt: z.string(),
  parts: z.array(PartSchema),
});

export const BatchStateSchema = z.object({
  version: z.literal(1),
  identity: z.string(),
  promptFile: z.string(),
  variants: z.array(z.string()),
  repeat: z.number().int(),
  mode: z.enum(['all', 'calls']),
  /** Only these cases (a partial run), and whether the response cache was used: what a resume must pass again. */
  caseIndexes: z.array(z.number().int()).optional(),
  cache: z.boolean().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  phases: z.array(PhaseSchema),
});

export type BatchState = z.infer<typeof BatchStateSchema>;
export type PendingPhase = z.infer<typeof PhaseSchema>;
export type PendingPart = z.infer<typeof PartSchema>;

export const TERMINAL_STATUSES = new Set(['completed', 'failed', 'expired', 'cancelled']);

export function batchesDir(root: string): string {
  return path.join(root, STATE_DIR, 'batches');
}

export interface RunIdentity {
  /** Prompt file relative to the root. */
  promptFile: string;
  variants: string[];
  caseIndexes?: number[];
  repeat: number;
  mode: 'all' | 'calls';
  cache: boolean;
}

export function identityOf(id: RunIdentity): string {
  return sha256(JSON.stringify([id.promptFile, [...id.variants].sort(), id.caseIndexes ?? null, id.repeat, id.mode, id.cache])).slice(0, 16);
}

export function stateFileOf(root: string, id: RunIdentity): string {
  const base = promptBaseName(id.promptFile).replace(/[^\w.-]+/g, '_');
  return path.join(batchesDir(root), `${base}-${identityOf(id)}.json`);
}

/** The state at `file`; undefined when there is none. A damaged file is an error naming it (never silently resubmitted). */
export async function readState(file: string): Promise<BatchState | undefined> {
  let text: string;
  try {
    text = await readStoreFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: the pending-batch file is not valid JSON (${(err as Error).message}); the batches it lists may still be running — check them on the provider, then delete the file to submit anew`, { cause: err });
  }
  const parsed = BatchStateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: the pending-batch file is damaged (${issue.path.join('.') || '(root)'}: ${issue.message}); delete it to submit anew`);
  }
  return parsed.data;
}

/** Written atomically (temp file + rename): a reader never sees half a file. */
export async function writeState(file: string, state: BatchState): Promise<void> {
  state.updatedAt = new Date().toISOString();
  await writeFileAtomic(file, JSON.stringify(state, null, 2) + '\n');
}

export async function removeState(file: string): Promise<void> {
  await removeStoreEntry(file);
}

/** Every pending-batch file under the root (for the run history), skipping damaged ones. */
export async function listStates(root: string): Promise<{ file: string; state: BatchState }[]> {
  let names: string[];
  try {
    names = (await readStoreDir(batchesDir(root))).map((d) => d.name);
  } catch {
    return [];
  }
  const out: { file: string; state: BatchState }[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const file = path.join(batchesDir(root), name);
    try {
      const state = await readState(file);
      if (state) out.push({ file, state });
    } catch {
      // a damaged file is reported when its run is resumed
    }
  }
  return out;
}
