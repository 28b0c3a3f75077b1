// `prompt-ladder eval --batch` as a real child process: kill -9 while waiting then run again (one batch in
// all), Ctrl-C leaves the batch running and says how to resume, --detach, refusals and the summary line.

import { test, before, after, beforeEach } from 'node:test';
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { cliEnv, spawnCli } from '../cli/runCli';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { tempWorkspace, type Workspace } from '../../fixtures/workspace';

let server: ScriptedServer;
let ws: Workspace;

before(async () => {
  server = await startScriptedServer({ rules: [{ user: 'item (\\d+)', reply: 'answer $1' }] });
});
after(async () => {
  await server.close();
});
beforeEach(() => {
  ws?.dispose();
  ws = tempWorkspace();
  server.setOptions({ batch: {} });
  server.resetStats();
  ws.write('b.cases.jsonl', Array.from({ length: 40 }, (_, i) => JSON.stringify({ n: i })).join('\n') + '\n');
  ws.write(
    'b.prompt.yml',
    'name: B\nmodel: openai/gpt-4o-mini\nmessages:\n  - role: user\n    content: "item {{n}}"\ntestFile: b.cases.jsonl\nevaluators:\n  - name: right\n    string:\n      equals: "answer {{n}}"\n',
  );
});

function start(args: string[]): ReturnType<typeof spawnCli> {
  return spawnCli(args, { cwd: ws.root, env: cliEnv(ws.root, server.url) });
}

async function until(pred: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function stateFiles(): string[] {
  try {
    return readdirSync(path.join(ws.root, '.promptladder', 'batches')).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
}

test('kill -9 while waiting, then the same command: it attaches to the pending batch; exactly one batch is created', async () => {
  server.setOptions({ batch: { completionDelayMs: 2500 } });
  const first = start(['eval', 'b.prompt.yml', '--batch', '--poll-interval', '0.05']);
  await until(() => /done · /.test(first.stderr()) || /Submitted batch/.test(first.stderr()), 'the first process to wait');
  await until(() => server.stats.batchesCreated === 1, 'the batch');
  first.child.kill('SIGKILL');
  const killed = await first.done;
  assert.equal(killed.signal, 'SIGKILL');
  const files = stateFiles();
  assert.equal(files.length, 1, 'the pending batch is on disk');
  const state = JSON.parse(readFileSync(path.join(ws.root, '.promptladder', 'batches', files[0]), 'utf8')) as { phases: { parts: { batchId?: string }[] }[] };
  assert.match(state.phases[0].parts[0].batchId ?? '', /^batch_scripted_/);

  const second = start(['eval', 'b.prompt.yml', '--batch', '--poll-interval', '0.05']);
  const r = await second.done;
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stderr, /Attached to batch batch_scripted_\d+ \(openai\/gpt-4o-mini, 40 requests\)/);
  assert.equal(server.stats.batchesCreated, 1, 'never billed twice');
  assert.equal(server.stats.chatRequests, 0);
  assert.match(r.stdout, /B — 40 cases × 1 variant — completed/);
  assert.match(r.stdout, /Batch API: 40 results through 1 batch \(batch_scripted_\d+\) · cost \$[\d.]+ at the batch rate, saved \$[\d.]+ against live calls/);
  assert.deepEqual(stateFiles(), [], 'the pending state is cleared with the record written');
});

test('Ctrl-C while waiting leaves the batch running and prints how to resume (exit 130); --detach exits 0', async () => {
  server.setOptions({ batch: { completionDelayMs: 60_000 } });
  const p = start(['eval', 'b.prompt.yml', '--batch', '--poll-interval', '0.05']);
  await until(() => /Submitted batch/.test(p.stderr()), 'the submission');
  await until(() => /done · /.test(p.stderr()), 'the wait');
  p.child.kill('SIGINT');
  const r = await p.done;
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /the batch keeps running on the provider\. Resume with: prompt-ladder eval b\.prompt\.yml --batch/);
  assert.equal(stateFiles().length, 1);

  const d = start(['eval', 'b.prompt.yml', '--batch', '--detach']);
  const rd = await d.done;
  assert.equal(rd.code, 0, rd.stderr);
  assert.match(rd.stderr, /Attached to batch/);
  assert.match(rd.stderr, /Collect the results with: prompt-ladder eval b\.prompt\.yml --batch/);
  assert.equal(server.stats.batchesCreated, 1);
});

test('--batch is refused for a provider without a Batch API, and flags are checked', async () => {
  ws.write('o.prompt.yml', 'name: O\nmodel: ollama/llama3\nmessages:\n  - role: user\n    content: hi\ntestData:\n  - a: 1\n');
  const r = await start(['eval', 'o.prompt.yml', '--batch']).done;
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^prompt-ladder: o\.prompt\.yml: --batch: model ollama\/llama3 runs on Ollama \([^)]*\), which has no Batch API.*\n$/);
  const bad = await start(['eval', 'b.prompt.yml', '--batch=sometimes']).done;
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--batch takes no value, or =calls/);
  const lone = await start(['eval', 'b.prompt.yml', '--detach']).done;
  assert.equal(lone.code, 2);
  assert.match(lone.stderr, /go with --batch/);
  assert.equal(server.stats.requests, 0);
});
