// The stored runs of a set of run roots, as the Runs view and the editor list them: each record's summary (the
// record without its cases), taken when the file is parsed and reused while its mtime and size are unchanged.
// Whole records are read when a view needs their cases, and kept only a few seconds after their last use, so the
// views that want one after a change share a read and the extension host does not hold every run's cases.
// The record of a run under way in this window is the one in memory: the run rewrites its file as cells finish,
// and reading it back each time cost the extension host more than the run itself.

import { promises as fs, statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { markInterrupted, summaryOf, type RunSummary } from '../../core/runs/completeness';
import type { RunRecord } from '../../core/runs/schema';
import { storeModule } from '../lazy';
import type { StoredRun } from './types';

/** How long a whole record read stays in memory after its last use. */
const RECENT_RECORD_MS = 8000;

interface FileStamp {
  mtimeMs: number;
  size: number;
}

/** The record in memory of a run file whose run is under way in this window. */
export type LiveRecords = (file: string) => RunRecord | undefined;

export class StoredRunCache {
  /** Unreadable run records already reported in the output channel (each once, not at every refresh). */
  private readonly reportedUnreadable = new Set<string>();
  /** Summaries by file. */
  private readonly summaries = new Map<string, FileStamp & { summary: RunSummary }>();
  /** Whole records read lately, by file. */
  private readonly recent = new Map<string, FileStamp & { record: RunRecord; timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly log: { warn(message: string): void }) {}

  async load(roots: string[], live: LiveRecords = () => undefined): Promise<StoredRun[]> {
    const { runsDir } = storeModule();
    const seen = new Set<string>();
    const all: StoredRun[] = [];
    await Promise.all(
      roots.map(async (root) => {
        const dir = runsDir(root);
        let names: string[];
        try {
          names = await fs.readdir(dir);
        } catch {
          return;
        }
        await Promise.all(
          names
            .filter((n) => n.endsWith('.json'))
            .map(async (n) => {
              const file = path.join(dir, n);
              seen.add(file);
              const running = live(file);
              if (running) {
                all.push({ uri: vscode.Uri.file(file), record: summaryOf(running) });
                return;
              }
              try {
                const st = await fs.stat(file);
                let hit = this.summaries.get(file);
                if (!hit || !sameStamp(hit, st)) {
                  hit = { mtimeMs: st.mtimeMs, size: st.size, summary: summaryOf(await this.readFile(file, st)) };
                  this.summaries.set(file, hit);
                }
                // a record left running by a process that is gone since it was read reads as interrupted now
                all.push({ uri: vscode.Uri.file(file), record: markInterrupted(hit.summary) });
              } catch (err) {
                this.summaries.delete(file);
                if (!this.reportedUnreadable.has(file)) {
                  this.reportedUnreadable.add(file);
                  this.log.warn(`skipped 1 unreadable run record in ${file}: ${err instanceof Error ? err.message : String(err)}`);
                }
              }
            }),
        );
      }),
    );
    for (const file of [...this.summaries.keys()]) if (!seen.has(file)) this.summaries.delete(file);
    return all.sort((a, b) => b.record.startedAt.localeCompare(a.record.startedAt));
  }

  /** A whole record: the live one, one read lately whose file is unchanged, or the file's (throws when unreadable). */
  async read(file: string, live: LiveRecords = () => undefined): Promise<RunRecord> {
    const running = live(file);
    if (running) return running;
    return this.readFile(file, await fs.stat(file));
  }

  /**
   * A record this window has in memory and has just written whole (a run that ended): read from memory while
   * its file stays as it is now, not parsed again for the views that refresh when a run ends.
   */
  remember(file: string, record: RunRecord): void {
    try {
      this.keep(file, statSync(file), record);
    } catch {
      // not written (a read-only folder): nothing to remember
    }
  }

  private async readFile(file: string, st: FileStamp): Promise<RunRecord> {
    const hit = this.recent.get(file);
    if (hit && sameStamp(hit, st)) {
      this.keep(file, hit, hit.record);
      return hit.record;
    }
    const record = markInterrupted(await storeModule().readRun(file));
    this.keep(file, st, record);
    return record;
  }

  private keep(file: string, st: FileStamp, record: RunRecord): void {
    const old = this.recent.get(file);
    if (old) clearTimeout(old.timer);
    const timer = setTimeout(() => this.recent.delete(file), RECENT_RECORD_MS);
    timer.unref?.();
    this.recent.set(file, { mtimeMs: st.mtimeMs, size: st.size, record, timer });
  }

  dispose(): void {
    for (const r of this.recent.values()) clearTimeout(r.timer);
    this.recent.clear();
  }
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.mtimeMs === b.mtimeMs && a.size === b.size;
}
