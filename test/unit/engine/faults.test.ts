// The fault matrix: a whole run against a misbehaving scripted server, over real HTTP through the openai
// client, for every transport fault mode. Each mode asserts that no case is lost (every case has a result),
// how many calls a case may cost at most, and what the error says. Each test also reports its row
// (results lost, max calls per case, wall time) as a diagnostic, so the matrix comes from real runs.

import { test, beforeEach } from 'node:test';
import type { TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type FaultSpec, type ScriptedRule } from '../../fixtures/scripted-server';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { runEval } from '../../../src/core/engine';
import { createEnvResolver } from '../../../src/core/providers/resolve';
import { toJUnit } from '../../../src/core/runs/junit';
import { toHtml } from '../../../src/core/runs/html';
import type { RunRecord } from '../../../src/core/runs/schema';
import { useScriptedWorkspace } from '../../fixtures/workspace';

const RETRY = { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 20 };
const CASES = 8;

const scripted = useScriptedWorkspace({ keepLast: 2000 }, { fresh: 'each' });

beforeEach(() => {
  scripted.server.setOptions({ capacity: undefined, faults: [], latencyMs: 0, retryAfterMs: 50 });
  scripted.server.setRules([]);
  scripted.server.resetStats();
});

function prompt(cases = CASES): string {
  const rows = Array.from({ length: cases }, (_, i) => `  - q: case-${i}\n`).join('');
  return `name: faults\nmodel: openai/test-model\nmessages:\n  - role: user\n    content: "{{q}}"\ntestData:\n${rows}evaluators:\n  - name: echoed\n    string:\n      contains: "echo: case-"\n`;
}

interface Outcome {
  record: RunRecord;
  file?: string;
  wallMs: number;
  /** Requests the server saw per case (by the case's user message). */
  callsPerCase: Map<string, number>;
}

async function run(opts: { key?: string; cases?: number; timeoutMs?: number; concurrency?: number } = {}): Promise<Outcome> {
  const spec = await loadPromptFile(scripted.write('f.prompt.yml', prompt(opts.cases)));
  const providers = createEnvResolver({ OPENAI_API_KEY: opts.key ?? 'sk-faults-0000', OPENAI_BASE_URL: scripted.server.url });
  const started = performance.now();
  const { record, path: file } = await runEval(spec, {
    providers,
    root: scripted.root,
    cache: false,
    retry: RETRY,
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
  });
  const wallMs = performance.now() - started;
  const callsPerCase = new Map<string, number>();
  for (const b of scripted.server.stats.bodies as { messages?: { content?: string }[] }[]) {
    const q = b.messages?.at(-1)?.content ?? '';
    callsPerCase.set(q, (callsPerCase.get(q) ?? 0) + 1);
  }
  return { record, ...(file ? { file } : {}), wallMs, callsPerCase };
}

const results = (r: RunRecord) => r.cases.flatMap((c) => c.results);

/** Asserts no case was lost and reports the matrix row. */
function row(t: TestContext, mode: string, o: Outcome, cases = CASES): { maxCalls: number } {
  const lost = cases - o.record.cases.filter((c) => c.results.length === 1).length;
  assert.equal(lost, 0, 'every case has its result');
  const maxCalls = Math.max(0, ...o.callsPerCase.values());
  t.diagnostic(`fault matrix | ${mode} | results lost ${lost}/${cases} | max calls per case ${maxCalls} | server calls ${scripted.server.stats.chatRequests} | wall ${Math.round(o.wallMs)} ms`);
  return { maxCalls };
}

/** `fault` hits each case's first `times` attempts (per case, so the count per case is exact). */
async function transient(t: TestContext, mode: string, fault: FaultSpec, times = 1) {
  scripted.server.setOptions({ faults: Array.from({ length: CASES }, (_, i) => ({ ...fault, times, user: `^case-${i}$` })) });
  const o = await run();
  const { maxCalls } = row(t, mode, o);
  assert.ok(results(o.record).every((r) => r.passed && !r.error), JSON.stringify(results(o.record).map((r) => r.error)));
  assert.equal(maxCalls, times + 1);
  assert.equal(scripted.server.stats.chatRequests, CASES * (times + 1));
}

async function persistent(t: TestContext, mode: string, fault: FaultSpec, message: RegExp, expectedCalls: number) {
  scripted.server.setOptions({ faults: [fault] });
  const o = await run();
  const { maxCalls } = row(t, mode, o);
  for (const r of results(o.record)) assert.match(r.error ?? '', message);
  assert.equal(maxCalls, expectedCalls);
  assert.equal(scripted.server.stats.chatRequests, CASES * expectedCalls);
}

test('500s that pass are retried with back-off; every case passes', (t) => transient(t, '500 ×2 per case then ok', { status: 500 }, 2));
test('a persistent 500 costs the bounded retries, then an error naming the status', (t) =>
  persistent(t, '500 always', { status: 500 }, /^HTTP 500 after 3 attempts/, RETRY.maxRetries + 1));
test('reset connections are retried; every case passes', (t) => transient(t, 'reset ×1 per case then ok', { kind: 'reset' }));

