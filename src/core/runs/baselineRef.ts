// What `--baseline REF` names, for one prompt file: a run record file (or a --json output holding several), a run
// id (or its first characters), `latest` (the newest completed run of the file), or a git ref whose version of
// the project is run, cache first (gitBaseline.ts). Tried in that order.

import { existsSync, statSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { listRuns, readRun } from './store';
import { RunRecordSchema, type RunRecord } from './schema';
import { resolveCommit } from './gitBaseline';
import { isPartial } from './partial';

/** A partial run covers a few cases: comparing the whole eval set with it would call every other case new. */
function refusePartial(ref: string, record: RunRecord): void {
  const p = record.partial;
  if (p) throw new BaselineError(`--baseline ${ref}: run ${record.id.slice(0, 8)} is partial (${p.caseIndexes.length} of ${p.of} cases), not a baseline for the whole eval set; name a full run or use latest`);
}

export type BaselineTarget =
  | { kind: 'record'; record: RunRecord; label: string }
  | { kind: 'git'; ref: string; commit: string; label: string }
  /** The git ref is valid but nothing stands behind it for this file: every case is new. */
  | { kind: 'none'; label: string; why: string };

export class BaselineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineError';
  }
}

/** The record among those of a --json output file that belongs to `promptFile` (relative to its run root). */
async function recordFromFile(file: string, promptFile: string): Promise<RunRecord> {
  try {
    return await readRun(file);
  } catch (first) {
    let json: unknown;
    try {
      json = JSON.parse(await fs.readFile(file, 'utf8'));
    } catch {
      throw new BaselineError(`--baseline ${file}: ${(first as Error).message}`);
    }
    if (!Array.isArray(json)) throw new BaselineError(`--baseline ${file}: ${(first as Error).message}`);
    const records = json.map((x) => RunRecordSchema.safeParse(x)).filter((r) => r.success).map((r) => r.data);
    const mine = records.find((r) => r.promptFile === promptFile);
    if (!mine) throw new BaselineError(`--baseline ${file}: no run of ${promptFile} among its ${records.length} run records`);
    return mine;
  }
}

/**
 * Resolves REF for the prompt file `promptFile` (relative to `root`, its run root). `cwd` is where a record path
 * is resolved from.
 */
export async function resolveBaseline(ref: string, opts: { root: string; promptFile: string; cwd: string; absPromptFile: string }): Promise<BaselineTarget> {
  const asPath = path.resolve(opts.cwd, ref);
  const isFile = existsSync(asPath) && statSync(asPath).isFile();
  if (/\.json$/i.test(ref) || isFile) {
    if (!existsSync(asPath)) throw new BaselineError(`--baseline ${ref}: no such run record file`);
    const record = await recordFromFile(asPath, opts.promptFile);
    if (record.promptFile !== opts.promptFile) throw new BaselineError(`--baseline ${ref}: that run is of ${record.promptFile}, not ${opts.promptFile}`);
    refusePartial(ref, record);
    return { kind: 'record', record, label: path.relative(opts.cwd, asPath) || asPath };
  }
  const runs = await listRuns(opts.root);
  if (ref === 'latest') {
    // partial runs (a few cases re-run) are never a baseline: their pass rate is not the eval set's
    const newest = runs.find((r) => r.record.promptFile === opts.promptFile && r.record.status === 'completed' && !isPartial(r.record));
    if (!newest) throw new BaselineError(`--baseline latest: no completed full run of ${opts.promptFile} in ${path.join(opts.root, '.promptladder', 'runs')}`);
    return { kind: 'record', record: newest.record, label: `latest run ${newest.record.id.slice(0, 8)} (${newest.record.startedAt})` };
  }
  if (/^[0-9a-f-]{8,}$/i.test(ref)) {
    const byId = runs.filter((r) => r.record.id === ref || r.record.id.startsWith(ref.toLowerCase()));
    if (byId.length === 1) {
      const record = byId[0].record;
      if (record.promptFile !== opts.promptFile) throw new BaselineError(`--baseline ${ref}: that run is of ${record.promptFile}, not ${opts.promptFile}`);
      refusePartial(ref, record);
      return { kind: 'record', record, label: `run ${record.id.slice(0, 8)} (${record.startedAt})` };
    }
    if (byId.length > 1) throw new BaselineError(`--baseline ${ref}: ${byId.length} runs start with that id; give more characters`);
  }
  const commit = await resolveCommit(path.dirname(opts.absPromptFile), ref);
  if (commit) return { kind: 'git', ref, commit, label: `${ref} (${commit.slice(0, 8)})` };
  throw new BaselineError(`--baseline ${ref}: not a run record file, a run id, "latest" or a git ref of this repository`);
}
