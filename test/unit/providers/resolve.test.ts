import { test, before, after, beforeEach, afterEach } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { createEnvResolver, loadUserConfig, userConfigPath } from '../../../src/core/providers/resolve';
import { ProviderError } from '../../../src/core/providers/provider';
import { SpecError } from '../../../src/core/errors';

const OPENAI_KEY = 'sk-test-openai-AAAAAAAAAAAA';
const GITHUB_KEY = 'ghp_test_github_BBBBBBBBBBBB';
const LOCAL_KEY = 'local-test-key-CCCCCCCCCCCC';

let a: ScriptedServer;
let b: ScriptedServer;
let dir: string;
const never = new AbortController().signal;

before(async () => {
  a = await startScriptedServer();
  b = await startScriptedServer();
});
after(async () => {
  await a.close();
  await b.close();
});
beforeEach(() => {
  a.resetStats();
  b.resetStats();
  dir = mkdtempSync(path.join(os.tmpdir(), 'pl-resolve-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  assert.fail('expected an error');
}

function allHeaderValues(s: ScriptedServer): string {
  return s.stats.headers.map((h) => Object.values(h).join('\n')).join('\n');
}

test('openai/NAME uses OPENAI_BASE_URL and OPENAI_API_KEY', async () => {
  const r = createEnvResolver({ OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: a.url });
  const m = r.resolve('openai/gpt-4o-mini');
  assert.equal(m.model, 'gpt-4o-mini');
  assert.equal(m.ref, 'openai/gpt-4o-mini');
  assert.equal((await m.provider.chat({ model: m.model, messages: [{ role: 'user', content: 'hi' }], params: {} }, never)).text, 'echo: hi');
  assert.equal(a.stats.headers.at(-1)?.authorization, `Bearer ${OPENAI_KEY}`);
  assert.equal((a.stats.bodies.at(-1) as { model: string }).model, 'gpt-4o-mini');
});

test('bare names go to OpenAI; the default is api.openai.com', () => {
  const r = createEnvResolver({ OPENAI_API_KEY: OPENAI_KEY });
  const m = r.resolve('gpt-4o');
  assert.equal(m.model, 'gpt-4o');
  assert.equal(m.provider.endpointKey, 'openai:https://api.openai.com/v1');
});

test('a missing key is a clear, non-retryable error naming the variable', () => {
  const err = thrown(() => createEnvResolver({}).resolve('openai/gpt-4o-mini'));
  assert.ok(err instanceof ProviderError);
  assert.equal(err.retryable, false);
  assert.equal(err.message, 'No API key for openai/gpt-4o-mini: set OPENAI_API_KEY');
  assert.match(thrown(() => createEnvResolver({}).resolve('github/openai/gpt-4o')).message, /set GITHUB_TOKEN/);
  assert.match(thrown(() => createEnvResolver({}).resolve('azure/dep')).message, /set AZURE_OPENAI_ENDPOINT/);
  assert.match(thrown(() => createEnvResolver({ AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com' }).resolve('azure/dep')).message, /set AZURE_OPENAI_API_KEY/);
  assert.match(thrown(() => createEnvResolver({}).resolve('nowhere/model')).message, /Unknown provider "nowhere"/);
});

test('keys go only to the endpoint they belong to', async () => {
  const env = {
    OPENAI_API_KEY: OPENAI_KEY,
    OPENAI_BASE_URL: a.url,
    GITHUB_TOKEN: GITHUB_KEY,
    OLLAMA_HOST: `127.0.0.1:${b.port}`,
    LOCAL_KEY,
  };
  const config = {
    profiles: [
      { name: 'open', kind: 'custom' as const, baseURL: b.url },
      { name: 'local', kind: 'custom' as const, baseURL: b.url, apiKeyEnv: 'LOCAL_KEY' },
    ],
  };
  const r = createEnvResolver(env, config);
  const call = async (ref: string) => {
    const m = r.resolve(ref);
    return m.provider.chat({ model: m.model, messages: [{ role: 'user', content: ref }], params: {} }, never);
  };
  await call('ollama/llama3.2');
  assert.equal(b.stats.headers.at(-1)?.authorization, 'Bearer ollama');
  await call('open/some-model');
  assert.equal(b.stats.headers.at(-1)?.authorization, undefined);
  await call('local/some-model');
  assert.equal(b.stats.headers.at(-1)?.authorization, `Bearer ${LOCAL_KEY}`);
  await call('openai/gpt-4o-mini');
  const seenByB = allHeaderValues(b);
  assert.ok(!seenByB.includes(OPENAI_KEY) && !seenByB.includes(GITHUB_KEY), 'B never saw the OpenAI or GitHub key');
  const seenByA = allHeaderValues(a);
  assert.ok(!seenByA.includes(LOCAL_KEY) && !seenByA.includes(GITHUB_KEY), 'A saw only its own key');
  assert.equal(b.stats.chatRequests, 3);
  assert.equal(a.stats.chatRequests, 1);
});

test('GitHub Models: github/<publisher>/<model>, catalog names and PROMPT_LADDER_PROVIDER=github', () => {
  const r = createEnvResolver({ GITHUB_TOKEN: GITHUB_KEY, OPENAI_API_KEY: OPENAI_KEY });
  const gh = r.resolve('github/openai/gpt-4o');
  assert.equal(gh.model, 'openai/gpt-4o');
  assert.equal(gh.provider.endpointKey, 'github:https://models.github.ai/inference');
  assert.equal(r.resolve('meta/Llama-3.3-70B-Instruct').provider, gh.provider, 'other publishers go to GitHub Models');
  assert.equal(r.resolve('openai/gpt-4o').provider.endpointKey, 'openai:https://api.openai.com/v1');
  const viaGithub = createEnvResolver({ GITHUB_TOKEN: GITHUB_KEY, PROMPT_LADDER_PROVIDER: 'github' }).resolve('openai/gpt-4o');
  assert.equal(viaGithub.model, 'openai/gpt-4o');
  assert.match(viaGithub.provider.endpointKey, /^github:/);
});

test('Azure deployments come from the AZURE_OPENAI_* environment', async () => {
  const r = createEnvResolver({ AZURE_OPENAI_ENDPOINT: `http://127.0.0.1:${a.port}`, AZURE_OPENAI_API_KEY: 'azure-test-key-DDDDDDDD', OPENAI_API_VERSION: '2024-06-01' });
  const m = r.resolve('azure/my-gpt4o');
  assert.equal(m.model, 'my-gpt4o');
  await m.provider.chat({ model: m.model, messages: [{ role: 'user', content: 'hi' }], params: {} }, never);
  assert.equal(a.stats.headers.at(-1)?.['api-key'], 'azure-test-key-DDDDDDDD');
  assert.match(m.provider.endpointKey, /api-version=2024-06-01/);
});

test('providers are memoized per endpoint', () => {
  const r = createEnvResolver({ OPENAI_API_KEY: OPENAI_KEY });
  assert.equal(r.resolve('openai/gpt-4o').provider, r.resolve('gpt-4o-mini').provider);
  assert.notEqual(r.resolve('openai/gpt-4o').provider, r.resolve('ollama/llama3').provider);
});

test('default, judge and embedding models: env overrides config', () => {
  const config = { defaultModel: 'openai/gpt-4o-mini', judgeModel: 'openai/gpt-4o', embeddingModel: 'openai/text-embedding-3-small' };
  const r = createEnvResolver({ PROMPT_LADDER_MODEL: 'ollama/llama3' }, config);
  assert.equal(r.defaultModel, 'ollama/llama3');
  assert.equal(r.judgeModel, 'openai/gpt-4o');
  assert.equal(r.embeddingModel, 'openai/text-embedding-3-small');
});

test('loadUserConfig: PROMPT_LADDER_CONFIG, then XDG_CONFIG_HOME; missing file is empty', async () => {
  assert.deepEqual(await loadUserConfig({ XDG_CONFIG_HOME: path.join(dir, 'none'), HOME: dir }), {});
  const xdg = path.join(dir, 'xdg');
  mkdirSync(path.join(xdg, 'prompt-ladder'), { recursive: true });
  writeFileSync(path.join(xdg, 'prompt-ladder', 'config.json'), JSON.stringify({ defaultModel: 'openai/gpt-4o-mini' }));
  assert.equal(userConfigPath({ XDG_CONFIG_HOME: xdg }), path.join(xdg, 'prompt-ladder', 'config.json'));
  assert.equal((await loadUserConfig({ XDG_CONFIG_HOME: xdg })).defaultModel, 'openai/gpt-4o-mini');
  const explicit = path.join(dir, 'mine.json');
  writeFileSync(explicit, JSON.stringify({ profiles: [{ name: 'lab', kind: 'custom', baseURL: 'http://127.0.0.1:9/v1', apiKeyEnv: 'LAB_KEY' }] }));
  const config = await loadUserConfig({ PROMPT_LADDER_CONFIG: explicit, XDG_CONFIG_HOME: xdg });
  assert.equal(config.profiles?.[0].name, 'lab');
  assert.match(thrown(() => createEnvResolver({}, config).resolve('lab/m')).message, /set LAB_KEY/);
});

test('loadUserConfig: broken JSON, keys in the file and bad profiles are errors naming the file', async () => {
  const file = path.join(dir, 'config.json');
  writeFileSync(file, '{\n  "defaultModel": "x",\n  oops\n}');
  const bad = await loadUserConfig({ PROMPT_LADDER_CONFIG: file }).catch((e: unknown) => e);
  assert.ok(bad instanceof SpecError);
  assert.equal(bad.problems[0].file, file);
  assert.equal(bad.problems[0].line, 3);

  writeFileSync(file, JSON.stringify({ profiles: [{ name: 'p', kind: 'custom', baseURL: 'http://x/v1', apiKey: 'sk-nope' }] }));
  const withKey = await loadUserConfig({ PROMPT_LADDER_CONFIG: file }).catch((e: unknown) => e);
  assert.ok(withKey instanceof SpecError);
  assert.match(withKey.message, /apiKeyEnv/);
  assert.ok(!withKey.message.includes('sk-nope'));

  writeFileSync(file, JSON.stringify({ profiles: [{ name: 'p', kind: 'weird' }] }));
  assert.match(String(await loadUserConfig({ PROMPT_LADDER_CONFIG: file }).catch((e: unknown) => e)), /kind must be one of/);

  const missing = await loadUserConfig({ PROMPT_LADDER_CONFIG: path.join(dir, 'absent.json') }).catch((e: unknown) => e);
  assert.ok(missing instanceof SpecError, 'an explicitly named config must exist');
});
