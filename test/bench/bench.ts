// `npm run bench`: speed and memory of the CLI with default flags against the scripted server.
//
// Every figure is the whole CLI process (`node dist/cli.js eval …`) from spawn to exit, on a cold cache
// (a fresh directory per run) unless the workload says "cached". The server is as unkind as real ones:
// a 429 carries retry-after-ms equal to the latency (or retry-after: 1 s in one variant), and W5's
// capacity drops mid-run. Workloads (physical limit = ceil(calls / capacity) × latency):
//   W1        300 calls, 100 ms, capacity 32, retry-after-ms 100       limit 1.0 s   target ≤ 1.3 s, ≤ 40 × 429, none after 1 s
//   W1-1s     the same with retry-after: 1 s (no retry-after-ms)        limit 1.0 s   target ≤ limit + one retry-after + 0.3 s
//   W1-cached W1 again from its cache                                   ~0.1 s        target ≤ 0.3 s, 0 calls
//   W2        2,000 calls, 200 ms, capacity 100, retry-after-ms 200    limit 4.0 s   target ≤ 5.2 s
//   W3        100,000 cases, 20 ms, capacity 256 (and a quarter of it)  —             target ≤ 300 MB peak RSS, time linear in cases,
//                                                                                     CPU per call ≤ 0.3 ms
//   W5        600 calls, 100 ms, capacity 32 → 8 after 150 answers      after the drop: ceil(left / 8) × 100 ms
//                                                                                     target ≤ 1.3 × that, ≤ 64 × 429 after the drop
//   startup   `prompt-ladder --help`                                                  target ≤ 0.15 s
// Beside W3's CPU per call, the bench prints what one call costs with no engine around it on the same machine
// (test/bench/transportFloor.ts): node:http alone, and the official openai client over the product's transport.
// Short workloads run --runs times (default 3) and report the median run. Nothing here is a test: it
// measures and prints, and exits 1 when a target is missed.
//
// `--markdown` also writes the table into docs/benchmarks.md (test/bench/markdown.ts), between its markers.
//
// Usage: npm run bench [-- --runs 3] [--only W1,W2] [--cases 100000] [--markdown]

import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { startScriptedServer, type ScriptedServer, type ScriptedServerOptions } from '../fixtures/scripted-server';
import { currentCommit, machineFacts, writeBenchPage, type BenchRow } from './markdown';

const cli = path.resolve('dist/cli.js');
if (!existsSync(cli)) {
  console.error('dist/cli.js is missing: run `npm run bundle` first');
  process.exit(2);
}

const { values: flags } = parseArgs({
  options: { runs: { type: 'string' }, only: { type: 'string' }, cases: { type: 'string' }, markdown: { type: 'boolean' } },
});
const RUNS = Math.max(1, Number(flags.runs ?? 3));
const ONLY = flags.only ? new Set(flags.only.split(',').map((s) => s.trim().toUpperCase())) : undefined;
const W3_CASES = Math.max(1000, Number(flags.cases ?? 100_000));
const wanted = (name: string) => !ONLY || ONLY.has(name.toUpperCase());

function promptFile(dir: string, cases: number): string {
  const rows: string[] = [];
  for (let i = 0; i < cases; i++) rows.push(JSON.stringify({ n: i }));
  writeFileSync(path.join(dir, 'bench.cases.jsonl'), rows.join('\n') + '\n');
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
  /** Date.now() when the process exited (to relate to server-side times). */
  exitedAt: number;
  maxRssMb: number;
  /** user + system CPU time of the CLI process, ms. */
  cpuMs: number;
  stdout: string;
}

function runCli(args: string[], cwd: string, baseURL?: string): Promise<CliRun> {
  const usageFile = path.join(cwd, `usage-${process.hrtime.bigint()}.json`);
  const preload = path.join(cwd, 'usage-preload.cjs');
  writeFileSync(
    preload,
    `process.on('exit',()=>{const u=process.resourceUsage();require('fs').writeFileSync(${JSON.stringify(usageFile)},JSON.stringify({rss:u.maxRSS,cpu:u.userCPUTime+u.systemCPUTime}))})\n`,
  );
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--require', preload, cli, ...args], {
      cwd,
      env: { ...process.env, ...(baseURL ? { OPENAI_BASE_URL: baseURL } : {}), OPENAI_API_KEY: 'bench-key' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stdout += d));
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const exitedAt = Date.now();
      const usage = existsSync(usageFile) ? (JSON.parse(readFileSync(usageFile, 'utf8')) as { rss: number; cpu: number }) : { rss: 0, cpu: 0 };
      resolve({ code: code ?? 1, wallMs, exitedAt, maxRssMb: usage.rss / 1024, cpuMs: usage.cpu / 1000, stdout });
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const rows: BenchRow[] = [];
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface Measured {
  run: CliRun;
  stats: ScriptedServer['stats'];
  dir: string;
  file: string;
}

