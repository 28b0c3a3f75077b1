// The Climb view's model: the line diff of the climbed prompt and the chart's points from a record.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chartPoints, climbView, lineDiff } from '../../../src/core/climb/view';
import { ClimbHostMessageSchema } from '../../../src/shared/climbProtocol';
import { startScriptedServer } from '../../fixtures/scripted-server';
import { Ledger, ladderRules, tempProject, writeLadder } from '../../fixtures/climbScenarios';
import { climb } from '../../../src/core/climb/loop';
import { createEnvResolver } from '../../../src/core/providers/resolve';

test('lineDiff: unchanged, added and removed lines in order', () => {
  assert.deepEqual(lineDiff('a\nb\nc', 'a\nx\nc\nd'), [
    { kind: ' ', text: 'a' },
    { kind: '-', text: 'b' },
    { kind: '+', text: 'x' },
    { kind: ' ', text: 'c' },
    { kind: '+', text: 'd' },
  ]);
  assert.deepEqual(lineDiff('same', 'same'), [{ kind: ' ', text: 'same' }]);
});

test('the view of a finished climb: steps, chart from $0 to the spend, a diff that Apply would make, valid on the wire', async () => {
  const project = tempProject();
  const server = await startScriptedServer({ rules: ladderRules({ cases: 120 }, new Ledger()) });
  try {
    const file = writeLadder(project.root, { cases: 120 });
    const text = readFileSync(file, 'utf8');
    const { record } = await climb({ file, text, root: project.root, providers: createEnvResolver({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: server.url }), budgetUsd: 0.05 });
    const points = chartPoints(record);
    assert.deepEqual(points.map((p) => p.label), ['baseline', 'step 1: retrieval on', 'step 2: 1-shot', 'final']);
    assert.deepEqual(points.map((p) => p.validation), [0.5, record.steps.find((s) => s.kept)!.validationPassRate, 1, 1]);
    assert.deepEqual([points[0].test, points[3].test], [0.5, 1]);
    for (let i = 1; i < points.length; i++) assert.ok(points[i].x >= points[i - 1].x, 'cumulative dollars never go down');
    assert.equal(points[3].x, record.spentUsd);
    const view = climbView(record, text);
    assert.equal(view.canApply, true);
    assert.ok(view.diff!.some((d) => d.kind === '+' && /name: climbed/.test(d.text)));
    assert.ok(!view.diff!.some((d) => d.kind === '-'), 'the climbed file only adds to the user’s');
    assert.equal(climbView(record, record.climbed!.text).canApply, false, 'applied already: nothing to apply');
    assert.ok(ClimbHostMessageSchema.safeParse({ type: 'view', view, state: { recordFile: 'r.json', promptFile: file } }).success);
  } finally {
    await server.close();
    project.dispose();
  }
});
