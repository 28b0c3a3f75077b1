// The rows of the run a results panel shows, as a windowed source: one brief per case (where it is, each
// variant's status and category, see shared/rowBrief.ts) held in memory, and the text of a row read only when
// the webview asks for it (the rows in view, a cell's details). A run under way reads its rows from the engine's
// own record (no copy); a finished run reads them from its record on disk: a streamed run by the byte range
// of its case's line in the cases JSONL, a small one from the record read once. No vscode import: unit-tested
// under Node.

import * as path from 'node:path';
import type { CaseRecord, CaseResult, RunRecord, VariantSummary } from '../../core/runs/schema';
import { isStorePath, readStoreFile } from '../../core/storeFs';
import { promises as fs } from 'node:fs';
import { markInterrupted } from '../../core/runs/completeness';
import { VariantTally } from '../../core/runs/summary';
import { rowBrief, variantList, type RowBrief } from '../../shared/rowBrief';
import { WireRunRecordSchema } from '../../shared/recordSchema';
import { slimCase } from '../../shared/slim';

/** Reads cases of one run by index. */
export interface CaseReader {
  read(indexes: readonly number[]): Promise<CaseRecord[]>;
  /** Every case, in case order (search, re-run of failures). */
  each(): AsyncIterable<CaseRecord>;
}

/** Cases held in memory: the engine's record of a run under way, or a small finished record. */
export class MemoryReader implements CaseReader {
  private readonly byIndex = new Map<number, CaseRecord>();

  constructor(private readonly cases: CaseRecord[]) {
    for (const c of cases) this.byIndex.set(c.index, c);
  }

  get(index: number): CaseRecord | undefined {
    let c = this.byIndex.get(index);
    // a case the engine added after the record was indexed
    if (!c && this.byIndex.size !== this.cases.length) {
      for (const x of this.cases) this.byIndex.set(x.index, x);
      c = this.byIndex.get(index);
    }
    return c;
  }

  read(indexes: readonly number[]): Promise<CaseRecord[]> {
    return Promise.resolve(indexes.map((i) => this.get(i)).filter((c): c is CaseRecord => c !== undefined));
  }

  async *each(): AsyncIterable<CaseRecord> {
    for (const c of this.cases) yield c;
  }
}

type Ranges = Map<number, { start: number; end: number }>;

/** A streamed run's cases, read from its JSONL by the byte range of each case's last line. */
export class JsonlReader implements CaseReader {
  private ranges: Ranges | Promise<Ranges> | undefined;

  /** Without `ranges`, the file is scanned for them on the first read. */
  constructor(
    private readonly file: string,
    ranges?: Ranges,
  ) {
    this.ranges = ranges;
  }

  private async rangesOf(): Promise<Ranges> {
    this.ranges ??= scanRanges(this.file);
    return this.ranges;
  }

  async read(indexes: readonly number[]): Promise<CaseRecord[]> {
    const ranges = await this.rangesOf();
    const wanted = indexes.map((i) => ranges.get(i)).filter((r): r is { start: number; end: number } => r !== undefined);
    if (!wanted.length) return [];
    const handle = await openPlain(this.file);
    try {
      const out: CaseRecord[] = [];
      for (const r of wanted) {
        const buf = Buffer.alloc(r.end - r.start);
        await handle.read(buf, 0, buf.length, r.start);
        out.push(JSON.parse(buf.toString('utf8')) as CaseRecord);
      }
      return out;
    } finally {
      await handle.close();
    }
  }

  async *each(): AsyncIterable<CaseRecord> {
    const indexes = [...(await this.rangesOf()).keys()].sort((a, b) => a - b);
    for (let i = 0; i < indexes.length; i += 500) yield* await this.read(indexes.slice(i, i + 500));
  }
}

/** A case line as written (`{"index":12,…`) names its index first: read without parsing the line. */
const INDEX_FIRST = /^\{"index":(\d+)[,}]/;

/** The byte range of each case's last line in a cases JSONL (a later line for a case supersedes the earlier one). */
export async function scanRanges(file: string): Promise<Ranges> {
  const buf = isStorePath(file) ? await readStoreFile(file, 'binary') : await fs.readFile(file);
  const ranges: Ranges = new Map();
  eachLine(buf, (start, end) => {
    const head = buf.toString('utf8', start, Math.min(end, start + 32));
    let index = Number(INDEX_FIRST.exec(head)?.[1] ?? NaN);
    if (Number.isNaN(index)) {
      try {
        index = (JSON.parse(buf.toString('utf8', start, end)) as CaseRecord).index;
      } catch {
        return; // torn
      }
    } else if (buf[end - 1] !== 0x7d) return; // torn: a whole line ends its object
    ranges.set(index, { start, end });
  });
  return ranges;
}

function eachLine(buf: Buffer, fn: (start: number, end: number) => void): void {
  for (let start = 0; start < buf.length; ) {
    let end = buf.indexOf(0x0a, start);
    if (end < 0) end = buf.length;
    if (end > start) fn(start, end);
    start = end + 1;
  }
}