/** Runs one cold workload `RUNS` times (fresh server and directory each time); returns the median run (by wall time) and all walls. */
async function coldRuns(
  cases: number,
  server: ScriptedServerOptions,
  times = RUNS,
  keep?: (m: Measured, server: ScriptedServer) => Promise<void>,
): Promise<{ median: Measured; walls: number[] }> {
  const all: Measured[] = [];
  for (let i = 0; i < times; i++) {
    const srv = await startScriptedServer(server);
    const dir = mkdtempSync(path.join(tmpdir(), 'pl-bench-'));
    try {
      const file = promptFile(dir, cases);
      const run = await runCli(['eval', file, '--quiet'], dir, srv.url);
      const m: Measured = { run, stats: structuredClone(srv.stats), dir, file };
      if (keep) await keep(m, srv);
      all.push(m);
    } finally {
      await srv.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const walls = all.map((m) => m.run.wallMs);
  const sorted = [...all].sort((a, b) => a.run.wallMs - b.run.wallMs);
  return { median: sorted[Math.floor((sorted.length - 1) / 2)], walls };
}

function correctness(m: Measured, cases: number, notes: string[]): boolean {
  let ok = true;
  if (m.run.code !== 0) {
    notes.push(`exit ${m.run.code}: ${m.run.stdout.slice(-800)}`);
    ok = false;
  }
  if (m.stats.completed !== cases) {
    notes.push(`${m.stats.completed} calls answered for ${cases} cases (lost or duplicated)`);
    ok = false;
  }
  return ok;
}

function throttleText(stats: ScriptedServer['stats'], afterMs = 1000): string {
  const late = stats.rejected429At.filter((t) => t > afterMs).length;
  return `${stats.rejected429} (${late} after ${afterMs / 1000} s)`;
}

const cpuPerCall = (run: CliRun, calls: number) => (calls ? `${(run.cpuMs / calls).toFixed(3)} ms` : '—');

async function w1(): Promise<void> {
  const cases = 300;
  const limitMs = Math.ceil(cases / 32) * 100;
  let cachedRuns: CliRun[] = [];
  let cachedCalls: number[] = [];
  const { median: m, walls } = await coldRuns(cases, { latencyMs: 100, capacity: 32, retryAfterMs: 100 }, RUNS, async (cold, srv) => {
    // The cached re-run: same directory, same endpoint (the cache is per endpoint), a fresh count.
    srv.resetStats();
    const warm = await runCli(['eval', cold.file, '--quiet'], cold.dir, srv.url);
    cachedRuns.push(warm);
    cachedCalls.push(srv.stats.chatRequests);
  });
  const notes: string[] = [];
  const late = m.stats.rejected429At.filter((t) => t > 1000).length;
  const ok = correctness(m, cases, notes) && m.run.wallMs <= 1300 && m.stats.rejected429 <= 40 && late === 0;
  rows.push({
    workload: 'W1 (retry-after-ms 100)',
    figure: `${s(median(walls))} [${walls.map((w) => (w / 1000).toFixed(2)).join(', ')}]`,
    limit: s(limitMs),
    ratio: (median(walls) / limitMs).toFixed(2),
    target: '≤ 1.30 s, ≤ 40 × 429, 0 after 1 s',
    throttled: throttleText(m.stats),
    rss: `${m.run.maxRssMb.toFixed(0)} MB`,
    cpuPerCall: cpuPerCall(m.run, m.stats.chatRequests),
    ok: ok && median(walls) <= 1300,
    notes,
  });
  const cw = cachedRuns.map((r) => r.wallMs);
  const warmMedian = [...cachedRuns].sort((a, b) => a.wallMs - b.wallMs)[Math.floor((cachedRuns.length - 1) / 2)];
  const cachedOk = median(cw) <= 300 && cachedCalls.every((c) => c === 0) && cachedRuns.every((r) => r.code === 0);
  rows.push({
    workload: 'W1 cached re-run',
    figure: `${s(median(cw))} [${cw.map((w) => (w / 1000).toFixed(2)).join(', ')}]`,
    limit: '~0.10 s',
    ratio: '—',
    target: '≤ 0.30 s, 0 calls',
    throttled: `calls ${cachedCalls.join('/')}`,
    rss: `${warmMedian.maxRssMb.toFixed(0)} MB`,
    cpuPerCall: '—',
    ok: cachedOk,
    notes: cachedRuns.filter((r) => r.code !== 0).map((r) => r.stdout.slice(-400)),
  });
  cachedRuns = [];
  cachedCalls = [];
}

async function w1Slow(): Promise<void> {
  const cases = 300;
  const limitMs = Math.ceil(cases / 32) * 100;
  const { median: m, walls } = await coldRuns(cases, { latencyMs: 100, capacity: 32, retryAfterMs: null, retryAfterSec: 1 });
  const notes: string[] = [];
  const targetMs = limitMs + 1000 + 300;
  const ok = correctness(m, cases, notes) && median(walls) <= targetMs && m.stats.rejected429 <= 40;
  rows.push({
    workload: 'W1 (retry-after: 1 s)',
    figure: `${s(median(walls))} [${walls.map((w) => (w / 1000).toFixed(2)).join(', ')}]`,
    limit: s(limitMs),
    ratio: (median(walls) / limitMs).toFixed(2),
    target: `≤ ${s(targetMs)}, ≤ 40 × 429`,
    throttled: throttleText(m.stats),
    rss: `${m.run.maxRssMb.toFixed(0)} MB`,
    cpuPerCall: cpuPerCall(m.run, m.stats.chatRequests),
    ok,
    notes,
  });
}

async function w2(): Promise<void> {
  const cases = 2000;
  const limitMs = Math.ceil(cases / 100) * 200;
  const { median: m, walls } = await coldRuns(cases, { latencyMs: 200, capacity: 100, retryAfterMs: 200 });
  const notes: string[] = [`peak admitted ${m.stats.peakAdmitted}/100`];
  const ok = correctness(m, cases, notes) && median(walls) <= 5200;
  rows.push({
    workload: 'W2',
    figure: `${s(median(walls))} [${walls.map((w) => (w / 1000).toFixed(2)).join(', ')}]`,
    limit: s(limitMs),
    ratio: (median(walls) / limitMs).toFixed(2),
    target: '≤ 5.20 s',
    throttled: throttleText(m.stats),
    rss: `${m.run.maxRssMb.toFixed(0)} MB`,
    cpuPerCall: cpuPerCall(m.run, m.stats.chatRequests),
    ok,
    notes,
  });
}

async function w3(): Promise<void> {
  const server: ScriptedServerOptions = { latencyMs: 20, capacity: 256, retryAfterMs: 20, keepLast: 10 };
  const quarter = Math.round(W3_CASES / 4);
  const small = (await coldRuns(quarter, server, 1)).median;
  const big = (await coldRuns(W3_CASES, server, 1)).median;
  const notes: string[] = [];
  let ok = correctness(small, quarter, notes) && correctness(big, W3_CASES, notes);
  const perCaseSmall = small.run.wallMs / quarter;
  const perCaseBig = big.run.wallMs / W3_CASES;
  const growth = perCaseBig / perCaseSmall;
  const cpu = big.run.cpuMs / big.stats.chatRequests;
  const limitMs = Math.ceil(W3_CASES / 256) * 20;
  notes.push(
    `${quarter.toLocaleString('en')} cases: ${s(small.run.wallMs)}, ${small.run.maxRssMb.toFixed(0)} MB; time per case at ${W3_CASES.toLocaleString('en')} ÷ at ${quarter.toLocaleString('en')} = ${growth.toFixed(2)} (linear: ≤ 1.15)`,
  );
  notes.push(await transportFloor(server));
  ok = ok && big.run.maxRssMb <= 300 && growth <= 1.15 && cpu <= 0.3;
  rows.push({
    workload: `W3 (${W3_CASES.toLocaleString('en')} cases)`,
    figure: s(big.run.wallMs),
    limit: s(limitMs),
    ratio: (big.run.wallMs / limitMs).toFixed(2),
    target: '≤ 300 MB, linear, ≤ 0.3 ms CPU/call',
    throttled: throttleText(big.stats),
    rss: `${big.run.maxRssMb.toFixed(0)} MB`,
    cpuPerCall: `${cpu.toFixed(3)} ms`,
    ok,
    notes,
  });
}

/**
 * What one call costs on this machine with no engine around it (test/bench/transportFloor.ts), beside W3's
 * CPU per call: node:http alone, and the official openai client over the product's transport.
 */
async function transportFloor(server: ScriptedServerOptions): Promise<string> {
  const calls = 20_000;
  const perCall: string[] = [];
  for (const mode of ['http', 'client'] as const) {
    const srv = await startScriptedServer(server);
    try {
      const out = await new Promise<string>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/bench/transportFloor.ts'), srv.url, String(calls), '64', mode], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let text = '';
        child.stdout.on('data', (d) => (text += d));
        child.on('close', () => resolve(text));
      });
      const { cpuMs } = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { cpuMs?: number };
      perCall.push(cpuMs ? `${(cpuMs / calls).toFixed(3)} ms` : 'failed');
    } finally {
      await srv.close();
    }
  }
  return `CPU per call with no engine (${calls.toLocaleString('en')} calls, 64 at a time): node:http alone ${perCall[0]}, the openai client over httpFetch ${perCall[1]}`;
}

