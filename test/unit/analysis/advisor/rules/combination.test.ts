import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, meta } from '../../../../../src/core/analysis/advisor/rules/combination';
import { computeSignals } from '../../../../../src/core/analysis/advisor/signals';
import { failing, plannedRecord } from '../../records';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

test(`${meta.id}: RAG fixes the facts and examples reduce the form that remains → fine-tune + RAG`, () => {
  const rec = plannedRecord(40, [
    { name: 'zero-shot', failures: { ...failing(range(0, 12), 'format'), ...failing(range(20, 32), 'knowledge') } },
    { name: '3-shot', shots: 3, failures: { ...failing(range(0, 4), 'format'), ...failing(range(20, 32), 'knowledge') } },
    { name: 'rag-3-shot', shots: 3, retrieval: true, failures: failing(range(0, 4), 'format') },
  ]);
  const [f] = check(computeSignals(rec), {});
  assert.equal(f.kind, 'fine-tuning');
  assert.match(f.title!, /fine-tune and keep retrieval/);
  assert.match(f.why, /Spider/);
  assert.equal(f.evidence.ragVariant, 'rag-3-shot');
});

test(`${meta.id}: silent when the best variant does not retrieve or examples do not reduce the form`, () => {
  const noRag = plannedRecord(20, [{ name: 'zero-shot', failures: failing(range(0, 8), 'format') }, { name: '3-shot', shots: 3, failures: failing([0], 'format') }]);
  assert.deepEqual(check(computeSignals(noRag), {}), []);
  const stuck = plannedRecord(40, [
    { name: 'zero-shot', failures: { ...failing(range(0, 6), 'format'), ...failing(range(20, 32), 'knowledge') } },
    { name: '3-shot', shots: 3, failures: { ...failing(range(0, 6), 'format'), ...failing(range(20, 32), 'knowledge') } },
    { name: 'rag', retrieval: true, failures: failing(range(0, 6), 'format') },
  ]);
  assert.deepEqual(check(computeSignals(stuck), {}), []);
});
