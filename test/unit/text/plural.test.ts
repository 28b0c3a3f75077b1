import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { plural, verb } from '../../../src/core/text/plural';

test('plural and verb agree with the count', () => {
  assert.equal(plural(1, 'case'), '1 case');
  assert.equal(plural(0, 'case'), '0 cases');
  assert.equal(plural(2, 'batch', 'batches'), '2 batches');
  assert.equal(`1 ${verb(1, 'remains', 'remain')}`, '1 remains');
  assert.equal(`3 ${verb(3, 'remains', 'remain')}`, '3 remain');
});
