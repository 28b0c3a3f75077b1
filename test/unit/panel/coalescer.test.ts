import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Coalescer } from '../../../src/extension/panel/coalescer';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the first change after a quiet spell flushes at once; changes within the interval come in one later flush', async () => {
  let flushes = 0;
  const c = new Coalescer(() => flushes++, 60);
  c.mark();
  await sleep(5);
  assert.equal(flushes, 1, 'first change without waiting for the interval');
  for (let i = 0; i < 100; i++) c.mark();
  await sleep(5);
  assert.equal(flushes, 1, 'not before the interval is over');
  await sleep(90);
  assert.equal(flushes, 2, 'a hundred changes, one flush');
  await sleep(90);
  assert.equal(flushes, 2, 'nothing changed, nothing flushed');
  c.dispose();
});

test('flushNow sends what is pending at once; clear drops it', async () => {
  let flushes = 0;
  const c = new Coalescer(() => flushes++, 1000);
  c.mark();
  await sleep(5);
  c.mark();
  c.flushNow();
  assert.equal(flushes, 2);
  c.mark();
  c.clear();
  await sleep(20);
  c.flushNow();
  assert.equal(flushes, 2, 'cleared changes are not flushed');
  c.dispose();
});
