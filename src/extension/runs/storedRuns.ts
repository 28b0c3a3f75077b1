// The stored runs of a set of run roots, as the Runs view and the editor list them: each record parsed once
// and reused while its file's mtime and size are unchanged. The record of a run under way in this window is
// the one in memory: the run rewrites its file as cells finish, and reading it back each time cost the
// extension host more than the run itself.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { markInterrupted } from '../../core/runs/completeness';
import type { RunRecord } from '../../core/runs/schema';
import { storeModule } from '../lazy';
import type { StoredRun } from './types';

export class StoredRunCache {
  /** Unreadable run records already reported in the output channel (each once, not at every refresh). */
  private readonly reportedUnreadable = new Set<string>();

  constructor(private readonly log: { warn(message: string): void }) {}

  /** Parsed records by file, reused while the file's mtime and size are unchanged (runs rewrite often while running). */
  private readonly parsed = new Map<string, { mtimeMs: number; size: number; record: RunRecord }>();

  /** `live` gives the record in memory of a run file whose run is under way in this window. */
  async load(roots: string[], live: (file: string) => RunRecord | undefined = () => undefined): Promise<StoredRun[]> {
    const { readRun, runsDir } = storeModule();
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
                all.push({ uri: vscode.Uri.file(file), record: running });
                return;
              }
              try {
                const st = await fs.stat(file);
                let hit = this.parsed.get(file);
                if (!hit || hit.mtimeMs !== st.mtimeMs || hit.size !== st.size) {
                  hit = { mtimeMs: st.mtimeMs, size: st.size, record: await readRun(file) };
                  this.parsed.set(file, hit);
                }
                // a record left running by a process that is gone since it was read reads as interrupted now
                all.push({ uri: vscode.Uri.file(file), record: markInterrupted(hit.record) });
              } catch (err) {
                this.parsed.delete(file);
                if (!this.reportedUnreadable.has(file)) {
                  this.reportedUnreadable.add(file);
                  this.log.warn(`skipped 1 unreadable run record in ${file}: ${err instanceof Error ? err.message : String(err)}`);
                }
              }
            }),
        );
      }),
    );
    for (const file of [...this.parsed.keys()]) if (!seen.has(file)) this.parsed.delete(file);
    return all.sort((a, b) => b.record.startedAt.localeCompare(a.record.startedAt));
  }
}
