import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { renderExampleUser, renderMessages } from '../../../src/core/render/messages';
import { kase, spec, variant } from './specs';

const chat = spec(
  [
    { role: 'system', content: 'You classify {{domain}} tickets.' },
    { role: 'user', content: 'Warm-up' },
    { role: 'assistant', content: 'Ready.' },
    { role: 'user', content: 'Ticket: {{message}}' },
  ],
  [
    { input: 'Where is my parcel?', output: 'delivery' },
    { input: { message: 'Refund me' }, output: 'billing' },
  ],
);

test('case variables fill every message; extraVars override them', () => {
  const out = renderMessages(chat, variant(), kase({ domain: 'support', message: 'Hi' }), [], { domain: 'retail' });
  assert.deepEqual(out, [
    { role: 'system', content: 'You classify retail tickets.' },
    { role: 'user', content: 'Warm-up' },
    { role: 'assistant', content: 'Ready.' },
    { role: 'user', content: 'Ticket: Hi' },
  ]);
});

test('few-shot pairs go immediately before the final user message, in the given order', () => {
  const out = renderMessages(chat, variant(), kase({ domain: 'support', message: 'Hi' }), chat.examples);
  assert.deepEqual(
    out.map((m) => `${m.role}: ${m.content}`),
    [
      'system: You classify support tickets.',
      'user: Warm-up',
      'assistant: Ready.',
      'user: Ticket: Where is my parcel?',
      'assistant: delivery',
      'user: Ticket: Refund me',
      'assistant: billing',
      'user: Ticket: Hi',
    ],
  );
});

test('example user text: a string fills a one-variable template, is verbatim otherwise; a map renders the template', () => {
  assert.equal(renderExampleUser(chat, chat.examples[0]), 'Ticket: Where is my parcel?');
  assert.equal(renderExampleUser(chat, chat.examples[1]), 'Ticket: Refund me');
  const two = spec([{ role: 'user', content: '{{a}} and {{b}}' }]);
  assert.equal(renderExampleUser(two, { input: 'free text', output: 'x', file: 'f', line: 1 }), 'free text');
  assert.equal(renderExampleUser(two, { input: { a: 1, b: 2 }, output: 'x', file: 'f', line: 1 }), '1 and 2');
});

test('variant.system replaces the system text; systemSuffix is appended; both templated', () => {
  const c = kase({ domain: 'support', message: 'Hi' });
  assert.equal(renderMessages(chat, variant({ system: 'Be terse about {{domain}}.' }), c, [])[0].content, 'Be terse about support.');
  assert.equal(renderMessages(chat, variant({ systemSuffix: 'Think step by step.' }), c, [])[0].content, 'You classify support tickets.\n\nThink step by step.');
  assert.equal(renderMessages(chat, variant({ system: 'A', systemSuffix: 'B' }), c, [])[0].content, 'A\n\nB');
});

test('a system message is inserted when the prompt has none', () => {
  const noSys = spec([{ role: 'user', content: '{{q}}' }]);
  assert.deepEqual(renderMessages(noSys, variant({ systemSuffix: 'Be brief.' }), kase({ q: 'x' }), []), [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'x' },
  ]);
  assert.deepEqual(renderMessages(noSys, variant(), kase({ q: 'x' }), [])[0], { role: 'user', content: 'x' });
});
