import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, meta } from '../../../../../src/core/analysis/advisor/rules/retrieval';
import { computeSignals } from '../../../../../src/core/analysis/advisor/signals';
import { parseAction } from '../../../../../src/shared/actions';
import { failing, plannedRecord } from '../../records';

test(`${meta.id}: context lacking the facts → rag with one-click variants: chunk sweep, rerank, HyDE, expansion`, () => {
  const rec = plannedRecord(20, [{ name: 'zero-shot', failures: failing([0, 1, 2, 3, 4, 5], 'knowledge') }, { name: 'rag', retrieval: true, failures: failing([1, 2, 3], 'retrieval') }]);
  const [f] = check(computeSignals(rec), {});
  assert.equal(f.kind, 'rag');
  assert.equal(f.evidence.ragVariant, 'rag');
  const sweep = parseAction(f.actions[0]);
  assert.equal(sweep.command, 'promptLadder.addRetrievalVariant');
  const arg = sweep.args![0] as { base: string; variants: { name: string; retrieval: { chunk: { size: number } } }[] };
  assert.equal(arg.base, 'rag');
  assert.deepEqual(arg.variants.map((v) => v.retrieval.chunk.size), [400, 200, 1600]);
  for (const word of [/rerank/i, /hyde/i, /expansion/i]) assert.ok(f.actions.some((a) => word.test(a)), String(word));
});

test(`${meta.id}: only context precision failing → rerank first`, () => {
  const rec = plannedRecord(20, [{ name: 'rag', retrieval: true, failures: failing([1, 2, 3], 'retrieval') }]);
  for (const c of rec.cases) for (const r of c.results) if (!r.passed) r.evaluators = [{ name: 'ctx-precision', passed: false, score: 0.1 }];
  const [f] = check(computeSignals(rec), {});
  assert.match(f.title!, /rerank/);
  assert.match(f.actions[0], /rerank/i);
  assert.deepEqual(check(computeSignals(plannedRecord(20, [{ name: 'v', failures: {} }])), {}), []);
});
