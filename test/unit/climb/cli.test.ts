// `prompt-ladder climb` as a child process against the scripted server: the exit codes, a set too small to
// climb, a model without prices, and a climb killed during a step and resumed (no request asked twice).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { startScriptedServer } from '../../fixtures/scripted-server';
import { Ledger, ladderRules, tempProject, writeLadder, type LadderOptions } from '../../fixtures/climbScenarios';
import { cliEnv, runCli, spawnCli } from '../cli/runCli';
import type { ClimbRecord } from '../../../src/core/climb/record';
import { climbArgs } from '../../../src/cli/climbCommand';

async function withProject(o: LadderOptions, fn: (p: { root: string; file: string; env: Record<string, string>; ledger: Ledger; server: Awaited<ReturnType<typeof startScriptedServer>> }) => Promise<void>, latencyMs = 0) {
  const project = tempProject();
  const ledger = new Ledger();
  const server = await startScriptedServer({ rules: ladderRules(o, ledger), latencyMs });
  try {
    const file = writeLadder(project.root, o);
    await fn({ root: project.root, file, env: cliEnv(project.root, server.url), ledger, server });
  } finally {
    await server.close();
    project.dispose();
  }
}

function climbRecords(root: string): ClimbRecord[] {
  const dir = path.join(root, '.promptladder', 'climbs');
  return readdirSync(dir).map((n) => JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as ClimbRecord);
}

test('climb: a 15-case set makes evaluation the first move, with no call and exit 1', async () => {
  await withProject({ cases: 15 }, async ({ root, env, server }) => {
    const r = await runCli(['climb', 'codes.prompt.yml', '--budget-usd', '1', '--json', 'climb.json'], { cwd: root, env });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /evaluation first: 15 cases are too few to split/);
    assert.match(r.stdout, /prompt-ladder generate/);
    assert.equal(server.stats.chatRequests, 0);
    const record = JSON.parse(readFileSync(path.join(root, 'climb.json'), 'utf8')) as ClimbRecord;
    assert.equal(record.steps[0].move.kind, 'evaluation');
    assert.equal(record.split, null);
  });
});

test('climb: a model without a known price needs a calls budget, and says the budget is in calls', async () => {
  await withProject({ cases: 30, model: 'openai/local-scripted' }, async ({ root, env, server }) => {
    const refused = await runCli(['climb', 'codes.prompt.yml', '--budget-usd', '1'], { cwd: root, env });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /no price is known for openai\/local-scripted: a climb then needs a calls budget \(--max-calls N/);
    assert.equal(server.stats.chatRequests, 0);
    const r = await runCli(['climb', 'codes.prompt.yml', '--max-calls', '200', '--json', 'climb.json'], { cwd: root, env });
    assert.match(r.stdout, /No price is known for openai\/local-scripted: the budget is in calls only \(200 calls\)/);
    const record = JSON.parse(readFileSync(path.join(root, 'climb.json'), 'utf8')) as ClimbRecord;
    assert.equal(record.spentUsd, null);
    assert.equal(record.calls, server.stats.chatRequests);
    assert.ok(server.stats.chatRequests <= 200);
    assert.equal(r.code, record.steps.some((s) => s.kept) ? 0 : 1);
  });
});

test('climb: bad arguments are usage errors', () => {
  for (const args of [['--budget-usd', 'lots'], ['--max-steps', '0'], ['--seed', '-1'], ['--max-calls', '2.5']]) {
    const values = { [args[0].slice(2)]: args[1] };
    assert.throws(() => climbArgs(values, ['a.prompt.yml'], undefined), (e: Error) => e.name === 'UsageError' && e.message.includes(args[0]));
  }
  assert.throws(() => climbArgs({ out: 'x.yml', apply: true }, ['a.prompt.yml'], undefined), /exclude each other/);
  assert.equal(climbArgs({}, ['a.prompt.yml'], 'all').batch, 'all');
  assert.throws(() => climbArgs({ detach: true }, ['a.prompt.yml'], 'all'), /--detach is for eval/);
  assert.throws(() => climbArgs({ 'poll-interval': '1' }, ['a.prompt.yml'], undefined), /goes with --batch/);
  assert.throws(() => climbArgs({}, [], undefined), /exactly one prompt file/);
  assert.deepEqual(
    { ...climbArgs({ 'budget-usd': '0.5', 'max-calls': '100', seed: '0', model: 'openai/gpt-4o' }, ['a.prompt.yml'], undefined) },
    { file: 'a.prompt.yml', budgetUsd: 0.5, maxCalls: 100, maxSteps: undefined, seed: 0, json: undefined, out: undefined, apply: false, root: undefined, variant: undefined, models: ['openai/gpt-4o'], concurrency: undefined, timeoutSeconds: undefined, quiet: false },
  );
});

test('climb: a broken prompt file exits 2 naming the file and line', async () => {
  await withProject({ cases: 30 }, async ({ root, env }) => {
    writeFileSync(path.join(root, 'broken.prompt.yml'), 'messages: [\n');
    const broken = await runCli(['climb', 'broken.prompt.yml'], { cwd: root, env });
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /broken\.prompt\.yml:\d+/);
  });
});

test('climb: killed during a step, then resumed from its record — no request reaches the server twice', async (t) => {
  // Expected (written before the first run): the first process stops after the run in flight when it gets
  // SIGTERM and exits 130 with an `interrupted` record; the same command again resumes it, keeps retrieval
  // then one example (as the uninterrupted ladder does), exits 0, and the ledger shows no repeated request.
  await withProject(
    { cases: 120 },
    async ({ root, env, ledger, server }) => {
      const first = spawnCli(['climb', 'codes.prompt.yml', '--budget-usd', '1'], { cwd: root, env });
      let sent = false;
      const poll = setInterval(() => {
        if (!sent && server.stats.chatRequests >= 140) {
          sent = true;
          first.child.kill('SIGTERM');
        }
      }, 5);
      const r1 = await first.done;
      clearInterval(poll);
      assert.equal(r1.code, 130, r1.stdout + r1.stderr);
      assert.equal(climbRecords(root)[0].status, 'interrupted');
      const asked = server.stats.chatRequests;
      assert.ok(asked >= 140 && asked < 280, `killed during step 1 (${asked} requests)`);
      const r2 = await runCli(['climb', 'codes.prompt.yml', '--budget-usd', '1'], { cwd: root, env });
      assert.equal(r2.code, 0, r2.stdout + r2.stderr);
      assert.match(r2.stdout, /Resuming the unfinished climb/);
      const records = climbRecords(root);
      assert.equal(records.length, 1);
      assert.equal(records[0].status, 'finished');
      assert.deepEqual(records[0].steps.filter((s) => s.kept).map((s) => s.move.action), ['add-retrieval', 'add-shots']);
      assert.equal(ledger.repeated(), 0, 'a request was asked twice');
      t.diagnostic(`requests before the kill: ${asked}; after the resume: ${server.stats.chatRequests}; spent ${records[0].spentUsd} of ${records[0].budgetUsd}`);
    },
    15,
  );
});
