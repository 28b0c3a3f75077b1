// The webview's rows: one view per case built from the brief the host sent (status, category, score per
// variant), and the case's text for the rows in view only, asked of the host (`rows` requests) as the matrix
// scrolls to them and kept in a bounded cache. A brief that changes (a run under way) marks its text out of
// date; the old text stays on screen until the new one arrives.

import type { CaseRecord } from '../core/runs/schema';
import type { RowBrief } from '../shared/rowBrief';
import { rowView, type RowView } from './grid';

/** Cases whose text is kept; the rows in view are a few dozen. */
const MAX_CONTENT = 1500;

export type FetchRows = (runId: string, caseIndexes: number[]) => Promise<{ runId: string; rows: CaseRecord[] }>;

export class RowStore {
  runId = '';
  variants: string[] = [];
  private briefs: RowBrief[] = [];
  private pos = new Map<number, number>();
  private views: RowView[] = [];
  private readonly content = new Map<number, CaseRecord>();
  /** Per case, a counter bumped by every new brief: text asked for at an older count is out of date. */
  private readonly version = new Map<number, number>();
  private readonly fresh = new Map<number, number>();
  private readonly asked = new Set<number>();
  /** Asked for and not in the answer (not in the run's rows): not asked again until its brief changes. */
  private readonly missing = new Set<number>();
  private queue = new Set<number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inView: readonly RowView[] = [];

  constructor(
    private readonly fetch: FetchRows,
    private readonly changed: () => void,
    private readonly batch = 200,
  ) {}

  get rows(): RowView[] {
    return this.views;
  }

  brief(caseIndex: number): RowBrief | undefined {
    const i = this.pos.get(caseIndex);
    return i === undefined ? undefined : this.briefs[i];
  }

  /** A new run (or the same one sent whole again): every row from its brief; text of another run is dropped. */
  reset(runId: string, variants: string[], briefs: RowBrief[]): void {
    if (runId !== this.runId || variants.join('\u0000') !== this.variants.join('\u0000')) {
      this.content.clear();
      this.fresh.clear();
      this.missing.clear();
      this.version.clear();
      this.asked.clear();
    }
    this.runId = runId;
    this.variants = variants;
    this.briefs = briefs;
    this.pos = new Map(briefs.map((b, i) => [b.caseIndex, i]));
    for (const b of briefs) this.bump(b.caseIndex);
    this.views = briefs.map((b) => rowView(b, variants, this.content.get(b.caseIndex)));
  }

  /** Briefs that changed: their rows are rebuilt, their text is asked for again when in view. */
  update(briefs: RowBrief[]): void {
    for (const b of briefs) {
      let i = this.pos.get(b.caseIndex);
      if (i === undefined) {
        i = this.briefs.length;
        this.pos.set(b.caseIndex, i);
        this.briefs.push(b);
        this.views.push(rowView(b, this.variants));
      }
      this.briefs[i] = b;
      this.bump(b.caseIndex);
      this.views[i] = rowView(b, this.variants, this.content.get(b.caseIndex));
    }
    this.want(this.inView);
  }

  /** The rows in view: those without current text are asked for (batched). */
  want(rows: readonly RowView[]): void {
    this.inView = rows;
    for (const r of rows) if (!this.current(r.caseIndex) && !this.asked.has(r.caseIndex) && !this.missing.has(r.caseIndex)) this.queue.add(r.caseIndex);
    if (this.queue.size && !this.timer) this.timer = setTimeout(() => this.ask(), 0);
  }

  private current(caseIndex: number): boolean {
    return this.content.has(caseIndex) && this.fresh.get(caseIndex) === this.version.get(caseIndex);
  }

  private bump(caseIndex: number): void {
    this.missing.delete(caseIndex);
    this.version.set(caseIndex, (this.version.get(caseIndex) ?? 0) + 1);
  }

  private ask(): void {
    this.timer = undefined;
    const all = [...this.queue];
    this.queue = new Set();
    for (let i = 0; i < all.length; i += this.batch) {
      const part = all.slice(i, i + this.batch);
      const runId = this.runId;
      const versions = new Map(part.map((c) => [c, this.version.get(c) ?? 0]));
      for (const c of part) this.asked.add(c);
      this.fetch(runId, part).then(
        (r) => this.received(r.runId, r.rows, versions),
        () => {
          for (const c of part) this.asked.delete(c);
        },
      );
    }
  }

  private received(runId: string, rows: CaseRecord[], versions: Map<number, number>): void {
    for (const c of versions.keys()) this.asked.delete(c);
    if (runId !== this.runId) return;
    for (const c of rows) {
      const i = this.pos.get(c.index);
      if (i === undefined) continue;
      this.content.delete(c.index);
      this.content.set(c.index, c);
      this.fresh.set(c.index, versions.get(c.index) ?? 0);
      this.views[i] = rowView(this.briefs[i], this.variants, c);
    }
    const got = new Set(rows.map((c) => c.index));
    for (const c of versions.keys()) if (!got.has(c)) this.missing.add(c);
    this.evict();
    this.changed();
    // rows whose brief changed while their text was on its way
    this.want(this.inView);
  }

  /** Drops the text of the rows read longest ago (not in view) beyond MAX_CONTENT. */
  private evict(): void {
    if (this.content.size <= MAX_CONTENT) return;
    const keep = new Set(this.inView.map((r) => r.caseIndex));
    for (const index of this.content.keys()) {
      if (this.content.size <= MAX_CONTENT) break;
      if (keep.has(index)) continue;
      this.content.delete(index);
      this.fresh.delete(index);
      const i = this.pos.get(index);
      if (i !== undefined) this.views[i] = rowView(this.briefs[i], this.variants);
    }
  }

  /** Text of a case, if at hand (the case column's title, the details' header). */
  caseText(caseIndex: number): CaseRecord | undefined {
    return this.content.get(caseIndex);
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
