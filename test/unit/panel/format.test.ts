import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ago, ms, pct, pts, usd } from '../../../src/webview/format';
import { countShots } from '../../../src/webview/detailsView';

test('percentages and signed percentage-point deltas', () => {
  assert.equal(pct(2 / 3), '66.7%');
  assert.equal(pct(null), '–');
  assert.equal(pts(0.125), '+12.5 pts');
  assert.equal(pts(-0.1), '−10 pts');
  assert.equal(pts(0), '±0 pts');
  assert.equal(pts(null), '');
});

test('cost and latency', () => {
  assert.equal(usd(0), '$0');
  assert.equal(usd(0.00001), '<$0.0001');
  assert.equal(usd(0.0012), '$0.0012');
  assert.equal(usd(1.234), '$1.23');
  assert.equal(ms(420.4), '420 ms');
  assert.equal(ms(12_345), '12.3 s');
});

test('relative times', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  assert.equal(ago('2026-01-01T11:59:50Z', now), 'just now');
  assert.equal(ago('2026-01-01T11:55:00Z', now), '5 min ago');
  assert.equal(ago('2026-01-01T09:00:00Z', now), '3 h ago');
  assert.equal(ago('2025-12-30T12:00:00Z', now), '2 d ago');
  assert.equal(ago('2025-10-01T12:00:00Z', now), '2025-10-01');
  assert.equal(ago('not a date', now), 'not a date');
});

test('few-shot pairs are the user/assistant pairs before the final user message', () => {
  const m = (role: string) => ({ role });
  assert.equal(countShots([m('system'), m('user'), m('assistant'), m('user'), m('assistant'), m('user')]), 2);
  assert.equal(countShots([m('system'), m('user')]), 0);
  assert.equal(countShots([m('user'), m('assistant')]), 0, 'a reply to the final message is not a shot');
});
