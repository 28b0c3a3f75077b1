// Climb scenarios against the scripted server (test/fixtures/climbScenarios.ts). Each scenario's right
// trajectory was written down here before it first ran; the asserts check it, the money against the server's
// own token counts, and the ledger that no request reached the server twice.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { isReasoning, trapHits, type LadderOptions } from '../../fixtures/climbScenarios';
import { splitCases } from '../../../src/core/climb/splits';
import { kept, scenario, serverUsd } from './harness';
import { calibration, calibrationMarkdown } from '../../../src/core/climb/calibration';
import type { ClimbRecord } from '../../../src/core/climb/record';

/** Every scenario's record (the budget scenario's cut-short climb repeats the three layers' first steps: not counted), for the calibration table at the end of the file. */
const trajectories: { scenario: string; record: ClimbRecord }[] = [];

test('ladder: retrieval fixes the knowledge failures, then one example fixes the format failures — both kept, in that order', async () => {
  // Expected (written before the first run): split 48/36/36; baseline 50 % everywhere; step 1 tries retrieval
  // only and keeps it (about 9 of 36 validation cases fixed, none broken); step 2 tries an instruction rewrite
  // and 1/3/5 shots, keeps 1-shot (the cheapest of the significant ones); stop at 100 % on search; test 100 %.
  await scenario({ cases: 120 }, async ({ server, ledger, climbWith }) => {
    const { record } = await climbWith();
    trajectories.push({ scenario: 'ladder', record });
    assert.deepEqual(record.split?.sizes, { search: 48, validation: 36, test: 36 });
    assert.deepEqual(record.baseline, { searchPassRate: 0.5, validationPassRate: 0.5, testPassRate: 0.5 });
    assert.deepEqual(kept(record), ['add-retrieval', 'add-shots']);
    const shots = record.steps.find((s) => s.kept && s.move.action === 'add-shots')!;
    assert.equal(shots.move.patch.variant?.shots, 1);
    assert.equal(record.steps.find((s) => s.move.action === 'rewrite-instructions')?.kept, false);
    const rag = record.steps.find((s) => s.kept && s.move.action === 'add-retrieval')!;
    assert.ok(rag.fixed! >= 7 && rag.broken === 0 && rag.pValue! <= 0.05, rag.why);
    assert.match(rag.why, /fixed \d+ and broke 0 of 36 validation cases, p = .*: kept/);
    assert.deepEqual(record.final, { searchPassRate: 1, validationPassRate: 1, testPassRate: 1 });
    assert.match(record.stopReason ?? '', /100 %/);
    // money: the record's spend is what the server billed, within the budget (the estimate, none given)
    assert.ok(Math.abs(record.spentUsd! - serverUsd(server)) < 1e-9, `${record.spentUsd} vs server ${serverUsd(server)}`);
    assert.ok(record.spentUsd! <= record.budgetUsd! && record.budgetUsd === record.estimateUsd);
    assert.equal(record.calls, server.stats.chatRequests);
    // the incumbent's re-runs came from the cache: no request reached the server twice
    assert.equal(ledger.repeated(), 0);
    // the rewrite saw search cases only
    const heldOut = [...record.split!.validation, ...record.split!.test];
    assert.ok(ledger.rewrites.length >= 1);
    for (const body of ledger.rewrites) for (const i of heldOut) assert.ok(!body.includes(`REF-${i}:`), `rewrite request shows held-out case ${i}`);
    const climbed = (parse(record.climbed!.text) as { variants: { name: string; shots?: number; retrieval?: boolean; systemSuffix?: string }[] }).variants;
    assert.deepEqual(climbed.map((v) => v.name), ['baseline', 'climbed']);
    assert.equal(climbed[1].shots, 1);
    assert.equal(climbed[1].retrieval, true);
    assert.match(climbed[1].systemSuffix ?? '', /\{\{context\}\}/);
    // calibration: the top recommendation of step 1 (rag) was followed and kept
    assert.equal(record.rounds[0].top?.kind, 'rag');
    assert.equal(record.rounds[0].topKept, true);
  });
});

