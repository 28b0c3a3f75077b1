import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { CasesFileError, loadCasesFile } from '../../../src/core/cases/files';
import { checkCasesText } from '../../../src/core/prompt/load';
import { formatProblem } from '../../../src/core/errors';
import type { SourceProblem } from '../../../src/core/errors';

const FIX = path.resolve(__dirname, '../../fixtures/prompts');
const brief = (ps: SourceProblem[]): string[] => ps.map((p) => formatProblem({ ...p, file: path.basename(p.file) }));

test('JSONL: blank lines skipped, bad JSON reported with line and column, other rows kept with their lines', async () => {
  const r = await loadCasesFile('bad-rows.cases.jsonl', { startIndex: 5, relativeTo: FIX });
  assert.deepEqual(r.cases.map((c) => [c.index, c.line, c.vars]), [
    [5, 1, { question: 'one' }],
    [6, 6, { question: 'six' }],
  ]);
  assert.equal(r.cases[0].file, path.join(FIX, 'bad-rows.cases.jsonl'));
  assert.deepEqual(brief(r.problems), [
    'bad-rows.cases.jsonl:2:20: invalid JSON: Expected double-quoted property name',
    'bad-rows.cases.jsonl:3:1: expected a case (a map of variables), got a list',
    'bad-rows.cases.jsonl:5:1: context: expected a string or a list of strings, got a list',
  ]);
});

test('CSV: header row, multiline quoted cells keep their starting line, JSON cells for context/tags, bad rows skipped', async () => {
  const r = await loadCasesFile('mixed.cases.csv', { startIndex: 0, relativeTo: FIX });
  assert.deepEqual(r.cases.map((c) => [c.index, c.line, c.vars.question, c.expected, c.context, c.tags]), [
    [0, 2, 'What is\na tent?', 'shelter', ['Tents are shelters.', 'They fold.'], ['gear']],
    [1, 6, 'Where is camp?', 'north', ['Camp is north.'], ['geo', 'map']],
  ]);
  assert.deepEqual(brief(r.problems), [
    'mixed.cases.csv:4:1: row has 2 fields; the header has 4',
    'mixed.cases.csv:7:1: context: expected a string or a list of strings, got a map',
  ]);
});

test('CSV with an unclosed quote reports the parse error', async () => {
  const ps = await checkCasesText(path.join(FIX, 'x.csv'), 'a,b\n1,"oops\n2,3\n');
  assert.equal(ps.length, 1);
  assert.match(ps[0].message, /^invalid CSV: /);
});

test('YAML list: each item at its own line; wrong types and bad case-level evaluators skip only that item', async () => {
  const r = await loadCasesFile('mixed.cases.yaml', { startIndex: 0, relativeTo: FIX });
  assert.deepEqual(r.cases.map((c) => [c.index, c.line, c.vars.question]), [
    [0, 1, 'first'],
    [1, 6, 'fourth'],
  ]);
  assert.deepEqual(r.cases[1].evaluators, [{ name: 'short', line: 8, kind: 'regex', pattern: '^.{0,20}$' }]);
  assert.deepEqual(brief(r.problems), [
    'mixed.cases.yaml:3:3: [1]: expected a case (a map of variables), got 42',
    'mixed.cases.yaml:5:9: [2].tags: expected a string or a list of strings, got a map',
    'mixed.cases.yaml:12:7: [4].evaluators[0]: unknown evaluator kind; expected one of string, llm, uses, regex, json, similar, judge, faithfulness, answer-relevancy, context-precision, context-recall, latency, cost, refusal, code',
  ]);
});

test('a missing eval-set file throws CasesFileError naming the path as written', async () => {
  await assert.rejects(loadCasesFile('./nope.jsonl', { startIndex: 0, relativeTo: FIX }), (e: unknown) => e instanceof CasesFileError && e.message === 'file not found: ./nope.jsonl');
});

test('checkCasesText checks the unsaved text of an eval-set file', async () => {
  assert.deepEqual(brief(await checkCasesText(path.join(FIX, 'edit.jsonl'), '{"q": 1}\n{"q": \n')), ['edit.jsonl:2:6: invalid JSON: Unexpected end of JSON input']);
  assert.deepEqual(await checkCasesText(path.join(FIX, 'edit.jsonl'), '{"q": 1}\n'), []);
  assert.deepEqual(brief(await checkCasesText(path.join(FIX, 'edit.yaml'), 'q: 1\n')), ['edit.yaml:1:1: expected a list of cases, got a map']);
  assert.deepEqual(await checkCasesText(path.join(FIX, 'notes.md'), 'anything'), []);
});

test('CSV lines stay right with CRLF line ends, blank lines and a missing final newline', async () => {
  const crlf = await checkCasesText(path.join(FIX, 'x.csv'), 'q,expected\r\na,1\r\n"multi\r\nline",2\r\n\r\nbad\r\nlast,3');
  assert.deepEqual(brief(crlf), ['x.csv:6:1: row has 1 field; the header has 2']);
  const { cases } = await loadCasesFile('x.csv', { startIndex: 0, relativeTo: FIX, text: 'q,expected\r\na,1\r\n"multi\r\nline",2\r\n\r\nlast,3' });
  assert.deepEqual(cases.map((c) => [c.line, c.vars.q]), [
    [2, 'a'],
    [3, 'multi\nline'],
    [6, 'last'],
  ]);
});
