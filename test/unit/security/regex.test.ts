// Attack: a `regex` evaluator that backtracks catastrophically (`^(a+)+$`) on a long reply. Before, the match ran
// on the main thread and the process (the editor's extension host) froze for as long as it took — minutes to
// years. Now it runs in a worker under a time limit: the evaluation fails with the reason, the main thread keeps
// running meanwhile, and the next evaluations of the same pattern fail at once.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { evaluateRegex } from '../../../src/core/evaluators/regex';
import type { EvaluatorSpec } from '../../../src/core/prompt/spec';
import { evalInput } from '../evaluators/evalInput';

type RegexSpec = Extract<EvaluatorSpec, { kind: 'regex' }>;
const spec = (pattern: string, flags?: string): RegexSpec => ({ kind: 'regex', name: 're', line: 1, pattern, ...(flags ? { flags } : {}) });

test('attack: ^(a+)+$ on a long reply is stopped, the main thread keeps running, and the pattern is not run again', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 20);
  try {
    const reply = `${'a'.repeat(40)}!`;
    const first = await evaluateRegex(spec('^(a+)+$'), evalInput(reply));
    assert.equal(first.passed, false);
    assert.match(first.details ?? '', /took longer than 1 s on this reply and was stopped: the pattern backtracks catastrophically/);
    assert.ok(ticks > 0, 'timers fired on the main thread while the match ran');
    const second = await evaluateRegex(spec('^(a+)+$'), evalInput(reply));
    assert.match(second.details ?? '', /took longer than 1 s on this reply/);
    const third = await evaluateRegex(spec('^(a+)+$'), evalInput(reply));
    assert.match(third.details ?? '', /was not run: it took longer than 1 s on earlier replies/);
  } finally {
    clearInterval(timer);
  }
});

test('the worker gives JavaScript results: matches, flags, no match, and an invalid pattern with the compiler message', async () => {
  const hit = await evaluateRegex(spec('(\\d{3})-\\d{4}'), evalInput('Call 555-1234 today'));
  assert.deepEqual([hit.passed, hit.details], [true, "Matched /(\\d{3})-\\d{4}/: '555-1234'"]);
  assert.equal((await evaluateRegex(spec('^HELLO$', 'im'), evalInput('x\nhello'))).passed, true);
  assert.equal((await evaluateRegex(spec('(?<=a)b'), evalInput('ab'))).passed, true);
  assert.equal((await evaluateRegex(spec('^\\d+$'), evalInput('forty two'))).passed, false);
  assert.match((await evaluateRegex(spec('('), evalInput('x'))).details ?? '', /^Invalid regular expression \/\(\/: /);
  // a slow pattern of another file does not hold the others up for long: a fresh worker answers the next one
  const after = await evaluateRegex(spec('a$'), evalInput('banana'));
  assert.equal(after.passed, true);
});