for (const kind of ['malformed', 'html', 'not-json', 'no-choices', 'empty', 'cut-off'] as const) {
  test(`a garbage body (${kind}) is transient: retried like a 5xx, every case passes`, (t) => transient(t, `${kind} ×2 per case then ok`, { kind }, 2));
  test(`a garbage body (${kind}) that never stops ends as an error after the 5xx retry budget`, (t) =>
    persistent(t, `${kind} always`, { kind }, /^(malformed response|connection reset) after 3 attempts/, RETRY.maxRetries + 1));
}

test('a hang once per case costs one timeout, then the retry answers', async (t) => {
  scripted.server.setOptions({ faults: Array.from({ length: CASES }, (_, i) => ({ kind: 'timeout' as const, times: 1, user: `^case-${i}$` })) });
  const o = await run({ timeoutMs: 300 });
  const { maxCalls } = row(t, 'hang ×1 per case then ok (timeout 0.3 s)', o);
  assert.ok(results(o.record).every((r) => r.passed), JSON.stringify(results(o.record).map((r) => r.error)));
  assert.equal(maxCalls, 2);
});

test('a server that always hangs costs two attempts per case and says it timed out, after how long, and where to change it', async (t) => {
  scripted.server.setOptions({ faults: [{ kind: 'timeout' }] });
  const o = await run({ timeoutMs: 250 });
  const { maxCalls } = row(t, 'hang always (timeout 0.25 s)', o);
  assert.equal(maxCalls, 2, 'one timeout plus one retry, whatever the retry budget for 5xx');
  for (const r of results(o.record)) {
    assert.match(r.error ?? '', /no answer within 0\.25 s/);
    assert.match(r.error ?? '', /2 attempts timed out; change it with promptLadder\.timeoutSeconds, --timeout or PROMPT_LADDER_TIMEOUT/);
  }
  for (let i = 0; i < 100 && scripted.server.stats.aborted < scripted.server.stats.chatRequests; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(scripted.server.stats.aborted, scripted.server.stats.chatRequests, 'every timed-out request was aborted on the wire');
});

test('a 429 storm loses nothing: every case passes once capacity frees up', async (t) => {
  scripted.server.setOptions({ capacity: 2, latencyMs: 20, retryAfterMs: 30 });
  const o = await run({ cases: 30 });
  row(t, '429 storm (capacity 2, 30 cases)', o, 30);
  assert.ok(results(o.record).every((r) => r.passed));
  assert.ok(scripted.server.stats.rejected429 > 0, 'the storm happened');
});

const refuse = (status: number): ScriptedRule[] => [
  {
    user: '.*',
    status,
    // as some servers do: the error body quotes the key it refused
    errorMessage: (req) => `Incorrect API key provided: ${(req.headers.authorization ?? '').replace(/^Bearer /, '')}. Check your key.`,
  },
];

for (const status of [401, 403]) {
  test(`a ${status} stops the provider for the rest of the run with one message; the other cases are errors without calls`, async (t) => {
    scripted.server.setRules(refuse(status));
    const o = await run({ cases: 40, concurrency: 2 });
    row(t, `${status} (40 cases, concurrency 2)`, o, 40);
    assert.ok(scripted.server.stats.chatRequests <= 2, `calls after the refusal: ${scripted.server.stats.chatRequests}`);
    assert.equal(o.record.calls, scripted.server.stats.chatRequests);
    const refusals = (o.record.problems ?? []).filter((p) => /the key for OpenAI-compatible \(127\.0\.0\.1:\d+\) was refused|the key for .* was refused/.test(p));
    assert.equal(refusals.length, 1, JSON.stringify(o.record.problems));
    assert.match(refusals[0], new RegExp(`HTTP ${status}`));
    assert.match(refusals[0], /check OPENAI_API_KEY/);
    const errs = results(o.record).map((r) => r.error ?? '');
    assert.ok(errs.every((e) => /the key for .* was refused/.test(e)));
    assert.ok(errs.filter((e) => e.startsWith('not sent: ')).length >= 38);
    assert.equal(o.record.status, 'failed');
  });
}

test('a 401 with the adaptive starting window costs at most that window of calls, then none', async (t) => {
  scripted.server.setRules(refuse(401));
  const o = await run({ cases: 60 });
  row(t, '401 (60 cases, adaptive concurrency)', o, 60);
  assert.ok(scripted.server.stats.chatRequests <= 16, `calls: ${scripted.server.stats.chatRequests}`);
  assert.equal((o.record.problems ?? []).filter((p) => /was refused/.test(p)).length, 1);
});

test('a 6-character key echoed by a 401 body is redacted in errors, the run record, JUnit and HTML', async (t) => {
  const KEY = 'k3Y9zQ';
  scripted.server.setRules(refuse(401));
  const o = await run({ key: KEY, cases: 3 });
  row(t, '401 echoing a 6-char key', o, 3);
  assert.ok(JSON.stringify(scripted.server.stats.bodies).length > 0);
  const outputs = {
    errors: results(o.record).map((r) => r.error).join('\n'),
    problems: (o.record.problems ?? []).join('\n'),
    record: readFileSync(o.file!, 'utf8'),
    junit: toJUnit([o.record]),
    html: toHtml([o.record]),
  };
  assert.match(outputs.errors, /Incorrect API key provided: \*\*\*/, 'the server did echo it');
  for (const [where, text] of Object.entries(outputs)) assert.ok(!text.includes(KEY), `the key leaked into ${where}`);
});
