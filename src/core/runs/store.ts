// Run records on disk: <root>/.promptladder/runs/*.json, written atomically (tmp file + rename).
// A run of more than STREAMED_CASES cases is streamed instead: <name>.json is a small header (cases
// empty, `casesFile` set) rewritten now and then, and <name>.cases.jsonl gets one case record per line,
// appended in case order as cases finish, so memory and write time do not grow with the run.
// The JSONL is only ever appended to (a run killed mid-write leaves at worst a torn last line, which readers
// skip). A case changed after its line was written (end-of-run categorization: applyVariantEvidence) gets a
// whole new line later in the file (supersedeCases); the LAST line for a case index is that case, and it takes
// the place of the case's first line. `readRun` and `writeRunsJson` join the two that way, so every reader
// sees one RunRecord either way, each case once, in case order.

import { promises as fs, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { RunRecordSchema, type CaseRecord, type RunRecord } from './schema';
import { promptBaseName } from '../prompt/fileName';
import { stringifyRedacted } from '../redact';
import { STORE_DIR, appendStoreFile, isStorePath, readStoreDir, readStoreFile, removeStoreEntry, storeFileTail, storeReadStream, writeStoreFileAtomic } from '../storeFs';
import { markInterrupted } from './completeness';
import { makeDir, type StoreDamage } from '../faults';

export const STATE_DIR = STORE_DIR;

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

/** Writes a file so readers never see half of it; a file under .promptladder/ through the store's checks (storeFs.ts). */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  if (isStorePath(file)) return writeStoreFileAtomic(file, text);
  await makeDir(path.dirname(file));
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

/** Case records as JSONL text (redacted), for `appendCaseLines`. */
export function caseLinesOf(cases: CaseRecord[]): string {
  let text = '';
  for (const c of cases) text += stringifyRedacted(c) + '\n';
  return text;
}

/** Appends JSONL text to a streamed run's cases file. Callers keep appends in order (one after the other). */
export async function appendCaseLines(runFile: string, text: string): Promise<void> {
  if (!text) return;
  await appendStoreFile(path.join(path.dirname(runFile), casesFileOf(runFile)), text);
}

/**
 * Appends a new line for each case of a streamed run's JSONL whose index is in `indices`: `update` gets the
 * case as written and gives the case as it is now. Readers take the last line for an index, so the file stays
 * append-only: killed part-way, it reads as the old versions of the cases not yet rewritten. Reads only what
 * the file held when called and appends in batches, so memory does not grow with the run. Returns the number
 * of lines appended.
 */
export async function supersedeCases(
  runFile: string,
  indices: ReadonlySet<number>,
  update: (written: CaseRecord) => CaseRecord,
): Promise<number> {
  if (indices.size === 0) return 0;
  const file = path.join(path.dirname(runFile), casesFileOf(runFile));
  let size: number;
  let endsWithNewline: boolean;
  try {
    const tail = await storeFileTail(file);
    size = tail.size;
    endsWithNewline = tail.last === undefined || tail.last === 0x0a;
  } catch {
    return 0;
  }
  if (size === 0) return 0;
  // after a torn last line, start on a line of our own (the torn one stays unreadable, as before)
  let text = endsWithNewline ? '' : '\n';
  let appended = 0;
  for await (const { record } of caseLines(file, size)) {
    if (!indices.has(record.index)) continue;
    text += stringifyRedacted(update(record)) + '\n';
    appended++;
    if (text.length >= 1 << 20) {
      await appendStoreFile(file, text);
      text = '';
    }
  }
  if (text) await appendStoreFile(file, text);
  return appended;
}

/** Each non-empty line of a streamed run's JSONL (its first `bytes` bytes, if given), as text. */
async function* jsonlLines(file: string, bytes?: number): AsyncGenerator<string> {
  let stream;
  try {
    // a regular file only (a symlink in the runs folder is never followed)
    if (!isStorePath(file) && !(await fs.lstat(file)).isFile()) return;
    stream = isStorePath(file)
      ? await storeReadStream(file, bytes !== undefined ? { end: bytes - 1 } : {})
      : (await fs.open(file, 'r')).createReadStream({ encoding: 'utf8', autoClose: true, ...(bytes !== undefined ? { end: bytes - 1 } : {}) });
  } catch {
    return;
  }
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) if (line) yield line;
}

/**
 * Each line of a streamed run's JSONL (its first `bytes` bytes, if given), parsed; a torn last line (a run
 * killed mid-write) is skipped. Lines that a later line for the same index supersedes are included.
 */
async function* caseLines(file: string, bytes?: number, damage?: StoreDamage): AsyncGenerator<{ text: string; record: CaseRecord }> {
  for await (const line of jsonlLines(file, bytes)) {
    let record: CaseRecord;
    try {
      record = JSON.parse(line) as CaseRecord;
    } catch {
      // torn line: counted for the run's damage report; the header says whether the run finished
      damage?.add('torn case line', file);
      continue;
    }
    yield { text: line, record };
  }
}