async function w5(): Promise<void> {
  const cases = 600;
  const dropAfter = 150;
  const notes: string[] = [];
  const results: { afterMs: number; limitMs: number; late429: number; m: Measured }[] = [];
  await coldRuns(cases, { latencyMs: 100, capacity: 32, retryAfterMs: 100, capacitySchedule: [{ afterCompleted: dropAfter, capacity: 8 }] }, RUNS, async (m) => {
    const changedAt = m.stats.capacityChangedAt[0];
    if (changedAt === undefined) {
      notes.push('capacity never dropped');
      return;
    }
    const left = cases - m.stats.completedAtCapacityChange[0];
    const dropRel = changedAt - m.stats.firstChatAt;
    results.push({
      afterMs: m.run.exitedAt - changedAt,
      limitMs: Math.ceil(left / 8) * 100,
      late429: m.stats.rejected429At.filter((t) => t >= dropRel).length,
      m,
    });
  });
  if (results.length === 0) {
    rows.push({ workload: 'W5', figure: 'no run', limit: '—', ratio: '—', target: '', throttled: '', rss: '', cpuPerCall: '', ok: false, notes });
    return;
  }
  const sorted = [...results].sort((a, b) => a.afterMs / a.limitMs - b.afterMs / b.limitMs);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)];
  const ratio = mid.afterMs / mid.limitMs;
  let ok = correctness(mid.m, cases, notes);
  ok = ok && ratio <= 1.3 && mid.late429 <= 64;
  notes.push(`whole run ${s(mid.m.run.wallMs)}; ratios after the drop [${results.map((r) => (r.afterMs / r.limitMs).toFixed(2)).join(', ')}]`);
  rows.push({
    workload: 'W5 (32 → 8 after 150)',
    figure: `${s(mid.afterMs)} after the drop`,
    limit: s(mid.limitMs),
    ratio: ratio.toFixed(2),
    target: '≤ 1.3 × limit, ≤ 64 × 429 after the drop',
    throttled: `${mid.m.stats.rejected429} (${mid.late429} after the drop)`,
    rss: `${mid.m.run.maxRssMb.toFixed(0)} MB`,
    cpuPerCall: cpuPerCall(mid.m.run, mid.m.stats.chatRequests),
    ok,
    notes,
  });
}

