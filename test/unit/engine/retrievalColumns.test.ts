// Retrieval settings per column: a chunk-size sweep and a reranked column side by side in one run, through the
// engine against the scripted server (the reranker's call goes through the judge model).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { runEval } from '../../../src/core/engine';
import { resolverFor, useScriptedWorkspace } from '../../fixtures/workspace';

const scripted = useScriptedWorkspace({});

const FILE = `name: Sweep
model: openai/test-model
messages:
  - role: system
    content: "Answer from the context. CONTEXT: {{context}}"
  - role: user
    content: "Which colour is product {{p}}?"
testData:
  - { p: P1, colour: red }
  - { p: P2, colour: blue }
retrieval:
  documents: ./docs/*.md
  chunk: { size: 400, overlap: 0 }
  topK: 1
variants:
  - { name: rag, retrieval: true }
  - { name: rag-chunk-40, retrieval: { chunk: { size: 40, overlap: 0 } } }
  - { name: rag-rerank, retrieval: { rerank: llm, topK: 1 } }
evaluators:
  - name: colour
    string: { contains: "{{colour}}" }
`;

test('variants override chunk size and reranking: each column retrieves with its own settings', async () => {
  scripted.write('docs/products.md', 'Product P1 is red. Product P2 is blue. Product P3 is green. Product P4 is black. Product P5 is white.');
  scripted.write('docs/other.md', 'Shipping takes two days for every product.');
  scripted.server.setRules([
    { system: 'You rank passages', reply: '{"ranking":[2,1]}' },
    { anyMessage: 'Product (P\\d) is (\\w+)', user: 'product (P\\d)', reply: 'See the context.' },
    { reply: 'I do not know.' },
  ]);
  const spec = await loadPromptFile(scripted.write('sweep.prompt.yml', FILE));
  assert.deepEqual(spec.variants[1].retrieval, { chunk: { size: 40, overlap: 0 } });
  const { record } = await runEval(spec, { providers: resolverFor(scripted.server.url), root: scripted.root, write: false, cache: false });
  assert.deepEqual(record.variants.map((v) => [v.name, v.retrieval]), [['rag', true], ['rag-chunk-40', true], ['rag-rerank', true]]);
  const ctx = (variant: string) => record.cases[0].results.find((r) => r.variant === variant)!.context!;
  assert.ok(ctx('rag')[0].length > 60, 'the prompt-level chunk: the whole products file');
  assert.ok(ctx('rag-chunk-40')[0].length <= 40, 'the column’s own smaller chunks');
  const rankCalls = scripted.server.stats.bodies.filter((b) => JSON.stringify(b).includes('You rank passages'));
  assert.equal(rankCalls.length, 2, 'one rerank call per query (two cases), only for the reranked column');
  assert.equal(ctx('rag-rerank').length, 1, 'topK after reranking');
  assert.match(ctx('rag-rerank')[0], /^Shipping/, 'the judge ranked the second candidate first, and topK kept it');
  assert.match(ctx('rag')[0], /^Product P1/, 'without reranking the search order stands');
});

test('a variant override with overlap not below its chunk size is reported at its line', async () => {
  const bad = FILE.replace('{ chunk: { size: 40, overlap: 0 } }', '{ chunk: { size: 40, overlap: 40 } }');
  await assert.rejects(loadPromptFile(scripted.write('bad.prompt.yml', bad)), /bad\.prompt\.yml:\d+:\d+: variants\[1\]\.retrieval\.chunk\.overlap: must be smaller than chunk\.size \(40\)/);
});