async function openPlain(file: string): Promise<fs.FileHandle> {
  // the cases file sits in the store; its name was checked when the header was read
  if (!(await fs.lstat(file)).isFile()) throw new Error(`${file} is not a regular file`);
  return fs.open(file, 'r');
}

/** The rows of one run: briefs in case order, what changed since the last `takeChanged`, and a reader for the rest. */
export class RunRows {
  private briefs = new Map<number, RowBrief>();
  private readonly changed = new Set<number>();
  private readonly inFlight = new Set<string>();
  private readonly slotOf = new Map<number, number>();
  private tally: VariantTally | undefined;

  private constructor(
    readonly variants: string[],
    readonly reader: CaseReader,
    public running: boolean,
  ) {}

  /** A run under way: rows from the engine's record (results fill in as events arrive), summaries kept as a tally. */
  static live(record: RunRecord): RunRows {
    const rows = new RunRows(variantList(record.variants, record.cases), new MemoryReader(record.cases), true);
    const repeat = Math.max(1, record.repeat ?? 1);
    rows.tally = new VariantTally(
      record.variants.map((v) => ({ name: v.name, model: v.model, shots: v.shots, retrieval: v.retrieval })),
      record.cases.length * repeat,
      repeat,
    );
    record.cases.forEach((c, i) => {
      rows.slotOf.set(c.index, i * repeat);
      rows.briefs.set(c.index, rowBrief(c, rows.variants, true));
    });
    return rows;
  }

  /** A finished run whose cases are at hand (briefs computed now; `reader` serves the rows afterwards). */
  static finished(variants: string[], briefs: Iterable<RowBrief>, reader: CaseReader): RunRows {
    const rows = new RunRows(variants, reader, false);
    for (const b of briefs) rows.briefs.set(b.caseIndex, b);
    return rows;
  }

  get size(): number {
    return this.briefs.size;
  }

  all(): RowBrief[] {
    return [...this.briefs.values()];
  }

  started(caseIndex: number, variant: string): void {
    this.inFlight.add(`${caseIndex}\u0000${variant}`);
    this.refresh(caseIndex);
  }

  finished(caseIndex: number, result: CaseResult): void {
    this.inFlight.delete(`${caseIndex}\u0000${result.variant}`);
    const vi = this.variants.indexOf(result.variant);
    const slot = this.slotOf.get(caseIndex);
    if (this.tally && vi >= 0 && slot !== undefined) this.tally.add(vi, slot + (result.repeat ?? 0), result);
    this.refresh(caseIndex);
  }

  /** The variants' summaries of a run under way (undefined once finished: the record's own then). */
  summaries(): VariantSummary[] | undefined {
    return this.running ? this.tally?.summaries() : undefined;
  }

  /** Marks the cells a partial run merged in (`caseIndex NUL variant`), so their briefs say so. */
  markUpdated(keys: Iterable<string>): void {
    for (const key of keys) {
      const [index, variant] = key.split('\u0000');
      const b = this.briefs.get(Number(index));
      const vi = this.variants.indexOf(variant);
      if (b && vi >= 0 && b.cells[vi]) b.cells[vi] = { ...b.cells[vi], updated: true };
    }
  }

  /**
   * The rows of a run that has just ended, from its rows while it ran (`live`, whose briefs are current): only
   * the cases the end changed (`changed`, relabelled; every case when not known) and those with cells left unrun
   * are briefed again, and those whose brief differs count as changed, with any change not yet taken. The panel
   * then sends those few, not every row again. `reader` serves the rows now.
   */
  static afterLive(live: RunRows, record: RunRecord, reader: CaseReader, changed?: readonly number[]): RunRows {
    const rows = new RunRows(live.variants, reader, false);
    rows.briefs = live.briefs;
    for (const i of live.changed) rows.changed.add(i);
    const again = new Set(changed ?? record.cases.map((c) => c.index));
    for (const [i, b] of rows.briefs) if (b.cells.some((c) => c.status === 'pending' || c.status === 'running')) again.add(i);
    if (again.size === 0) return rows;
    for (const c of record.cases) {
      if (!again.has(c.index)) continue;
      const b = rowBrief(c, rows.variants, false);
      const was = rows.briefs.get(c.index);
      if (was && sameBrief(was, b)) continue;
      rows.briefs.set(c.index, b);
      rows.changed.add(c.index);
    }
    return rows;
  }

  /** Briefs of the rows changed since the last call. */
  takeChanged(): RowBrief[] {
    const out: RowBrief[] = [];
    for (const i of this.changed) {
      const b = this.briefs.get(i);
      if (b) out.push(b);
    }
    this.changed.clear();
    return out;
  }

  get pendingChanges(): number {
    return this.changed.size;
  }

  /** The rows as the matrix shows them (outputs cut, no messages sent or retrieved passages). */
  async rows(indexes: readonly number[]): Promise<CaseRecord[]> {
    return (await this.reader.read(indexes)).map(slimCase);
  }

  /** The full case (details). */
  async fullCase(index: number): Promise<CaseRecord | undefined> {
    return (await this.reader.read([index]))[0];
  }

