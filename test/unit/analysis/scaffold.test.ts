import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { addChainOfThoughtScaffold, addFewShotVariantsScaffold, addRetrievalScaffold } from '../../../src/core/analysis/scaffold';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { tempWorkspace } from '../engine/helpers';

const BASE = `name: Support # keep this comment
model: openai/gpt-4o-mini
messages:
  - role: user
    content: "{{question}}"
testData:
  - question: How long do refunds take?
`;

test('Add retrieval scaffolds the section and a RAG variant beside a default column, keeping comments, and the file still loads', async () => {
  const r = addRetrievalScaffold(BASE);
  assert.ok(r.changed);
  assert.match(r.text, /# keep this comment/);
  const y = parse(r.text);
  assert.deepEqual(y.retrieval, { documents: './docs/**/*.md', chunk: { size: 800, overlap: 100 }, topK: 4, query: 'input', into: 'context' });
  assert.deepEqual(y.variants.map((v: { name: string }) => v.name), ['default', 'rag']);
  assert.equal(y.variants[1].retrieval, true);
  assert.match(y.variants[1].systemSuffix, /\{\{context\}\}/, 'the prompt does not read {{context}}, so the variant adds it');
  assert.ok(r.notes.some((n) => /\.\/docs\//.test(n)));
  const ws = tempWorkspace();
  try {
    const spec = await loadPromptFile(ws.write('s.prompt.yml', r.text));
    assert.equal(spec.retrieval?.topK, 4);
    assert.equal(spec.variants.find((v) => v.name === 'rag')?.retrieval, true);
  } finally {
    ws.dispose();
  }
  const again = addRetrievalScaffold(r.text);
  assert.equal(again.changed, false, 'running it twice changes nothing');
});

test('few-shot and chain-of-thought variants are appended with unique names; prompty front matter is edited in place', () => {
  const fs = addFewShotVariantsScaffold(BASE, [0, 3]);
  assert.deepEqual(parse(fs.text).variants.map((v: { name: string }) => v.name), ['default', '3-shot']);
  const cot = addChainOfThoughtScaffold(addChainOfThoughtScaffold(BASE).text);
  assert.deepEqual(parse(cot.text).variants.map((v: { name: string }) => v.name), ['default', 'chain-of-thought', 'chain-of-thought-2']);
  const prompty = `---\nname: P\nmodel:\n  api: chat\n---\nsystem:\nBe brief.\n\nuser:\n{{question}}\n`;
  const out = addRetrievalScaffold(prompty);
  assert.ok(out.text.startsWith('---\nname: P\n'));
  assert.ok(out.text.endsWith('---\nsystem:\nBe brief.\n\nuser:\n{{question}}\n'));
  assert.match(out.text, /retrieval:\n {2}documents/);
});

test('a file that does not parse is left alone with a note', () => {
  const r = addRetrievalScaffold('name: [unclosed');
  assert.equal(r.changed, false);
  assert.match(r.notes[0], /does not parse/);
});
