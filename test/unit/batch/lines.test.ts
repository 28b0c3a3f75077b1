// Batch input lines and output files as pure functions: splitting by model and at the byte limit, the input
// hash, custom_id ↔ cache key, and output lines read back in any order with located problems.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { customIdOf, inputHashOf, keyOfCustomId, splitLines, type BatchLine } from '../../../src/core/batch/lines';
import { emptyResults, readBatchFile } from '../../../src/core/batch/output';
import type { ChatCall } from '../../../src/core/providers/executor';

const key = (i: number) => i.toString(16).padStart(64, '0');

function line(i: number, model: string, size = 10): BatchLine {
  const customId = `c${i}.v0.r0.p.${key(i)}`;
  return { customId, key: key(i), endpointKey: 'openai:x', modelRef: `openai/${model}`, model, text: JSON.stringify({ custom_id: customId, pad: 'x'.repeat(size) }) };
}

test('parts take one model each and stay under the byte limit; the split and the hash do not depend on order', () => {
  const lines = [...Array.from({ length: 10 }, (_, i) => line(i, 'a', 100)), ...Array.from({ length: 3 }, (_, i) => line(100 + i, 'b', 100))];
  const size = Buffer.byteLength(lines[0].text) + 1;
  const parts = splitLines(lines, { maxRequests: 1000, maxBytes: size * 4 });
  assert.deepEqual(parts.map((p) => [p.model, p.lines.length]), [['a', 4], ['a', 4], ['a', 2], ['b', 3]]);
  assert.ok(parts.every((p) => p.bytes <= size * 4));
  const shuffled = [...lines].reverse();
  assert.deepEqual(splitLines(shuffled, { maxRequests: 1000, maxBytes: size * 4 }).map((p) => p.inputHash), parts.map((p) => p.inputHash));
  assert.equal(inputHashOf(shuffled), inputHashOf(lines));
  assert.notEqual(inputHashOf(lines.slice(1)), inputHashOf(lines));
  assert.throws(() => splitLines([line(1, 'a', 500)], { maxRequests: 10, maxBytes: 100 }), /above the Batch API's file limit/);
});

test('custom_id names case, variant, repeat and purpose, and carries the cache key back', () => {
  const call = { key: key(7), repeat: 2, origin: { caseIndex: 12, variant: 'few', repeat: 2, purpose: 'evaluator' } } as unknown as ChatCall;
  const id = customIdOf(call, 3);
  assert.equal(id, `c12.v3.r2.e.${key(7)}`);
  assert.equal(keyOfCustomId(id), key(7));
  assert.equal(keyOfCustomId('request-1'), undefined);
  const shared = { key: key(8), repeat: 0, origin: { purpose: 'evaluator' } } as unknown as ChatCall;
  assert.equal(customIdOf(shared, undefined), `run.e.${key(8)}`);
});

test('output lines in any order: answers, HTTP failures, error objects, and located unreadable lines', () => {
  const ok = (i: number, text: string) =>
    JSON.stringify({ custom_id: `c${i}.v0.r0.p.${key(i)}`, response: { status_code: 200, body: { model: 'm', choices: [{ message: { content: text } }], usage: { prompt_tokens: 3, completion_tokens: 1 } } }, error: null });
  const text = [
    ok(2, 'two'),
    '{"custom_id": broken',
    JSON.stringify({ custom_id: `c1.v0.r0.p.${key(1)}`, response: { status_code: 429, body: { error: { message: 'Too many tokens' } } }, error: null }),
    ok(0, 'zero'),
    ok(4, 'judged').replace(`c4.v0.r0.p.`, `c4.v0.r0.e.`),
    JSON.stringify({ custom_id: `c3.v0.r0.p.${key(3)}`, response: null, error: { code: 'batch_expired', message: 'not run in time' } }),
    JSON.stringify({ custom_id: 'someone-else', response: null, error: null }),
    '',
  ].join('\n');
  const r = emptyResults();
  const billed = readBatchFile(text, { batchId: 'b1', fileId: 'f1', label: 'OpenAI' }, r);
  // what the provider bills for the file: the answered lines only, the prompt's and the evaluators' apart
  assert.deepEqual(billed, { case: { answered: 2, usage: { prompt: 6, completion: 2 } }, evaluator: { answered: 1, usage: { prompt: 3, completion: 1 } } });
  assert.equal(r.answers.get(key(0))?.text, 'zero');
  assert.deepEqual(r.answers.get(key(2))?.usage, { prompt: 3, completion: 1 });
  assert.equal(r.failures.get(key(1)), 'OpenAI: batch b1: HTTP 429 Too many tokens');
  assert.equal(r.failures.get(key(3)), 'OpenAI: batch b1: batch_expired: not run in time');
  assert.deepEqual(r.problems, ['batch b1, file f1, line 2: not valid JSON; the request behind it counts as failed', 'batch b1, file f1, line 7: unknown custom_id "someone-else"']);
});
