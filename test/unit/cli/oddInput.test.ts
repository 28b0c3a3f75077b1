// Odd input named as a prompt file or eval set: a FIFO and a device are refused at once with the reason (never
// a hang), UTF-16 says so; stdin (`-`) and process substitution (`<(…)`, /dev/fd/N) are read as streams.
// Every child runs under a timeout, so a hang fails the test instead of the run.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CLI_NODE_ARGS, cliEnv } from './runCli';
import { CLASSIFIER, classifierRules, useScriptedWorkspace } from '../../fixtures/workspace';

const scripted = useScriptedWorkspace({ rules: classifierRules }, {
  setUp: async () => {
    scripted.write('.git/HEAD', 'ref: refs/heads/main\n');
    scripted.write('cls.prompt.yml', CLASSIFIER);
  },
});

/** The CLI with a deadline: a hang kills it and fails the test. */
async function cli(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...CLI_NODE_ARGS, ...args], { cwd: scripted.root, env: cliEnv(scripted.root, scripted.server.url) });
  return finish(child, input);
}

function finish(child: ReturnType<typeof spawn>, input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  // the CLI may stop reading early (input over the limit): its closed stdin is not the test's error
  child.stdin!.on('error', () => undefined);
  if (input !== undefined) child.stdin!.end(input);
  else child.stdin!.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      assert.equal(signal, null, `the CLI hung and was killed (stderr: ${stderr})`);
      resolve({ code: code ?? -1, stdout, stderr });
    }),
  );
}

function mkfifo(file: string): string | undefined {
  try {
    execFileSync('mkfifo', [file]);
    return undefined;
  } catch (err) {
    return `mkfifo is not available here: ${(err as Error).message}`;
  }
}

test('a FIFO named as the prompt file is refused at once, saying what it is', { timeout: 60_000 }, async (t) => {
  const why = mkfifo(path.join(scripted.root, 'pipe.prompt.yml'));
  if (why) return t.skip(why);
  const r = await cli(['eval', 'pipe.prompt.yml']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /pipe\.prompt\.yml: cannot read the file \(cannot read pipe\.prompt\.yml: it is a FIFO \(named pipe\), not a regular file\)/);
});

test('a FIFO or a device named as the eval set is refused at its testFile line; no hang, no read of an endless device', { timeout: 60_000 }, async (t) => {
  const why = mkfifo(path.join(scripted.root, 'fifo.jsonl'));
  if (why) return t.skip(why);
  scripted.write('fifo.prompt.yml', CLASSIFIER.replace(/testData:[\s\S]*?examples:/, 'testFile: ./fifo.jsonl\nexamples:'));
  const a = await cli(['eval', 'fifo.prompt.yml']);
  assert.equal(a.code, 2, a.stderr);
  assert.match(a.stderr, /fifo\.prompt\.yml:\d+:\d+: .*fifo\.jsonl: it is a FIFO \(named pipe\), not a regular file/);
  // /dev/zero's twin inside the project (a character device): refused before any byte is read
  try {
    execFileSync('mknod', [path.join(scripted.root, 'zero.jsonl'), 'c', '1', '5']);
  } catch (err) {
    return t.skip(`mknod is refused here: ${(err as Error).message}`);
  }
  scripted.write('zero.prompt.yml', CLASSIFIER.replace(/testData:[\s\S]*?examples:/, 'testFile: ./zero.jsonl\nexamples:'));
  const b = await cli(['eval', 'zero.prompt.yml']);
  assert.equal(b.code, 2, b.stderr);
  assert.match(b.stderr, /zero\.jsonl: it is a character device, not a regular file/);
});

test('a UTF-16 prompt file says so (not mojibake at 1:1)', { timeout: 60_000 }, async () => {
  writeFileSync(path.join(scripted.root, 'wide.prompt.yml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(CLASSIFIER, 'utf16le')]));
  const r = await cli(['eval', 'wide.prompt.yml']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /wide\.prompt\.yml: .*it is UTF-16LE \(BOM\): save it as UTF-8/);
});

test('stdin (-) and process substitution (/dev/fd/N) are read as prompt files', { timeout: 120_000 }, async () => {
  const piped = await cli(['eval', '-', '--variant', '2-shot'], CLASSIFIER);
  assert.equal(piped.code, 0, piped.stdout + piped.stderr);
  assert.match(piped.stdout, /Classifier — 3 cases × 1 variant — completed/);
  assert.match(piped.stdout, /Run record: \.promptladder\/runs\/stdin-/);
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const line = `exec ${quote(process.execPath)} ${CLI_NODE_ARGS.map(quote).join(' ')} eval <(cat cls.prompt.yml) --variant 2-shot`;
  const substituted = await finish(spawn('bash', ['-c', line], { cwd: scripted.root, env: cliEnv(scripted.root, scripted.server.url) }));
  assert.equal(substituted.code, 0, substituted.stdout + substituted.stderr);
  assert.match(substituted.stdout, /Classifier — 3 cases × 1 variant — completed/);
});

test('stdin over the prompt-file size limit is refused with the limit, not read to the end of memory', { timeout: 60_000 }, async () => {
  const r = await cli(['eval', '-'], `# ${'x'.repeat(17 * 1024 * 1024)}\n`);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /prompt-ladder: -: the input is [\d.]+ MB; the limit is 16 MB \(read so far\)/);
});
