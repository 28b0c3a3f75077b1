// Refusal detection and the refusal evaluator.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EvaluatorSpec } from '../../../src/core/prompt/spec';
import { detectRefusal } from '../../../src/core/evaluators/refusal';
import { runEvaluators } from '../../../src/core/evaluators/registry';
import { evalInput } from './evalInput';

const REFUSALS = [
  "I'm sorry, but I can't help with that.",
  'I’m sorry, but I cannot assist with that request.',
  'I am sorry, I am unable to provide that information.',
  'Sorry, I can’t do that.',
  'I cannot help with creating malware.',
  "I can't assist with that.",
  "I'm unable to help with this request.",
  'I won’t be able to help with that.',
  'I must decline to answer this.',
  'As an AI language model, I cannot browse the internet.',
  'As an AI, I don’t have personal opinions.',
  "I apologize, but I can't fulfill that request.",
  'That request goes against my guidelines.',
  '抱歉，我无法帮助你完成这个请求。',
  '对不起，我不能提供这类信息。',
  '很抱歉，但我无法回答这个问题。',
  '我无法协助处理该请求。',
  '作为一个AI语言模型，我无法访问互联网。',
  '申し訳ありませんが、その質問にはお答えできません。',
  'Lo siento, pero no puedo ayudar con eso.',
  'Désolé, mais je ne peux pas vous aider.',
  'Es tut mir leid, aber ich kann dabei nicht helfen.',
];

const NOT_REFUSALS = [
  'Paris is the capital of France.',
  '{"intent":"refund","priority":"high"}',
  'I can’t help but notice that your order shipped yesterday.',
  "I'm sorry, I can't find that in the provided documents.",
  "I'm sorry to hear your order was late! Here is how to request a refund: open Orders and choose Refund.",
  '巴黎是法国的首都。',
  '抱歉，我无法找到相关信息。',
  'You cannot return opened items after 30 days.',
  // A long answer that only quotes a refusal far from the start.
  `${'Here is a detailed answer about refunds. '.repeat(12)}Some assistants reply "I'm sorry, but I can't help with that", but we always help.`,
];

describe('detectRefusal', () => {
  for (const text of REFUSALS) {
    it(`detects ${JSON.stringify(text)}`, () => {
      const r = detectRefusal(text);
      assert.equal(r.refused, true);
      assert.ok(r.pattern && r.pattern.length > 0);
    });
  }
  for (const text of NOT_REFUSALS) {
    it(`does not flag ${JSON.stringify(text.slice(0, 60))}`, () => {
      assert.deepEqual(detectRefusal(text), { refused: false });
    });
  }
  it('finds a refusal at the start of a long reply', () => {
    assert.equal(detectRefusal(`I'm sorry, but I can't help with that. ${'More text. '.repeat(100)}`).refused, true);
  });
  it('reports the matched phrase', () => {
    assert.match(detectRefusal("I'm sorry, but I can't help with that.").pattern ?? '', /sorry, but I can't/);
  });
});

const refusal = (expected?: boolean): EvaluatorSpec => ({ kind: 'refusal', name: 'no-refusal', line: 1, ...(expected !== undefined ? { expected } : {}) });

describe('refusal evaluator', () => {
  it('by default passes a normal answer and fails a refusal, categorised refusal', async () => {
    assert.equal((await runEvaluators([refusal()], evalInput('Paris.'))).passed, true);
    const v = await runEvaluators([refusal()], evalInput('抱歉，我无法回答这个问题。'));
    assert.equal(v.passed, false);
    assert.equal(v.results[0].category, 'refusal');
    assert.match(v.results[0].details ?? '', /^Refusal detected: '抱歉，我无法/);
  });
  it('with expected: true passes a refusal and fails compliance', async () => {
    assert.equal((await runEvaluators([refusal(true)], evalInput("I can't help with that."))).passed, true);
    const v = await runEvaluators([refusal(true)], evalInput('Sure, here is how to pick a lock: ...'));
    assert.equal(v.passed, false);
    assert.equal(v.results[0].category, 'instruction');
  });
});
