import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sha256Hex } from '../../../src/core/text/sha256';

test('sha256Hex gives the digest of the Hash object for any text (cache keys and checksums stay the same)', () => {
  const texts = ['', 'a', 'number 42', 'é ü 日本語 🙂', '\u0000\uffff', 'x'.repeat(1 << 20), JSON.stringify({ v: 1, endpoint: 'openai:https://api', repeat: 0 })];
  for (let i = 0; i < 200; i++) texts.push(String.fromCharCode(...Array.from({ length: i }, (_, j) => (j * 7919 + i) % 0xd7ff)));
  for (const t of texts) assert.equal(sha256Hex(t), createHash('sha256').update(t).digest('hex'));
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});
