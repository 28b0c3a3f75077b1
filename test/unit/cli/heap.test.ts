import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { heapGrowthFlag, HEAP_GROWING_PERCENT } from '../../../src/cli/heap';

test('the CLI bounds heap growth unless the user set their own flag or turned it off', () => {
  const ours = `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
  assert.equal(heapGrowthFlag([], {}), ours);
  assert.equal(heapGrowthFlag(['--enable-source-maps'], { NODE_OPTIONS: '--max-old-space-size=4096' }), ours);
  // the user's own value wins, whichever spelling and wherever they put it
  assert.equal(heapGrowthFlag(['--heap-growing-percent=300'], {}), undefined);
  assert.equal(heapGrowthFlag([], { NODE_OPTIONS: '--trace-gc --heap_growing_percent=20' }), undefined);
  assert.equal(heapGrowthFlag([], { PROMPT_LADDER_HEAP_GROWTH: 'default' }), undefined);
  assert.equal(heapGrowthFlag([], { PROMPT_LADDER_HEAP_GROWTH: ' OFF ' }), undefined);
  assert.equal(heapGrowthFlag([], { PROMPT_LADDER_HEAP_GROWTH: '' }), ours);
});
