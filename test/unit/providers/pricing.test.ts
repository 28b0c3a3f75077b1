import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { countMessageTokens, countTokens, estimateCostUsd } from '../../../src/core/providers/pricing';

const M = 1_000_000;
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≈ ${b}`);

test('known models are priced per 1M input and output tokens', () => {
  close(estimateCostUsd('gpt-4o-mini', { prompt: M, completion: M }), 0.15 + 0.6);
  close(estimateCostUsd('openai/gpt-4o', { prompt: M, completion: 0 }), 2.5);
  close(estimateCostUsd('gpt-4.1-nano', { prompt: 0, completion: M }), 0.4);
  close(estimateCostUsd('o3-mini', { prompt: 1000, completion: 1000 }), (1.1 + 4.4) / 1000);
  close(estimateCostUsd('github/openai/gpt-4.1-mini', { prompt: M, completion: M }), 0.4 + 1.6);
});

test('dated snapshots use their family price; the longest prefix wins', () => {
  close(estimateCostUsd('gpt-4o-mini-2024-07-18', { prompt: M, completion: 0 }), 0.15);
  close(estimateCostUsd('gpt-4o-2024-08-06', { prompt: M, completion: 0 }), 2.5);
});

test('fine-tuned models use fine-tuned inference prices', () => {
  close(estimateCostUsd('ft:gpt-4o-mini-2024-07-18:acme::abc123', { prompt: M, completion: M }), 0.3 + 1.2);
});

test('unknown and local models cost 0', () => {
  assert.equal(estimateCostUsd('ollama/llama3.2', { prompt: M, completion: M }), 0);
  assert.equal(estimateCostUsd('meta/Llama-3.3-70B-Instruct', { prompt: M, completion: M }), 0);
  assert.equal(estimateCostUsd('my-deployment', { prompt: M, completion: M }), 0);
});

test('countTokens uses the o200k encoding and tolerates special-token text', () => {
  assert.equal(countTokens(''), 0);
  assert.equal(countTokens('hello world'), 2);
  assert.ok(countTokens('a <|endoftext|> b') > 3);
});

test('countMessageTokens adds per-message framing to the content', () => {
  const messages = [
    { role: 'system' as const, content: 'You are terse.' },
    { role: 'user' as const, content: 'hello world' },
  ];
  const content = countTokens('You are terse.') + countTokens('hello world');
  assert.equal(countMessageTokens(messages), content + 2 * 4 + 3);
});
