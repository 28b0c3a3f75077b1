// Attacks on the store (.promptladder/) from a cloned repository: symlinks that would make a run write or read
// outside the project. Each test plants the link first, runs the real code (the CLI over real HTTP against the
// scripted server, or the store modules), then checks what is on disk outside.

import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, linkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { cliEnv, runCli } from '../cli/runCli';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { CLASSIFIER, classifierRules, resolverFor, tempWorkspace, type Workspace } from '../../fixtures/workspace';
import { ResponseCache } from '../../../src/core/providers/cache';
import { appendCaseLines, listRuns, readRun, writeRun } from '../../../src/core/runs/store';
import { listStates, readState } from '../../../src/core/batch/state';
import { StoreRefusedError, appendStoreFile, readStoreFile, writeStoreFileAtomic } from '../../../src/core/storeFs';
import type { RunRecord } from '../../../src/core/runs/schema';
import { runEval } from '../../../src/core/engine';
import { loadPromptFile } from '../../../src/core/prompt/load';

let server: ScriptedServer;
let outside: string;
before(async () => {
  server = await startScriptedServer({ rules: classifierRules });
  outside = mkdtempSync(path.join(tmpdir(), 'pl-outside-'));
});
after(async () => {
  await server.close();
  rmSync(outside, { recursive: true, force: true });
});

function project(): Workspace {
  const ws = tempWorkspace();
  ws.write('package.json', '{}');
  ws.write('cls.prompt.yml', CLASSIFIER);
  return ws;
}

const BASHRC = 'export PS1="$ "\n';

test('attack: every cache log of a cloned repo is a symlink to ~/.bashrc — a run appends nothing there and says why', async () => {
  const ws = project();
  try {
    const bashrc = path.join(outside, 'bashrc');
    writeFileSync(bashrc, BASHRC);
    mkdirSync(path.join(ws.root, '.promptladder/cache'), { recursive: true });
    for (const h of '0123456789abcdef') symlinkSync(bashrc, path.join(ws.root, `.promptladder/cache/log-${h}.jsonl`));
    const r = await runCli(['eval', 'cls.prompt.yml'], { cwd: ws.root, env: cliEnv(ws.root, server.url) });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(readFileSync(bashrc, 'utf8'), BASHRC, 'the linked file is untouched');
    assert.match(r.stdout + r.stderr, /log-[0-9a-f]\.jsonl is a symbolic link: Prompt Ladder never follows links inside \.promptladder/);
    // the run itself still ran and kept its record (in the real runs folder)
    const runs = readdirSync(path.join(ws.root, '.promptladder/runs')).filter((n) => n.endsWith('.json'));
    assert.equal(runs.length, 1);
    const record = JSON.parse(readFileSync(path.join(ws.root, '.promptladder/runs', runs[0]), 'utf8')) as RunRecord;
    assert.ok(record.problems?.some((p) => /symbolic link/.test(p)), 'the record names the refused link');
  } finally {
    ws.dispose();
  }
});

test('attack: .promptladder itself is a symlink to a folder outside — the run is refused with a message, nothing is written there', async () => {
  const ws = project();
  try {
    const elsewhere = path.join(outside, 'store');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, path.join(ws.root, '.promptladder'));
    server.resetStats();
    const r = await runCli(['eval', 'cls.prompt.yml'], { cwd: ws.root, env: cliEnv(ws.root, server.url) });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /\.promptladder is a symbolic link: Prompt Ladder keeps runs and its cache only in a real \.promptladder folder/);
    assert.deepEqual(readdirSync(elsewhere), [], 'nothing was made through the link');
    assert.equal(server.stats.chatRequests, 0, 'refused before any call');
  } finally {
    ws.dispose();
  }
});

test('attack: a symlinked runs folder or run file — records are neither written through it nor read from it', async () => {
  const ws = project();
  try {
    const target = path.join(outside, 'runs-target');
    mkdirSync(target);
    mkdirSync(path.join(ws.root, '.promptladder'));
    symlinkSync(target, path.join(ws.root, '.promptladder/runs'));
    const record = { version: 1, id: '0123456789abcdef', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: null, promptFile: 'x.prompt.yml', status: 'completed', variants: [], cases: [] } as unknown as RunRecord;
    await assert.rejects(writeRun(ws.root, record), StoreRefusedError);
    assert.deepEqual(readdirSync(target), []);
    const skipped: string[] = [];
    assert.deepEqual(await listRuns(ws.root, (_f, why) => skipped.push(why)), []);
    assert.match(skipped[0], /runs is a symbolic link/);

    // a run file that is a link to a file outside (say, a secret) is not read into the history
    rmSync(path.join(ws.root, '.promptladder/runs'));
    mkdirSync(path.join(ws.root, '.promptladder/runs'));
    const secret = path.join(outside, 'secret.json');
    writeFileSync(secret, JSON.stringify(record));
    symlinkSync(secret, path.join(ws.root, '.promptladder/runs/x-20260101T000000Z-01234567.json'));
    const why: string[] = [];
    assert.deepEqual(await listRuns(ws.root, (_f, w) => why.push(w)), []);
    assert.match(why[0], /is a symbolic link/);
    await assert.rejects(readRun(path.join(ws.root, '.promptladder/runs/x-20260101T000000Z-01234567.json')), /symbolic link/);
    // appending the cases of a streamed run through a link is refused too
    symlinkSync(secret, path.join(ws.root, '.promptladder/runs/y.cases.jsonl'));
    await assert.rejects(appendCaseLines(path.join(ws.root, '.promptladder/runs/y.json'), '{"index":0}\n'), StoreRefusedError);
    assert.equal(readFileSync(secret, 'utf8'), JSON.stringify(record));
  } finally {
    ws.dispose();
  }
});