/** A case line as written (`{"index":12,…`) names its index first: read without parsing the line. */
const INDEX_FIRST = /^\{"index":(\d+)[,}]/;

/**
 * The cases of a streamed run's JSONL, each once: its last line, at the place of its first (so in case order).
 * Two passes; the first parses only the lines that repeat an index and keeps only those, so a large run is
 * never whole in memory.
 */
async function* latestCaseLines(file: string): AsyncGenerator<{ text: string; record: CaseRecord }> {
  const seen = new Set<number>();
  const latest = new Map<number, { text: string; record: CaseRecord }>();
  for await (const text of jsonlLines(file)) {
    let record: CaseRecord | undefined;
    let index = Number(INDEX_FIRST.exec(text)?.[1] ?? NaN);
    if (Number.isNaN(index)) {
      try {
        record = JSON.parse(text) as CaseRecord;
        index = record.index;
      } catch {
        continue; // torn
      }
    }
    if (!seen.has(index)) {
      // (should this line be torn, the second pass skips it and the index's first whole line takes its place)
      seen.add(index);
      continue;
    }
    try {
      latest.set(index, { text, record: record ?? (JSON.parse(text) as CaseRecord) });
    } catch {
      // torn: the earlier line stands
    }
  }
  seen.clear();
  for await (const line of caseLines(file)) {
    const index = line.record.index;
    if (seen.has(index)) continue;
    seen.add(index);
    yield latest.get(index) ?? line;
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
  await makeDir(path.dirname(path.resolve(out)));
  const tmp = `${out}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const ws = createWriteStream(tmp, { encoding: 'utf8' });
  // a failed write (disk full, read-only) ends the stream with 'error': it rejects `finished` and the next put
  let failure: unknown;
  const finished = new Promise<void>((resolve, reject) => {
    ws.on('error', (err) => reject((failure ??= err)));
    ws.on('finish', resolve);
  });
  finished.catch(() => undefined);
  const put = async (s: string) => {
    if (failure) throw failure;
    if (!ws.write(s)) await Promise.race([once(ws, 'drain'), finished]);
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
      for await (const { text } of latestCaseLines(source)) {
        await put(first ? text : ',\n' + text);
        first = false;
      }
      await put(']}');
    }
    if (runs.length > 1) await put(']');
    await put('\n');
    ws.end();
    await finished;
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

/**
 * A run record with its cases (a streamed run's from its JSONL). A record left `running` by a process that is
 * gone reads as `interrupted`; torn case lines are skipped and counted in `damage`.
 */
export async function readRun(file: string, damage?: StoreDamage): Promise<RunRecord> {
  const text = isStorePath(file) ? await readStoreFile(file) : await fs.readFile(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  const source = json && typeof json === 'object' ? casesPath(file, (json as { casesFile?: unknown }).casesFile) : undefined;
  if (source) {
    // A streamed run: its cases are the JSONL's lines, in case order; a later line for the same case supersedes
    // an earlier one (see supersedeCases).
    const byIndex = new Map<number, CaseRecord>();
    for await (const { record } of caseLines(source, undefined, damage)) byIndex.set(record.index, record);
    (json as { cases: CaseRecord[] }).cases = [...byIndex.values()].sort((a, b) => a.index - b.index);
  }
  const parsed = RunRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: not a run record (${issue?.path.join('.') || 'root'}: ${issue?.message})`);
  }
  return markInterrupted(parsed.data);
}

/** Every readable run under the root, newest first. Unreadable files are skipped (and reported through onSkip). */
export async function listRuns(
  root: string,
  onSkip?: (file: string, reason: string) => void,
  damage?: StoreDamage,
): Promise<{ path: string; record: RunRecord }[]> {
  const dir = runsDir(root);
  let entries;
  try {
    entries = await readStoreDir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onSkip?.(dir, (err as Error).message);
    return [];
  }
  const runs: { path: string; record: RunRecord }[] = [];
  await Promise.all(
    entries
      .filter((d) => d.name.endsWith('.json'))
      .map(async (d) => {
        const file = path.join(dir, d.name);
        // regular files only: a symlink planted in the folder (it may point outside the project) is never opened
        if (d.isSymbolicLink()) return onSkip?.(file, `${file} is a symbolic link: Prompt Ladder never follows links in its store (not read)`);
        if (!d.isFile()) return;
        try {
          runs.push({ path: file, record: await readRun(file, damage) });
        } catch (err) {
          damage?.add('unreadable run record', file);
          onSkip?.(file, (err as Error).message);
        }
      }),
  );
  return runs.sort((a, b) => b.record.startedAt.localeCompare(a.record.startedAt));
}

export async function deleteRun(file: string): Promise<void> {
  await removeStoreEntry(file);
  await removeStoreEntry(path.join(path.dirname(file), casesFileOf(file)));
}
