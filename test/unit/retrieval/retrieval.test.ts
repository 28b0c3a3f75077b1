import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import OpenAI from 'openai';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { chunkText } from '../../../src/core/retrieval/chunk';
import { Bm25Index } from '../../../src/core/text/bm25';
import { expandGlob, globToRegExp } from '../../../src/core/retrieval/glob';
import { htmlToText, loadDocuments } from '../../../src/core/retrieval/documents';
import { buildRetriever, reciprocalRankFusion } from '../../../src/core/retrieval/retriever';
import type { ChatMessage, RetrievalSpec } from '../../../src/core/prompt/spec';

let dir: string;
let server: ScriptedServer;
let client: OpenAI;

const write = (rel: string, text: string) => {
  const f = path.join(dir, rel);
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, text);
};

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pl-retrieval-'));
  write('docs/shipping.md', '# Shipping\n\nOrders ship within 2 business days.\n\nInternational delivery takes 7 to 14 days.');
  write('docs/returns.md', '# Returns\n\nYou can return any item within 30 days for a full refund.\n\nRefunds reach your card in 5 days.');
  write('docs/nested/warranty.txt', 'The warranty covers manufacturing defects for two years.');
  write('docs/page.html', '<html><head><style>p{}</style></head><body><h1>Loyalty</h1><p>Members earn 3 points per euro &amp; get free gifts.</p><script>alert(1)</script></body></html>');
  write('docs/image.png', 'not text');
  write('docs/.hidden/secret.md', 'hidden');
  server = await startScriptedServer({});
  client = new OpenAI({ baseURL: server.url, apiKey: 'test', maxRetries: 0 });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const complete = async (messages: ChatMessage[]) => (await client.chat.completions.create({ model: 'm', messages })).choices[0].message.content ?? '';
const embed = async (texts: string[]) => (await client.embeddings.create({ model: 'e', input: texts })).data.map((d) => d.embedding);

const spec = (over: Partial<RetrievalSpec> = {}): RetrievalSpec => ({
  documents: ['docs/**/*.{md,txt,html}'],
  chunk: { size: 200, overlap: 40 },
  topK: 2,
  query: 'input',
  into: 'context',
  line: 1,
  ...over,
});

test('globs: ** spans folders, {a,b} alternatives, hidden folders skipped', async () => {
  assert.ok(globToRegExp('docs/**/*.md').test('docs/a.md'));
  assert.ok(globToRegExp('docs/**/*.md').test('docs/x/y/a.md'));
  assert.ok(!globToRegExp('docs/*.md').test('docs/x/a.md'));
  const files = (await expandGlob('docs/**/*.{md,txt}', dir)).map((f) => path.relative(dir, f).split(path.sep).join('/'));
  assert.deepEqual(files, ['docs/nested/warranty.txt', 'docs/returns.md', 'docs/shipping.md']);
  assert.deepEqual(await expandGlob('./docs/returns.md', dir), [path.join(dir, 'docs/returns.md')]);
});

test('documents: HTML loses its tags, scripts and styles; unsupported files are reported, not read', async () => {
  assert.equal(htmlToText('<p>a &amp; b</p><script>x()</script><p>c&#39;d</p>'), "a & b\n\nc'd");
  const { documents, skipped } = await loadDocuments(['docs/**/*'], dir);
  assert.deepEqual(documents.map((d) => d.source), ['docs/nested/warranty.txt', 'docs/page.html', 'docs/returns.md', 'docs/shipping.md']);
  const html = documents.find((d) => d.source === 'docs/page.html')!;
  assert.match(html.text, /Members earn 3 points per euro & get free gifts/);
  assert.doesNotMatch(html.text, /alert|p\{\}/);
  assert.deepEqual(skipped.map((s) => s.source), ['docs/image.png']);
});

test('chunking keeps chunks under the size, breaks on sentences, and overlaps', () => {
  const text = Array.from({ length: 30 }, (_, i) => `Sentence number ${i} says something useful.`).join(' ');
  const chunks = chunkText(text, { size: 200, overlap: 50 });
  assert.ok(chunks.length > 5);
  for (const c of chunks) {
    assert.ok(c.length <= 200, `chunk too long: ${c.length}`);
    assert.match(c, /\.$/, 'ends on a sentence boundary');
  }
  // each chunk starts with the last sentence of the previous one (overlap)
  const lastOfFirst = chunks[0].split(/(?<=\.)\s/).at(-1)!;
  assert.ok(chunks[1].startsWith(lastOfFirst));
  assert.deepEqual(chunkText('short text', { size: 200, overlap: 50 }), ['short text']);
  assert.deepEqual(chunkText('', { size: 200, overlap: 50 }), []);
});

