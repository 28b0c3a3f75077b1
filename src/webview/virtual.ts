// Virtual scrolling and grid keyboard navigation math (fixed row height). Pure.

export interface RowWindow {
  /** First row rendered (inclusive). */
  start: number;
  /** Last row rendered (exclusive). */
  end: number;
  /** Offset of the first rendered row from the top of the scroll content. */
  offset: number;
  /** Height of the whole (virtual) content. */
  totalHeight: number;
}

export function visibleWindow(scrollTop: number, viewportHeight: number, rowHeight: number, count: number, overscan = 6): RowWindow {
  const totalHeight = count * rowHeight;
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, totalHeight: Math.max(0, totalHeight) };
  const top = Math.max(0, Math.min(scrollTop, Math.max(0, totalHeight - viewportHeight)));
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil(Math.max(viewportHeight, rowHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, offset: start * rowHeight, totalHeight };
}

/** The scrollTop that brings `row` fully into view (unchanged when it already is). */
export function scrollToReveal(row: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const top = row * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}

export interface GridPos {
  row: number;
  col: number;
}

/**
 * Where a key moves the focused cell (ARIA grid pattern): arrows by one, Home/End to the row's ends,
 * Ctrl+Home/End to the grid's corners, PageUp/PageDown by a page. Null when the key is not a move.
 */
export function moveFocus(pos: GridPos, key: string, rows: number, cols: number, pageRows: number, ctrl = false): GridPos | null {
  if (rows <= 0 || cols <= 0) return null;
  const clampRow = (r: number) => Math.max(0, Math.min(rows - 1, r));
  const clampCol = (c: number) => Math.max(0, Math.min(cols - 1, c));
  const { row, col } = { row: clampRow(pos.row), col: clampCol(pos.col) };
  switch (key) {
    case 'ArrowUp':
      return { row: clampRow(row - 1), col };
    case 'ArrowDown':
      return { row: clampRow(row + 1), col };
    case 'ArrowLeft':
      return { row, col: clampCol(col - 1) };
    case 'ArrowRight':
      return { row, col: clampCol(col + 1) };
    case 'Home':
      return ctrl ? { row: 0, col: 0 } : { row, col: 0 };
    case 'End':
      return ctrl ? { row: rows - 1, col: cols - 1 } : { row, col: cols - 1 };
    case 'PageUp':
      return { row: clampRow(row - Math.max(1, pageRows)), col };
    case 'PageDown':
      return { row: clampRow(row + Math.max(1, pageRows)), col };
    default:
      return null;
  }
}
