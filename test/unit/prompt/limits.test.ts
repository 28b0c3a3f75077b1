// Resource limits and row-scoped YAML problems: an alias bomb, deep nesting, a huge value or line, a duplicate key,
// too many rows. Each gives a located message naming the limit; rows without a problem still load.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { checkPromptText, checkCasesText, loadPromptFile } from '../../../src/core/prompt/load';
import { loadCasesFile } from '../../../src/core/cases/files';
import { formatProblem, SpecError } from '../../../src/core/errors';
import type { SourceProblem } from '../../../src/core/errors';
import { MAX_EVAL_SET_ROWS } from '../../../src/core/limits';
import { tempWorkspace } from '../../fixtures/workspace';
import { cliEnv, runCli } from '../cli/runCli';

const ws = tempWorkspace();
ws.write('package.json', '{}');
after(() => ws.dispose());
const brief = (ps: SourceProblem[]): string[] => ps.map((p) => formatProblem({ ...p, file: path.basename(p.file) }));
const HEAD = 'model: openai/x\nmessages:\n  - role: user\n    content: "Q {{x}}"\n';

const BOMB = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
for (const [n, p] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e'], ['g', 'f']]) BOMB.push(`${n}: &${n} [${Array(9).fill('*' + p).join(',')}]`);

test('an alias bomb is refused at the alias that passes the limit, not expanded and not an internal error', async () => {
  const file = ws.write('bomb.prompt.yml', BOMB.join('\n') + '\n' + HEAD);
  const t0 = Date.now();
  await assert.rejects(loadPromptFile(file), (e: unknown) => {
    assert.ok(e instanceof SpecError);
    assert.deepEqual(brief(e.problems), [
      'bomb.prompt.yml:6:8: YAML: aliases (*name) here repeat anchored values to more than 100,000 values (the limit); an alias bomb? the file was not read',
    ]);
    return true;
  });
  assert.ok(Date.now() - t0 < 5000);
  // a few honest aliases are fine
  const ok = ws.write('alias.prompt.yml', HEAD + 'testData:\n  - x: &q hello\n  - x: *q\n');
  assert.deepEqual((await loadPromptFile(ok)).cases.map((c) => c.vars.x), ['hello', 'hello']);
});

test('nesting deeper than the limit is located (flow, block and compact dash lists), never a stack overflow', async () => {
  const n = 20000;
  const flow = HEAD + 'testData:\n  - x: ' + '['.repeat(n) + ']'.repeat(n) + '\n';
  assert.deepEqual(brief(await checkPromptText(path.join(ws.root, 'flow.prompt.yml'), flow)), [
    'flow.prompt.yml:6:107: YAML: collections nest deeper than 100 levels (the limit); the file was not read',
  ]);
  const dash = '- ' + '- '.repeat(n) + 'x\n- y: 1\n';
  assert.deepEqual(brief(await checkCasesText(path.join(ws.root, 'dash.cases.yaml'), dash)), [
    'dash.cases.yaml:1:204: YAML: collections nest deeper than 100 levels (the limit); the file was not read',
  ]);
  let block = 'messages:\n';
  for (let i = 0; i < 300; i++) block += ' '.repeat(i + 1) + 'k:\n';
  const ps = await checkPromptText(path.join(ws.root, 'block.prompt.yml'), block);
  assert.equal(ps.length, 1);
  assert.match(formatProblem(ps[0]), /block\.prompt\.yml:10\d:\d+: YAML: collections nest deeper than 100 levels \(the limit\)/);
});

test('a duplicate key rejects only its YAML eval-set item, naming the line and the key; the other items run', async () => {
  ws.write('dup.cases.yaml', '- x: one\n- x: two\n  expected: a\n  x: again\n- x: three\n');
  const r = await loadCasesFile('dup.cases.yaml', { startIndex: 0, relativeTo: ws.root });
  assert.deepEqual(r.cases.map((c) => [c.line, c.vars.x]), [[1, 'one'], [5, 'three']]);
  assert.deepEqual(brief(r.problems), ['dup.cases.yaml:4:3: duplicate key "x" (first on line 2); this item is skipped']);
});

test('in a prompt file a duplicate key in one testData row skips that row; elsewhere it refuses the file', async () => {
  const file = ws.write('dup.prompt.yml', HEAD + 'testData:\n  - x: 1\n    x: 2\n  - x: 3\n');
  const spec = await loadPromptFile(file);
  assert.deepEqual(spec.cases.map((c) => c.vars.x), [3]);
  assert.deepEqual(brief(spec.problems), ['dup.prompt.yml:7:5: duplicate key "x" (first on line 6); this case is skipped']);
  const top = ws.write('duptop.prompt.yml', HEAD + 'model: openai/y\n');
  await assert.rejects(loadPromptFile(top), (e: unknown) => {
    assert.deepEqual(brief((e as SpecError).problems), ['duptop.prompt.yml:5:1: duplicate key "model" (first on line 1)']);
    return true;
  });
});

test('a huge value or a huge line skips its row with the size and the limit; the other rows run', async () => {
  const big = 'a'.repeat(2_200_000);
  ws.write('big.cases.jsonl', `{"x":"one"}\n{"x":"${big}"}\n{"x":"three"}\n`);
  const j = await loadCasesFile('big.cases.jsonl', { startIndex: 0, relativeTo: ws.root });
  assert.deepEqual(j.cases.map((c) => c.vars.x), ['one', 'three']);
  assert.deepEqual(brief(j.problems), ['big.cases.jsonl:2:1: line 2 is 2 MB; the limit is 1 MB per line; this row is skipped']);
  ws.write('big.cases.csv', `x,expected\none,a\n${big},b\nthree,c\n`);
  const c = await loadCasesFile('big.cases.csv', { startIndex: 0, relativeTo: ws.root });
  assert.deepEqual(c.cases.map((x) => x.vars.x), ['one', 'three']);
  assert.deepEqual(brief(c.problems), ['big.cases.csv:3:1: line 3 is 2 MB; the limit is 1 MB per line; this row is skipped']);
  ws.write('big.cases.yaml', `- x: one\n- x: ${big}\n- x: |\n${Array.from({ length: 30 }, () => '    ' + 'b'.repeat(40_000)).join('\n')}\n- x: four\n`);
  const y = await loadCasesFile('big.cases.yaml', { startIndex: 0, relativeTo: ws.root });
  assert.deepEqual(y.cases.map((x) => x.vars.x), ['one', 'four']);
  assert.deepEqual(brief(y.problems), [
    'big.cases.yaml:2:6: a text value of 2 MB; the limit is 1 MB per value; this item is skipped',
    'big.cases.yaml:3:6: a text value of 1.1 MB; the limit is 1 MB per value; this item is skipped',
  ]);
});

test('rows past the per-file limit are not run, with one error at the first of them', async () => {
  const lines = Array.from({ length: MAX_EVAL_SET_ROWS + 2 }, (_, i) => `{"x":${i}}`).join('\n');
  ws.write('many.cases.jsonl', lines + '\n');
  const r = await loadCasesFile('many.cases.jsonl', { startIndex: 0, relativeTo: ws.root });
  assert.equal(r.cases.length, MAX_EVAL_SET_ROWS);
  assert.deepEqual(brief(r.problems), [
    'many.cases.jsonl:100001:1: more than 100,000 rows (the limit for one file): the 2 rows from here on are not run; split the file',
  ]);
});

test('CLI: an alias bomb and a deep file exit 2 with the located message, not "internal error"', async () => {
  ws.write('bomb.prompt.yml', BOMB.join('\n') + '\n' + HEAD);
  const r = await runCli(['eval', 'bomb.prompt.yml'], { cwd: ws.root, env: cliEnv(ws.root, 'http://127.0.0.1:9/v1') });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^bomb\.prompt\.yml:6:8: YAML: aliases \(\*name\) here repeat anchored values to more than 100,000 values \(the limit\)/);
  assert.doesNotMatch(r.stderr, /internal error/);
});

