// A real run over a subset of the cases (the engine's caseIndexes) against the scripted server: its record says
// it is partial, holds no advice, and is never chosen or accepted as a --baseline. The panel's fold of a partial
// run's events keeps the shown results whole.

import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { runEval } from '../../../src/core/engine';
import { readRun } from '../../../src/core/runs/store';
import { BaselineError, resolveBaseline } from '../../../src/core/runs/baselineRef';
import { applyRunEvent, cellKey, emptyLiveRun } from '../../../src/shared/runState';
import type { RunEvent } from '../../../src/core/events';
import { CLASSIFIER, classifierRules, resolverFor, tempWorkspace, type Workspace } from '../engine/helpers';

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

test('the panel’s fold of a partial run keeps the shown results whole and marks the cells it ran', async () => {
  const file = ws.write('fold.prompt.yml', CLASSIFIER);
  const spec = await loadPromptFile(file);
  const whole = await runEval(spec, { providers: resolverFor(server.url), root: ws.root });
  const live = emptyLiveRun(whole.record);
  const snapshot = JSON.stringify(whole.record);
  const events: RunEvent[] = [];
  let midRun: number | undefined;
  await runEval(spec, {
    providers: resolverFor(server.url),
    root: ws.root,
    caseIndexes: [1],
    onEvent: (e) => {
      events.push(e);
      applyRunEvent(live, e);
      if (e.type === 'run-started') midRun = live.record?.cases.length;
    },
  });
  assert.equal(midRun, 3, 'while the partial run is under way the matrix keeps all three cases');
  assert.equal(live.record!.cases.length, 3, 'and after it');
  assert.equal(live.record!.partial, undefined);
  assert.deepEqual([...live.updated].sort(), [cellKey(1, '2-shot'), cellKey(1, 'zero-shot')].sort());
  const finished = events.find((e): e is Extract<RunEvent, { type: 'run-finished' }> => e.type === 'run-finished');
  assert.equal(live.record!.id, finished?.record.id, 'the view carries the partial run’s id');
  assert.equal(JSON.stringify(whole.record), snapshot, 'the full run’s record is not changed by the fold');
  // a full run after it clears the marks
  await runEval(spec, { providers: resolverFor(server.url), root: ws.root, onEvent: (e) => applyRunEvent(live, e) });
  assert.equal(live.updated.size, 0);
});
