// Fine-tuning from the editor: which endpoint and key a prompt's model fine-tunes on (the same resolution as runs),
// the providers that cannot fine-tune, a whole job over real HTTP against the scripted server, and the variant
// that adds the fine-tuned model to the prompt file.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startScriptedServer } from '../../fixtures/scripted-server';
import {
  FineTuneUnsupportedError,
  addFineTunedVariant,
  cancelJob,
  describeApiError,
  getJob,
  resolveFineTuneEndpoint,
  startJob,
} from '../../../src/extension/fineTune/service';
import type { ExtensionSettings } from '../../../src/extension/settings';

const settings = (over: Partial<ExtensionSettings> = {}): ExtensionSettings => ({ providers: [], maxConcurrency: 0, cacheEnabled: true, ...over });
const TRAIN = '{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"A"}]}\n';

test('vscode/, Ollama and GitHub Models models cannot fine-tune, with a message that says why', () => {
  const inputs = { settings: settings({ providers: [{ name: 'local', kind: 'ollama' }] }), keys: new Map([['github', 't']]), env: {} };
  assert.throws(() => resolveFineTuneEndpoint('vscode/gpt-4o', inputs), (e: unknown) => e instanceof FineTuneUnsupportedError && /Language Model API, which cannot fine-tune/.test(e.message));
  assert.throws(() => resolveFineTuneEndpoint('ollama/llama3.2', inputs), /Ollama has no fine-tuning API/);
  assert.throws(() => resolveFineTuneEndpoint('local/llama3.2', inputs), /Ollama has no fine-tuning API/);
  assert.throws(() => resolveFineTuneEndpoint('github/openai/gpt-4o', inputs), /GitHub Models has no fine-tuning API/);
});

test('missing keys and unknown providers give the same messages as a run', () => {
  const inputs = { settings: settings(), keys: new Map<string, string>(), env: {} };
  assert.throws(() => resolveFineTuneEndpoint('openai/gpt-4o-mini', inputs), /Set API Key/);
  assert.throws(() => resolveFineTuneEndpoint('nope/gpt-4o-mini', inputs), /no provider named "nope"/);
});

test('the key comes from secret storage before the environment; the endpoint from the user profile', () => {
  const profile = { name: 'lab', kind: 'openai' as const, baseURL: 'http://127.0.0.1:9/v1' };
  const ep = resolveFineTuneEndpoint('lab/gpt-4o-mini', {
    settings: settings({ providers: [profile] }),
    keys: new Map([['lab', 'sk-secret']]),
    env: { OPENAI_API_KEY: 'sk-env' },
  });
  assert.deepEqual(
    { providerName: ep.providerName, kind: ep.kind, baseURL: ep.baseURL, apiKey: ep.apiKey, model: ep.model },
    { providerName: 'lab', kind: 'openai', baseURL: 'http://127.0.0.1:9/v1', apiKey: 'sk-secret', model: 'gpt-4o-mini' },
  );
  const builtin = resolveFineTuneEndpoint('openai/gpt-4o-mini', { settings: settings(), keys: new Map(), env: { OPENAI_API_KEY: 'sk-env' } });
  assert.equal(builtin.baseURL, 'https://api.openai.com/v1');
  assert.equal(builtin.apiKey, 'sk-env');
});

test('a job uploads the files, starts, succeeds after the polls and can be cancelled, with the key sent', async () => {
  const server = await startScriptedServer({ fineTunePolls: 2 });
  try {
    const ep = resolveFineTuneEndpoint('lab/gpt-4o-mini', {
      settings: settings({ providers: [{ name: 'lab', kind: 'custom', baseURL: server.url }] }),
      keys: new Map([['lab', 'sk-lab']]),
      env: {},
    });
    const started = await startJob(ep, { train: TRAIN.repeat(10), validation: TRAIN, suffix: 'shout' });
    assert.equal(started.state, 'queued');
    assert.equal(server.stats.byPath['/v1/files'], 2);
    assert.ok(server.stats.headers.every((h) => h.authorization === 'Bearer sk-lab'));
    assert.equal((await getJob(ep, started.id)).state, 'running');
    const done = await getJob(ep, started.id);
    assert.equal(done.state, 'succeeded');
    assert.match(done.fineTunedModel ?? '', /^ft:gpt-4o-mini:/);

    const second = await startJob(ep, { train: TRAIN.repeat(10) });
    assert.equal((await cancelJob(ep, second.id)).state, 'cancelled');
  } finally {
    await server.close();
  }
});

