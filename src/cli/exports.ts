// The files `eval` writes on request (--json, --junit, --html). Each write may fail (disk full, read-only,
// no permission): the user then gets one line naming the file and the cause, the JSON goes to the OS temp
// folder instead (named in the message), and the command exits non-zero. Temp files never stay behind.

import * as path from 'node:path';
import type { RunRecord } from '../core/runs/schema';
import { toJUnit } from '../core/runs/junit';
import { toHtml } from '../core/runs/html';
import { writeFileAtomic, writeRunsJson } from '../core/runs/store';
import { rescueDir, writeProblem } from '../core/faults';

export interface ExportArgs {
  json?: string;
  junit?: string;
  html?: string;
}

/** Writes the exports asked for; returns a line per export (what was written, or what failed) and whether one failed. */
export async function writeExports(args: ExportArgs, runs: { record: RunRecord; path?: string }[]): Promise<{ lines: string[]; failed: boolean }> {
  const records = runs.map((r) => r.record);
  const lines: string[] = [];
  let failed = false;
  const exports: [string, string | undefined, (file: string) => Promise<void>][] = [
    ['JSON', args.json, (file) => writeRunsJson(file, runs)],
    ['JUNIT', args.junit, (file) => writeFileAtomic(file, toJUnit(records))],
    ['HTML', args.html, (file) => writeFileAtomic(file, toHtml(records))],
  ];
  for (const [name, file, write] of exports) {
    if (!file) continue;
    try {
      await write(file);
      lines.push(`Wrote ${name} to ${file}`);
    } catch (err) {
      failed = true;
      const copy = name === 'JSON' ? await rescue(file, write) : undefined;
      lines.push(`prompt-ladder: ${writeProblem(file, err)}${copy ? `; wrote it to ${copy} instead` : ''}`);
    }
  }
  return { lines, failed };
}

/** The same export into the OS temp folder; its path, or undefined when that fails too. */
async function rescue(file: string, write: (file: string) => Promise<void>): Promise<string | undefined> {
  const copy = path.join(rescueDir(), `${Date.now().toString(36)}-${process.pid}-${path.basename(file)}`);
  try {
    await write(copy);
    return copy;
  } catch {
    return undefined;
  }
}
