// The case × variant matrix: an ARIA grid with roving tabindex, virtualized (fixed row height, only the rows in
// view are in the DOM). Cells show status, category chip, compare badge and the output's first lines, as text.

import type { CompareData } from '../shared/protocol';
import { el } from './dom';
import { firstLines, shorten, varsText, type CellView, type RowView } from './grid';
import { moveFocus, scrollToReveal, visibleWindow } from './virtual';
import { caseRef, caseRefLong } from '../core/runs/caseRef';

/** A variant's summary in its column header: pass rate, one short line (counts, cost), the rest in the tooltip. */
export interface ColumnNote {
  rate: string;
  line: string;
  title: string;
  delta?: { text: string; direction: 'up' | 'down' | 'same' };
}

export const ROW_HEIGHT = 76;

export interface FocusRef {
  caseIndex: number;
  /** null = the case (row header) column. */
  variant: string | null;
}

export interface MatrixCallbacks {
  openCell(caseIndex: number, variant: string): void;
  openCase(caseIndex: number): void;
  focusChanged(focus: FocusRef): void;
  scrolled(scrollTop: number): void;
  /** The rows now rendered (the window in view and a few around it): their text is asked for when missing. */
  inView(rows: readonly RowView[]): void;
}

const STATUS_ICON: Record<string, string> = { pass: '✓', fail: '✗', error: '⚠', running: '⟳', pending: '…', none: '–' };
const STATUS_TEXT: Record<string, string> = {
  pass: 'passed',
  fail: 'failed',
  error: 'error',
  running: 'running',
  pending: 'waiting',
  none: 'not run',
};
const CHANGE_ICON: Record<string, string> = { improved: '▲', regressed: '▼', unchanged: '=', added: '+', removed: '−' };

export class MatrixView {
  readonly root: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly header: HTMLElement;
  private readonly body: HTMLElement;
  private readonly empty: HTMLElement;
  private rows: RowView[] = [];
  private variants: string[] = [];
  private compare = new Map<number, CompareData['cases'][number]>();
  private focus: FocusRef | null = null;
  private notes: Record<string, ColumnNote> = {};
  private rendered = { start: -1, end: -1 };
  /** Row elements in the DOM, by the row model they show: unchanged rows keep their element (and hover, focus, clicks). */
  private rowEls = new Map<RowView, { el: HTMLElement; i: number }>();
  private shape = '';
  private compareRef: CompareData | null = null;
  private frame = 0;

  constructor(private readonly cb: MatrixCallbacks) {
    this.header = el('div', { class: 'matrix-header', role: 'rowgroup' });
    this.body = el('div', { class: 'matrix-body', role: 'rowgroup' });
    this.empty = el('div', { class: 'matrix-empty', hidden: true });
    this.scroller = el('div', { class: 'matrix-scroll' }, this.header, this.body);
    this.root = el(
      'div',
      { class: 'matrix', role: 'grid', 'aria-label': 'Results by case and variant', 'data-testid': 'matrix' },
      this.scroller,
      this.empty,
    );
    this.root.style.setProperty('--row-h', `${ROW_HEIGHT}px`);
    this.scroller.addEventListener('scroll', () => {
      this.cb.scrolled(this.scroller.scrollTop);
      this.schedule();
    });
    this.root.addEventListener('keydown', (e) => this.onKey(e));
    this.root.addEventListener('click', (e) => this.onClick(e));
    this.root.addEventListener('focusin', (e) => this.onFocusIn(e));
    new ResizeObserver(() => this.schedule()).observe(this.scroller);
  }

