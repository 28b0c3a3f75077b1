// What the lists of runs keep of a run: its summary (the record without its cases, with their counts), which
// the status words read as they read the whole record; and the current results, which read whole only the runs
// they are made of (the newest full run and the partial runs since).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { holds, isComplete, markInterrupted, partialRunRefusal, statusText, summaryOf } from '../../../src/core/runs/completeness';
import type { RunRecord } from '../../../src/core/runs/schema';
import { currentRunOf, currentRunsOf } from '../../../src/extension/runs/currentRun';
import type { StoredRun } from '../../../src/extension/runs/types';
import { kase, record, res } from '../panel/fixtures';

const VARIANTS = ['a', 'b'];

function run(id: string, startedAt: string, cases: number, extra: Partial<RunRecord> = {}): RunRecord {
  return record(
    Array.from({ length: cases }, (_, i) => kase(i, { q: `q${i}` }, [res('a', i % 2 === 0), res('b', true)])),
    VARIANTS,
    { id, startedAt, finishedAt: startedAt, ...extra },
  );
}

test('a summary has no cases, counts them and their results, and reads as its record does', () => {
  const whole = run('r1', '2026-01-01T00:00:00.000Z', 3, { status: 'cancelled', total: 10 });
  const s = summaryOf(whole);
  assert.equal('cases' in s, false);
  assert.equal(s.caseCount, 3);
  assert.equal(s.results, 6);
  assert.equal(s.total, 10);
  assert.equal(statusText(s), statusText(whole));
  assert.equal(holds(s), '6 of 10 results');
  assert.equal(isComplete(s), isComplete(whole));
  assert.equal(whole.cases.length, 3, 'the record is left whole');
});

test('an older record without `total` gets it from its cases and variants; a partial run is refused as the record is', () => {
  const whole = run('r1', '2026-01-01T00:00:00.000Z', 2, { partial: { of: 9, caseIndexes: [0, 1] } });
  delete whole.total;
  const s = summaryOf(whole);
  assert.equal(s.total, 4);
  assert.equal(partialRunRefusal(s), partialRunRefusal(whole));
  assert.match(partialRunRefusal(s) ?? '', /partial: 2 of 9 cases/);
});

test('a summary left running by a process that is gone reads as interrupted, with its count', () => {
  const s = summaryOf(run('r1', '2026-01-01T00:00:00.000Z', 2, { status: 'running', total: 8, pid: 2 ** 22 + 12345 }));
  markInterrupted(s);
  assert.equal(s.status, 'interrupted');
  assert.equal(s.statusReason, 'stopped before it finished; holds 4 of 8 results');
});

test('the current results read only the newest full run and the partial runs since it', async () => {
  const stored = (r: RunRecord): StoredRun => ({ uri: { fsPath: `/runs/${r.id}.json` } as StoredRun['uri'], record: summaryOf(r) });
  const records = [
    run('part-2', '2026-01-01T03:00:00.000Z', 1, { partial: { of: 4, caseIndexes: [0] } }),
    run('part-1', '2026-01-01T02:00:00.000Z', 1, { partial: { of: 4, caseIndexes: [0] } }),
    run('full-2', '2026-01-01T01:00:00.000Z', 4),
    run('full-1', '2026-01-01T00:00:00.000Z', 4),
  ];
  const list = records.map(stored);
  assert.deepEqual(
    currentRunsOf(list).map((r) => r.record.id),
    ['part-2', 'part-1', 'full-2'],
  );
  assert.deepEqual(
    currentRunsOf(list, { id: 'full-2' }).map((r) => r.record.id),
    ['full-2'],
  );
  assert.deepEqual(currentRunsOf(list, { id: 'gone' }), []);
  const read: string[] = [];
  const view = await currentRunOf(list, async (r) => {
    read.push(r.record.id);
    return records.find((x) => x.id === r.record.id);
  });
  assert.deepEqual(read.sort(), ['full-2', 'part-1', 'part-2']);
  assert.equal(view?.record.id, 'part-2', 'named after the newest run');
  assert.equal(view?.record.cases.length, 4, 'the partial runs merged over the full one');
  assert.equal(view?.uri.fsPath, '/runs/part-2.json');
  // a run whose file can no longer be read is left out, not the whole view
  const without = await currentRunOf(list, async (r) => (r.record.id === 'part-2' ? undefined : records.find((x) => x.id === r.record.id)));
  assert.equal(without?.record.id, 'part-1');
});
