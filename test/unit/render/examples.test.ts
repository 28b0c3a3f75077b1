import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { bm25Scores, selectExamples } from '../../../src/core/render/examples';
import { kase, spec, variant } from './specs';

const pool = spec(
  [
    { role: 'system', content: 'Classify.' },
    { role: 'user', content: '{{message}}' },
  ],
  [
    { input: 'Where is my parcel? It never arrived', output: 'delivery' },
    { input: 'I was charged twice on my card', output: 'billing' },
    { input: 'The app crashes when I open settings', output: 'bug' },
    { input: 'How do I reset my password', output: 'account' },
    { input: 'My parcel arrived damaged', output: 'delivery' },
    { input: 'Refund my card payment please', output: 'billing' },
  ],
);
const outs = (xs: { output: string; input: unknown }[]): unknown[] => xs.map((x) => x.input);

test('shots 0 (the default) selects nothing', async () => {
  assert.deepEqual(await selectExamples(pool, variant(), kase({ message: 'x' })), []);
});

test('first: the first N of the pool in pool order; a small pool gives what there is', async () => {
  const got = await selectExamples(pool, variant({ shots: 2 }), kase({ message: 'Hello' }));
  assert.deepEqual(outs(got), [pool.examples[0].input, pool.examples[1].input]);
  assert.equal((await selectExamples(pool, variant({ shots: 50 }), kase({ message: 'Hello' }))).length, 6);
});

test('a case is never its own example (same rendered user text, whitespace/case-insensitive, or same input map)', async () => {
  const own = kase({ message: '  where is my PARCEL?   it never arrived ' });
  const got = await selectExamples(pool, variant({ shots: 2 }), own);
  assert.deepEqual(outs(got), [pool.examples[1].input, pool.examples[2].input]);
  const mapPool = spec([{ role: 'user', content: 'Q: {{q}} ({{lang}})' }], [
    { input: { q: 'a', lang: 'en' }, output: '1' },
    { input: { q: 'b', lang: 'en' }, output: '2' },
  ]);
  assert.deepEqual(outs(await selectExamples(mapPool, variant({ shots: 5 }), kase({ q: 'a', lang: 'en' }))), [{ q: 'b', lang: 'en' }]);
});

test('random: reproducible for the same variant and case, differs across cases, honours seed', async () => {
  const v = variant({ name: 'rnd', shots: 3, select: 'random' });
  const a1 = await selectExamples(pool, v, kase({ message: 'q' }, 0));
  const a2 = await selectExamples(pool, v, kase({ message: 'q' }, 0));
  assert.deepEqual(a1, a2);
  assert.equal(a1.length, 3);
  const picks = new Set<string>();
  for (let i = 0; i < 12; i++) picks.add(JSON.stringify(outs(await selectExamples(pool, v, kase({ message: 'q' }, i)))));
  assert.ok(picks.size > 1, 'different cases should get different picks');
  const s1 = [];
  const s2 = [];
  for (let i = 0; i < 6; i++) {
    s1.push(outs(await selectExamples(pool, { ...v, seed: 1 }, kase({ message: 'q' }, i))));
    s2.push(outs(await selectExamples(pool, { ...v, seed: 2 }, kase({ message: 'q' }, i))));
  }
  assert.notDeepEqual(s1, s2);
  // picks keep pool order
  const idx = a1.map((e) => pool.examples.indexOf(e));
  assert.deepEqual(idx, [...idx].sort((x, y) => x - y));
});

test('similar (lexical): nearest examples by BM25, the most similar last', async () => {
  const got = await selectExamples(pool, variant({ shots: 2, select: 'similar' }), kase({ message: 'my parcel never arrived, where is it' }));
  assert.deepEqual(outs(got), ['My parcel arrived damaged', 'Where is my parcel? It never arrived']);
  const billing = await selectExamples(pool, variant({ shots: 1, select: 'similar' }), kase({ message: 'charged my card twice' }));
  assert.deepEqual(outs(billing), ['I was charged twice on my card']);
});

test('similar with embeddings: cosine over the vectors the embed function returns', async () => {
  // One dimension per example; the query points at example 3 ("crashes") then 4 ("password").
  const embed = async (texts: string[]): Promise<number[][]> =>
    texts.map((t, i) => (i === 0 ? [0, 0, 0.2, 1, 0.5, 0, 0] : [0, 0, 0, 0, 0, 0, 0].map((_, d) => (d === i ? 1 : 0))));
  const got = await selectExamples(pool, variant({ shots: 2, select: 'similar' }), kase({ message: 'zzz' }), { embed });
  assert.deepEqual(outs(got), ['How do I reset my password', 'The app crashes when I open settings']);
});

test('bm25Scores ranks documents sharing rare query terms higher', () => {
  const s = bm25Scores('red apple', ['green apple', 'red apple pie', 'blue sky']);
  assert.ok(s[1] > s[0] && s[0] > s[2]);
  assert.equal(s[2], 0);
});