  /** Case indexes with a failing or erroring cell (in `variants`, when given). */
  failing(variants?: readonly string[]): number[] {
    const cols = variants ? this.variants.map((v, i) => (variants.includes(v) ? i : -1)).filter((i) => i >= 0) : this.variants.map((_, i) => i);
    const out: number[] = [];
    for (const b of this.briefs.values()) if (cols.some((i) => b.cells[i]?.status === 'fail' || b.cells[i]?.status === 'error')) out.push(b.caseIndex);
    return out;
  }

  /** Case indexes whose vars, expected, outputs, categories or errors hold every term of `query` (in `variant`'s cells only, when given). */
  async search(query: string, variant?: string): Promise<number[]> {
    const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!terms.length) return [...this.briefs.keys()];
    const out: number[] = [];
    for await (const c of this.reader.each()) {
      const parts: string[] = [JSON.stringify(c.vars), c.expected ?? ''];
      for (const r of c.results) if (!variant || r.variant === variant) parts.push(r.output, r.category ?? '', r.error ?? '');
      const hay = parts.join('\n').toLowerCase();
      if (terms.every((t) => hay.includes(t))) out.push(c.index);
    }
    return out;
  }

  private refresh(caseIndex: number): void {
    const reader = this.reader;
    if (!(reader instanceof MemoryReader)) return;
    const c = reader.get(caseIndex);
    if (!c) return;
    this.briefs.set(caseIndex, rowBrief(c, this.variants, this.running, (v) => this.inFlight.has(`${caseIndex}\u0000${v}`)));
    this.changed.add(caseIndex);
  }
}

function sameBrief(a: RowBrief, b: RowBrief): boolean {
  return a.line === b.line && a.file === b.file && a.cells.length === b.cells.length && a.cells.every((c, i) => JSON.stringify(c) === JSON.stringify(b.cells[i]));
}

/**
 * The rows of a record in memory that just finished (the engine's): briefs now; the rows are then read from
 * its file when it is a streamed one (`file` set), else from the record's cases (a small run).
 */
export function rowsAtFinish(record: RunRecord, file: string | undefined): RunRows {
  return finishedRows(record, readerAtFinish(record, file));
}

/** Where the rows of a record that just finished are read from: its cases file when streamed, else the record. */
export function readerAtFinish(record: RunRecord, file: string | undefined): CaseReader {
  const casesFile = file && typeof record.casesFile === 'string' && CASES_FILE.test(record.casesFile) ? path.join(path.dirname(file), record.casesFile) : undefined;
  return casesFile ? new JsonlReader(casesFile) : new MemoryReader(record.cases);
}

/** The rows of a finished record already in memory: briefs now, reads from `reader`. */
export function finishedRows(record: RunRecord, reader: CaseReader): RunRows {
  const variants = variantList(record.variants, record.cases);
  return RunRows.finished(variants, record.cases.map((c) => rowBrief(c, variants, false)), reader);
}

const CASES_FILE = /^[^/\\]+\.cases\.jsonl$/;

/**
 * Opens a stored run for the panel: its header (the record without cases) and its rows. A streamed run's
 * cases file is read once, line by line, for the briefs and each case's byte range; a small record is read
 * whole through `readRun` and kept (it is small by definition).
 */
export async function openStoredRun(file: string, readRun: (file: string) => Promise<RunRecord>): Promise<{ header: RunRecord; rows: RunRows }> {
  const text = isStorePath(file) ? await readStoreFile(file) : await fs.readFile(file, 'utf8');
  const json = JSON.parse(text) as { casesFile?: unknown };
  if (typeof json.casesFile !== 'string' || !CASES_FILE.test(json.casesFile)) {
    const record = await readRun(file);
    return { header: headerOf(record), rows: finishedRows(record, new MemoryReader(record.cases)) };
  }
  const parsed = WireRunRecordSchema.safeParse({ ...json, cases: [] });
  if (!parsed.success) throw new Error(`${file}: not a run record (${parsed.error.issues[0]?.path.join('.') || 'root'}: ${parsed.error.issues[0]?.message})`);
  const header = markInterrupted(parsed.data as RunRecord);
  const casesFile = path.join(path.dirname(file), json.casesFile);
  const buf = isStorePath(casesFile) ? await readStoreFile(casesFile, 'binary') : await fs.readFile(casesFile);
  const variants = variantList(header.variants);
  const ranges: Ranges = new Map();
  const briefs = new Map<number, RowBrief>();
  eachLine(buf, (start, end) => {
    try {
      const c = JSON.parse(buf.toString('utf8', start, end)) as CaseRecord;
      // a later line for the same case supersedes the earlier one (see store.ts)
      ranges.set(c.index, { start, end });
      briefs.set(c.index, rowBrief(c, variants, false));
    } catch {
      // a torn last line (a run killed mid-write): skipped, as readRun does
    }
  });
  const ordered = [...briefs.values()].sort((a, b) => a.caseIndex - b.caseIndex);
  return { header, rows: RunRows.finished(variants, ordered, new JsonlReader(casesFile, ranges)) };
}

/** The record without its cases: what the panel keeps of a run besides its rows. */
export function headerOf(record: RunRecord): RunRecord {
  return { ...record, cases: [] };
}