  /** `notes`: each variant's summary, shown in its sticky column header (pass rate, counts, cost; the rest in its tooltip). */
  setData(rows: RowView[], variants: string[], compare: CompareData | null, emptyText: string, notes: Record<string, ColumnNote> = {}): void {
    this.rows = rows;
    // what every row element depends on besides its own row model
    const shape = JSON.stringify(variants);
    if (shape !== this.shape || compare !== this.compareRef) this.rowEls.clear();
    this.shape = shape;
    this.compareRef = compare;
    this.notes = notes;
    this.variants = variants;
    this.compare = new Map(compare?.cases.map((c) => [c.caseIndex, c]) ?? []);
    this.root.setAttribute('aria-rowcount', String(rows.length + 1));
    this.root.setAttribute('aria-colcount', String(variants.length + 1));
    this.root.style.setProperty('--variant-cols', String(Math.max(1, variants.length)));
    this.renderHeader();
    this.empty.textContent = emptyText;
    this.empty.hidden = rows.length > 0 || !emptyText;
    this.rendered = { start: -1, end: -1 };
    this.render();
  }

  get rowCount(): number {
    return this.rows.length;
  }

  getFocus(): FocusRef | null {
    return this.focus;
  }

  get scrollTop(): number {
    return this.scroller.scrollTop;
  }

  set scrollTop(v: number) {
    this.scroller.scrollTop = v;
    this.schedule();
  }

  /** Moves the logical focus to a cell, scrolls it into view and (optionally) gives it DOM focus. */
  focusCell(ref: FocusRef, takeFocus: boolean): boolean {
    const row = this.rows.findIndex((r) => r.caseIndex === ref.caseIndex);
    if (row < 0) return false;
    this.focus = { caseIndex: ref.caseIndex, variant: ref.variant !== null && this.variants.includes(ref.variant) ? ref.variant : null };
    this.reveal(row);
    this.render(true);
    if (takeFocus) this.cellElement(this.focus)?.focus({ preventScroll: true });
    this.cb.focusChanged(this.focus);
    return true;
  }

  /** Gives DOM focus back to the focused cell (after the details close). */
  restoreFocus(): void {
    if (this.focus && this.focusCell(this.focus, true)) return;
    (this.body.querySelector('[tabindex="0"]') as HTMLElement | null)?.focus();
  }

