import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { noCasesReason } from '../../../src/core/cases/noCases';

const FIX = path.resolve(__dirname, '../../fixtures/prompts');

test('a misspelt top-level key says which key it most likely is, at the key, with the replacement for a quick fix', async () => {
  const text = 'messages:\n  - role: user\n    content: "{{q}}"\ntestFlie: ./support.cases.jsonl\n';
  const s = await loadPromptFile(path.join(FIX, 'typo.prompt.yml'), { text });
  const p = s.problems.find((x) => /testFlie/.test(x.message));
  assert.ok(p, JSON.stringify(s.problems));
  assert.equal(p.message, 'unknown key "testFlie"; did you mean "testFile"? (ignored)');
  assert.equal(p.severity, 'warning');
  assert.deepEqual([p.line, p.col, p.endLine, p.endCol], [4, 1, 4, 9], 'the range is the key itself');
  assert.equal(p.replacement, 'testFile');
  assert.equal(s.cases.length, 0);
  assert.equal(
    noCasesReason(s),
    'typo.prompt.yml has no cases to run: it has no testData, no testFile and no sibling eval set (NAME.cases.jsonl). ' +
      'Likely why — typo.prompt.yml:4: unknown key "testFlie"; did you mean "testFile"? (ignored).',
  );
});

test('misspelt variant and evaluator keys and an evaluator kind get suggestions; a far-off key does not', async () => {
  const text = [
    'messages:',
    '  - role: user',
    '    content: "{{q}}"',
    'testData:',
    '  - q: hi',
    'variants:',
    '  - name: three',
    '    shot: 3',
    'evaluators:',
    '  - name: has-hi',
    '    stirng:',
    '      contains: hi',
    '  - name: exact',
    '    string:',
    '      equals: hi',
    '    wieght: 2',
    'somethingElse: 1',
  ].join('\n');
  let problems;
  try {
    problems = (await loadPromptFile(path.join(FIX, 'typo.prompt.yml'), { text })).problems;
  } catch (e) {
    problems = (e as { problems: { message: string; replacement?: string; line: number }[] }).problems;
  }
  const by = (re: RegExp) => problems.find((p) => re.test(p.message));
  assert.equal(by(/"shot"/)?.replacement, 'shots');
  assert.equal(by(/"stirng"/)?.replacement, 'string');
  assert.equal(by(/"stirng"/)?.line, 11);
  assert.equal(by(/"wieght"/)?.replacement, 'weight');
  const far = by(/"somethingElse"/);
  assert.ok(far);
  assert.equal(far.replacement, undefined);
  assert.equal(far.message, 'unknown key "somethingElse"; ignored');
});

test('noCasesReason is silent for a file with cases and plain for a file that simply has none', () => {
  assert.equal(noCasesReason({ file: '/p/a.prompt.yml', cases: [{} as never], problems: [] }), undefined);
  assert.equal(
    noCasesReason({ file: '/p/a.prompt.yml', cases: [], problems: [] }),
    'a.prompt.yml has no cases to run: it has no testData, no testFile and no sibling eval set (NAME.cases.jsonl).',
  );
});
