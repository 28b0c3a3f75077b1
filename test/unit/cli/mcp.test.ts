// `prompt-ladder mcp` driven by the official MCP SDK client over stdio (a real child process), with the
// model behind the scripted OpenAI-compatible server.

import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync, existsSync, symlinkSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CLI_NODE_ARGS, runCli } from './runCli';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { CLASSIFIER, classifierRules, tempWorkspace, type Workspace } from '../../fixtures/workspace';

let server: ScriptedServer;
let ws: Workspace;
let outside: Workspace;
let client: Client;
let transport: StdioClientTransport;
let stderr = '';

const env = () => ({ PATH: process.env.PATH ?? '', HOME: ws.root, OPENAI_API_KEY: 'mcp-key', OPENAI_BASE_URL: server.url });

before(async () => {
  server = await startScriptedServer({ rules: classifierRules });
  ws = tempWorkspace();
  outside = tempWorkspace();
  ws.write('.git/HEAD', 'ref: refs/heads/main\n');
  ws.write('prompts/cls.prompt.yml', CLASSIFIER);
  ws.write('prompts/broken.prompt.yml', 'name: broken\nmodel: openai/test-model\nmessages:\n  - role: user\n    content: hi\nmodelParameters:\n  temperature: hot\n');
  outside.write('secret.prompt.yml', CLASSIFIER);
  transport = new StdioClientTransport({
    command: process.execPath,
    args: [...CLI_NODE_ARGS, 'mcp'],
    cwd: ws.root,
    env: env(),
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d) => (stderr += d));
  client = new Client({ name: 'prompt-ladder-test', version: '0.0.0' });
  await client.connect(transport);
});

after(async () => {
  await client?.close();
  await server.close();
  ws.dispose();
  outside.dispose();
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(args, { cwd: ws.root, env: env() });
}

type Summary = {
  runId: string;
  file: string;
  variants: { name: string; passRate: number; passed: number; failed: number; errors: number }[];
  failures: { case: number; variant: string; category: string | null }[];
  failureCount: number;
  topAdvice: { kind: string } | null;
  recordPath: string;
};

function textOf(result: Awaited<ReturnType<Client['callTool']>>): string {
  const content = result.content as { type: string; text?: string }[];
  return content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');
}

test('lists the tools with their input and output schemas', async () => {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), ['climb', 'get_advice', 'get_run', 'list_runs', 'run_eval']);
  const run = tools.find((t) => t.name === 'run_eval')!;
  assert.deepEqual(run.inputSchema.required, ['file']);
  const props = run.inputSchema.properties as Record<string, { type?: string; items?: { type?: string } }>;
  assert.equal(props.file.type, 'string');
  assert.equal(props.variants.type, 'array');
  assert.equal(props.cases.items?.type, 'integer');
  assert.ok(run.outputSchema, 'run_eval declares an output schema');
  const out = run.outputSchema!.properties as Record<string, unknown>;
  for (const key of ['variants', 'failures', 'topAdvice', 'recordPath']) assert.ok(key in out, `output schema has ${key}`);
  assert.equal(run.annotations?.readOnlyHint, false);
  assert.equal(tools.find((t) => t.name === 'list_runs')!.annotations?.readOnlyHint, true);
  for (const t of tools) assert.ok(t.outputSchema, `${t.name} declares an output schema`);
});

test('run_eval gives the pass rates the CLI gives for the same file, the failures with categories, the advice and the record', async () => {
  const viaCli = await cli(['eval', 'prompts/cls.prompt.yml', '--json', 'cli.json']);
  assert.equal(viaCli.code, 1, viaCli.stderr);
  const cliRecord = JSON.parse(readFileSync(path.join(ws.root, 'cli.json'), 'utf8')) as { variants: { name: string; passRate: number }[] };

  const result = await client.callTool({ name: 'run_eval', arguments: { file: 'prompts/cls.prompt.yml' } });
  assert.notEqual(result.isError, true, textOf(result));
  const s = result.structuredContent as Summary;
  assert.deepEqual(
    s.variants.map((v) => [v.name, v.passRate]),
    cliRecord.variants.map((v) => [v.name, v.passRate]),
  );
  assert.deepEqual(
    s.variants.map((v) => [v.name, v.passed, v.failed]),
    [
      ['zero-shot', 1, 2],
      ['2-shot', 3, 0],
    ],
  );
  assert.equal(s.failureCount, 2);
  assert.ok(s.failures.every((f) => f.variant === 'zero-shot' && f.category === 'format'), JSON.stringify(s.failures));
  assert.deepEqual(s.failures.map((f) => f.case).sort(), [0, 2]);
  assert.ok(s.topAdvice, 'a top recommendation');
  assert.ok(existsSync(path.join(ws.root, s.recordPath)), `record written at ${s.recordPath}`);
  assert.match(s.recordPath, /^\.promptladder\/runs\/cls-.*\.json$/);
  const text = textOf(result);
  assert.match(text, /zero-shot \(openai\/test-model\): 33\.3% pass/);
  assert.match(text, /- prompts\/cls\.prompt\.yml:\d+ \(case index 0\) \[zero-shot\] format/);
  assert.match(text, /Run record: \.promptladder\/runs\/cls-/);
});

test('run_eval narrows to the variants and case indexes asked for (the CLI numbering)', async () => {
  server.resetStats();
  const result = await client.callTool({ name: 'run_eval', arguments: { file: 'prompts/cls.prompt.yml', variants: ['zero-shot'], cases: [1] } });
  assert.notEqual(result.isError, true, textOf(result));
  const s = result.structuredContent as Summary & { caseCount: number };
  assert.equal(s.caseCount, 1);
  assert.deepEqual(s.variants.map((v) => [v.name, v.passed, v.failed]), [['zero-shot', 1, 0]]);
  const record = JSON.parse(readFileSync(path.join(ws.root, s.recordPath), 'utf8')) as { cases: { index: number }[] };
  assert.deepEqual(record.cases.map((c) => c.index), [1]);
});