async function startup(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pl-bench-'));
  try {
    const runs: CliRun[] = [];
    for (let i = 0; i < Math.max(5, RUNS); i++) runs.push(await runCli(['--help'], dir));
    const walls = runs.map((r) => r.wallMs);
    const ok = median(walls) <= 150 && runs.every((r) => r.code === 0 && r.stdout.includes('Usage'));
    rows.push({
      workload: 'startup (--help)',
      figure: `${s(median(walls))} [${walls.map((w) => (w / 1000).toFixed(2)).join(', ')}]`,
      limit: '—',
      ratio: '—',
      target: '≤ 0.15 s',
      throttled: '—',
      rss: `${runs[0].maxRssMb.toFixed(0)} MB`,
      cpuPerCall: '—',
      ok,
      notes: [],
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function printTable(): void {
  const head = ['workload', 'measured (median [runs])', 'physical limit', 'ratio', 'target', '429s', 'peak RSS', 'CPU/call', ''];
  const body = rows.map((r) => [r.workload, r.figure, r.limit, r.ratio, r.target, r.throttled, r.rss, r.cpuPerCall, r.ok ? '✓' : '✗ missed']);
  const lines = [head, head.map(() => '---'), ...body].map((cells) => `| ${cells.join(' | ')} |`);
  console.log(lines.join('\n'));
  for (const r of rows) for (const n of r.notes) console.log(`  ${r.workload}: ${n}`);
}

async function main(): Promise<void> {
  const started = Date.now();
  const machine = machineFacts();
  if (wanted('startup')) await startup();
  if (wanted('W1')) await w1();
  if (wanted('W1-1S')) await w1Slow();
  if (wanted('W2')) await w2();
  if (wanted('W5')) await w5();
  if (wanted('W3')) await w3();
  console.log(`\nnode ${process.version}, ${RUNS} run(s) per short workload, bench took ${s(Date.now() - started)}\n`);
  printTable();
  const missed = rows.filter((r) => !r.ok).length;
  if (flags.markdown) {
    const page = path.resolve('docs/benchmarks.md');
    writeBenchPage(page, rows, machine, { date: new Date(started), runs: RUNS, only: ONLY && [...ONLY], w3Cases: W3_CASES, tookMs: Date.now() - started, commit: currentCommit() });
    console.log(`\nwrote the table into ${path.relative(process.cwd(), page)}`);
  }
  console.log(missed ? `\n${missed} target(s) missed` : '\nall targets met');
  process.exit(missed ? 1 : 0);
}

void main();
