import { test } from 'node:test';
import assert from 'node:assert/strict';
import { caseChange, compareForPanel } from '../../../src/shared/compareData';
import { CompareDataSchema } from '../../../src/shared/protocol';
import * as z from 'zod/mini';
import { kase, record, res } from './fixtures';

test('per case: regressed wins over improved, then unchanged', () => {
  assert.equal(caseChange(['improved', 'regressed']), 'regressed');
  assert.equal(caseChange(['improved', 'unchanged']), 'improved');
  assert.equal(caseChange(['unchanged', 'added']), 'unchanged');
  assert.equal(caseChange(['added', 'added']), 'added');
});

test('comparison keyed by head case index, with per-variant changes and a summary', () => {
  const base = record([
    kase(0, { q: 'a' }, [res('v1', true), res('v2', false)]),
    kase(1, { q: 'b' }, [res('v1', false), res('v2', false)]),
    kase(2, { q: 'gone' }, [res('v1', true), res('v2', true)]),
  ], ['v1', 'v2'], { id: 'base' });
  const head = record([
    kase(0, { q: 'a' }, [res('v1', false), res('v2', true)]),
    kase(1, { q: 'b' }, [res('v1', true), res('v2', false)]),
    kase(2, { q: 'new' }, [res('v1', true), res('v2', true)]),
  ], ['v1', 'v2'], { id: 'head' });
  const cmp = compareForPanel(base, head, 'file:///base.json');
  assert.ok(z.safeParse(CompareDataSchema, cmp).success);
  assert.equal(cmp.baseRunId, 'base');
  assert.equal(cmp.baseUri, 'file:///base.json');
  const byCase = Object.fromEntries(cmp.cases.map((c) => [c.caseIndex, c]));
  assert.deepEqual(byCase[0].variants, { v1: 'regressed', v2: 'improved' });
  assert.equal(byCase[0].change, 'regressed');
  assert.equal(byCase[1].change, 'improved');
  // case 2's vars changed: matched by index as edited; both pass on both sides
  assert.equal(byCase[2].change, 'unchanged');
  assert.deepEqual([cmp.summary.regressed, cmp.summary.improved, cmp.summary.unchanged], [1, 1, 1]);
});
