// The run record of one engine run, from its first header to its last line: it holds the record, takes each
// result as it arrives, writes the record file (and, for a streamed run, the cases JSONL in case order), sets
// the final status and writes the cases that end-of-run categorization relabelled. Writes happen in the
// background, one after the other, so a finished call never waits for the disk.

import * as path from 'node:path';
import type { CaseRecord, CaseResult, RunRecord } from './schema';
import { appendCaseLines, caseLinesOf, casesFileOf, runFileName, runsDir, serializeRun, STREAMED_CASES, supersedeCases, writeFileAtomic } from './store';
import { summarizeVariants, VariantTally, type VariantInfo } from './summary';
import { rewrittenCase, slimCase } from './slim';
import { stringifyRedacted } from '../redact';
import { writeProblem, writeRescue } from '../faults';

/** Cases of a streamed run queued for the JSONL before they are appended in one write. */
const APPEND_BATCH = 500;
/** The header is rewritten at most this often while results arrive. */
const PERSIST_EVERY_MS = 5000;

export interface RecordWriterOptions {
  /** Where runs go (`<root>/.promptladder/runs`); no file at all when `write` is false. */
  root: string;
  write: boolean;
  variants: VariantInfo[];
  repeat: number;
  /** Provider calls made so far (the record's `calls`). */
  calls: () => number;
}

/** How a run ended, for the final status. */
export interface RunOutcome {
  /** An error that stopped the run (not a failed call: those are results). */
  failure?: unknown;
  aborted: boolean;
  /** Jobs the run was to do, and those whose call failed. */
  total: number;
  errors: number;
  warnings: string[];
  /** Why the run was stopped (e.g. "stopped by SIGTERM"), for a cancelled record. */
  stopReason?: string;
}

export class RunRecordWriter {
  readonly path: string | undefined;
  private readonly streamed: boolean;
  private readonly tally: VariantTally | undefined;
  private readonly order: Map<string, number>;
  private readonly perCase: number;
  private writing: Promise<void> = Promise.resolve();
  /** Cases finished in case order so far and not yet appended to the JSONL. */
  private readonly outQueue: CaseRecord[] = [];
  private nextOut = 0;
  private lastPersist = Date.now();
  /** The first write that failed (the record on disk is then behind the one in memory), and where. */
  private failed: { file: string; err: unknown } | undefined;
  /**
   * After `close`, when a write failed: one line naming the file and the cause, and where the results went
   * instead (the OS temp folder) or that they could not be saved at all.
   */
  problem: string | undefined;
  /** After `close`: the file that holds the whole record (the rescue copy when the run folder failed). */
  savedTo: string | undefined;

  constructor(
    readonly record: RunRecord,
    private readonly opts: RecordWriterOptions,
  ) {
    this.path = opts.write ? path.join(runsDir(opts.root), runFileName(record)) : undefined;
    // A large run is streamed: a small header now and then, its cases appended to a JSONL in case order.
    this.streamed = this.path !== undefined && record.cases.length > STREAMED_CASES;
    if (this.streamed) record.casesFile = casesFileOf(this.path!);
    this.tally = opts.write ? new VariantTally(opts.variants, record.cases.length * opts.repeat, opts.repeat) : undefined;
    this.order = new Map(opts.variants.map((v, i) => [v.name, i]));
    this.perCase = opts.variants.length * opts.repeat;
    record.total = record.cases.length * this.perCase;
    if (this.path) record.pid = process.pid;
  }

  /** Writes the header (or the whole record) as it is now; the write runs after the ones before it. */
  persist(): Promise<void> {
    this.record.calls = this.opts.calls();
    if (!this.path) return this.writing;
    // Serialize now (a consistent snapshot), write in the background; writes stay in order.
    this.flushCases();
    const text = serializeRun(this.record);
    const target = this.path;
    return this.enqueue(target, () => writeFileAtomic(target, text));
  }

  /** Takes one result: case `i` (position in the record), variant `vi`, repeat `r`. `tick` then writes what is due. */
  add(i: number, vi: number, r: number, result: CaseResult): void {
    this.record.cases[i].results.push(result);
    this.tally?.add(vi, i * this.opts.repeat + r, result);
  }

  /** Appends the cases now complete (streamed runs) and rewrites the header when it is due. */
  tick(): void {
    if (this.streamed) {
      this.collect(false);
      if (this.outQueue.length >= APPEND_BATCH) this.flushCases();
    }
    if (this.opts.write && Date.now() - this.lastPersist > PERSIST_EVERY_MS) {
      this.lastPersist = Date.now();
      if (this.tally) this.record.variants = this.tally.summaries();
      void this.persist();
    }
  }

