import { test, before, after, beforeEach } from 'node:test';
import * as assert from 'node:assert/strict';
import { startScriptedServer, scriptedEmbedding, type ScriptedServer } from '../../fixtures/scripted-server';

let server: ScriptedServer;

before(async () => {
  server = await startScriptedServer();
});
after(async () => {
  await server.close();
});
beforeEach(() => {
  server.setOptions({ capacity: undefined, faults: [], latencyMs: 0 });
  server.setRules([]);
  server.resetStats();
});

async function chat(body: Record<string, unknown>): Promise<Response> {
  return fetch(`${server.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', ...body }),
  });
}

async function reply(messages: { role: string; content: string }[], extra: Record<string, unknown> = {}): Promise<string> {
  const res = await chat({ messages, ...extra });
  const json = (await res.json()) as { choices: { message: { content: string } }[] };
  return json.choices[0].message.content;
}

function cosine(a: number[], b: number[]): number {
  return a.reduce((s, x, i) => s + x * b[i], 0);
}

test('default reply echoes the final user message', async () => {
  assert.equal(await reply([{ role: 'user', content: 'first' }, { role: 'assistant', content: 'x' }, { role: 'user', content: 'last one' }]), 'echo: last one');
});

test('rules match on user, system, shots, context marker and json mode; first match wins', async () => {
  server.setRules([
    { user: 'capital of (\\w+)', shotsAtLeast: 2, reply: 'Capital of $1 (few-shot)' },
    { user: 'capital of (\\w+)', contextMarker: true, reply: 'From context: {{user}}' },
    { system: 'pirate', reply: 'Arr' },
    { jsonMode: true, reply: '{"ok":true}' },
    { user: 'capital', reply: 'I do not know' },
  ]);
  const shots = [
    { role: 'user', content: 'a' },
    { role: 'assistant', content: 'b' },
    { role: 'user', content: 'c' },
    { role: 'assistant', content: 'd' },
  ];
  assert.equal(await reply([...shots, { role: 'user', content: 'capital of France?' }]), 'Capital of France (few-shot)');
  assert.equal(await reply([shots[0], shots[1], { role: 'user', content: 'capital of Spain' }]), 'I do not know');
  assert.equal(await reply([{ role: 'user', content: 'CONTEXT: Madrid...\ncapital of Spain' }]), 'From context: CONTEXT: Madrid...\ncapital of Spain');
  assert.equal(await reply([{ role: 'system', content: 'You are a pirate' }, { role: 'user', content: 'hi' }]), 'Arr');
  assert.equal(await reply([{ role: 'user', content: 'hi' }], { response_format: { type: 'json_object' } }), '{"ok":true}');
  assert.equal(await reply([{ role: 'user', content: 'hi' }]), 'echo: hi');
});

test('a rule with times applies only that often', async () => {
  server.setRules([{ user: 'x', status: 500, times: 1 }]);
  assert.equal((await chat({ messages: [{ role: 'user', content: 'x' }] })).status, 500);
  assert.equal((await chat({ messages: [{ role: 'user', content: 'x' }] })).status, 200);
});

test('streamed chat sends SSE chunks, a usage chunk on request, and [DONE]', async () => {
  server.setRules([{ user: '.*', reply: 'a fairly long streamed reply text' }]);
  const res = await chat({ messages: [{ role: 'user', content: 'go' }], stream: true, stream_options: { include_usage: true } });
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const text = await res.text();
  const lines = text.split('\n').filter((l) => l.startsWith('data: '));
  assert.equal(lines[lines.length - 1], 'data: [DONE]');
  const chunks = lines.slice(0, -1).map((l) => JSON.parse(l.slice(6)) as { choices: { delta: { content?: string } }[]; usage?: unknown });
  assert.ok(chunks.length > 3);
  assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), 'a fairly long streamed reply text');
  assert.ok(chunks[chunks.length - 1].usage, 'last chunk carries usage');
});

test('capacity: requests above it get 429 with retry-after-ms and retry-after', async () => {
  server.setOptions({ capacity: 1, latencyMs: 200, retryAfterMs: 1500 });
  const first = chat({ messages: [{ role: 'user', content: 'slow' }] });
  await new Promise((r) => setTimeout(r, 50));
  const second = await chat({ messages: [{ role: 'user', content: 'rejected' }] });
  assert.equal(second.status, 429);
  assert.equal(second.headers.get('retry-after-ms'), '1500');
  assert.equal(second.headers.get('retry-after'), '2');
  assert.equal((await first).status, 200);
  assert.equal(server.stats.rejected429, 1);
  assert.equal(server.stats.peakAdmitted, 1);
});

test('faults by count: status, malformed body, reset', async () => {
  server.setOptions({ faults: [{ status: 503, times: 1 }, { kind: 'malformed', times: 1 }, { kind: 'reset', times: 1 }] });
  const msg = { messages: [{ role: 'user', content: 'x' }] };
  assert.equal((await chat(msg)).status, 503);
  const malformed = await chat(msg);
  assert.equal(malformed.status, 200);
  await assert.rejects(malformed.json());
  await assert.rejects(chat(msg));
  assert.equal((await chat(msg)).status, 200);
  assert.equal(server.stats.faulted, 3);
});

test('probabilistic faults are reproducible with a seed', async () => {
  const run = async (): Promise<number[]> => {
    server.setOptions({ faults: [{ status: 500, probability: 0.5 }], seed: 42 });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await chat({ messages: [{ role: 'user', content: 'x' }] })).status);
    return statuses;
  };
  const a = await run();
  const b = await run();
  assert.deepEqual(a, b);
  assert.ok(a.includes(500) && a.includes(200));
});

test('embeddings: deterministic, normalized, lexically similar texts are closer', async () => {
  const res = await fetch(`${server.url}/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'e', input: ['the cat sat on the mat', 'the cat sat on a mat', 'quantum field theory lecture'] }),
  });
  const json = (await res.json()) as { data: { embedding: number[] }[] };
  const [a, b, c] = json.data.map((d) => d.embedding);
  assert.equal(a.length, 64);
  assert.ok(Math.abs(cosine(a, a) - 1) < 1e-9);
  assert.ok(cosine(a, b) > cosine(a, c));
  assert.deepEqual(a, scriptedEmbedding('the cat sat on the mat'));
  assert.equal(server.stats.embeddingRequests, 1);
});