test('list_runs sees the runs (of a file, newest first); get_run and get_advice read one', async () => {
  const list = await client.callTool({ name: 'list_runs', arguments: { file: 'prompts/cls.prompt.yml' } });
  assert.notEqual(list.isError, true, textOf(list));
  const runs = (list.structuredContent as { runs: { runId: string; file: string; recordPath: string }[]; total: number }).runs;
  // the CLI run, the full MCP run, the narrowed MCP run
  assert.equal(runs.length, 3);
  assert.ok(runs.every((r) => r.file === 'prompts/cls.prompt.yml'));

  const newest = await client.callTool({ name: 'get_run', arguments: { run: runs[0].runId.slice(0, 8) } });
  assert.notEqual(newest.isError, true, textOf(newest));
  assert.equal((newest.structuredContent as Summary).runId, runs[0].runId);
  assert.equal((newest.structuredContent as Summary & { caseCount: number }).caseCount, 1);

  const byPath = await client.callTool({ name: 'get_run', arguments: { run: runs[1].recordPath } });
  assert.equal((byPath.structuredContent as Summary).runId, runs[1].runId);
  assert.equal((byPath.structuredContent as Summary).failureCount, 2);

  const advice = await client.callTool({ name: 'get_advice', arguments: { run: runs[1].runId } });
  assert.notEqual(advice.isError, true, textOf(advice));
  const recs = (advice.structuredContent as { recommendations: { kind: string; why: string; evidence: Record<string, unknown>; actions: string[] }[] }).recommendations;
  assert.ok(recs.length > 0);
  assert.ok(recs.every((r) => r.why && typeof r.evidence === 'object'));
  assert.ok(recs.flatMap((r) => r.actions).every((a) => !a.startsWith('command:')), 'actions read as words, not command ids');
  assert.match(textOf(advice), /Why: /);
});

test('bad arguments are tool errors naming the problem, and the server keeps serving', async () => {
  const missing = await client.callTool({ name: 'run_eval', arguments: { file: 'prompts/nope.prompt.yml' } });
  assert.equal(missing.isError, true);
  assert.match(textOf(missing), /nope\.prompt\.yml"?: no such file/);

  const broken = await client.callTool({ name: 'run_eval', arguments: { file: 'prompts/broken.prompt.yml' } });
  assert.equal(broken.isError, true);
  assert.match(textOf(broken), /prompts\/broken\.prompt\.yml:7:\d+: .*temperature/);

  const notPrompt = await client.callTool({ name: 'run_eval', arguments: { file: 'cli.json' } });
  assert.equal(notPrompt.isError, true);
  assert.match(textOf(notPrompt), /not a prompt file/);

  const variant = await client.callTool({ name: 'run_eval', arguments: { file: 'prompts/cls.prompt.yml', variants: ['9-shot'] } });
  assert.equal(variant.isError, true);
  assert.match(textOf(variant), /no variant named "9-shot" \(variants: zero-shot, 2-shot\)/);

  const badCase = await client.callTool({ name: 'run_eval', arguments: { file: 'prompts/cls.prompt.yml', cases: [7] } });
  assert.equal(badCase.isError, true);
  assert.match(textOf(badCase), /no case 7 \(its cases: 0, 1, 2\)/);

  const wrongType = await client.callTool({ name: 'run_eval', arguments: { file: 42 } });
  assert.equal(wrongType.isError, true);

  const noRun = await client.callTool({ name: 'get_run', arguments: { run: 'ffffffff' } });
  assert.equal(noRun.isError, true);
  assert.match(textOf(noRun), /no run "ffffffff"/);

  const still = await client.listTools();
  assert.equal(still.tools.length, 5, 'still serving');
});

test('paths outside the project are refused, symlinks included, and nothing is called', async () => {
  server.resetStats();
  const rel = path.relative(ws.root, path.join(outside.root, 'secret.prompt.yml'));
  for (const file of [rel, path.join(outside.root, 'secret.prompt.yml'), '../../etc/passwd.prompt.yml']) {
    const r = await client.callTool({ name: 'run_eval', arguments: { file } });
    assert.equal(r.isError, true, file);
    assert.match(textOf(r), /outside the project/, file);
  }
  mkdirSync(path.join(ws.root, 'linked'), { recursive: true });
  symlinkSync(path.join(outside.root, 'secret.prompt.yml'), path.join(ws.root, 'linked', 'secret.prompt.yml'));
  const viaLink = await client.callTool({ name: 'run_eval', arguments: { file: 'linked/secret.prompt.yml' } });
  assert.equal(viaLink.isError, true);
  assert.match(textOf(viaLink), /outside the project/);

  writeFileSync(path.join(outside.root, 'run.json'), '{}');
  const runOutside = await client.callTool({ name: 'get_run', arguments: { run: path.join(outside.root, 'run.json') } });
  assert.equal(runOutside.isError, true);
  assert.match(textOf(runOutside), /outside the project/);
  const listOutside = await client.callTool({ name: 'list_runs', arguments: { file: '../x.prompt.yml' } });
  assert.equal(listOutside.isError, true);
  assert.equal(server.stats.chatRequests, 0);
});

test('the server logs to stderr only (stdout is the protocol)', () => {
  assert.match(stderr, /prompt-ladder mcp: serving run_eval, list_runs, get_run, get_advice, climb/);
});