  /** Puts every case's results in order, summarizes the variants and sets the final status. */
  finish(outcome: RunOutcome): void {
    const record = this.record;
    for (const c of record.cases) this.sortResults(c);
    if (this.streamed) this.collect(true);
    record.variants = summarizeVariants(this.opts.variants, record.cases);
    if (outcome.warnings.length) record.problems = [...(record.problems ?? []), ...outcome.warnings];
    record.finishedAt = new Date().toISOString();
    record.calls = this.opts.calls();
    delete record.pid;
    if (outcome.failure) {
      record.status = 'failed';
      record.statusReason = outcome.failure instanceof Error ? outcome.failure.message : String(outcome.failure);
    } else if (outcome.aborted) {
      record.status = 'cancelled';
      if (outcome.stopReason) record.statusReason = outcome.stopReason;
    } else if (outcome.total > 0 && outcome.errors === outcome.total) {
      record.status = 'failed';
      record.statusReason = firstError(record.cases) ?? 'every call failed';
    } else {
      record.status = 'completed';
    }
  }

  /**
   * Writes cases relabelled after `finish`. Those already in a streamed run's JSONL get a new line there
   * (readers take a case's last line); the ones still queued are written as they are now by the last flush.
   */
  async relabelled(cases: CaseRecord[]): Promise<void> {
    if (!this.streamed || !this.path || cases.length === 0) return;
    const queued = new Set(this.outQueue);
    const written = new Map(cases.filter((c) => !queued.has(c)).map((c) => [c.index, c]));
    const target = this.path;
    // one writer at a time on the file
    await this.enqueue(target, () => supersedeCases(target, new Set(written.keys()), (old) => rewrittenCase(old, written.get(old.index)!)).then(() => undefined));
  }

  /**
   * The last write of the record; resolves when every write has ended. When a write failed, the whole record
   * goes to the OS temp folder instead, and `problem` says so.
   */
  async close(): Promise<void> {
    if (this.opts.write) await this.persist();
    await this.writing;
    if (!this.failed) {
      this.savedTo = this.path;
      return;
    }
    const { file, err } = this.failed;
    // one JSON document with the cases in memory (a streamed run's passed results without their details)
    const whole: RunRecord = { ...this.record, cases: this.record.cases };
    delete whole.casesFile;
    const copy = await writeRescue(path.basename(this.path ?? 'run.json'), stringifyRedacted(whole, 2) + '\n');
    this.savedTo = copy;
    this.problem = `${writeProblem(file, err)}; ${copy ? `the run record was saved to ${copy} instead` : 'the run record could not be saved anywhere (the summary below is all that is left)'}`;
  }

  private enqueue(file: string, write: () => Promise<void>): Promise<void> {
    // a failed write does not stop the run (its results are paid for): it is kept for `close` to report
    this.writing = this.writing.then(write).catch((err: unknown) => {
      this.failed ??= { file, err };
    });
    return this.writing;
  }

  /** Each case's results in variant order (then repeat) regardless of finishing order. */
  private sortResults(c: CaseRecord): void {
    c.results.sort((a, b) => this.order.get(a.variant)! - this.order.get(b.variant)! || (a.repeat ?? 0) - (b.repeat ?? 0));
  }

  /** Queues the cases finished in order so far (all of them at the end) for the JSONL. */
  private collect(all: boolean): void {
    const cases = this.record.cases;
    while (this.nextOut < cases.length && (all || cases[this.nextOut].results.length >= this.perCase)) {
      const c = cases[this.nextOut++];
      this.sortResults(c);
      this.outQueue.push(c);
    }
  }

  private flushCases(): void {
    if (!this.streamed || !this.path || this.outQueue.length === 0) return;
    const batch = this.outQueue.splice(0);
    const target = this.path;
    // Serialized now; the in-memory copies then drop what only the file needs. The append waits for the
    // writes before it, so batches land in case order however slow the disk is.
    const text = caseLinesOf(batch);
    for (const c of batch) slimCase(c);
    void this.enqueue(path.join(path.dirname(target), casesFileOf(target)), () => appendCaseLines(target, text));
  }
}

function firstError(cases: CaseRecord[]): string | undefined {
  for (const c of cases) for (const r of c.results) if (r.error) return r.error;
  return undefined;
}
