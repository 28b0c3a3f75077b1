// Reranking (retrieval.rerank): a wider first search, then the reranker's order, then topK; the LLM reranker
// is one call per query with every candidate, through the real client to the scripted server.

import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import OpenAI from 'openai';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { buildRetriever, effectiveRetrieval } from '../../../src/core/retrieval/retriever';
import { lexicalOrder, rerank, rerankPool } from '../../../src/core/retrieval/rerank';
import type { ChatMessage, RetrievalSpec } from '../../../src/core/prompt/spec';

let dir: string;
let server: ScriptedServer;
let client: OpenAI;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pl-rerank-'));
  mkdirSync(path.join(dir, 'docs'));
  // BM25 loves the rare terms repeated in a.md; only b.md says how long a refund takes (its terms are common)
  writeFileSync(path.join(dir, 'docs/a.md'), 'Card reach: reach the card team. Card, card, card: reach us about your card.');
  writeFileSync(path.join(dir, 'docs/b.md'), 'How long a refund can take: it is back on your card in 5 days.');
  writeFileSync(path.join(dir, 'docs/c.md'), 'Refund requests take long when the form is long.');
  writeFileSync(path.join(dir, 'docs/d.md'), 'A refund can take long: long queues, long forms, refund take refund.');
  writeFileSync(path.join(dir, 'docs/e.md'), 'Shipping can take long; a refund is separate.');
  server = await startScriptedServer({});
  client = new OpenAI({ baseURL: server.url, apiKey: 'test', maxRetries: 0 });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => server.resetStats());

const complete = async (messages: ChatMessage[]) => (await client.chat.completions.create({ model: 'judge', messages })).choices[0].message.content ?? '';
const spec = (over: Partial<RetrievalSpec> = {}): RetrievalSpec => ({
  documents: ['docs/*.md'],
  chunk: { size: 400, overlap: 0 },
  topK: 1,
  query: 'input',
  into: 'context',
  line: 1,
  ...over,
});
const QUESTION = 'How long does a refund take to reach my card?';

test('without rerank BM25 keeps the keyword-stuffed page; the lexical reranker picks the passage that covers the question', async () => {
  const plain = await (await buildRetriever(spec(), dir)).search(QUESTION);
  assert.equal(plain.chunks[0].source, 'docs/a.md');
  const reranked = await (await buildRetriever(spec({ rerank: 'lexical' }), dir)).search(QUESTION);
  assert.equal(reranked.chunks.length, 1, 'topK applies after reranking');
  assert.equal(reranked.chunks[0].source, 'docs/b.md');
  assert.equal(reranked.reranked, 'lexical');
  assert.equal(server.stats.chatRequests, 0, 'offline');
});

test('the LLM reranker makes one call per query with every candidate and follows its ranking; the answer is memoised', async () => {
  server.setRules([{ system: 'You rank passages', reply: '{"ranking":[2,1]}' }]);
  const r = await buildRetriever(spec({ rerank: 'llm' }), dir, { complete });
  const res = await r.search(QUESTION);
  assert.equal(res.reranked, 'llm');
  assert.equal(server.stats.chatRequests, 1);
  const body = server.stats.bodies.at(-1) as { messages: { content: string }[] };
  assert.match(body.messages[1].content, /\[1\][\s\S]*\[2\]/, 'the candidates go in one batch');
  const secondListed = /\[2\] ([^\n]*)/.exec(body.messages[1].content)![1];
  assert.equal(res.chunks[0].text.replace(/\s+/g, ' ').trim(), secondListed, 'the judge ranked passage 2 first');
  await r.search(QUESTION);
  assert.equal(server.stats.chatRequests, 1, 'the same query is not reranked twice');
});

test('an unusable LLM reply falls back to the lexical order, and says so', async () => {
  server.setRules([{ system: 'You rank passages', reply: 'passage two looks best' }]);
  const res = await (await buildRetriever(spec({ rerank: 'llm' }), dir, { complete })).search(QUESTION);
  assert.equal(res.reranked, 'lexical');
  assert.equal(res.chunks[0].source, 'docs/b.md');
});

test('rerank helpers: pool size, partial rankings completed, lexical ties keep the search order', async () => {
  assert.equal(rerankPool(2), 10);
  assert.equal(rerankPool(5), 15);
  const out = await rerank('q', ['a', 'b', 'c'], 'llm', async () => '{"ranking":[3,3,9]}');
  assert.deepEqual(out.order, [2, 0, 1]);
  assert.deepEqual(lexicalOrder('nothing matches', ['x', 'y']), [0, 1]);
});

test('a variant override changes only the fields it names', () => {
  const base = spec({ topK: 4, query: 'hyde' });
  assert.equal(effectiveRetrieval(base, true), base);
  const o = effectiveRetrieval(base, { chunk: { size: 200, overlap: 20 }, rerank: 'lexical' });
  assert.deepEqual(o.chunk, { size: 200, overlap: 20 });
  assert.equal(o.rerank, 'lexical');
  assert.equal(o.topK, 4);
  assert.equal(o.query, 'hyde');
});
