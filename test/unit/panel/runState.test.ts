import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyRunEvent, cellKey, emptyLiveRun } from '../../../src/shared/runState';
import { kase, record, res } from './fixtures';

function started() {
  const rec = record([kase(0, { q: 'a' }, []), kase(1, { q: 'b' }, [])], ['v1', 'v2'], { status: 'running', finishedAt: null });
  const live = emptyLiveRun();
  const replaced = applyRunEvent(live, { type: 'run-started', runId: rec.id, total: 4, variants: ['v1', 'v2'], caseCount: 2, record: rec });
  return { live, rec, replaced };
}

test('run-started replaces the record and marks the run as running', () => {
  const { live, replaced } = started();
  assert.equal(replaced, true);
  assert.equal(live.running, true);
  assert.deepEqual(live.progress, { done: 0, total: 4, passed: 0, failed: 0, errors: 0, cached: 0 });
});

test('case-started marks a cell in flight; case-finished fills it and clears the mark', () => {
  const { live } = started();
  applyRunEvent(live, { type: 'case-started', caseIndex: 1, variant: 'v2', repeat: 0 });
  assert.ok(live.inFlight.has(cellKey(1, 'v2')));
  applyRunEvent(live, { type: 'case-finished', caseIndex: 1, result: res('v2', false) });
  assert.equal(live.inFlight.size, 0);
  assert.equal(live.record!.cases[1].results.length, 1);
  assert.equal(live.record!.cases[1].results[0].passed, false);
});

test('the same result applied twice (the engine also pushes into the record it streamed) is kept once', () => {
  const { live } = started();
  const r = res('v1', true);
  live.record!.cases[0].results.push(r); // what the engine does to its own record object
  applyRunEvent(live, { type: 'case-finished', caseIndex: 0, result: r });
  applyRunEvent(live, { type: 'case-finished', caseIndex: 0, result: r });
  assert.equal(live.record!.cases[0].results.length, 1);
});

test('repeats of one variant are separate results', () => {
  const { live } = started();
  applyRunEvent(live, { type: 'case-finished', caseIndex: 0, result: res('v1', true, { repeat: 0 }) });
  applyRunEvent(live, { type: 'case-finished', caseIndex: 0, result: res('v1', false, { repeat: 1 }) });
  assert.equal(live.record!.cases[0].results.length, 2);
});

test('progress is kept; run-finished replaces the record, keeps its path and ends the run', () => {
  const { live, rec } = started();
  applyRunEvent(live, { type: 'progress', done: 3, total: 4, passed: 2, failed: 1, errors: 0, cached: 1 });
  assert.equal(live.progress?.done, 3);
  const final = { ...rec, status: 'completed' as const };
  assert.equal(applyRunEvent(live, { type: 'run-finished', record: final, path: '/r.json' }), true);
  assert.equal(live.running, false);
  assert.equal(live.record, final);
  assert.equal(live.path, '/r.json');
});

test('case-finished before any record is ignored', () => {
  const live = emptyLiveRun();
  assert.equal(applyRunEvent(live, { type: 'case-finished', caseIndex: 0, result: res('v', true) }), false);
  assert.equal(live.record, null);
});
