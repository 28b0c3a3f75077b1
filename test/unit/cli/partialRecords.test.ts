// A record is complete or visibly not: a run killed outright (SIGKILL: nothing runs after it) reads as
// interrupted with how many results it holds, in readRun, list_runs, the CLI's finetune (which refuses it
// without --partial); torn case lines are counted once; a symlink planted in the runs folder is never opened.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { cliEnv, runCli, spawnCli } from './runCli';
import { CLASSIFIER, classifierRules, tempWorkspace, useScriptedWorkspace } from '../../fixtures/workspace';
import { listRuns, readRun, runsDir } from '../../../src/core/runs/store';
import { StoreDamage } from '../../../src/core/faults';
import { statusText } from '../../../src/core/runs/completeness';
import { listRunsTool } from '../../../src/core/agent/tools/listRuns';
import { engineHost } from '../../../src/cli/mcpCommand';

let killedRecord: string;

const scripted = useScriptedWorkspace({ rules: classifierRules, latencyMs: 100 }, {
  setUp: async () => {
    scripted.write('.git/HEAD', 'ref: refs/heads/main\n');
    scripted.write('cls.prompt.yml', CLASSIFIER.replace('testData:', `testData:\n${Array.from({ length: 30 }, (_, i) => `  - message: parcel ${i} is late\n    intent: delivery`).join('\n')}`));
    // a run killed outright after a few calls
    const p = spawnCli(['eval', 'cls.prompt.yml', '--concurrency', '1', '--no-cache'], { cwd: scripted.root, env: cliEnv(scripted.root, scripted.server.url) });
    const deadline = Date.now() + 30_000;
    while (scripted.server.stats.chatRequests < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    p.child.kill('SIGKILL');
    await p.done;
    const names = readdirSync(runsDir(scripted.root)).filter((n) => n.endsWith('.json'));
    assert.equal(names.length, 1, 'the record was started');
    killedRecord = path.join(runsDir(scripted.root), names[0]);
  },
});

test('a record left running by a killed process reads as interrupted, with how many results it holds', async () => {
  const record = await readRun(killedRecord);
  assert.equal(record.status, 'interrupted');
  assert.equal(record.total, 66, '33 cases × 2 variants');
  assert.match(record.statusReason ?? '', /^stopped before it finished; holds \d+ of 66 results$/);
  assert.match(statusText(record), /^interrupted \(holds \d+ of 66 results\)$/);
});

test('finetune refuses an interrupted run without --partial (exit 2, says why); with --partial it warns and exports', { timeout: 60_000 }, async () => {
  const env = cliEnv(scripted.root, scripted.server.url);
  const refused = await runCli(['finetune', 'cls.prompt.yml', '--run', killedRecord, '--out', 'ft'], { cwd: scripted.root, env });
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /run [0-9a-f]{8} of cls\.prompt\.yml is interrupted \(holds \d+ of 66 results\): a dataset from it would hold only part of the cases; run the eval again to completion, or pass --partial/);
  assert.doesNotMatch(refused.stdout, /Wrote/);
  const partial = await runCli(['finetune', 'cls.prompt.yml', '--run', killedRecord, '--out', 'ft', '--partial', '--source', 'expected'], { cwd: scripted.root, env });
  assert.match(partial.stderr, /warning: run [0-9a-f]{8} of cls\.prompt\.yml is interrupted .*\(--partial\)/);
});

test('torn case lines of a streamed record are skipped and counted once; the status says how much it holds', async () => {
  const header = await readRun(killedRecord);
  const dir = runsDir(scripted.root);
  const name = 'torn-20260101T000000Z-aaaaaaaa';
  const cases = [0, 1, 2].map((i) => JSON.stringify({ index: i, line: i + 1, vars: {}, results: [{ variant: 'v', output: 'x', passed: true, error: null, category: null, categoryReason: null, latencyMs: 1, tokens: { prompt: 1, completion: 1 }, costUsd: 0, cached: false, evaluators: [] }] }));
  writeFileSync(path.join(dir, `${name}.cases.jsonl`), `${cases.join('\n')}\n{"index":3,"line":4,"vars":{},"resu`);
  writeFileSync(
    path.join(dir, `${name}.json`),
    JSON.stringify({ ...header, id: 'aaaaaaaa-0000', status: 'completed', pid: undefined, total: 4, variants: [{ ...header.variants[0], name: 'v' }], cases: [], casesFile: `${name}.cases.jsonl` }),
  );
  const damage = new StoreDamage();
  const record = await readRun(path.join(dir, `${name}.json`), damage);
  assert.equal(record.cases.length, 3);
  assert.equal(statusText(record), 'completed (holds 3 of 4 results)');
  assert.equal(damage.summary((f) => path.basename(f)), `skipped 1 torn case line in ${name}.cases.jsonl`);
});

test('list_runs: the interrupted run with what it holds, damage reported once, a symlink in the runs folder never opened', async () => {
  const dir = runsDir(scripted.root);
  // a valid record outside the project, linked into the runs folder
  const outside = tempWorkspace();
  try {
    const copy = { ...(await readRun(killedRecord)), id: 'bbbbbbbb-outside', status: 'completed', promptFile: 'cls.prompt.yml' };
    writeFileSync(path.join(outside.root, 'secret.json'), JSON.stringify(copy));
    symlinkSync(path.join(outside.root, 'secret.json'), path.join(dir, 'planted.json'));
    writeFileSync(path.join(dir, 'garbage.json'), '{not json');
    const damage = new StoreDamage();
    const runs = await listRuns(scripted.root, undefined, damage);
    assert.ok(!runs.some((r) => r.record.id === 'bbbbbbbb-outside'), 'the symlink is not read');
    const answer = await listRunsTool.call(engineHost({ root: scripted.root, version: '0', cache: false }), { file: 'cls.prompt.yml' }, new AbortController().signal);
    assert.match(answer.text, /interrupted \(holds \d+ of 66 results\)/);
    assert.match(answer.text, /\(skipped 1 unreadable run record in \.promptladder\/runs\/garbage\.json, 1 torn case line in \.promptladder\/runs\/torn-[^)]+\.cases\.jsonl\)$/);
    assert.doesNotMatch(answer.text, /bbbbbbbb/);
  } finally {
    outside.dispose();
  }
});
