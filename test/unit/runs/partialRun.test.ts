// A real run over a subset of the cases (the engine's caseIndexes) against the scripted server: its record says
// it is partial, holds no advice, and is never chosen or accepted as a --baseline. The panel's fold of a partial
// run keeps the shown results whole.

import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { runEval } from '../../../src/core/engine';
import { readRun } from '../../../src/core/runs/store';
import { BaselineError, resolveBaseline } from '../../../src/core/runs/baselineRef';
import { cellKey, currentView } from '../../../src/core/runs/partial';
import { ShownRun } from '../../../src/extension/panel/shownRun';
import { CLASSIFIER, classifierRules, resolverFor, tempWorkspace, type Workspace } from '../../fixtures/workspace';

let server: ScriptedServer;
let ws: Workspace;

before(async () => {
  server = await startScriptedServer({ rules: classifierRules });
  ws = tempWorkspace();
});
after(async () => {
  await server.close();
  ws.dispose();
});

test('a run of some cases records partial {of, caseIndexes}, gets no advice, and is never a --baseline', async () => {
  const file = ws.write('cls.prompt.yml', CLASSIFIER);
  const spec = await loadPromptFile(file);
  const whole = await runEval(spec, { providers: resolverFor(server.url), root: ws.root });
  assert.equal(whole.record.partial, undefined, 'a run of every case is not partial');
  assert.ok(whole.record.advice?.recommendations.length, 'the whole run is advised on');
  // every case named explicitly is still the whole set
  const named = await runEval(spec, { providers: resolverFor(server.url), root: ws.root, caseIndexes: [0, 1, 2] });
  assert.equal(named.record.partial, undefined);

  const one = await runEval(spec, { providers: resolverFor(server.url), root: ws.root, caseIndexes: [2] });
  assert.deepEqual(one.record.partial, { of: 3, caseIndexes: [2] });
  assert.deepEqual(one.record.advice?.recommendations ?? [], [], 'no advice on one case');
  assert.deepEqual((await readRun(one.path!)).partial, { of: 3, caseIndexes: [2] }, 'the record on disk says so');

  const opts = { root: ws.root, promptFile: 'cls.prompt.yml', cwd: ws.root, absPromptFile: file };
  const latest = await resolveBaseline('latest', opts);
  assert.equal(latest.kind === 'record' && latest.record.id, named.record.id, 'latest is the newest full run, not the newer partial one');
  await assert.rejects(resolveBaseline(one.record.id.slice(0, 8), opts), (e: unknown) => e instanceof BaselineError && /is partial \(1 of 3 cases\)/.test(e.message));
  await assert.rejects(resolveBaseline(one.path!, opts), BaselineError);
});

test('the panel shows a partial run merged over the full one: the matrix whole, the cells it ran marked', async () => {
  const file = ws.write('fold.prompt.yml', CLASSIFIER);
  const spec = await loadPromptFile(file);
  const whole = await runEval(spec, { providers: resolverFor(server.url), root: ws.root });
  const snapshot = JSON.stringify(whole.record);
  const part = await runEval(spec, { providers: resolverFor(server.url), root: ws.root, caseIndexes: [1] });
  const view = currentView([part.record, whole.record]);
  assert.ok(view, 'a current view');
  assert.equal(view.record.cases.length, 3, 'the matrix keeps all three cases');
  assert.equal(view.record.partial, undefined);
  assert.deepEqual([...view.updated].sort(), [cellKey(1, '2-shot'), cellKey(1, 'zero-shot')].sort());
  assert.equal(JSON.stringify(whole.record), snapshot, 'the full run’s record is not changed by the merge');
  // the panel's host keeps the merged view's briefs, the partial run's cells marked, and reads rows from the view
  // (the partial run's own file holds one case)
  const shown = new ShownRun();
  shown.showRecord(view.record, part.path, view.updated);
  const briefs = shown.rows!.all();
  assert.equal(briefs.length, 3);
  assert.deepEqual(briefs.map((b) => b.cells.map((c) => c.updated === true)), [[false, false], [true, true], [false, false]]);
  const rows = await shown.rows!.rows([0, 1, 2]);
  assert.equal(rows.length, 3, 'every row reads, not only the partial run’s');
});
