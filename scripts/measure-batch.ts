// Wall time and live chat calls of `prompt-ladder eval` with and without --batch, against the scripted
// server capped at a few calls in flight (429 + retry-after above it). The whole CLI process is timed,
// cold cache. The scripted batch completes at once, so the --batch figure is the tool's own overhead
// (collect, upload, poll, download, evaluate); a real provider adds its queueing time (minutes to 24 h).
//
// Usage: npm run build && node --import tsx scripts/measure-batch.ts [--cases 3000,30000] [--latency 20] [--capacity 4] [--skip-live-above N]

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startScriptedServer } from '../test/fixtures/scripted-server';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const sizes = arg('cases', '3000,30000').split(',').map(Number);
const latencyMs = Number(arg('latency', '20'));
const capacity = Number(arg('capacity', '4'));
const skipLiveAbove = Number(arg('skip-live-above', 'Infinity'));
const CLI = path.resolve(__dirname, '..', 'dist', 'cli.js');

function runCli(cwd: string, args: string[], baseURL: string): Promise<{ code: number | null; ms: number; stdout: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, OPENAI_API_KEY: 'measure', OPENAI_BASE_URL: baseURL },
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.resume();
    child.on('close', (code) => resolve({ code, ms: performance.now() - started, stdout }));
  });
}

async function main(): Promise<void> {
  const server = await startScriptedServer({
    latencyMs,
    capacity,
    retryAfterMs: Math.max(latencyMs, 50),
    rules: [{ user: 'item (\\d+)', reply: 'answer $1' }],
  });
  console.log(`scripted server: latency ${latencyMs} ms, capacity ${capacity} in flight (429 above)`);
  console.log('cases   mode     wall s  live chat requests (answered / 429)  batches  batch lines  passed');
  try {
    for (const n of sizes) {
      for (const mode of ['batch', 'live'] as const) {
        if (mode === 'live' && n > skipLiveAbove) continue;
        const dir = mkdtempSync(path.join(tmpdir(), 'pl-measure-'));
        try {
          writeFileSync(path.join(dir, 'm.cases.jsonl'), Array.from({ length: n }, (_, i) => JSON.stringify({ n: i })).join('\n') + '\n');
          writeFileSync(
            path.join(dir, 'm.prompt.yml'),
            'name: M\nmodel: openai/gpt-4o-mini\nmessages:\n  - role: user\n    content: "item {{n}}"\ntestFile: m.cases.jsonl\nevaluators:\n  - name: right\n    string:\n      equals: "answer {{n}}"\n',
          );
          server.resetStats();
          const args = ['eval', 'm.prompt.yml', '--quiet', ...(mode === 'batch' ? ['--batch', '--poll-interval', '0.5'] : [])];
          const r = await runCli(dir, args, server.url);
          const passed = /openai\/gpt-4o-mini\s+(\d+)/.exec(r.stdout)?.[1] ?? '?';
          const s = server.stats;
          console.log(
            `${String(n).padStart(5)}   ${mode.padEnd(6)} ${(r.ms / 1000).toFixed(1).padStart(7)}  ${`${s.chatRequests} (${s.completed} / ${s.rejected429})`.padStart(35)}  ${String(s.batchesCreated).padStart(7)}  ${String(s.batchLines).padStart(11)}  ${passed.padStart(6)}${r.code === 0 ? '' : `  (exit ${r.code})`}`,
          );
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    await server.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
