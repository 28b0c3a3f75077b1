import { test } from 'node:test';
import assert from 'node:assert/strict';
import { moveFocus, scrollToReveal, visibleWindow } from '../../../src/webview/virtual';

test('window renders only the rows in view plus overscan', () => {
  const w = visibleWindow(0, 400, 50, 2000, 5);
  assert.equal(w.start, 0);
  assert.equal(w.end, 0 + 9 + 5); // 8 rows fill 400px, +1 partial, +5 overscan
  assert.equal(w.totalHeight, 100_000);
  assert.equal(w.offset, 0);
});

test('window in the middle starts overscan rows above the first visible row', () => {
  const w = visibleWindow(5000, 400, 50, 2000, 5);
  assert.equal(w.start, 95);
  assert.equal(w.end, 100 + 9 + 5);
  assert.equal(w.offset, 95 * 50);
});

test('window clamps a scrollTop past the end and handles empty lists', () => {
  const w = visibleWindow(1e9, 400, 50, 100, 2);
  assert.equal(w.end, 100);
  assert.ok(w.start >= 100 - 9 - 2 - 1);
  assert.deepEqual(visibleWindow(0, 400, 50, 0), { start: 0, end: 0, offset: 0, totalHeight: 0 });
});

test('rendered row count does not grow with the number of cases', () => {
  const small = visibleWindow(0, 600, 76, 50);
  const big = visibleWindow(0, 600, 76, 2000);
  assert.equal(big.end - big.start, small.end - small.start);
  assert.ok(big.end - big.start < 30);
});

test('scrollToReveal scrolls only when the row is out of view', () => {
  assert.equal(scrollToReveal(10, 0, 400, 50), 150); // bottom of row 10 = 550 → 550 - 400
  assert.equal(scrollToReveal(2, 0, 400, 50), 0);
  assert.equal(scrollToReveal(1, 200, 400, 50), 50);
});

test('arrow keys move by one and stop at the edges', () => {
  const at = { row: 0, col: 0 };
  assert.deepEqual(moveFocus(at, 'ArrowDown', 3, 4, 10), { row: 1, col: 0 });
  assert.deepEqual(moveFocus(at, 'ArrowUp', 3, 4, 10), { row: 0, col: 0 });
  assert.deepEqual(moveFocus(at, 'ArrowRight', 3, 4, 10), { row: 0, col: 1 });
  assert.deepEqual(moveFocus({ row: 2, col: 3 }, 'ArrowRight', 3, 4, 10), { row: 2, col: 3 });
  assert.deepEqual(moveFocus({ row: 2, col: 3 }, 'ArrowDown', 3, 4, 10), { row: 2, col: 3 });
});

test('Home/End go to the row ends, Ctrl+Home/End to the grid corners, PageDown by a page', () => {
  assert.deepEqual(moveFocus({ row: 5, col: 2 }, 'Home', 100, 4, 10), { row: 5, col: 0 });
  assert.deepEqual(moveFocus({ row: 5, col: 2 }, 'End', 100, 4, 10), { row: 5, col: 3 });
  assert.deepEqual(moveFocus({ row: 5, col: 2 }, 'Home', 100, 4, 10, true), { row: 0, col: 0 });
  assert.deepEqual(moveFocus({ row: 5, col: 2 }, 'End', 100, 4, 10, true), { row: 99, col: 3 });
  assert.deepEqual(moveFocus({ row: 5, col: 2 }, 'PageDown', 100, 4, 10), { row: 15, col: 2 });
  assert.deepEqual(moveFocus({ row: 5, col: 2 }, 'PageUp', 100, 4, 10), { row: 0, col: 2 });
});

test('other keys are not moves; a focus left out of range is clamped', () => {
  assert.equal(moveFocus({ row: 0, col: 0 }, 'a', 3, 3, 1), null);
  assert.equal(moveFocus({ row: 0, col: 0 }, 'ArrowDown', 0, 3, 1), null);
  assert.deepEqual(moveFocus({ row: 50, col: 9 }, 'ArrowUp', 3, 3, 1), { row: 1, col: 2 });
});
