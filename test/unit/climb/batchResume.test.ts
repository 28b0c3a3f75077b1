// `prompt-ladder climb --batch` as a real child process: killed (kill -9) while it waits for a step's batch,
// then the same command resumes from the climb record and attaches to the batch on the provider — no batch
// line is asked twice; Ctrl-C stops the wait at once and leaves the batch running, saying so.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { Ledger, ladderRules, tempProject, writeLadder } from '../../fixtures/climbScenarios';
import { cliEnv, runCli, spawnCli } from '../cli/runCli';
import type { ClimbRecord } from '../../../src/core/climb/record';

async function withBatchProject(fn: (p: { root: string; env: Record<string, string>; ledger: Ledger; server: ScriptedServer }) => Promise<void>) {
  const project = tempProject();
  const ledger = new Ledger();
  const server = await startScriptedServer({ rules: ladderRules({ cases: 120 }, ledger), batch: { completionDelayMs: 300 } });
  try {
    writeLadder(project.root, { cases: 120 });
    await fn({ root: project.root, env: cliEnv(project.root, server.url), ledger, server });
  } finally {
    await server.close();
    project.dispose();
  }
}

async function until(pred: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The batch id a pending-batch file names, once one does. */
function pendingBatchId(root: string): string | undefined {
  const dir = path.join(root, '.promptladder', 'batches');
  try {
    for (const n of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const state = JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as { phases: { parts: { batchId?: string }[] }[] };
      const id = state.phases[0]?.parts[0]?.batchId;
      if (id) return id;
    }
  } catch {
    // not written yet (or being replaced)
  }
  return undefined;
}

function climbRecords(root: string): ClimbRecord[] {
  const dir = path.join(root, '.promptladder', 'climbs');
  return readdirSync(dir).map((n) => JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as ClimbRecord);
}

const ARGS = ['climb', 'codes.prompt.yml', '--batch', '--poll-interval', '0.02', '--budget-usd', '1'];

test('climb --batch: kill -9 while a step waits for its batch, then the same command attaches to it; no line is asked twice', async (t) => {
  // Expected (written before the first run): the baseline is the first batch; step 1's candidate (retrieval) the second;
  // killed while batch 2 runs, the climb record says `running` and the pending-batch file names that batch. The
  // same command resumes the record, attaches to that second batch (not a new one), keeps retrieval then one example
  // as the live climb does, exits 0, and the server saw every batch line once.
  await withBatchProject(async ({ root, env, ledger, server }) => {
    const first = spawnCli(ARGS, { cwd: root, env });
    // the baseline's pending state is gone once its record is written: then the only one is step 1's
    await until(() => server.stats.batchesCreated >= 2 && pendingBatchId(root) !== undefined, 'the step-1 batch, saved');
    first.child.kill('SIGKILL');
    await first.done;
    const created = server.stats.batchesCreated;
    assert.equal(climbRecords(root)[0].status, 'running');
    const pending = readdirSync(path.join(root, '.promptladder', 'batches')).filter((n) => n.endsWith('.json'));
    assert.equal(pending.length, 1, 'the pending batch is on disk');
    const state = JSON.parse(readFileSync(path.join(root, '.promptladder', 'batches', pending[0]), 'utf8')) as { phases: { parts: { batchId?: string }[] }[] };
    const id = state.phases[0].parts[0].batchId;
    assert.match(id ?? '', /^batch_scripted_\d+$/);
    const r = await runCli(ARGS, { cwd: root, env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Resuming the unfinished climb/);
    assert.ok(r.stderr.includes(`retrieval on: attached to batch ${id} `), r.stderr);
    assert.equal(server.stats.batchesCreated - created, (r.stderr.match(/submitted batch/g) ?? []).length, 'the resumed climb created no batch for what was pending');
    const [record] = climbRecords(root);
    assert.equal(record.status, 'finished');
    assert.deepEqual(record.steps.filter((s) => s.kept).map((s) => s.move.action), ['add-retrieval', 'add-shots']);
    assert.equal(ledger.repeated(), 0, 'a request was asked twice');
    assert.equal(server.stats.chatRequests, ledger.rewrites.length, 'live calls: the rewrite proposals only');
    t.diagnostic(`batches before the kill: ${created}; in all: ${server.stats.batchesCreated}; batch lines ${server.stats.batchLines}; spent ${record.spentUsd} of ${record.budgetUsd}`);
  });
});

test('climb --batch: Ctrl-C stops the wait at once, the batch keeps running, and the record is interrupted (exit 130)', async () => {
  await withBatchProject(async ({ root, env, server }) => {
    server.setOptions({ batch: { completionDelayMs: 60_000 } });
    const p = spawnCli(ARGS, { cwd: root, env });
    await until(() => server.stats.batchesCreated >= 1 && /submitted batch/.test(p.stderr()), 'the baseline batch');
    p.child.kill('SIGINT');
    const r = await p.done;
    assert.equal(r.code, 130, r.stdout + r.stderr);
    assert.match(r.stderr, /the batches in flight keep running on the provider; the same command again attaches to them/);
    assert.equal(climbRecords(root)[0].status, 'interrupted');
    assert.equal(server.stats.batchesCreated, 1);
  });
});
