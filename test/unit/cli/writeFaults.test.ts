// Real write faults and signals against the real CLI (a child process): a full disk (tmpfs), a read-only
// folder (bind mount), SIGTERM and SIGHUP mid-run. Asserts what is on disk afterwards, not only exit codes.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { cliEnv, runCli, spawnCli } from './runCli';
import { startScriptedServer } from '../../fixtures/scripted-server';
import { mountReadOnly, mountTmpfs } from '../../fixtures/machineFaults';
import { classifierRules, useScriptedWorkspace } from '../../fixtures/workspace';

/** A classifier prompt with `n` cases, two variants. */
function bigPrompt(n: number): string {
  const rows = Array.from({ length: n }, (_, i) => `  - message: parcel ${i} never arrived\n    intent: delivery`).join('\n');
  return `name: Big\nmodel: openai/test-model\nmessages:\n  - role: system\n    content: Classify the message. Reply with JSON.\n  - role: user\n    content: "{{message}}"\ntestData:\n${rows}\nexamples:\n  - input: where is my parcel\n    output: '{"intent":"delivery"}'\nvariants:\n  - name: zero-shot\n    shots: 0\n  - name: 1-shot\n    shots: 1\nevaluators:\n  - name: intent\n    string:\n      contains: "{{intent}}"\n`;
}