test('API errors never show the key', async () => {
  const server = await startScriptedServer();
  try {
    const ep = resolveFineTuneEndpoint('lab/gpt-4o-mini', {
      settings: settings({ providers: [{ name: 'lab', kind: 'custom', baseURL: server.url }] }),
      keys: new Map([['lab', 'sk-very-secret']]),
      env: {},
    });
    const err = await getJob(ep, 'ftjob-missing').then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err, 'an unknown job is an error');
    const text = describeApiError(Object.assign(new Error('bad key sk-very-secret'), { status: 400 }), ep);
    assert.ok(!text.includes('sk-very-secret'));
    assert.match(describeApiError(Object.assign(new Error('x'), { status: 401 }), ep), /Set API Key/);
  } finally {
    await server.close();
  }
});

test('the fine-tuned model becomes a zero-shot variant; comments stay', () => {
  const text = '# keep me\nname: X\nmodel: openai/gpt-4o-mini\nmessages:\n  - role: user\n    content: hi\nvariants:\n  - name: 3-shot\n    shots: 3\n';
  const res = addFineTunedVariant(text, 'openai/ft:gpt-4o-mini:org::abc');
  assert.equal(res.changed, true);
  assert.match(res.text, /^# keep me\n/);
  assert.match(res.text, /- name: fine-tuned\n {4}model: openai\/ft:gpt-4o-mini:org::abc\n {4}shots: 0\n/);
  const twice = addFineTunedVariant(res.text, 'openai/ft:gpt-4o-mini:org::def');
  assert.match(twice.text, /- name: fine-tuned-2\n/);
});

test('a custom profile on Mistral\'s or Together\'s host fine-tunes through that platform\'s job API; `fineTuning` names it for any host', async () => {
  const env = { MISTRAL_API_KEY: 'mk-env', TOGETHER_API_KEY: 'tk-env' };
  const mistral = resolveFineTuneEndpoint('mistral/open-mistral-7b', { settings: settings({ providers: [{ name: 'mistral', kind: 'custom', baseURL: 'https://api.mistral.ai/v1' }] }), keys: new Map([['mistral', 'mk-secret']]), env });
  assert.equal(mistral.kind, 'mistral');
  assert.equal(mistral.apiKey, 'mk-secret', 'SecretStorage first');
  const together = resolveFineTuneEndpoint('tg/meta-llama/Llama-3-8b', { settings: settings({ providers: [{ name: 'tg', kind: 'custom', baseURL: 'https://api.together.xyz/v1' }] }), keys: new Map(), env });
  assert.equal(together.kind, 'together');
  assert.equal(together.model, 'meta-llama/Llama-3-8b');

  const server = await startScriptedServer({ fineTunePlatforms: { apiKey: 'mk-lab', polls: 1 } });
  try {
    const base = server.url.replace(/\/v1$/, '');
    const ep = resolveFineTuneEndpoint('lab/open-mistral-7b', {
      settings: settings({ providers: [{ name: 'lab', kind: 'custom', baseURL: `${base}/mistral/v1`, fineTuning: 'mistral' }] }),
      keys: new Map([['lab', 'mk-lab']]),
      env: {},
    });
    const started = await startJob(ep, { train: TRAIN.repeat(10), suffix: 'shout' });
    for (let i = 0; i < 3; i++) await getJob(ep, started.id);
    const done = await getJob(ep, started.id);
    assert.equal(done.state, 'succeeded');
    assert.match(`${ep.providerName}/${done.fineTunedModel}`, /^lab\/ft:open-mistral-7b:/, 'the variant runs through the same profile');
  } finally {
    await server.close();
  }
});

test('OpenAI\'s wind-down refusal reaches the editor as the one line, and providers that cannot fine-tune say where to go', async () => {
  const server = await startScriptedServer({ fineTunePlatforms: { openaiRefusal: true } });
  try {
    const ep = resolveFineTuneEndpoint('openai/gpt-4.1-mini', { settings: settings({ providers: [{ name: 'openai', kind: 'openai', baseURL: server.url }] }), keys: new Map([['openai', 'sk-x']]), env: {} });
    const err = await startJob(ep, { train: TRAIN.repeat(10) }).then(() => undefined, (e: unknown) => e);
    assert.match(describeApiError(err, ep), /^OpenAI no longer creates fine-tuning jobs .*2027-01-06/);
  } finally {
    await server.close();
  }
  assert.throws(() => resolveFineTuneEndpoint('ollama/llama3.2', { settings: settings(), keys: new Map(), env: {} }), /Instead: fine-tune on Azure OpenAI, Mistral, Together .*--format local/);
});
