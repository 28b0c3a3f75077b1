// `npm run bench`: speed and memory of the CLI with default flags against the scripted server.
// Workload (from the engine issue): 300 calls at 100 ms latency, server capacity 32 (physical limit ≈ 0.94 s);
// then the same run again from the cache; then 10,000 cases for peak memory.
// Prints figures; asserts nothing about time (benchmarks are not tests) but exits 1 if a target is missed.

import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startScriptedServer } from '../fixtures/scripted-server';

const cli = path.resolve('dist/cli.js');
if (!existsSync(cli)) {
  console.error('dist/cli.js is missing: run `npm run bundle` first');
  process.exit(2);
}

function promptFile(dir: string, cases: number): string {
  const rows = Array.from({ length: cases }, (_, i) => JSON.stringify({ n: i })).join('\n');
  writeFileSync(path.join(dir, 'bench.cases.jsonl'), rows + '\n');
  const file = path.join(dir, 'bench.prompt.yml');
  writeFileSync(
    file,
    [
      'name: bench',
      'model: openai/bench-model',
      'messages:',
      '  - role: user',
      '    content: "number {{n}}"',
      'testFile: ./bench.cases.jsonl',
      'evaluators:',
      '  - name: echoes',
      '    string:',
      '      contains: "{{n}}"',
      '',
    ].join('\n'),
  );
  return file;
}

interface CliRun {
  code: number;
  wallMs: number;
  maxRssMb: number;
  stdout: string;
}

function runCli(file: string, cwd: string, baseURL: string, extra: string[] = []): Promise<CliRun> {
  const rssFile = path.join(cwd, `rss-${Date.now()}.txt`);
  const preload = path.join(cwd, 'rss-preload.cjs');
  writeFileSync(
    preload,
    `process.on('exit',()=>require('fs').writeFileSync(${JSON.stringify(rssFile)},String(process.resourceUsage().maxRSS)))\n`,
  );
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--require', preload, cli, 'eval', file, '--quiet', ...extra], {
      cwd,
      env: { ...process.env, OPENAI_BASE_URL: baseURL, OPENAI_API_KEY: 'bench-key' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stdout += d));
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const kb = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) : 0;
      resolve({ code: code ?? 1, wallMs, maxRssMb: kb / 1024, stdout });
    });
  });
}

async function main(): Promise<void> {
  let missed = 0;
  const check = (label: string, ok: boolean) => {
    if (!ok) missed++;
    return `${label} ${ok ? '✓' : '✗ (target missed)'}`;
  };

  // 1. cold + cached: 300 calls, 100 ms, capacity 32
  const server = await startScriptedServer({ latencyMs: 100, capacity: 32, retryAfterMs: 20 });
  const dir = mkdtempSync(path.join(tmpdir(), 'pl-bench-'));
  try {
    const file = promptFile(dir, 300);
    const physical = (Math.ceil(300 / 32) * 100) / 1000;
    const cold = await runCli(file, dir, server.url);
    const stats = server.stats;
    const completed = stats.completed;
    console.log(`cold run: ${(cold.wallMs / 1000).toFixed(2)} s wall (physical limit ≈ ${physical.toFixed(2)} s, ratio ${(cold.wallMs / 1000 / physical).toFixed(2)}), exit ${cold.code}`);
    console.log(`  calls answered: ${completed} for 300 cases (duplicates: ${completed - 300}), 429s: ${stats.rejected429}, peak admitted: ${stats.peakAdmitted}/32, peak RSS ${cold.maxRssMb.toFixed(0)} MB`);
    console.log('  ' + check('cold ≤ 1.5 s', cold.wallMs <= 1500));
    console.log('  ' + check('every case passed', cold.code === 0));
    console.log('  ' + check('no duplicated calls', completed === 300));
    if (cold.code !== 0) console.log(cold.stdout);

    server.resetStats();
    const warm = await runCli(file, dir, server.url);
    console.log(`cached re-run: ${(warm.wallMs / 1000).toFixed(2)} s wall, calls made: ${server.stats.chatRequests}, exit ${warm.code}`);
    console.log('  ' + check('cached ≤ 0.3 s', warm.wallMs <= 300));
    console.log('  ' + check('0 calls on re-run', server.stats.chatRequests === 0));
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }

  // 2. memory: 10,000 cases
  const fast = await startScriptedServer({ latencyMs: 2, capacity: 64 });
  const dir2 = mkdtempSync(path.join(tmpdir(), 'pl-bench-'));
  try {
    const file = promptFile(dir2, 10_000);
    const big = await runCli(file, dir2, fast.url);
    console.log(`10,000 cases: ${(big.wallMs / 1000).toFixed(2)} s wall, peak RSS ${big.maxRssMb.toFixed(0)} MB, calls ${fast.stats.completed}, exit ${big.code}`);
    console.log('  ' + check('peak RSS ≤ 250 MB', big.maxRssMb <= 250));
    if (big.code !== 0) console.log(big.stdout.slice(-2000));
  } finally {
    await fast.close();
    rmSync(dir2, { recursive: true, force: true });
  }
  console.log(missed ? `\n${missed} target(s) missed` : '\nall targets met');
  process.exit(missed ? 1 : 0);
}

void main();
