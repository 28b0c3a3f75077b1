// Appending generated cases as insertions of whole lines: every existing byte stays where it was, whatever the
// layout (prompty front matter, CRLF, an empty `testData:`, a list at column 0), and layouts that cannot take an
// append without rewriting a line are refused.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { applyInsertions, casesInsertion, checkTarget, type EvalSetTarget } from '../../../src/core/generate/target';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { GenerationError } from '../../../src/core/generate/client';

const ROWS = [{ message: 'a: b', tags: ['generated', 'rule:1'], rule: 'Say "hi".' }, { message: 'multi\nline', tags: ['generated', 'edge-case'] }];

function inline(text: string, prompty = false): EvalSetTarget {
  return { file: prompty ? '/p/x.prompty' : '/p/x.prompt.yml', format: 'inline', exists: true, text, prompty, reason: 'inline' };
}

async function appended(text: string, prompty = false): Promise<string> {
  const t = inline(text, prompty);
  const out = applyInsertions(text, [casesInsertion(t, ROWS)]);
  const spec = await loadPromptFile(t.file, { text: out });
  const generated = spec.cases.filter((c) => c.tags?.includes('generated'));
  assert.deepEqual(generated.map((c) => c.vars.message), ['a: b', 'multi\nline']);
  assert.equal(generated[0].vars.rule, 'Say "hi".');
  return out;
}

const YML = 'name: x\nmodel: openai/m\nmessages:\n  - role: user\n    content: "{{message}}"\n';

test('.prompty: items go into the front matter testData, the body untouched', async () => {
  const text = '---\nname: x\ntestData:\n  - message: old\n---\nuser:\n{{message}}\n';
  const out = await appended(text, true);
  assert.ok(out.startsWith('---\nname: x\ntestData:\n  - message: old\n  - message: "a: b"\n'));
  assert.ok(out.endsWith('---\nuser:\n{{message}}\n'));
});

test('CRLF files get CRLF lines; the old lines are a byte-for-byte prefix', async () => {
  const text = (YML + 'testData:\n  - message: old\n').replace(/\n/g, '\r\n');
  const out = await appended(text);
  assert.ok(out.startsWith(text));
  assert.ok(!/[^\r]\n/.test(out), 'no bare LF');
});

test('an empty `testData:` key and a list at column 0 take the items in place', async () => {
  const empty = await appended(YML + 'testData:\nevaluators:\n  - name: j\n    json: {}\n');
  assert.match(empty, /testData:\n {2}- message: "a: b"\n[\s\S]*\nevaluators:\n/);
  const col0 = await appended(YML + 'testData:\n- message: old\nevaluators: []\n');
  assert.match(col0, /\n- message: old\n- message: "a: b"\n/);
});

test('layouts that cannot take an append without rewriting a line are refused', () => {
  assert.throws(() => checkTarget(inline(YML + 'testData: [{message: old}]\n'), ['message'], false, []), (e: unknown) => e instanceof GenerationError && /not a block list/.test(e.message));
  const flowYaml: EvalSetTarget = { file: '/p/c.yaml', format: 'yaml', exists: true, text: '[{message: a}]\n', prompty: false, reason: 'out' };
  assert.throws(() => checkTarget(flowYaml, ['message'], false, []), /only to a block list/);
});
