// Run records on disk: <root>/.promptladder/runs/*.json, written atomically (tmp file + rename).

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { RunRecordSchema, type RunRecord } from './schema';
import { promptBaseName } from '../prompt/fileName';
import { redactJsonValue } from '../redact';

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

/** Run records are pretty-printed (diffable); very large runs are written compactly to save time and memory. */
export function serializeRun(record: RunRecord): string {
  // every configured key is masked in the record's strings (src/core/redact.ts)
  return JSON.stringify(record, redactJsonValue, record.cases.length > 2000 ? undefined : 2) + '\n';
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
}