const scripted = useScriptedWorkspace({ rules: classifierRules }, {
  setUp: async () => {
    scripted.write('big.prompt.yml', bigPrompt(200));
  },
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  // the rescue folder (the OS temp folder) inside the workspace, so the test can look at it
  return cliEnv(scripted.root, scripted.server.url, { TMPDIR: path.join(scripted.root, 'tmp'), ...extra });
}

function rescued(): string[] {
  const dir = path.join(scripted.root, 'tmp', 'prompt-ladder');
  return existsSync(dir) ? readdirSync(dir).map((n) => path.join(dir, n)) : [];
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}

function assertOneLineFault(stderr: string, pattern: RegExp): void {
  assert.match(stderr, pattern);
  assert.doesNotMatch(stderr, /internal error|\n\s+at /, 'no stack');
}

test('disk full (tmpfs) under the run folder: exit 1, one line naming the file and ENOSPC, the whole record in the temp folder, no temp files left', { timeout: 120_000 }, async (t) => {
  const full = mountTmpfs(path.join(scripted.root, 'full'), '48k');
  if (typeof full === 'string') return t.skip(full);
  try {
    const r = await runCli(['eval', 'big.prompt.yml', '--root', full.dir], { cwd: scripted.root, env: env() });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assertOneLineFault(r.stderr, /prompt-ladder: cannot write \S+\/full\/\.promptladder\/runs\/big-[^ ]+\.json: no space left on device \(ENOSPC\); the run record was saved to \S+ instead/);
    assert.match(r.stderr, /cannot write the response cache \S+\/full\/\.promptladder\/cache\/log-[0-9a-f]\.jsonl: no space left on device \(ENOSPC\)/);
    const copy = /saved to (\S+) instead/.exec(r.stderr)![1];
    assert.deepEqual(rescued(), [copy], 'the record is in the temp folder');
    assert.ok(r.stdout.includes(`Run record: ${path.relative(scripted.root, copy)}\n`), r.stdout);
    const record = JSON.parse(readFileSync(copy, 'utf8'));
    assert.equal(record.cases.length, 200);
    assert.equal(record.cases.reduce((n: number, c: { results: unknown[] }) => n + c.results.length, 0), 400, 'every paid-for result');
    assert.equal(record.status, 'completed');
    assert.deepEqual(filesUnder(full.dir).filter((f) => f.endsWith('.tmp')), [], 'no temp file left behind');
  } finally {
    full.unmount();
  }
});

test('--json on a full disk: exit 1, one line, the JSON written to the temp folder instead, no temp file left', { timeout: 120_000 }, async (t) => {
  const full = mountTmpfs(path.join(scripted.root, 'fullout'), '16k');
  if (typeof full === 'string') return t.skip(full);
  try {
    const r = await runCli(['eval', 'big.prompt.yml', '--json', 'fullout/run.json', '--variant', '1-shot'], { cwd: scripted.root, env: env() });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assertOneLineFault(r.stderr, /prompt-ladder: cannot write fullout\/run\.json: no space left on device \(ENOSPC\); wrote it to (\S+) instead/);
    const copy = /wrote it to (\S+) instead/.exec(r.stderr)![1];
    assert.equal(JSON.parse(readFileSync(copy, 'utf8')).cases.length, 200);
    assert.deepEqual(readdirSync(full.dir), [], 'neither the JSON nor its temp file');
    assert.match(r.stdout, /Run record: \.promptladder\/runs\/big-/, 'the record itself went where it belongs');
  } finally {
    full.unmount();
  }
});

test('read-only run folder (bind mount): exit 1, EROFS named with the path, the record saved to the temp folder; never "Run record:" for a file that is not there', { timeout: 120_000 }, async (t) => {
  const root = path.join(scripted.root, 'ro');
  mkdirSync(path.join(root, '.promptladder'), { recursive: true });
  const ro = mountReadOnly(root);
  if (typeof ro === 'string') return t.skip(ro);
  try {
    const r = await runCli(['eval', 'big.prompt.yml', '--root', root, '--variant', '1-shot', '--no-cache'], { cwd: scripted.root, env: env() });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assertOneLineFault(r.stderr, /prompt-ladder: cannot write \S+\/ro\/\.promptladder\/runs\/big-\S+\.json: read-only file system \(EROFS\); the run record was saved to (\S+) instead/);
    const copy = /saved to (\S+) instead/.exec(r.stderr)![1];
    assert.ok(existsSync(copy));
    assert.doesNotMatch(r.stdout, /Run record: ro\//);
    assert.deepEqual(readdirSync(path.join(root, '.promptladder')), []);
  } finally {
    ro.unmount();
  }
});

async function stopMidRun(sig: 'SIGTERM' | 'SIGHUP'): Promise<{ code: number | null; stderr: string; stdout: string }> {
  scripted.server.resetStats();
  const slow = await startScriptedServer({ rules: classifierRules, latencyMs: 150 });
  try {
    const p = spawnCli(['eval', 'big.prompt.yml', '--concurrency', '2', '--no-cache', '--json', `${sig}.json`], {
      cwd: scripted.root,
      env: cliEnv(scripted.root, slow.url),
    });
    const deadline = Date.now() + 30_000;
    while (slow.stats.chatRequests < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    p.child.kill(sig);
    const r = await p.done;
    assert.ok(slow.stats.chatRequests < 100, `stopped early (${slow.stats.chatRequests} calls)`);
    return r;
  } finally {
    await slow.close();
  }
}

for (const [sig, code] of [
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const) {
  test(`${sig} mid-run: exit ${code}, says so, the partial record on disk is cancelled with its results, --json written`, { timeout: 120_000 }, async () => {
    const r = await stopMidRun(sig);
    assert.equal(r.code, code, r.stderr);
    assert.match(r.stderr, new RegExp(`${sig}: stopping…`));
    assert.match(r.stdout, new RegExp(`cancelled \\(stopped by ${sig}; holds \\d+ of 400 results\\)`));
    const recordPath = /Run record: (\S+)/.exec(r.stdout)![1];
    const record = JSON.parse(readFileSync(path.join(scripted.root, recordPath), 'utf8'));
    assert.equal(record.status, 'cancelled');
    assert.equal(record.statusReason, `stopped by ${sig}`);
    const held = record.cases.reduce((n: number, c: { results: unknown[] }) => n + c.results.length, 0);
    assert.ok(held >= 6 && held < 400, `holds ${held}`);
    assert.equal(record.total, 400);
    assert.equal(record.pid, undefined, 'no writer once finished');
    const json = JSON.parse(readFileSync(path.join(scripted.root, `${sig}.json`), 'utf8'));
    assert.equal(json.id, record.id);
  });
}

test('finetune into a read-only folder: exit 1, one line naming the file and EROFS, nothing half-written', { timeout: 120_000 }, async (t) => {
  const made = await runCli(['eval', 'big.prompt.yml', '--variant', '1-shot'], { cwd: scripted.root, env: env() });
  assert.equal(made.code, 0, made.stdout + made.stderr);
  const out = path.join(scripted.root, 'ftout');
  const ro = mountReadOnly(out);
  if (typeof ro === 'string') return t.skip(ro);
  try {
    const r = await runCli(['finetune', 'big.prompt.yml', '--out', out, '--source', 'best-variant'], { cwd: scripted.root, env: env() });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assertOneLineFault(r.stderr, /^prompt-ladder: cannot write ftout\/big\.openai\.train\.jsonl: read-only file system \(EROFS\)\n$/);
    assert.deepEqual(readdirSync(out), []);
  } finally {
    ro.unmount();
  }
});
