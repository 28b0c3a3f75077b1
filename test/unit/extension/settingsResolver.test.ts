// The editor's provider resolver: profiles from user settings, keys from secret storage, env fallbacks, and a
// real call through a profile to the scripted server over HTTP.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startScriptedServer } from '../../fixtures/scripted-server';
import { createSettingsResolver, splitModelRef } from '../../../src/extension/providers/settingsResolver';
import { batchCapableProviders, batchKeyNames } from '../../../src/extension/providers/batchSupport';
import type { ExtensionSettings } from '../../../src/extension/settings';
import type { Provider } from '../../../src/core/providers/provider';

const settings = (over: Partial<ExtensionSettings> = {}): ExtensionSettings => ({ providers: [], maxConcurrency: 0, cacheEnabled: true, ...over });

test('splits model strings; a bare name means openai', () => {
  assert.deepEqual(splitModelRef('openai/gpt-4o-mini'), { prefix: 'openai', model: 'gpt-4o-mini' });
  assert.deepEqual(splitModelRef('github/openai/gpt-4o'), { prefix: 'github', model: 'openai/gpt-4o' });
  assert.deepEqual(splitModelRef('gpt-4o'), { prefix: 'openai', model: 'gpt-4o' });
});

test('without a key the error says how to fix it', () => {
  const r = createSettingsResolver({ settings: settings(), keys: new Map(), env: {} });
  assert.throws(() => r.resolve('openai/gpt-4o-mini'), /Set API Key.*promptLadder\.providers/s);
  assert.throws(() => r.resolve('nope/x'), /no provider named "nope"/);
  assert.throws(() => r.resolve('vscode/gpt-4o'), /Language Model API/);
});

test('a key from secret storage or the environment makes openai resolvable', () => {
  const fromSecret = createSettingsResolver({ settings: settings(), keys: new Map([['openai', 'sk-test']]), env: {} });
  assert.equal(fromSecret.resolve('openai/gpt-4o-mini').model, 'gpt-4o-mini');
  const fromEnv = createSettingsResolver({ settings: settings(), keys: new Map(), env: { OPENAI_API_KEY: 'sk-env' } });
  assert.equal(fromEnv.resolve('openai/gpt-4o-mini').provider.label, 'OpenAI');
});

test('vscode/<family> goes to the Language Model provider', () => {
  const lm: Provider = { endpointKey: 'vscode-lm', label: 'VS Code Language Model', chat: async () => ({ text: '', usage: { prompt: 0, completion: 0 } }) };
  const r = createSettingsResolver({ settings: settings(), keys: new Map(), env: {}, languageModels: lm });
  const resolved = r.resolve('vscode/gpt-4o');
  assert.equal(resolved.provider, lm);
  assert.equal(resolved.model, 'gpt-4o');
});

test('a profile overrides a built-in name, keeps its label, and talks to its endpoint', async () => {
  const server = await startScriptedServer({ rules: [{ user: 'ping', reply: 'pong' }] });
  try {
    const r = createSettingsResolver({
      settings: settings({ providers: [{ name: 'openai', kind: 'custom', baseURL: server.url, label: 'Scripted demo model' }], defaultModel: 'openai/m' }),
      keys: new Map([['openai', 'secret-key-123']]),
      env: {},
    });
    assert.equal(r.describe('openai/m'), 'Scripted demo model');
    const { provider, model } = r.resolve('openai/m');
    const reply = await provider.chat({ model, messages: [{ role: 'user', content: 'ping' }], params: {} }, new AbortController().signal);
    assert.equal(reply.text, 'pong');
    assert.equal(server.stats.headers.at(-1)?.authorization, 'Bearer secret-key-123', 'the stored key is sent to the profile endpoint');
    assert.ok(!provider.endpointKey.includes('secret-key-123'), 'the key is not part of the endpoint identity');
  } finally {
    await server.close();
  }
});

test('an azure profile needs a key; ollama does not', () => {
  const r = createSettingsResolver({
    settings: settings({ providers: [{ name: 'az', kind: 'azure', baseURL: 'https://x.openai.azure.com' }, { name: 'local', kind: 'ollama' }] }),
    keys: new Map(),
    env: {},
  });
  assert.throws(() => r.resolve('az/dep'), /No API key for profile "az"/);
  assert.equal(r.resolve('local/llama3.2').model, 'llama3.2');
});

test('which providers have a Batch API, worked out without a client, is what the resolver builds', () => {
  const url = 'http://127.0.0.1:9/v1';
  const cases: { providers: ExtensionSettings['providers']; keys?: [string, string][]; env?: Record<string, string>; want: string[] }[] = [
    { providers: [{ name: 'demo', kind: 'custom', baseURL: url }, { name: 'local', kind: 'ollama' }], want: [] },
    { providers: [{ name: 'demo', kind: 'custom', baseURL: url, batchApi: true }], want: ['demo'] },
    { providers: [{ name: 'demo', kind: 'custom', baseURL: url }], keys: [['openai', 'sk-test']], want: ['openai'] },
    { providers: [], env: { OPENAI_BASE_URL: url }, want: ['openai'] },
    { providers: [{ name: 'openai', kind: 'custom', baseURL: url }], env: { OPENAI_API_KEY: 'sk-env' }, want: [] },
    { providers: [{ name: 'az', kind: 'azure', baseURL: 'https://x.openai.azure.com' }], want: [] },
    { providers: [{ name: 'az', kind: 'azure', baseURL: 'https://x.openai.azure.com' }], keys: [['az', 'k']], want: ['az'] },
    { providers: [{ name: 'gh', kind: 'github', batchApi: true }], env: { GITHUB_TOKEN: 't' }, want: ['gh'] },
    { providers: [{ name: 'gh', kind: 'github', batchApi: true }], want: [] },
  ];
  for (const c of cases) {
    const s = settings({ providers: c.providers });
    const keys = new Map(c.keys ?? []);
    const env = c.env ?? {};
    const got = batchCapableProviders(s, keys, env);
    assert.deepEqual(got, c.want, JSON.stringify(c));
    // the resolver agrees on every name the check looks at
    const resolver = createSettingsResolver({ settings: s, keys, env });
    for (const name of batchKeyNames(s)) {
      let hasBatch: boolean;
      try {
        hasBatch = resolver.resolve(`${name}/model`).provider.batch !== undefined;
      } catch {
        hasBatch = false;
      }
      assert.equal(got.includes(name), hasBatch, `${name} in ${JSON.stringify(c)}`);
    }
  }
});
