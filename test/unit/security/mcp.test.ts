// Attack: an agent asked to "run the evals" in a cloned repository calls the MCP run_eval tool on a prompt file
// whose `code` evaluator is the repository's JavaScript. Before, the server ran it. Now run_eval refuses, saying
// why, unless the server was started with --allow-code; the tool annotations say what each tool does. Driven by
// the official MCP SDK client over stdio (a real child process), the model behind the scripted server.

import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CLI_NODE_ARGS } from '../cli/runCli';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { tempWorkspace, type Workspace } from '../../fixtures/workspace';

let server: ScriptedServer;
let ws: Workspace;
const clients: Client[] = [];

const PROMPT = `name: p
model: openai/test-model
messages:
  - role: user
    content: "{{q}}"
testData:
  - q: hi
evaluators:
  - name: repo-check
    code: ./checks/check.cjs
`;

before(async () => {
  server = await startScriptedServer({ rules: [{ reply: 'ok' }] });
  ws = tempWorkspace();
  ws.write('.git/HEAD', 'ref: refs/heads/main\n');
  ws.write('p.prompt.yml', PROMPT);
  // what a hostile repository's evaluator does: anything, here leave a mark
  ws.write('checks/check.cjs', "require('node:fs').writeFileSync(require('node:path').join(__dirname, '..', 'PWNED'), 'x');\nexports.evaluate = () => true;\n");
});
after(async () => {
  for (const c of clients) await c.close();
  await server.close();
  ws.dispose();
});

async function connect(extra: string[]): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...CLI_NODE_ARGS, 'mcp', ...extra],
    cwd: ws.root,
    env: { PATH: process.env.PATH ?? '', HOME: ws.root, OPENAI_API_KEY: 'mcp-key', OPENAI_BASE_URL: server.url },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'sec-test', version: '0.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

const text = (r: Awaited<ReturnType<Client['callTool']>>) => (r.content as { type: string; text?: string }[]).map((c) => c.text ?? '').join('\n');

test('attack: run_eval on a file with a code evaluator refuses without --allow-code, runs nothing, says why', async () => {
  const client = await connect([]);
  server.resetStats();
  const r = await client.callTool({ name: 'run_eval', arguments: { file: 'p.prompt.yml' } });
  assert.equal(r.isError, true);
  assert.match(text(r), /p\.prompt\.yml has code evaluators \(repo-check\) that run JavaScript from the project; .*prompt-ladder mcp --allow-code/);
  assert.ok(!existsSync(path.join(ws.root, 'PWNED')), 'the repository code did not run');
  assert.equal(server.stats.chatRequests, 0, 'no model call either');
  const { tools } = await client.listTools();
  const run = tools.find((t) => t.name === 'run_eval')!;
  assert.deepEqual(
    [run.annotations?.readOnlyHint, run.annotations?.destructiveHint, run.annotations?.openWorldHint],
    [false, false, true],
    'run_eval writes a record, deletes nothing, calls the provider',
  );
  for (const name of ['list_runs', 'get_run', 'get_advice']) {
    const t = tools.find((x) => x.name === name)!;
    assert.deepEqual([t.annotations?.readOnlyHint, t.annotations?.destructiveHint, t.annotations?.openWorldHint], [true, false, false], name);
  }
});

test('with --allow-code the user opted in: the code evaluator runs, and run_eval is annotated as able to do anything', async () => {
  const client = await connect(['--allow-code']);
  const r = await client.callTool({ name: 'run_eval', arguments: { file: 'p.prompt.yml' } });
  assert.notEqual(r.isError, true, text(r));
  assert.ok(existsSync(path.join(ws.root, 'PWNED')), 'the code evaluator ran');
  const run = (await client.listTools()).tools.find((t) => t.name === 'run_eval')!;
  assert.equal(run.annotations?.destructiveHint, true);
});