test('records headers and bodies of what it saw', async () => {
  await fetch(`${server.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test-key' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 0.3 }),
  });
  assert.equal(server.stats.headers.at(-1)?.authorization, 'Bearer test-key');
  assert.equal((server.stats.bodies.at(-1) as { temperature: number }).temperature, 0.3);
  assert.equal(server.stats.byPath['/v1/chat/completions'], 1);
});

test('fine-tuning jobs go queued → running → succeeded and name the tuned model', async () => {
  const form = new FormData();
  form.append('purpose', 'fine-tune');
  form.append('file', new Blob(['{"messages":[]}\n']), 'train.jsonl');
  const file = (await (await fetch(`${server.url}/files`, { method: 'POST', body: form })).json()) as { id: string; bytes: number; filename: string };
  assert.equal(file.filename, 'train.jsonl');
  assert.equal(file.bytes, 16);
  const create = await fetch(`${server.url}/fine_tuning/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', training_file: file.id }),
  });
  const job = (await create.json()) as { id: string; status: string };
  assert.equal(job.status, 'queued');
  const poll = async (): Promise<{ status: string; fine_tuned_model: string | null }> =>
    (await (await fetch(`${server.url}/fine_tuning/jobs/${job.id}`)).json()) as { status: string; fine_tuned_model: string | null };
  assert.equal((await poll()).status, 'running');
  const done = await poll();
  assert.equal(done.status, 'succeeded');
  assert.equal(done.fine_tuned_model, `ft:gpt-4o-mini:scripted:${job.id}`);
  const list = (await (await fetch(`${server.url}/fine_tuning/jobs`)).json()) as { data: unknown[] };
  assert.equal(list.data.length, 1);
});

test('models are listed', async () => {
  const json = (await (await fetch(`${server.url}/models`)).json()) as { data: { id: string }[] };
  assert.ok(json.data.some((m) => m.id === 'gpt-4o-mini'));
});

test('command-line mode: --rules file, prints its URL, stops on SIGTERM', async () => {
  const { spawn } = await import('node:child_process');
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pl-srv-'));
  const rulesFile = path.join(dir, 'rules.json');
  writeFileSync(rulesFile, JSON.stringify({ rules: [{ user: 'ping', reply: 'pong' }] }));
  const root = path.resolve(__dirname, '../../..');
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/scripted-server.ts', '--port', '0', '--latency', '5', '--capacity', '2', '--rules', rulesFile], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const res = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'ping' }] }),
    });
    const json = (await res.json()) as { choices: { message: { content: string } }[] };
    assert.equal(json.choices[0].message.content, 'pong');
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
