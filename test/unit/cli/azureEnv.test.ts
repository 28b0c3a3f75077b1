// A .prompty whose model.configuration is Azure goes to the Azure endpoint even when OPENAI_BASE_URL is set, and an
// OpenAI one goes to OPENAI_BASE_URL even when Azure is configured: the file's provider decides. Real CLI, real
// openai client over HTTP, two scripted servers.
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { cliEnv, runCli } from './runCli';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { tempWorkspace, type Workspace } from '../../fixtures/workspace';

let openai: ScriptedServer;
let azure: ScriptedServer;
let ws: Workspace;
before(async () => {
  openai = await startScriptedServer();
  azure = await startScriptedServer();
  ws = tempWorkspace();
  ws.write('package.json', '{}');
});
after(async () => {
  await openai.close();
  await azure.close();
  ws.dispose();
});

const prompty = (configuration: string) =>
  `---\nname: t\nmodel:\n  api: chat\n  configuration:\n${configuration}\ninputs:\n  q:\n    default: hello\n---\nuser:\n{{q}}\n`;

async function run(file: string) {
  openai.resetStats();
  azure.resetStats();
  const env = cliEnv(ws.root, openai.url, { AZURE_OPENAI_ENDPOINT: `http://127.0.0.1:${azure.port}`, AZURE_OPENAI_API_KEY: 'azure-key-123456', OPENAI_API_VERSION: '2024-10-21' });
  return runCli(['eval', file, '--no-cache'], { cwd: ws.root, env });
}

test('configuration type azure_openai: the request goes to the Azure deployment with the Azure key, not to OPENAI_BASE_URL', async () => {
  ws.write('az.prompty', prompty('    type: azure_openai\n    azure_deployment: my-dep\n    azure_endpoint: ${env:AZURE_OPENAI_ENDPOINT}'));
  const r = await run('az.prompty');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(openai.stats.chatRequests, 0);
  assert.equal(azure.stats.chatRequests, 1);
  assert.equal(azure.stats.headers.at(-1)?.['api-key'], 'azure-key-123456');
  assert.match(r.stdout, /azure\/my-dep/);
});

test('configuration type openai: the request goes to OPENAI_BASE_URL, not to the Azure endpoint', async () => {
  ws.write('oa.prompty', prompty('    type: openai\n    name: gpt-4o-mini'));
  const r = await run('oa.prompty');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(azure.stats.chatRequests, 0);
  assert.equal(openai.stats.chatRequests, 1);
  assert.equal(openai.stats.headers.at(-1)?.authorization, 'Bearer cli-key');
  assert.match(r.stdout, /openai\/gpt-4o-mini/);
});
