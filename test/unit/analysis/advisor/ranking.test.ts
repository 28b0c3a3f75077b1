import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rank } from '../../../../src/core/analysis/advisor/ranking';
import type { Finding } from '../../../../src/core/analysis/advisor/rule';

const f = (over: Partial<Finding>): Finding => ({
  rule: 'x',
  kind: 'rag',
  confidence: 0.5,
  why: 'why',
  title: 't',
  evidence: { cases: [] },
  actions: [],
  priority: 0,
  weight: 0.5,
  ...over,
});

test('priority beats score; then weight × confidence orders the rest', () => {
  const out = rank([
    f({ rule: 'a', kind: 'rag', weight: 1, confidence: 0.9 }),
    f({ rule: 'b', kind: 'evaluation', weight: 0.1, confidence: 0.3, priority: 3 }),
    f({ rule: 'c', kind: 'prompt-engineering', weight: 0.2, confidence: 0.9 }),
  ]);
  assert.deepEqual(out.map((r) => r.kind), ['evaluation', 'rag', 'prompt-engineering']);
  assert.equal(out[1].evidence.rule, 'a');
});

test('a fixed group (small weight) ranks below what still fails in the best variant', () => {
  const out = rank([
    f({ rule: 'keep', kind: 'rag', weight: 0.05, confidence: 0.85 }),
    f({ rule: 'format', kind: 'fine-tuning', weight: 1, confidence: 0.6 }),
  ]);
  assert.equal(out[0].kind, 'fine-tuning');
});

test('findings of one kind merge: the strongest leads with its own confidence, the others add why, actions and cases', () => {
  const out = rank([
    f({ rule: 'weak', kind: 'rag', weight: 0.1, confidence: 0.9, why: 'weak why', actions: ['a', 'b'], evidence: { cases: [1, 2] } }),
    f({ rule: 'strong', kind: 'rag', weight: 1, confidence: 0.6, why: 'strong why', actions: ['b', 'c'], evidence: { cases: [2, 3] } }),
  ]);
  assert.equal(out.length, 1);
  assert.equal(out[0].confidence, 0.6, 'the lead confidence, not the maximum');
  assert.equal(out[0].why, 'strong why Also: weak why');
  assert.deepEqual(out[0].actions, ['b', 'c', 'a']);
  assert.deepEqual(out[0].evidence.cases, [1, 2, 3]);
  assert.equal((out[0].evidence.also as { rule: string }[])[0].rule, 'weak');
});
