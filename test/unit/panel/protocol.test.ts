import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostMessage, parseResult, parseWebviewMessage, type HostMessage } from '../../../src/shared/protocol';
import { RunRecordSchema } from '../../../src/core/runs/schema';
import { sample } from './fixtures';
import { packBriefs, rowBrief, unpackBriefs } from '../../../src/shared/rowBrief';

test('webview → host: every command shape the webview sends parses', () => {
  const msgs = [
    { type: 'ready' },
    { type: 'run' },
    { type: 'run', caseIndexes: [0, 2], variants: ['3-shot'], noCache: true },
    { type: 'cancel' },
    { type: 'rerunFailures', variants: ['zero-shot'] },
    { type: 'openFile', line: 12 },
    { type: 'openFile', file: 'cases/support.jsonl', line: 3 },
    { type: 'executeAction', action: 'command:promptLadder.addRetrieval|Add retrieval' },
    { type: 'copy', text: '<img src=x onerror=alert(1)>' },
    { type: 'clearCompare' },
    { type: 'addTestCase', caseIndex: 2, variant: '3-shot' },
    { type: 'showLatest' },
    { type: 'log', level: 'warn', message: 'x' },
    { type: 'request', id: 1, request: { method: 'details', caseIndex: 3, variant: 'zero-shot' } },
    { type: 'request', id: 2, request: { method: 'pickRunToCompare' } },
    { type: 'request', id: 3, request: { method: 'compareWith', runUri: 'file:///w/.promptladder/runs/a.json' } },
  ];
  for (const m of msgs) {
    const r = parseWebviewMessage(m);
    assert.ok(r.ok, `${JSON.stringify(m)}: ${r.ok ? '' : r.error}`);
  }
});

test('webview → host: invalid messages are rejected with the message type and the failing path', () => {
  const bad: [unknown, string][] = [
    [null, "'\\?'"],
    ['ready', "'\\?'"],
    [{ type: 'explode' }, 'explode'],
    [{ type: 'run', caseIndexes: [-1] }, 'caseIndexes'],
    [{ type: 'run', caseIndexes: [1.5] }, 'caseIndexes'],
    [{ type: 'openFile', line: 0 }, 'line'],
    [{ type: 'openFile' }, 'line'],
    [{ type: 'executeAction', action: '' }, 'action'],
    [{ type: 'log', level: 'debug', message: 'x' }, 'level'],
    [{ type: 'request', id: 'a', request: { method: 'details', caseIndex: 0, variant: 'v' } }, 'id'],
    [{ type: 'request', id: 1, request: { method: 'deleteEverything' } }, 'request'],
    [{ type: 'request', id: 1, request: { method: 'details', caseIndex: 0 } }, 'variant'],
    [{ type: 'request', id: 1, request: { method: 'rows', runId: 'r', caseIndexes: Array.from({ length: 401 }, (_, i) => i) } }, 'caseIndexes'],
    [{ type: 'request', id: 1, request: { method: 'rows', runId: 'r', caseIndexes: [-1] } }, 'caseIndexes'],
  ];
  for (const [m, where] of bad) {
    const r = parseWebviewMessage(m);
    assert.equal(r.ok, false, JSON.stringify(m));
    if (!r.ok) assert.match(r.error, new RegExp(where), r.error);
  }
});

test('host → webview: init with a real header and briefs, updates, compare and responses parse', () => {
  const rec = sample();
  assert.ok(RunRecordSchema.safeParse(rec).success, 'fixture is a valid core record');
  const variants = rec.variants.map((v) => v.name);
  const all = rec.cases.map((c) => rowBrief(c, variants, false));
  const briefs = packBriefs(all);
  const none = packBriefs([]);
  const msgs: HostMessage[] = [
    { type: 'init', promptUri: 'file:///w/a.prompt.yml', promptLabel: 'a.prompt.yml', record: { ...rec, cases: [] }, variants, rows: briefs, pinned: false, running: false, compare: null },
    { type: 'init', promptUri: 'file:///w/a.prompt.yml', promptLabel: 'a.prompt.yml', record: null, variants: [], rows: none, pinned: false, running: true, compare: null, progress: null, focus: { caseIndex: 2, variant: '3-shot', open: true } },
    { type: 'update', runId: rec.id, progress: { done: 1, total: 8, passed: 1, failed: 0, errors: 0, cached: 0 }, summaries: rec.variants, rows: packBriefs(all.slice(0, 1)) },
    { type: 'finished', runId: rec.id, record: { ...rec, cases: [] }, rows: packBriefs(all.slice(1, 2)), runUri: 'file:///w/.promptladder/runs/a.json' },
    { type: 'running', running: false },
    { type: 'stale', stale: true },
    { type: 'compare', compare: null },
    { type: 'focus', focus: { caseIndex: 1 } },
    { type: 'error', message: 'No provider configured' },
    { type: 'response', id: 4, ok: true, result: { anything: 1 } },
    { type: 'response', id: 5, ok: false, error: 'nope' },
  ];
  for (const m of msgs) {
    const r = parseHostMessage(JSON.parse(JSON.stringify(m)));
    assert.ok(r.ok, `${m.type}: ${r.ok ? '' : r.error}`);
  }
});

