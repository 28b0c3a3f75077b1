// The panel host's windowed row source: briefs for every case, the text of only the rows asked for, a run under
// way read from the engine's record, a finished streamed run read from its cases JSONL by byte range.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { openStoredRun, RunRows, rowsAtFinish } from '../../../src/extension/panel/rowSource';
import { ShownRun } from '../../../src/extension/panel/shownRun';
import { readRun } from '../../../src/core/runs/store';
import { kase, record, res, sample } from './fixtures';

function emptyRun() {
  const rec = sample();
  for (const c of rec.cases) c.results = [];
  return rec;
}

test('a run under way: every row pending, a started cell running, a finished one its result; only changed rows are taken', () => {
  const rec = emptyRun();
  const rows = RunRows.live(rec);
  assert.deepEqual(rows.all().map((b) => b.cells.map((c) => c.status)), [['pending', 'pending'], ['pending', 'pending'], ['pending', 'pending'], ['pending', 'pending']]);
  assert.deepEqual(rows.takeChanged(), []);
  rows.started(1, 'zero-shot');
  const result = res('zero-shot', false, { category: 'format' });
  rec.cases[1].results.push(result); // the engine adds the result to its record, then emits the event
  rows.finished(1, result);
  rows.started(2, '3-shot');
  const changed = rows.takeChanged();
  assert.deepEqual(changed.map((b) => [b.caseIndex, b.cells.map((c) => c.status)]), [[1, ['fail', 'pending']], [2, ['pending', 'running']]]);
  assert.equal(changed[0].cells[0].category, 'format');
  assert.deepEqual(rows.takeChanged(), [], 'taken once');
  const s = rows.summaries();
  assert.equal(s?.[0].failed, 1);
  assert.equal(s?.[1].passed, 0);
});

test('rows are read only when asked for, slimmed, and a search reads the text it needs', async () => {
  const rec = sample();
  rec.cases[2].results[0].messages = [{ role: 'user', content: 'Capital of Atlantis?' }];
  const rows = rowsAtFinish(rec, undefined);
  const [two] = await rows.rows([2]);
  assert.equal(two.index, 2);
  assert.equal(two.results[0].messages, undefined, 'the matrix gets no messages');
  assert.ok((await rows.fullCase(2))?.results[0].messages, 'details get them');
  assert.deepEqual(await rows.search('ATLANTIS'), [2]);
  assert.deepEqual(await rows.search('json atlantis'), []);
  assert.deepEqual(rows.failing(), [1, 2, 3]);
  assert.deepEqual(rows.failing(['3-shot']), [2]);
});

function streamedRun(dir: string) {
  const variants = ['a', 'b'];
  const cases = Array.from({ length: 5 }, (_, i) => kase(i, { q: `question ${i}` }, [res('a', i !== 3), res('b', true)]));
  const file = path.join(dir, 'x-run.json');
  const header = record([], variants, { casesFile: 'x-run.cases.jsonl', id: 'streamed' });
  writeFileSync(file, JSON.stringify(header));
  // case 3 is written twice (relabelled at the end of the run: the later line wins); the last line is torn
  const relabelled = { ...cases[3], results: [res('a', false, { category: 'knowledge', output: 'relabelled' }), res('b', true)] };
  const lines = [...cases.map((c) => JSON.stringify(c)), JSON.stringify(relabelled), '{"index":9,"line":3,"va'];
  writeFileSync(path.join(dir, 'x-run.cases.jsonl'), lines.join('\n'));
  return file;
}