  private renderHeader(): void {
    const cells = [
      el('div', { class: 'matrix-colheader case-col', role: 'columnheader', 'aria-colindex': 1 }, 'Case'),
      ...this.variants.map((v, i) => {
        const n = this.notes[v];
        return el(
          'div',
          { class: 'matrix-colheader', role: 'columnheader', 'aria-colindex': i + 2, title: n?.title ?? v, ...(n ? { 'data-testid': 'variant-summary', 'data-variant': v } : {}) },
          el(
            'div',
            { class: 'col-top' },
            el('span', { class: 'col-name' }, v),
            n ? el('span', { class: 'col-rate' }, n.rate) : null,
            n?.delta ? el('span', { class: `col-delta ${n.delta.direction}`, title: 'vs the compared run' }, n.delta.text) : null,
          ),
          n ? el('div', { class: 'col-note' }, n.line) : null,
        );
      }),
    ];
    this.header.replaceChildren(el('div', { class: 'matrix-row matrix-head-row', role: 'row', 'aria-rowindex': 1 }, ...cells));
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private viewport(): number {
    return this.scroller.clientHeight || window.innerHeight || 600;
  }

  private reveal(row: number): void {
    const headerH = this.header.offsetHeight;
    const top = scrollToReveal(row, Math.max(0, this.scroller.scrollTop), Math.max(ROW_HEIGHT, this.viewport() - headerH), ROW_HEIGHT);
    if (top !== this.scroller.scrollTop) this.scroller.scrollTop = top;
  }

  /** Renders the rows in view; `force` re-renders even when the window did not move. */
  render(force = false): void {
    const headerH = this.header.offsetHeight;
    const win = visibleWindow(Math.max(0, this.scroller.scrollTop), Math.max(ROW_HEIGHT, this.viewport() - headerH), ROW_HEIGHT, this.rows.length);
    this.body.style.height = `${win.totalHeight}px`;
    if (!force && win.start === this.rendered.start && win.end === this.rendered.end) return;
    const hadFocus = this.root.contains(document.activeElement) && this.body.contains(document.activeElement);
    this.rendered = { start: win.start, end: win.end };
    const next = new Map<RowView, { el: HTMLElement; i: number }>();
    for (let i = win.start; i < win.end; i++) {
      const row = this.rows[i];
      const had = this.rowEls.get(row);
      if (had && had.i === i) next.set(row, had);
      else if (had) {
        had.el.style.top = `${i * ROW_HEIGHT}px`;
        had.el.setAttribute('aria-rowindex', String(i + 2));
        next.set(row, { el: had.el, i });
      } else next.set(row, { el: this.renderRow(row, i), i });
    }
    const keep = new Set([...next.values()].map((x) => x.el));
    for (const child of Array.from(this.body.children)) if (!keep.has(child as HTMLElement)) child.remove();
    // rows are absolutely positioned; DOM order follows the grid for assistive technology
    let prev: Element | null = null;
    for (const { el: rowEl } of next.values()) {
      const want: Element | null = prev ? prev.nextElementSibling : this.body.firstElementChild;
      if (want !== rowEl) this.body.insertBefore(rowEl, want);
      prev = rowEl;
    }
    this.rowEls = next;
    this.cb.inView([...next.keys()]);
    this.updateTabStop();
    if (hadFocus && this.focus) this.cellElement(this.focus)?.focus({ preventScroll: true });
  }

  private renderRow(row: RowView, i: number): HTMLElement {
    const c = row.record;
    const cmp = this.compare.get(row.caseIndex);
    const header = el(
      'div',
      {
        class: 'matrix-cell case-cell',
        role: 'rowheader',
        'aria-colindex': 1,
        tabindex: -1,
        'data-case': row.caseIndex,
        title: `Case ${caseRefLong(c)} (Enter opens it in the editor)`,
      },
      el(
        'div',
        { class: 'case-top' },
        el('span', { class: 'case-ref' }, ...refParts(caseRef(c))),
        cmp && cmp.change !== 'unchanged' ? el('span', { class: `change-badge change-${cmp.change}` }, `${CHANGE_ICON[cmp.change]} ${cmp.change}`) : null,
        ...(c.tags ?? []).slice(0, 3).map((t) => el('span', { class: 'tag' }, t)),
      ),
      el('div', { class: 'case-vars' }, row.loaded ? varsText(c.vars, 80) || '(no variables)' : '…'),
      c.expected !== undefined ? el('div', { class: 'case-expected' }, `expected: ${shorten(c.expected, 120)}`) : null,
    );
    const cells = row.cells
      .filter((cell) => this.variants.includes(cell.variant))
      .map((cell) => this.renderCell(row, cell, cmp?.variants[cell.variant]));
    const rowEl = el(
      'div',
      { class: 'matrix-row', role: 'row', 'aria-rowindex': i + 2, 'data-testid': 'matrix-row', 'data-case': row.caseIndex },
      header,
      ...cells,
    );
    rowEl.style.top = `${i * ROW_HEIGHT}px`;
    return rowEl;
  }

  private renderCell(row: RowView, cell: CellView, change: string | undefined): HTMLElement {
    const colIndex = this.variants.indexOf(cell.variant) + 2;
    const first = cell.results[0];
    const reps = cell.count > 1 ? `${cell.passed}/${cell.count}` : '';
    const output = first ? (first.error ? first.error : firstLines(first.output, 3)) : cell.count ? '…' : STATUS_TEXT[cell.status];
    const label = `${cell.variant}, case ${caseRef(row.record)}: ${STATUS_TEXT[cell.status]}${cell.category ? `, ${cell.category}` : ''}${cell.updated ? ', updated by a partial run' : ''}${change ? `, ${change}` : ''}`;
    return el(
      'div',
      {
        class: `matrix-cell result-cell status-${cell.status}${cell.updated ? ' cell-updated' : ''}`,
        role: 'gridcell',
        'aria-colindex': colIndex,
        'aria-label': label,
        tabindex: -1,
        'data-testid': 'matrix-cell',
        'data-case': row.caseIndex,
        'data-variant': cell.variant,
        'data-status': cell.status,
      },
      el(
        'div',
        { class: 'cell-top' },
        el('span', { class: 'status-icon', 'aria-hidden': 'true' }, STATUS_ICON[cell.status]),
        el('span', { class: 'status-text' }, STATUS_TEXT[cell.status]),
        reps ? el('span', { class: 'repeats', title: 'repeats passed' }, reps) : null,
        cell.category ? el('span', { class: `chip cat-${cell.category}` }, cell.category) : null,
        cell.cached ? el('span', { class: 'cached', title: 'served from the cache' }, 'cached') : null,
        cell.updated ? el('span', { class: 'updated-badge', title: 'updated by a partial run since the last full run' }, 'updated') : null,
        change && change !== 'unchanged' ? el('span', { class: `change-badge change-${change}`, title: `${change} vs the compared run` }, CHANGE_ICON[change] ?? '') : null,
      ),
      el('div', { class: 'cell-output' }, output),
    );
  }

  private cellElement(ref: FocusRef): HTMLElement | null {
    const row = this.body.querySelector(`.matrix-row[data-case="${ref.caseIndex}"]`);
    if (!row) return null;
    if (ref.variant === null) return row.querySelector('.case-cell');
    for (const c of Array.from(row.querySelectorAll<HTMLElement>('.result-cell'))) if (c.dataset.variant === ref.variant) return c;
    return null;
  }

  private updateTabStop(): void {
    for (const c of Array.from(this.body.querySelectorAll<HTMLElement>('[tabindex="0"]'))) c.tabIndex = -1;
    const target = (this.focus && this.cellElement(this.focus)) || this.body.querySelector<HTMLElement>('.result-cell, .case-cell');
    if (target) target.tabIndex = 0;
  }

  private posOf(ref: FocusRef): { row: number; col: number } {
    const row = Math.max(0, this.rows.findIndex((r) => r.caseIndex === ref.caseIndex));
    const col = ref.variant === null ? 0 : this.variants.indexOf(ref.variant) + 1;
    return { row, col: Math.max(0, col) };
  }

  private refAt(cell: Element | null): FocusRef | null {
    const c = cell?.closest<HTMLElement>('.matrix-cell');
    if (!c || c.dataset.case === undefined) return null;
    return { caseIndex: Number(c.dataset.case), variant: c.classList.contains('case-cell') ? null : (c.dataset.variant ?? null) };
  }

  private onFocusIn(e: FocusEvent): void {
    const ref = this.refAt(e.target as Element);
    if (!ref) return;
    if (this.focus?.caseIndex !== ref.caseIndex || this.focus.variant !== ref.variant) {
      this.focus = ref;
      this.updateTabStop();
      this.cb.focusChanged(ref);
    }
  }

  private onClick(e: MouseEvent): void {
    const ref = this.refAt(e.target as Element);
    if (!ref) return;
    this.focusCell(ref, true);
    this.open(ref);
  }

  private open(ref: FocusRef): void {
    if (ref.variant === null) this.cb.openCase(ref.caseIndex);
    else this.cb.openCell(ref.caseIndex, ref.variant);
  }

  private onKey(e: KeyboardEvent): void {
    const ref = this.refAt(e.target as Element);
    if (!ref) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.open(ref);
      return;
    }
    const pageRows = Math.max(1, Math.floor((this.viewport() - this.header.offsetHeight) / ROW_HEIGHT) - 1);
    const next = moveFocus(this.posOf(ref), e.key, this.rows.length, this.variants.length + 1, pageRows, e.ctrlKey || e.metaKey);
    if (!next) return;
    e.preventDefault();
    const row = this.rows[next.row];
    if (!row) return;
    this.focusCell({ caseIndex: row.caseIndex, variant: next.col === 0 ? null : this.variants[next.col - 1] }, true);
  }
}

/** A case reference with a line-break opportunity before its line number: "cases.jsonl" / ":12" wrap whole. */
function refParts(ref: string): (string | HTMLElement)[] {
  const at = ref.lastIndexOf(':');
  return at > 0 ? [ref.slice(0, at), el('wbr', {}), ref.slice(at)] : [ref];
}
