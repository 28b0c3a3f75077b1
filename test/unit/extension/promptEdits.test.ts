import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { addExamples, addFewShotVariants, addRetrievalScaffold, addTestCase, addVariant, EditError, hasExamples, templateVariables } from '../../../src/extension/editing/promptEdits';

const BASE = `# top comment
name: Demo # trailing comment
messages:
  - role: user
    content: "{{question}}"
examples:
  - input: a
    output: b
  - input: c
    output: d
  - input: e
    output: f
`;

test('adds the 0/1/3-shot variants a 3-example pool can fill, keeping comments', () => {
  const { text, added } = addFewShotVariants(BASE);
  assert.deepEqual(added, ['zero-shot', '1-shot', '3-shot']);
  assert.match(text, /^# top comment\nname: Demo # trailing comment\n/);
  assert.match(text, /variants:\n {2}- name: zero-shot\n {4}shots: 0\n {2}- name: 1-shot\n {4}shots: 1\n {2}- name: 3-shot\n {4}shots: 3\n/);
});

test('does not add a variant whose name or shot count already exists', () => {
  const withVariants = `${BASE}variants:\n  - name: baseline # mine\n    shots: 0\n  - name: 1-shot\n    shots: 1\n`;
  const { text, added } = addFewShotVariants(withVariants);
  assert.deepEqual(added, ['3-shot']);
  assert.match(text, /- name: baseline # mine/);
});

test('a pool from a file allows every count', () => {
  const { added } = addFewShotVariants('name: X\nexamples: ./ex.jsonl\n');
  assert.deepEqual(added, ['zero-shot', '1-shot', '3-shot', '5-shot']);
});

test('refuses without an examples pool', () => {
  assert.throws(() => addFewShotVariants('name: X\n'), EditError);
  assert.equal(hasExamples('name: X\n'), false);
  assert.equal(hasExamples(BASE), true);
});

test('edits the front matter of a .prompty file and leaves the body alone', () => {
  const prompty = `---\nname: P\nexamples:\n  - input: a\n    output: b\n---\nsystem:\nYou help.\n\nuser:\n{{question}}\n`;
  const { text, added } = addFewShotVariants(prompty, { prompty: true });
  assert.deepEqual(added, ['zero-shot', '1-shot']);
  assert.ok(text.startsWith('---\nname: P\n'));
  assert.ok(text.endsWith('---\nsystem:\nYou help.\n\nuser:\n{{question}}\n'));
});

test('appends a test case to testData, creating the list when absent', () => {
  const once = addTestCase(BASE, { question: 'Where is my order?' });
  assert.match(once, /testData:\n {2}- question: Where is my order\?\n$/);
  const twice = addTestCase(once, { question: 'a: b' });
  assert.match(twice, /- question: Where is my order\?\n {2}- question: "a: b"\n$/);
});

test('adds examples to an inline pool and refuses a pool that is a file', () => {
  const text = addExamples('name: X\n', [{ input: 'hi', output: '{"a":1}' }]);
  assert.match(text, /examples:\n {2}- input: hi\n {4}output: '\{"a":1\}'\n/);
  assert.throws(() => addExamples('examples: ./x.jsonl\n', [{ input: 'a', output: 'b' }]), EditError);
});

test('lists template variables in order, without completion', () => {
  assert.deepEqual(templateVariables('{{ a }} and {{b.c}} then {{a}} {{completion}}'), ['a', 'b']);
});

test('adds a retrieval block and a rag variant that puts {{context}} into the system message', () => {
  const text = addRetrievalScaffold(`${BASE}variants:\n  - name: zero-shot\n`);
  assert.match(text, /retrieval:\n {2}documents: \.\/docs\/\*\*\/\*\.md\n {2}chunk:\n {4}size: 800\n {4}overlap: 100\n {2}topK: 4\n {2}query: input\n {2}into: context\n/);
  assert.match(text, /- name: rag\n {4}retrieval: true\n {4}systemSuffix:/);
  assert.ok(text.includes('{{context}}'));
  assert.throws(() => addRetrievalScaffold(text), /already has a `retrieval` block/);
});

test('adds a named variant, keeps a baseline when the file had none, refuses duplicates', () => {
  const text = addVariant('name: X\n', { name: 'chain-of-thought', chainOfThought: true });
  assert.match(text, /variants:\n {2}- name: baseline\n {2}- name: chain-of-thought\n {4}chainOfThought: true/);
  assert.throws(() => addVariant(text, { name: 'chain-of-thought' }), /already a variant named "chain-of-thought"/);
});
