// What a climb spends, against the server's own token counts: the judges' calls count in spentUsd and in the
// budget, and with the Batch API every step's calls go through batches at the batch price, estimate included.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { kept, scenario, serverUsd } from './harness';
import { planClimb } from '../../../src/core/climb/loop';
import { createEnvResolver } from '../../../src/core/providers/resolve';
import { estimateCostUsd } from '../../../src/core/providers/pricing';

const JUDGE = 'openai/gpt-4o';

test('judges: spentUsd is what the server billed for the prompt model and the judge model together, within the budget', async (t) => {
  // Expected (written before the first run): the judge always says yes, so the trajectory is the ladder's
  // (retrieval, then one example); every distinct reply is judged once by gpt-4o (about 16 times mini's
  // price), so the judges are a large share of the money, and spentUsd equals the server's tokens × prices.
  await scenario({ cases: 120, judge: JUDGE }, async ({ server, ledger, climbWith }) => {
    const { record } = await climbWith();
    assert.deepEqual(kept(record), ['add-retrieval', 'add-shots']);
    assert.ok(ledger.judged > 0 && server.stats.billed['gpt-4o'], 'the judge was asked');
    const judgeBilled = estimateCostUsd(JUDGE, server.stats.billed['gpt-4o']);
    assert.ok(Math.abs(record.spentUsd! - serverUsd(server)) < 1e-9, `${record.spentUsd} vs server ${serverUsd(server)}`);
    assert.ok(Math.abs(record.judgeUsd! - judgeBilled) < 1e-9, `judges ${record.judgeUsd} vs server ${judgeBilled}`);
    t.diagnostic(`spent ${record.spentUsd} (judges ${record.judgeUsd}) of ${record.budgetUsd}, estimate ${record.estimateUsd}, ${record.calls} calls`);
    assert.ok(record.judgeUsd! > 0.1 * record.spentUsd!, 'the judge is a sizeable share: leaving it out would show');
    assert.ok(record.spentUsd! <= record.budgetUsd! && record.estimateUsd! >= record.spentUsd!);
    assert.equal(record.calls, server.stats.chatRequests);
    assert.equal(ledger.repeated(), 0);
    const stepUsd = record.steps.reduce((s, x) => s + (x.costUsd ?? 0), 0);
    assert.ok(stepUsd > 0 && stepUsd < record.spentUsd!, 'the steps carry their judges; the baseline is spent outside them');
  });
});

test('judges: a budget that covers the prompt model but not the judges stops before the first call', async () => {
  await scenario({ cases: 120, judge: JUDGE }, async ({ server, file, climbWith }) => {
    const providers = createEnvResolver({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: server.url });
    const withJudge = await planClimb({ file, text: readFileSync(file, 'utf8'), root: '.', providers });
    const baseline = withJudge.base;
    // the baseline's estimate without its judges, and with them
    const own = 120 * estimateCostUsd(baseline.model, { prompt: baseline.prompt, completion: baseline.completion });
    const { record } = await climbWith({ budgetUsd: own * 1.5 });
    assert.match(record.stopReason ?? '', /^stopped before the first call: the baseline run could cost up to/);
    assert.equal(server.stats.chatRequests, 0);
  });
});

test('--batch: every step goes through the Batch API at the batch price (estimate too); only the rewrite proposals are live', async () => {
  // Expected (written before the first run): the same trajectory as the live ladder (retrieval, then one
  // example), judges batched in a later phase; the live calls are the instruction rewrites only; spentUsd is
  // the server's batch tokens at half price plus the rewrites' at the live price; the estimate is about half.
  await scenario({ cases: 120, judge: JUDGE }, async ({ server, ledger, file, climbWith }) => {
    const { record } = await climbWith({ batch: { pollIntervalMs: 5 } });
    assert.equal(record.options.batch, 'all');
    assert.deepEqual(kept(record), ['add-retrieval', 'add-shots']);
    assert.ok(server.stats.batchesCreated >= 4, `${server.stats.batchesCreated} batches`);
    assert.ok(server.stats.billed['gpt-4o batch'], 'the judges were batched');
    assert.equal(server.stats.chatRequests, ledger.rewrites.length, 'live calls: the rewrite proposals only');
    assert.ok(Math.abs(record.spentUsd! - serverUsd(server)) < 1e-9, `${record.spentUsd} vs server ${serverUsd(server)}`);
    assert.ok(record.spentUsd! <= record.budgetUsd!);
    assert.equal(ledger.repeated(), 0, 'no request reached the server twice');
    const live = await planClimb({ file, text: readFileSync(file, 'utf8'), root: '.', providers: createEnvResolver({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: server.url }) });
    assert.ok(record.estimateUsd! < 0.6 * live.estimate.usd!, `batch estimate ${record.estimateUsd} vs live ${live.estimate.usd}`);
  });
});

test('--batch is refused, naming the model, for a provider without a Batch API', async () => {
  await scenario({ cases: 30, model: 'ollama/llama3' }, async ({ climbWith }) => {
    await assert.rejects(climbWith({ batch: {}, maxCalls: 10 }), /codes\.prompt\.yml: --batch: model ollama\/llama3 runs on Ollama.*no Batch API/);
  });
});
