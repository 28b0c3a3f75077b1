// `prompt-ladder eval --case`: a partial run from the CLI says so, records it, gets no advice, is never taken by
// a later `--baseline latest`, and cannot itself be compared with a baseline.

import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { cliEnv, runCli } from './runCli';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { CLASSIFIER, classifierRules, tempWorkspace, type Workspace } from '../../fixtures/workspace';

let server: ScriptedServer;
let ws: Workspace;

before(async () => {
  server = await startScriptedServer({ rules: classifierRules });
  ws = tempWorkspace();
  ws.write('cls.prompt.yml', CLASSIFIER);
});
after(async () => {
  await server.close();
  ws.dispose();
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(args, { cwd: ws.root, env: cliEnv(ws.root, server.url) });
}

test('eval --case runs those cases as a partial run and prints that it is partial; latest stays the full run', async () => {
  const fullRun = await cli(['eval', 'cls.prompt.yml', '--json', 'full.json']);
  assert.equal(fullRun.code, 1, fullRun.stderr);
  const fullId = (JSON.parse(readFileSync(path.join(ws.root, 'full.json'), 'utf8')) as { id: string }).id;

  const r = await cli(['eval', 'cls.prompt.yml', '--case', '1', '--json', 'one.json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /1 case × 2 variants — completed · partial: 1 of 3 cases/);
  assert.doesNotMatch(r.stdout, /^Advice:/m, 'no advice on one case');
  const one = JSON.parse(readFileSync(path.join(ws.root, 'one.json'), 'utf8')) as { partial?: unknown; cases: unknown[] };
  assert.deepEqual(one.partial, { of: 3, caseIndexes: [1] });
  assert.equal(one.cases.length, 1);

  const gated = await cli(['eval', 'cls.prompt.yml', '--baseline', 'latest', '--fail-on', 'none']);
  assert.equal(gated.code, 0, gated.stdout + gated.stderr);
  assert.match(gated.stdout + gated.stderr, new RegExp(`latest run ${fullId.slice(0, 8)}`), 'the baseline is the full run, not the newer partial one');
});

test('--case with --baseline, or an index the eval set lacks, is a usage error before any call', async () => {
  server.resetStats();
  const both = await cli(['eval', 'cls.prompt.yml', '--case', '0', '--baseline', 'latest']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--case makes a partial run, which is not compared with a baseline/);
  const missing = await cli(['eval', 'cls.prompt.yml', '--case', '7']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no case 7 \(--case takes 0-based indexes; the eval set has 3 cases\)/);
  const bad = await cli(['eval', 'cls.prompt.yml', '--case', 'two']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--case needs 0-based case indexes/);
  assert.equal(server.stats.chatRequests, 0);
});
