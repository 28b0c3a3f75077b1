import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { EventBatcher } from '../../../src/extension/panel/eventBatcher';

test('events pushed within one interval are delivered as one batch, in order', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const batches: number[][] = [];
    const b = new EventBatcher<number>((items) => batches.push(items), 75);
    for (let i = 0; i < 100; i++) b.push(i);
    assert.equal(batches.length, 0);
    mock.timers.tick(75);
    assert.equal(batches.length, 1);
    assert.deepEqual(batches[0], Array.from({ length: 100 }, (_, i) => i));
    b.push(100);
    mock.timers.tick(75);
    assert.deepEqual(batches[1], [100]);
  } finally {
    mock.timers.reset();
  }
});

test('flushNow delivers at once; clear drops queued events; empty flushes send nothing', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const batches: string[][] = [];
    const b = new EventBatcher<string>((items) => batches.push(items), 75);
    b.flushNow();
    assert.equal(batches.length, 0);
    b.push('a');
    b.flushNow();
    assert.deepEqual(batches, [['a']]);
    b.push('b');
    b.clear();
    mock.timers.tick(200);
    assert.deepEqual(batches, [['a']]);
    assert.equal(b.pending, 0);
  } finally {
    mock.timers.reset();
  }
});
