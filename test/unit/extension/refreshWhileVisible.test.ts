// The Runs view's relative times ("3 min ago") are refreshed on a timer only while the view is visible, at once
// when it becomes visible again, and never after dispose. Mock timers stand in for the minute.

import { test, mock } from 'node:test';
import * as assert from 'node:assert/strict';
import { refreshWhileVisible, RELATIVE_TIME_REFRESH_MS, type VisibleView } from '../../../src/extension/runs/refreshWhileVisible';

function fakeView(visible: boolean): VisibleView & { setVisible(v: boolean): void } {
  let listener: ((e: { visible: boolean }) => unknown) | undefined;
  const view = {
    visible,
    onDidChangeVisibility(l: (e: { visible: boolean }) => unknown) {
      listener = l;
      return { dispose: () => (listener = undefined) };
    },
    setVisible(v: boolean) {
      view.visible = v;
      listener?.({ visible: v });
    },
  };
  return view;
}

test('refreshes every minute while visible, not while hidden, at once when shown again, never after dispose', () => {
  mock.timers.enable({ apis: ['setInterval'] });
  try {
    let refreshes = 0;
    const view = fakeView(true);
    const sub = refreshWhileVisible(view, () => refreshes++);
    mock.timers.tick(RELATIVE_TIME_REFRESH_MS * 3);
    assert.equal(refreshes, 3, 'three minutes visible, three refreshes');
    view.setVisible(false);
    mock.timers.tick(RELATIVE_TIME_REFRESH_MS * 5);
    assert.equal(refreshes, 3, 'nothing while hidden');
    view.setVisible(true);
    assert.equal(refreshes, 4, 'at once when shown again');
    mock.timers.tick(RELATIVE_TIME_REFRESH_MS);
    assert.equal(refreshes, 5);
    sub.dispose();
    mock.timers.tick(RELATIVE_TIME_REFRESH_MS * 5);
    view.setVisible(true);
    assert.equal(refreshes, 5, 'nothing after dispose');
  } finally {
    mock.timers.reset();
  }
});

test('a view hidden at the start gets no timer until shown', () => {
  mock.timers.enable({ apis: ['setInterval'] });
  try {
    let refreshes = 0;
    const view = fakeView(false);
    const sub = refreshWhileVisible(view, () => refreshes++);
    mock.timers.tick(RELATIVE_TIME_REFRESH_MS * 2);
    assert.equal(refreshes, 0);
    view.setVisible(true);
    mock.timers.tick(RELATIVE_TIME_REFRESH_MS);
    assert.equal(refreshes, 2);
    sub.dispose();
  } finally {
    mock.timers.reset();
  }
});
