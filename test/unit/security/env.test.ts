// Attacks through `${env:NAME}` in a `.prompty` front matter: copying a secret from the user's environment into
// the model id (printed in the table, errors, run record, JSON, HTML, JUnit) or into a request option (sent in
// the request body). Only the model's connection settings read the environment, and every value read is masked
// in every output. Real CLI, real openai client over HTTP against the scripted server.

import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { cliEnv, runCli } from '../cli/runCli';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { tempWorkspace, type Workspace } from '../../fixtures/workspace';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { SpecError } from '../../../src/core/errors';
import { clearSecretsForTests, redact } from '../../../src/core/redact';

const SECRET = 'AKIAexample-secret-value-0123456789';
const TOKEN = 'ghp_exampletoken0123456789abcdef';

let server: ScriptedServer;
let azure: ScriptedServer;
let ws: Workspace;
before(async () => {
  server = await startScriptedServer();
  azure = await startScriptedServer();
  ws = tempWorkspace();
  ws.write('package.json', '{}');
});
after(async () => {
  await server.close();
  await azure.close();
  ws.dispose();
});

function cli(file: string) {
  server.resetStats();
  azure.resetStats();
  const env = cliEnv(ws.root, server.url, {
    AWS_SECRET_ACCESS_KEY: SECRET,
    GITHUB_TOKEN: TOKEN,
    DEPLOYMENT: 'team-secret-deployment',
    AZURE_OPENAI_ENDPOINT: `http://127.0.0.1:${azure.port}`,
    AZURE_OPENAI_API_KEY: 'azure-key-123456',
    OPENAI_API_VERSION: '2024-10-21',
  });
  return runCli(['eval', file, '--json', 'out.json', '--html', 'out.html', '--junit', 'out.xml'], { cwd: ws.root, env });
}

/** Everything the run left behind that a user or a CI log could see. */
function outputs(r: { stdout: string; stderr: string }): string {
  const files = ['out.json', 'out.html', 'out.xml'].map((f) => path.join(ws.root, f)).filter(existsSync);
  const runs = path.join(ws.root, '.promptladder/runs');
  if (existsSync(runs)) for (const n of readdirSync(runs)) files.push(path.join(runs, n));
  return [r.stdout, r.stderr, ...files.map((f) => readFileSync(f, 'utf8'))].join('\n');
}

test('attack: model.id: ${env:AWS_SECRET_ACCESS_KEY} — an error at its line; the value appears nowhere and nothing is sent', async () => {
  ws.write('id.prompty', '---\nname: t\nmodel:\n  id: ${env:AWS_SECRET_ACCESS_KEY}\n  provider: openai\nsample:\n  q: hi\n---\nuser:\n{{q}}\n');
  const r = await cli('id.prompty');
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /id\.prompty:4:\d+: model\.id: \$\{env:\} is only read in the model's connection settings/);
  assert.ok(!outputs(r).includes(SECRET));
  assert.equal(server.stats.chatRequests, 0);
});

test('attack: options.user: ${env:GITHUB_TOKEN} — an error at its line; the token is never sent', async () => {
  ws.write('opt.prompty', '---\nname: t\nmodel:\n  id: test-model\n  provider: openai\n  options:\n    temperature: 0\n    user: ${env:GITHUB_TOKEN}\nsample:\n  q: hi\n---\nuser:\n{{q}}\n');
  const r = await cli('opt.prompty');
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /opt\.prompty:8:\d+: model\.options\.user: \$\{env:\} is only read/);
  assert.equal(server.stats.chatRequests, 0);
  assert.ok(!outputs(r).includes(TOKEN));
});

test('attack: ${env:} in sample/inputs (text that goes into the prompt) is an error at its line', async () => {
  await assert.rejects(
    loadPromptFile(ws.write('in.prompty', '---\nname: t\nmodel: openai/x\nsample:\n  q: ${env:GITHUB_TOKEN}\n---\nuser:\n{{q}}\n'), { env: { GITHUB_TOKEN: TOKEN } }),
    (e: unknown) => e instanceof SpecError && e.problems.some((p) => p.line === 5 && /sample\.q: \$\{env:\} is only read/.test(p.message)),
  );
});

test('attack: a credential-named variable as the deployment is refused; endpoints and keys in the connection are never read', async () => {
  await assert.rejects(
    loadPromptFile(ws.write('cred.prompty', '---\nmodel:\n  configuration:\n    type: azure_openai\n    azure_deployment: ${env:GITHUB_TOKEN}\n---\nuser:\nx\n'), { env: { GITHUB_TOKEN: TOKEN } }),
    (e: unknown) => e instanceof SpecError && e.problems.some((p) => p.line === 5 && /GITHUB_TOKEN looks like a credential/.test(p.message)),
  );
  const s = await loadPromptFile(ws.write('keys.prompty', '---\nmodel:\n  configuration:\n    type: azure_openai\n    azure_deployment: dep\n    api_key: ${env:NEVER_SET}\n    azure_endpoint: ${env:NEVER_SET_EITHER}\n---\nuser:\nx\n'), { env: {} });
  assert.equal(s.model, 'azure/dep');
});

test('a deployment from ${env:} in model.configuration runs, and its value is masked in every output', async () => {
  clearSecretsForTests();
  ws.write('dep.prompty', '---\nname: t\nmodel:\n  api: chat\n  configuration:\n    type: azure_openai\n    azure_deployment: ${env:DEPLOYMENT}\nsample:\n  q: hi\n---\nuser:\n{{q}}\n');
  const r = await cli('dep.prompty');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(azure.stats.chatRequests, 1, 'called the deployment the environment named');
  assert.match(r.stdout, /azure\/\*\*\*/);
  assert.ok(!outputs(r).includes('team-secret-deployment'));
  // in process: loading registers the value with the redaction set
  const s = await loadPromptFile(path.join(ws.root, 'dep.prompty'), { env: { DEPLOYMENT: 'another-deployment-name' } });
  assert.equal(s.model, 'azure/another-deployment-name');
  assert.equal(redact('model azure/another-deployment-name failed'), 'model azure/*** failed');
  clearSecretsForTests();
});