test('attack: a pending-batch file linked outside is not read, and the batch list skips it', async () => {
  const ws = project();
  try {
    const secret = path.join(outside, 'batch-secret.json');
    writeFileSync(secret, '{"not":"a batch"}');
    mkdirSync(path.join(ws.root, '.promptladder/batches'), { recursive: true });
    const file = path.join(ws.root, '.promptladder/batches/cls-0123456789abcdef.json');
    symlinkSync(secret, file);
    await assert.rejects(readState(file), StoreRefusedError);
    assert.deepEqual(await listStates(ws.root), []);
  } finally {
    ws.dispose();
  }
});

test('the cache never appends through a link, a hard link or a FIFO; clearing it removes the links, not their targets', async () => {
  const ws = project();
  try {
    const dir = path.join(ws.root, '.promptladder/cache');
    mkdirSync(dir, { recursive: true });
    const target = path.join(outside, 'cache-target');
    writeFileSync(target, 'keep\n');
    const cache = new ResponseCache(dir);
    const key = 'a'.repeat(64);
    symlinkSync(target, path.join(dir, 'log-a.jsonl'));
    await cache.set(key, { text: 'x' });
    await cache.flush();
    assert.equal(readFileSync(target, 'utf8'), 'keep\n');
    // a hard link (a tarball can carry one) is refused for in-place appends
    const hard = path.join(ws.root, 'hard-target');
    writeFileSync(hard, 'keep\n');
    linkSync(hard, path.join(dir, 'log-b.jsonl'));
    await assert.rejects(appendStoreFile(path.join(dir, 'log-b.jsonl'), 'x\n'), /hard links/);
    assert.equal(readFileSync(hard, 'utf8'), 'keep\n');
    // a FIFO neither hangs the write nor the read
    execFileSync('mkfifo', [path.join(dir, 'log-c.jsonl')]);
    await assert.rejects(appendStoreFile(path.join(dir, 'log-c.jsonl'), 'x\n'), (e: NodeJS.ErrnoException) => e.code === 'ENXIO' || e instanceof StoreRefusedError);
    await assert.rejects(readStoreFile(path.join(dir, 'log-c.jsonl')), /not a regular file/);
    // clear removes the planted links themselves
    await cache.clear();
    assert.ok(!existsSync(path.join(dir, 'log-a.jsonl')));
    assert.equal(readFileSync(target, 'utf8'), 'keep\n');
  } finally {
    ws.dispose();
  }
});

test('atomic writes replace a planted link instead of writing through it; reads refuse links and non-files', async () => {
  const ws = project();
  try {
    const dir = path.join(ws.root, '.promptladder/runs');
    mkdirSync(dir, { recursive: true });
    const target = path.join(outside, 'atomic-target');
    writeFileSync(target, 'keep\n');
    const file = path.join(dir, 'r.json');
    symlinkSync(target, file);
    await writeStoreFileAtomic(file, '{}\n');
    assert.equal(readFileSync(target, 'utf8'), 'keep\n');
    assert.ok(!lstatSync(file).isSymbolicLink());
    assert.equal(readFileSync(file, 'utf8'), '{}\n');
    mkdirSync(path.join(dir, 'folder.json'));
    await assert.rejects(readStoreFile(path.join(dir, 'folder.json')), /not a regular file/);
  } finally {
    ws.dispose();
  }
});

test('an untrusted workspace keeps its store elsewhere (storeRoot): the run writes nothing into the workspace and never opens its planted store', async () => {
  const ws = project();
  const storage = mkdtempSync(path.join(tmpdir(), 'pl-storage-'));
  try {
    // a planted store in the workspace: a cache log linked to a file outside
    const bashrc = path.join(outside, 'bashrc-untrusted');
    writeFileSync(bashrc, BASHRC);
    mkdirSync(path.join(ws.root, '.promptladder/cache'), { recursive: true });
    for (const h of '0123456789abcdef') symlinkSync(bashrc, path.join(ws.root, `.promptladder/cache/log-${h}.jsonl`));
    const spec = await loadPromptFile(path.join(ws.root, 'cls.prompt.yml'));
    const { record, path: file } = await runEval(spec, { providers: resolverFor(server.url), root: ws.root, storeRoot: storage, workspaceTrusted: false });
    assert.ok(file?.startsWith(path.join(storage, '.promptladder', 'runs')), file);
    assert.equal(record.promptFile, 'cls.prompt.yml', 'the record names the prompt file relative to its project');
    assert.ok(readdirSync(path.join(storage, '.promptladder/cache')).some((n) => /^log-[0-9a-f]\.jsonl$/.test(n)), 'the cache is in the storage');
    assert.ok(!existsSync(path.join(ws.root, '.promptladder/runs')), 'no record in the workspace');
    assert.equal(readFileSync(bashrc, 'utf8'), BASHRC);
    assert.equal(record.problems, undefined, 'the planted store was not even looked at');
  } finally {
    ws.dispose();
    rmSync(storage, { recursive: true, force: true });
  }
});
