// Run records on disk: <root>/.promptladder/runs/*.json, written atomically (tmp file + rename).
// A run of more than STREAMED_CASES cases is streamed instead: <name>.json is a small header (cases
// empty, `casesFile` set) rewritten now and then, and <name>.cases.jsonl gets one case record per line,
// appended in case order as cases finish, so memory and write time do not grow with the run.
// `readRun` joins the two, so every reader sees one RunRecord either way.

import { promises as fs, createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { RunRecordSchema, type CaseRecord, type RunRecord } from './schema';
import { promptBaseName } from '../prompt/fileName';
import { stringifyRedacted } from '../redact';

export const STATE_DIR = '.promptladder';

export function runsDir(root: string): string {
  return path.join(root, STATE_DIR, 'runs');
}

export function cacheDir(root: string): string {
  return path.join(root, STATE_DIR, 'cache');
}

/** `<promptBaseName>-<compact ISO time>-<id8>.json`: sortable by time within a prompt. */
export function runFileName(record: RunRecord): string {
  const base = promptBaseName(record.promptFile).replace(/[^\w.-]+/g, '_');
  const time = record.startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${base}-${time}-${record.id.slice(0, 8)}.json`;
}

/** Writes a file so readers never see half of it. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(tmp, text, 'utf8');
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** Runs with more cases than this are streamed (header + JSONL of cases). */
export const STREAMED_CASES = 2000;

const CASES_FILE = /^[^/\\]+\.cases\.jsonl$/;

/** The JSONL file beside a streamed run's header: `<name>.cases.jsonl`. */
export function casesFileOf(runFile: string): string {
  return `${path.basename(runFile).replace(/\.json$/, '')}.cases.jsonl`;
}

/** Run records are pretty-printed (diffable); a streamed record's header leaves its cases to the JSONL. */
export function serializeRun(record: RunRecord): string {
  // every configured key is masked in the record's strings (src/core/redact.ts)
  if (record.casesFile) return stringifyRedacted({ ...record, cases: [] }) + '\n';
  return stringifyRedacted(record, record.cases.length > STREAMED_CASES ? undefined : 2) + '\n';
}

/** Appends case records, one JSON line each, to a streamed run's JSONL (beside `runFile`). */
export async function appendCases(runFile: string, cases: CaseRecord[]): Promise<void> {
  if (cases.length === 0) return;
  // Serialized now (callers may slim the records in memory once this returns), written after.
  let text = '';
  for (const c of cases) text += stringifyRedacted(c) + '\n';
  await fs.mkdir(path.dirname(runFile), { recursive: true });
  await fs.appendFile(path.join(path.dirname(runFile), casesFileOf(runFile)), text, 'utf8');
}

/** Each line of a streamed run's JSONL, parsed; a torn last line (a run killed mid-write) is skipped. */
async function* caseLines(file: string): AsyncGenerator<{ text: string; record: CaseRecord }> {
  let stream;
  try {
    await fs.access(file);
    stream = createReadStream(file, { encoding: 'utf8' });
  } catch {
    return;
  }
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    if (!line) continue;
    try {
      yield { text: line, record: JSON.parse(line) as CaseRecord };
    } catch {
      // torn line: the run is marked running/failed in its header anyway
    }
  }
}

function casesPath(file: string, casesFile: unknown): string | undefined {
  return typeof casesFile === 'string' && CASES_FILE.test(casesFile) ? path.join(path.dirname(file), casesFile) : undefined;
}

/**
 * Writes run records as one JSON document (the CLI's --json): small ones pretty-printed as before,
 * streamed ones copied case by case from their JSONL, so a 100,000-case run never becomes one string.
 */
export async function writeRunsJson(out: string, runs: { record: RunRecord; path?: string }[]): Promise<void> {
  const streamed = runs.some((r) => r.record.casesFile && r.path);
  if (!streamed) {
    const records = runs.map((r) => r.record);
    await writeFileAtomic(out, stringifyRedacted(records.length === 1 ? records[0] : records, 2) + '\n');
    return;
  }
  await fs.mkdir(path.dirname(path.resolve(out)), { recursive: true });
  const tmp = `${out}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const ws = createWriteStream(tmp, { encoding: 'utf8' });
  const put = async (s: string) => {
    if (!ws.write(s)) await once(ws, 'drain');
  };
  try {
    if (runs.length > 1) await put('[');
    for (const [i, { record, path: file }] of runs.entries()) {
      if (i > 0) await put(',\n');
      const source = file ? casesPath(file, record.casesFile) : undefined;
      if (!source) {
        await put(stringifyRedacted(record));
        continue;
      }
      const { cases: _cases, casesFile: _file, ...header } = record;
      await put(stringifyRedacted(header).slice(0, -1) + ',"cases":[');
      let first = true;
      for await (const { text } of caseLines(source)) {
        await put(first ? text : ',\n' + text);
        first = false;
      }
      await put(']}');
    }
    if (runs.length > 1) await put(']');
    await put('\n');
    ws.end();
    await once(ws, 'finish');
    await fs.rename(tmp, out);
  } catch (err) {
    ws.destroy();
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

export async function writeRun(root: string, record: RunRecord, file?: string): Promise<string> {
  const target = file ?? path.join(runsDir(root), runFileName(record));
  await writeFileAtomic(target, serializeRun(record));
  return target;
}

export async function readRun(file: string): Promise<RunRecord> {
  const text = await fs.readFile(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const source = json && typeof json === 'object' ? casesPath(file, (json as { casesFile?: unknown }).casesFile) : undefined;
  if (source) {
    // A streamed run: its cases are the JSONL's lines (in case order; a later line for the same case wins).
    const byIndex = new Map<number, CaseRecord>();
    for await (const { record } of caseLines(source)) byIndex.set(record.index, record);
    (json as { cases: CaseRecord[] }).cases = [...byIndex.values()].sort((a, b) => a.index - b.index);
  }
  const parsed = RunRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: not a run record (${issue?.path.join('.') || 'root'}: ${issue?.message})`);
  }
  return parsed.data;
}

/** Every readable run under the root, newest first. Unreadable files are skipped (and reported through onSkip). */
export async function listRuns(
  root: string,
  onSkip?: (file: string, reason: string) => void,
): Promise<{ path: string; record: RunRecord }[]> {
  const dir = runsDir(root);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const runs: { path: string; record: RunRecord }[] = [];
  await Promise.all(
    names
      .filter((n) => n.endsWith('.json'))
      .map(async (n) => {
        const file = path.join(dir, n);
        try {
          runs.push({ path: file, record: await readRun(file) });
        } catch (err) {
          onSkip?.(file, (err as Error).message);
        }
      }),
  );
  return runs.sort((a, b) => b.record.startedAt.localeCompare(a.record.startedAt));
}

export async function deleteRun(file: string): Promise<void> {
  await fs.rm(file, { force: true });
  await fs.rm(path.join(path.dirname(file), casesFileOf(file)), { force: true });
}