test('the protocol has no test messages: a probe is not a message either way', () => {
  const toWebview = parseHostMessage({ type: 'testProbe', id: 1, click: '[data-testid="run-button"]' });
  assert.equal(toWebview.ok, false);
  const toHost = parseWebviewMessage({ type: 'testProbeResult', id: 1, snapshot: {} });
  assert.equal(toHost.ok, false);
});

test('host → webview: a record that is not a run record is rejected, naming the bad field', () => {
  const rec = sample() as unknown as { cases: { results: { passed: unknown }[] }[] };
  rec.cases[1].results[0].passed = 'yes';
  const r = parseHostMessage({ type: 'init', promptUri: 'u', promptLabel: 'l', record: rec, variants: [], rows: packBriefs([]), pinned: false, running: false, compare: null });
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.error, /record\.cases\.1\.results\.0\.passed/);

  const ev = parseHostMessage({ type: 'update', runId: 'r', progress: null, rows: { files: [], categories: [], rows: [[0, -1, 1, 'passed']] } });
  assert.equal(ev.ok, false);
  if (!ev.ok) assert.match(ev.error, /rows\.rows\.0\.3/);
  const unknownType = parseHostMessage({ type: 'eval', code: 'alert(1)' });
  assert.equal(unknownType.ok, false);
  if (!unknownType.ok) assert.match(unknownType.error, /'eval'/);
});

test('request results are validated per method', () => {
  const rec = sample();
  const c = rec.cases[1];
  const details = { caseIndex: 1, variant: 'zero-shot', line: c.line, vars: c.vars, results: [c.results[0]] };
  assert.ok(parseResult('details', details).ok);
  assert.equal(parseResult('details', { caseIndex: 1 }).ok, false);
  assert.ok(parseResult('pickRunToCompare', null).ok, 'a cancelled pick resolves with null');
  assert.equal(parseResult('pickRunToCompare', { baseRunId: 'x' }).ok, false);
});

test('unknown fields are stripped on receipt', () => {
  const r = parseWebviewMessage({ type: 'cancel', extra: '<script>' });
  assert.ok(r.ok);
  if (r.ok) assert.deepEqual(r.message, { type: 'cancel' });
});

test('briefs packed for the webview unpack to the same briefs, at a fraction of the size; a bad row is left out', () => {
  const rec = sample();
  const variants = rec.variants.map((v) => v.name);
  const briefs = rec.cases.map((c) => ({ ...rowBrief(c, variants, false), file: '/w/data/cases.jsonl' }));
  briefs[2].cells[1] = { ...briefs[2].cells[1], cached: true, updated: true };
  const packed = packBriefs(briefs);
  assert.deepEqual(unpackBriefs(JSON.parse(JSON.stringify(packed))), briefs);
  assert.deepEqual(packed.files, ['/w/data/cases.jsonl'], 'the file is named once');
  assert.ok(JSON.stringify(packed).length < JSON.stringify(briefs).length / 2, `packed ${JSON.stringify(packed).length} bytes, as objects ${JSON.stringify(briefs).length}`);
  const bad = { ...packed, rows: [...packed.rows, [9, 5, 1, 0, -1, 1, 1, 1, 10, 0], [10, -1, 1, 99, -1, 1, 1, 1, 10, 0]] };
  assert.equal(unpackBriefs(bad).length, briefs.length, 'a row naming a file or status that is not there is dropped');
});
