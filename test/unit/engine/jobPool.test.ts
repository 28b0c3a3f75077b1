import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobPool } from '../../../src/core/jobPool';

test('JobPool runs at most capacity() jobs at once, reading the capacity before each start', async () => {
  let cap = 2;
  const pool = new JobPool<number>(() => cap);
  let running = 0;
  let peak = 0;
  const seen: number[] = [];
  await pool.drain(
    [1, 2, 3, 4, 5, 6, 7, 8][Symbol.iterator](),
    async (n) => {
      running++;
      peak = Math.max(peak, running);
      if (n === 3) cap = 4;
      await new Promise((r) => setTimeout(r, 5));
      seen.push(n);
      running--;
    },
    () => false,
  );
  assert.deepEqual([...seen].sort(), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(peak, 4);
  assert.equal(pool.running, 0);
});

test('JobPool starts no job after stop() and waits for the ones running; a rejected job only frees its slot', async () => {
  const pool = new JobPool<number>(() => 3);
  let stop = false;
  const started: number[] = [];
  let finished = 0;
  await pool.drain(
    Array.from({ length: 100 }, (_, i) => i)[Symbol.iterator](),
    async (n) => {
      started.push(n);
      await new Promise((r) => setTimeout(r, 2));
      finished++;
      if (n === 4) stop = true;
      if (n % 2) throw new Error('job failed');
    },
    () => stop,
  );
  assert.ok(started.length < 10, `started ${started.length}`);
  assert.equal(finished, started.length);
});