test('an invalid JSON Schema is an error at its line at load (inline: the prompt file; a schema file: that file), the evaluator left out, before any call', async () => {
  const inline = ws.write(
    'schema.prompt.yml',
    HEAD + 'testData:\n  - x: 1\nevaluators:\n  - name: shape\n    json:\n      schema:\n        type: object\n        properties:\n          age:\n            type: integr\n  - name: has\n    string: { contains: a }\n',
  );
  const spec = await loadPromptFile(inline);
  assert.deepEqual(spec.evaluators.map((e) => e.name), ['has']);
  assert.equal(spec.problems.length, 1);
  assert.match(formatProblem({ ...spec.problems[0], file: 'schema.prompt.yml' }), /^schema\.prompt\.yml:14:19: evaluator "shape": invalid JSON Schema: \/properties\/age\/type must be equal to one of the allowed values/);
  ws.write('bad.schema.json', '{\n  "type": "object",\n  "required": "name"\n}\n');
  const viaFile = ws.write('schemafile.prompt.yml', HEAD + 'testData:\n  - x: 1\nevaluators:\n  - name: shape\n    json: { schema: ./bad.schema.json }\n');
  const s2 = await loadPromptFile(viaFile);
  assert.equal(s2.evaluators.length, 0);
  assert.match(formatProblem({ ...s2.problems[0], file: path.basename(s2.problems[0].file) }), /^bad\.schema\.json:3:15: evaluator "shape" \(schemafile\.prompt\.yml\): invalid JSON Schema: \/required must be array/);
});

