import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { closestName, editDistance } from '../../../src/core/text/editDistance';

test('edit distance counts insertions, deletions, substitutions and a swap of neighbours as one edit each', () => {
  assert.equal(editDistance('testFile', 'testFile'), 0);
  assert.equal(editDistance('testFlie', 'testFile'), 1, 'a swap is one edit');
  assert.equal(editDistance('shot', 'shots'), 1);
  assert.equal(editDistance('evaluatrs', 'evaluators'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
});

test('closestName suggests the known key a typo most likely means, and nothing for a word far from all of them', () => {
  const keys = ['name', 'description', 'model', 'messages', 'testData', 'testFile', 'evaluators', 'variants'];
  assert.equal(closestName('testFlie', keys), 'testFile');
  assert.equal(closestName('nmae', keys), 'name');
  assert.equal(closestName('evaluatrs', keys), 'evaluators');
  assert.equal(closestName('TestData', keys), 'testData', 'letter case alone');
  assert.equal(closestName('unknownKey', keys), undefined);
  assert.equal(closestName('foo', keys), undefined);
  assert.equal(closestName('testFile', keys), undefined, 'a known key is no typo');
});