test('trap: chain of thought wins on the search part by luck and loses on validation — dropped', async () => {
  // The salt is chosen so that, on this seed's split, step-by-step fixes at least 3 more search cases than it
  // breaks while breaking at least as many validation cases as it fixes; over the whole set it fixes about as
  // many as it breaks. Expected: step 1 tries chain-of-thought, drops it on validation; no move left; exit 1.
  const n = 60;
  const strata = new Map(Array.from({ length: n }, (_, i) => [i, i % 3 === 0 ? 'fail:reasoning' : 'pass']));
  const split = splitCases(strata, 1);
  const net = (cases: number[], salt: number) => cases.reduce((s, i) => s + (trapHits(i, salt) ? (i % 3 === 0 ? 1 : i % 3 === 1 ? -1 : 0) : 0), 0);
  const salt = Array.from({ length: 500 }, (_, k) => k).find((k) => net(split.search, k) >= 3 && net(split.validation, k) <= 0)!;
  assert.ok(salt !== undefined, 'a lucky salt exists');
  const o: LadderOptions = { cases: n, knowledge: false, trapSalt: salt };
  assert.equal(Array.from({ length: n }, (_, i) => i).filter((i) => isReasoning(i, o)).length, 20);
  await scenario(o, async ({ climbWith }) => {
    const { record } = await climbWith({ budgetUsd: 1 });
    trajectories.push({ scenario: 'trap', record });
    const cot = record.steps.find((s) => s.move.action === 'chain-of-thought');
    assert.ok(cot, 'chain of thought was tried');
    assert.ok(cot.searchPassRate! > record.baseline!.searchPassRate!, 'it won on search');
    assert.equal(cot.kept, false, cot.why);
    assert.ok(cot.fixed! <= cot.broken!, cot.why);
    assert.deepEqual(kept(record), []);
    assert.equal(record.climbed, null);
    assert.match(record.stopReason ?? '', /no move left/);
    assert.equal(record.rounds[0].top?.kind, 'prompt-engineering');
    assert.equal(record.rounds[0].topKept, false);
  });
});

test('budget: a budget that allows exactly two steps stops after two, spending no more than it (server token counts)', async () => {
  // Expected (written before the first run): with no limit the climb keeps three moves — retrieval first, then
  // one example and chain of thought (the format layer, 30 cases, and the reasoning layer, 20 cases) — and
  // stops at 100 %. A budget that covers the first two steps' estimates but not the third's stops after two
  // steps, says which step it could not afford, and spends at most the budget: the server's own token counts.
  const o: LadderOptions = { cases: 120, reasoning: true };
  let b = 0;
  await scenario(o, async ({ server, climbWith }) => {
    const { record } = await climbWith({ budgetUsd: 1 });
    trajectories.push({ scenario: 'three layers (no budget limit)', record });
    assert.equal(record.steps.filter((s) => s.kept)[0]?.move.action, 'add-retrieval');
    assert.deepEqual(kept(record).sort(), ['add-retrieval', 'add-shots', 'chain-of-thought']);
    assert.equal(record.rounds.length, 3);
    const [r1, r2, r3] = record.rounds;
    b = Math.max(r1.spentBeforeUsd! + r1.estimateUsd!, r2.spentBeforeUsd! + r2.estimateUsd!);
    assert.ok(b < r3.spentBeforeUsd! + r3.estimateUsd!, 'the scenario has a budget that allows exactly two steps');
    assert.ok(Math.abs(record.spentUsd! - serverUsd(server)) < 1e-9);
  });
  await scenario(o, async ({ server, climbWith }) => {
    const { record } = await climbWith({ budgetUsd: b });
    assert.equal(record.rounds.filter((r) => r.done).length, 2);
    assert.match(record.stopReason ?? '', /^step 3 could cost up to \$[\d.e-]+ and \$[\d.e-]+ of the \$[\d.e-]+ budget is left/);
    assert.ok(serverUsd(server) <= b, `server billed ${serverUsd(server)} > budget ${b}`);
    assert.ok(Math.abs(record.spentUsd! - serverUsd(server)) < 1e-9);
    assert.ok(record.estimateUsd! >= record.spentUsd!);
  });
});

test('calibration: per scenario, whether the top recommendation followed was kept, against its stated confidence', (t) => {
  // Ground truth from the scenarios above: each finished step whose top recommendation was followed counts once.
  const followed = trajectories.flatMap(({ scenario: name, record }) =>
    record.rounds.filter((r) => r.done && r.top && r.topKept !== null).map((r) => ({ name, step: r.round, kind: r.top!.kind, confidence: r.top!.confidence, kept: r.topKept! })),
  );
  for (const f of followed) t.diagnostic(`${f.name} · step ${f.step}: ${f.kind} at ${Math.round(f.confidence * 100)} % → ${f.kept ? 'kept' : 'dropped'}`);
  const rows = calibration(trajectories.map((c) => c.record));
  for (const line of calibrationMarkdown(rows).split('\n')) t.diagnostic(line);
  assert.equal(trajectories.length, 3, 'every scenario of the file ran');
  assert.equal(rows.reduce((n, r) => n + r.followed, 0), followed.length);
  assert.equal(rows.reduce((n, r) => n + r.kept, 0), followed.filter((f) => f.kept).length);
  assert.ok(followed.some((f) => f.kept) && followed.some((f) => !f.kept), 'the scenarios hold both outcomes');
});