test('a stored streamed run opens from its header and case lines: briefs of the last line per case, rows by byte range', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pl-rows-'));
  try {
    const file = streamedRun(dir);
    const { header, rows } = await openStoredRun(file, readRun);
    assert.equal(header.id, 'streamed');
    assert.deepEqual(header.cases, []);
    assert.equal(rows.size, 5);
    assert.equal(rows.all()[3].cells[0].category, 'knowledge');
    const got = await rows.rows([4, 3]);
    assert.deepEqual(got.map((c) => c.index), [4, 3]);
    assert.equal(got[1].results[0].output, 'relabelled');
    assert.deepEqual(await rows.search('question 2'), [2]);
    // the same file read at the end of a run (briefs from memory, ranges scanned on the first read)
    const atFinish = rowsAtFinish({ ...record([], ['a', 'b'], { casesFile: 'x-run.cases.jsonl' }), cases: [] }, file);
    assert.equal((await atFinish.rows([3]))[0].results[0].output, 'relabelled');
    assert.deepEqual(await atFinish.rows([9]), [], 'a torn line is no row');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the shown run takes a merged record in memory, and events of a new run reset it', () => {
  const shown = new ShownRun();
  shown.showRecord(sample(), '/w/.promptladder/runs/a.json');
  assert.equal(shown.rows?.size, 4);
  assert.equal(shown.running, false);
  const rec = emptyRun();
  assert.equal(shown.apply({ type: 'run-started', runId: rec.id, total: 8, variants: ['zero-shot', '3-shot'], caseCount: 4, record: rec }), 'reset');
  assert.equal(shown.running, true);
  assert.equal(shown.apply({ type: 'case-started', caseIndex: 0, variant: '3-shot', repeat: 0 }), 'changed');
  assert.equal(shown.apply({ type: 'progress', done: 1, total: 8, passed: 1, failed: 0, errors: 0, cached: 0 }), 'changed');
  const u = shown.takeUpdate();
  assert.deepEqual(u?.rows.map((b) => b.caseIndex), [0]);
  assert.equal(u?.progress?.done, 1);
  // a run the panel did not follow live (another id) replaces what it shows
  assert.equal(shown.apply({ type: 'run-finished', record: { ...sample(), id: 'another-run' } }), 'reset');
  assert.equal(shown.running, false);
  assert.deepEqual(shown.header?.cases, [], 'the header holds no cases');
});

for (const told of [false, true]) {
  test(`the run the panel followed finishes with its header and only the rows that changed at the end (${told ? 'the engine names them' : 'found by comparing'})`, () => {
    const shown = new ShownRun();
    const rec = emptyRun();
    shown.apply({ type: 'run-started', runId: rec.id, total: 8, variants: ['zero-shot', '3-shot'], caseCount: 4, record: rec });
    // every result arrives and is sent; the last one is still waiting for the next update when the run ends
    const done = sample();
    rec.cases.forEach((c, i) => {
      for (const r of done.cases[i].results) {
        c.results.push(r);
        shown.apply({ type: 'case-finished', caseIndex: c.index, result: r });
        if (i < 3) shown.takeUpdate();
      }
    });
    // the end relabels case 1's failure: its brief differs from the one sent
    const failing = rec.cases[1].results.find((r) => !r.passed);
    assert.ok(failing, 'the fixture has a failure in case 1');
    failing.category = 'reasoning';
    const live = shown.rows;
    assert.equal(shown.apply({ type: 'run-finished', record: rec, ...(told ? { changed: [rec.cases[1].index] } : {}) }), 'finished');
    assert.equal(shown.running, false);
    assert.notEqual(shown.rows, live, 'the rows of a finished run, not the live ones');
    assert.deepEqual(
      shown.rows?.takeChanged().map((b) => b.caseIndex).sort((a, b) => a - b),
      [rec.cases[1].index, rec.cases[3].index],
      'the relabelled row and the row not yet sent, no other',
    );
    assert.equal(shown.rows?.all().find((b) => b.caseIndex === rec.cases[1].index)?.cells.find((c) => c.status === 'fail')?.category, 'reasoning');
  });
}

test('a followed run cancelled before its last cells: those cells read "not run", the rows that had them change', () => {
  const shown = new ShownRun();
  const rec = emptyRun();
  shown.apply({ type: 'run-started', runId: rec.id, total: 8, variants: ['zero-shot', '3-shot'], caseCount: 4, record: rec });
  const done = sample();
  // cases 0 and 1 get their results and are sent; cases 2 and 3 never run
  for (const i of [0, 1]) {
    for (const r of done.cases[i].results) {
      rec.cases[i].results.push(r);
      shown.apply({ type: 'case-finished', caseIndex: rec.cases[i].index, result: r });
    }
  }
  shown.takeUpdate();
  assert.ok(shown.rows?.all().find((b) => b.caseIndex === rec.cases[2].index)?.cells.every((c) => c.status === 'pending'));
  rec.status = 'cancelled';
  assert.equal(shown.apply({ type: 'run-finished', record: rec, changed: [] }), 'finished');
  assert.deepEqual(shown.rows?.takeChanged().map((b) => b.caseIndex).sort((a, b) => a - b), [rec.cases[2].index, rec.cases[3].index]);
  assert.ok(shown.rows?.all().find((b) => b.caseIndex === rec.cases[3].index)?.cells.every((c) => c.status === 'none'));
});
