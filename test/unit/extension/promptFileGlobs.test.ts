import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { globForPath, globToRegExp, matchingGlob, parsePromptFileGlobs } from '../../../src/extension/promptFileGlobs';

test('promptLadder.files: a list of patterns is kept as written', () => {
  assert.deepEqual(parsePromptFileGlobs(['prompts/**/*.yml', ' evals/*.yaml ']), { patterns: ['prompts/**/*.yml', 'evals/*.yaml'], problems: [] });
  assert.deepEqual(parsePromptFileGlobs(undefined), { patterns: [], problems: [] });
});

test('promptLadder.files: a value that is not a list names the setting and falls back to the default names', () => {
  const r = parsePromptFileGlobs('prompts/*.yml');
  assert.deepEqual(r.patterns, []);
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0], /^Setting promptLadder\.files must be a list of glob patterns/);
  assert.match(r.problems[0], /"prompts\/\*\.yml"/);
  assert.match(r.problems[0], /only the default names \(\*\.prompt\.yml, \*\.prompt\.yaml and \*\.prompty\)/);
});

test('promptLadder.files: a bad entry is ignored on its own, with its index', () => {
  const r = parsePromptFileGlobs(['ok/*.yml', 3, '', '/abs/x.yml', '../up/*.yml', 'a{b.yml', 'c[d.yml', 'win\\x.yml']);
  assert.deepEqual(r.patterns, ['ok/*.yml']);
  assert.equal(r.problems.length, 7);
  assert.match(r.problems[0], /^Setting promptLadder\.files\[1\] must be a non-empty glob pattern string, not 3; ignored\.$/);
  assert.match(r.problems[1], /^Setting promptLadder\.files\[2\]/);
  assert.match(r.problems[2], /\[3\] "\/abs\/x\.yml": patterns are relative to the workspace folder/);
  assert.match(r.problems[3], /\[4\] .*cannot leave the workspace folder/);
  assert.match(r.problems[4], /\[5\] .*unclosed "\{"/);
  assert.match(r.problems[5], /\[6\] .*unclosed "\["/);
  assert.match(r.problems[6], /\[7\] .*forward slashes/);
});

test('globs: ** spans folders, * and ? stay in one segment, braces and classes', () => {
  const m = (g: string, p: string) => globToRegExp(g, false).test(p);
  assert.equal(m('prompts/**/*.yml', 'prompts/a.yml'), true);
  assert.equal(m('prompts/**/*.yml', 'prompts/x/y/a.yml'), true);
  assert.equal(m('prompts/*.yml', 'prompts/x/a.yml'), false);
  assert.equal(m('prompts/?.yml', 'prompts/a.yml'), true);
  assert.equal(m('prompts/?.yml', 'prompts/ab.yml'), false);
  assert.equal(m('{evals,prompts}/*.{yml,yaml}', 'evals/a.yaml'), true);
  assert.equal(m('{evals,prompts}/*.{yml,yaml}', 'other/a.yaml'), false);
  assert.equal(m('p/[ab].yml', 'p/b.yml'), true);
  assert.equal(m('p/[!ab].yml', 'p/b.yml'), false);
  assert.equal(m('p/**', 'p/q/r.yml'), true);
  assert.equal(m('a.b.yml', 'aXb.yml'), false, 'dots are literal');
});

test('globs: a pattern without a slash matches the file name in any folder', () => {
  assert.equal(globToRegExp('sample_prompt.yml', false).test('sample_prompt.yml'), true);
  assert.equal(globToRegExp('sample_prompt.yml', false).test('deep/er/sample_prompt.yml'), true);
  assert.equal(globToRegExp('*.eval.yml', false).test('x/y.eval.yml'), true);
});

test('only YAML files match; the first matching pattern is named', () => {
  assert.equal(matchingGlob('prompts/a.yml', ['nope/*', 'prompts/*']), 'prompts/*');
  assert.equal(matchingGlob('prompts/a.json', ['prompts/*']), undefined);
  assert.equal(matchingGlob('../outside.yml', ['**']), undefined);
});

test("a file's own path as a pattern matches that file only, glob characters included", () => {
  for (const p of ['plain/sample.yml', 'odd/[x]{y,z}*?.yml', 'a b/c.yaml']) {
    const g = globForPath(p);
    assert.equal(matchingGlob(p, [g]), g, p);
  }
  assert.equal(matchingGlob('odd/xy.yml', [globForPath('odd/[x]y.yml')]), undefined);
  assert.equal(matchingGlob('other/plain/sample.yml', [globForPath('plain/sample.yml')]), undefined);
});
