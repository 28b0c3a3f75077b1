// Finding stored runs for the read tools: every run of the project (or of one prompt file), newest first, and
// the one run a `run`/`file` pair names.

import * as z from 'zod';
import { listRuns, readRun, runsDir } from '../../runs/store';
import type { StoreDamage } from '../../faults';
import type { RunRecord } from '../../runs/schema';
import { ToolError, rel, resolveInRoot, type AgentToolHost } from './host';
import { fileArg } from './summary';

const runRef = z
  .string()
  .min(1)
  .describe('A run id (or its first 8 characters, as in the run file name) or the path of a run record relative to the project root.');

/** The arguments of get_run and get_advice: which run to read. */
export const GetRunInputSchema = z.object({
  run: runRef.optional(),
  file: fileArg.optional().describe('Without `run`: the newest run of this prompt file.'),
});

export type GetRunInput = z.infer<typeof GetRunInputSchema>;

/** Every readable run under the root (newest first), optionally of one prompt file. */
export async function runsOf(host: AgentToolHost, file: string | undefined, damage?: StoreDamage): Promise<{ path: string; record: RunRecord }[]> {
  const all = await listRuns(host.root, undefined, damage);
  if (!file) return all;
  const wanted = rel(host.root, await resolveInRoot(host.root, file, 'file'));
  return all.filter((r) => r.record.promptFile === wanted);
}

/** The run a `run`/`file` pair names: by id or id prefix, by path, else the newest (of the file). */
export async function findRun(host: AgentToolHost, args: GetRunInput): Promise<{ path: string; record: RunRecord }> {
  const ref = args.run?.trim();
  if (!ref) {
    const runs = await runsOf(host, args.file);
    if (!runs.length) throw new ToolError(`no runs${args.file ? ` of ${args.file}` : ''} yet (run_eval makes one)`);
    return runs[0];
  }
  if (/[\\/]|\.json$/i.test(ref)) return runAtPath(host, ref);
  const runs = await runsOf(host, args.file);
  const hit = runs.filter((r) => r.record.id === ref || r.record.id.startsWith(ref.toLowerCase()));
  if (hit.length === 1 || (hit.length > 1 && hit[0].record.id === ref)) return hit[0];
  if (hit.length > 1) throw new ToolError(`run "${ref}" matches ${hit.length} runs: give more of the id`);
  throw new ToolError(`no run "${ref}" in ${rel(host.root, runsDir(host.root))} (list_runs shows the runs)`);
}

async function runAtPath(host: AgentToolHost, ref: string): Promise<{ path: string; record: RunRecord }> {
  const abs = await resolveInRoot(host.root, ref, 'run', true);
  try {
    return { path: abs, record: await readRun(abs) };
  } catch (e) {
    throw new ToolError(`run "${ref}": ${(e as Error).message.replace(abs, ref)}`);
  }
}