test('a CSV quote that never closes is reported at the line where it opened; the rows after it still run', async () => {
  ws.write('quote.cases.csv', 'q,expected\none,a\ntwo,"oops\nthree,c\n\nfour,d\n');
  const r = await loadCasesFile('quote.cases.csv', { startIndex: 0, relativeTo: ws.root });
  assert.deepEqual(r.cases.map((c) => [c.line, c.vars.q]), [[2, 'one'], [4, 'three'], [6, 'four']]);
  assert.deepEqual(brief(r.problems), [
    'quote.cases.csv:3:1: invalid CSV: the quote opened on this line is never closed; this row is skipped (the rows after it still load)',
  ]);
});

test('text after a closing quote skips that row only, reported where its cell opened; the rows after it still run', async () => {
  // `"a"b` (and a multi-line cell closed then followed by text): csv-parse gives up on the rest of the file
  ws.write('closing.cases.csv', 'q,expected\none,a\ntwo,"a"b\nthree,"multi\nline"x\nfour,d\nfive,"say ""hi"""\n');
  const r = await loadCasesFile('closing.cases.csv', { startIndex: 0, relativeTo: ws.root });
  assert.deepEqual(r.cases.map((c) => [c.line, c.vars.q]), [[2, 'one'], [6, 'four'], [7, 'five']]);
  assert.equal(r.cases[2].vars.expected, 'say "hi"', 'a doubled quote inside a quoted cell is a quote, not a mistake');
  assert.deepEqual(brief(r.problems), [
    'closing.cases.csv:3:1: invalid CSV: the quoted cell opened on this line is followed by text after its closing quote; write "" for a quote inside a quoted cell; this row is skipped (the rows after it still load)',
    'closing.cases.csv:4:1: invalid CSV: the quoted cell opened on this line is followed by text after its closing quote (line 5); write "" for a quote inside a quoted cell; this row is skipped (the rows after it still load)',
  ]);
});

test('an empty eval-set file and a header-only CSV are named (the eval-set file, line 1) with a hint that fits', async () => {
  ws.write('empty.cases.jsonl', '');
  ws.write('header.cases.csv', 'q,expected\n');
  const file = ws.write('empty.prompt.yml', HEAD + 'testFile:\n  - empty.cases.jsonl\n  - header.cases.csv\n');
  const spec = await loadPromptFile(file);
  assert.equal(spec.cases.length, 0);
  assert.deepEqual(brief(spec.problems), [
    'empty.cases.jsonl:1:1: warning: empty eval set: this file has no rows, so it adds no cases',
    'header.cases.csv:1:1: warning: header only: this CSV eval set has no rows under its header, so it adds no cases; add one row per case',
  ]);
});