test('BM25 ranks the document with the rare query term first', () => {
  const idx = new Bm25Index(['the cat sat on the mat', 'refund within 30 days', 'the dog and the cat']);
  const s = idx.scores('refund policy');
  assert.ok(s[1] > 0 && s[0] === 0 && s[2] === 0);
  const c = idx.scores('cat mat');
  assert.ok(c[0] > c[2]);
});

test('input mode: lexical search offline returns the matching chunk with its source', async () => {
  const r = await buildRetriever(spec(), dir);
  assert.equal(r.method, 'bm25');
  const res = await r.search('How long does a refund take?');
  assert.equal(res.chunks[0].source, 'docs/returns.md');
  assert.match(res.chunks[0].text, /refund/i);
  assert.ok(res.chunks.length <= 2);
  assert.deepEqual(res.queries, ['How long does a refund take?']);
});

test('hyde mode searches with the hypothetical answer the model writes', async () => {
  server.setRules([{ system: 'would answer the question', reply: 'The warranty covers defects for two years.' }]);
  const r = await buildRetriever(spec({ query: 'hyde' }), dir, { complete });
  const res = await r.search('Am I protected if it breaks?');
  assert.deepEqual(res.queries, ['The warranty covers defects for two years.']);
  assert.equal(res.chunks[0].source, 'docs/nested/warranty.txt');
  // without the hypothetical answer the question finds nothing
  const plain = await (await buildRetriever(spec(), dir)).search('Am I protected if it breaks?');
  assert.equal(plain.chunks.length, 0);
});

test('expand mode searches every generated query and merges them with reciprocal rank fusion', async () => {
  server.setRules([{ system: 'search queries', reply: '{"queries":["loyalty points per euro","international delivery time"]}' }]);
  const r = await buildRetriever(spec({ query: 'expand', topK: 3 }), dir, { complete });
  const res = await r.search('perks?');
  assert.deepEqual(res.queries, ['perks?', 'loyalty points per euro', 'international delivery time']);
  const sources = res.chunks.map((c) => c.source);
  assert.ok(sources.includes('docs/page.html'));
  assert.ok(sources.includes('docs/shipping.md'));
  const fused = reciprocalRankFusion([[1, 2], [2, 3]]);
  assert.equal(fused[0].index, 2, 'an item ranked in both lists wins');
});

test('with an embed function chunks are embedded once and cached on disk', async () => {
  const cacheDir = path.join(dir, '.cache');
  server.resetStats();
  const r1 = await buildRetriever(spec(), dir, { embed, cacheDir });
  assert.equal(r1.method, 'embeddings');
  const res = await r1.search('return item refund days');
  assert.equal(res.chunks[0].source, 'docs/returns.md');
  const first = server.stats.embeddingRequests;
  assert.ok(first >= 2, 'chunks and the query were embedded');
  server.resetStats();
  const r2 = await buildRetriever(spec(), dir, { embed, cacheDir });
  await r2.search('return item refund days');
  assert.equal(server.stats.embeddingRequests, 0, 'second build is served from the cache');
});


test('PDF and DOCX are read through their optional packages, or reported with the package to install', async () => {
  const fixtures = path.join(__dirname, 'fixtures');
  const { documents, skipped } = await loadDocuments(['*.pdf', '*.docx'], fixtures);
  const pdf = documents.find((d) => d.source === 'warranty.pdf');
  assert.equal(pdf?.text.trim(), 'Hello warranty two years', 'unpdf is a dependency: PDFs are read');
  const docx = documents.find((d) => d.source === 'returns.docx');
  assert.equal(docx?.text.trim(), 'Returns within 30 days.', 'mammoth is a dependency: DOCX files are read');
  assert.ok(!skipped.some((s) => s.source === 'warranty.pdf' || s.source === 'returns.docx'));
});

test('a documents glob that matches nothing readable is reported with its line, not searched silently', async () => {
  await assert.rejects(buildRetriever(spec({ documents: ['nothing/**/*.md'], line: 12 }), dir), /retrieval\.documents \(line 12\) matched no readable documents: nothing\/\*\*\/\*\.md/);
  await assert.rejects(buildRetriever(spec({ documents: ['docs/*.png'] }), dir), /skipped docs\/image\.png \(unsupported file type '\.png'\)/);
});
