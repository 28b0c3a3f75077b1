import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, meta, NO_FINE_TUNING } from '../../../../../src/core/analysis/advisor/rules/knowledge';
import { computeSignals } from '../../../../../src/core/analysis/advisor/signals';
import { failing, plannedRecord } from '../../records';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const run = (rec: ReturnType<typeof plannedRecord>) => check(computeSignals(rec), {});

test(`${meta.id}: examples do not help → rag "add retrieval", saying fine-tuning will not add knowledge`, () => {
  const [f] = run(plannedRecord(20, [{ name: 'zero-shot', failures: failing(range(0, 9), 'knowledge') }, { name: '3-shot', shots: 3, failures: failing(range(0, 9), 'knowledge') }]));
  assert.equal(f.kind, 'rag');
  assert.ok(f.why.includes(NO_FINE_TUNING));
  assert.ok(f.actions.includes('command:promptLadder.addRetrieval|Add retrieval'));
});

test(`${meta.id}: a RAG variant that fixes them → keep retrieval; one that does not → retrieval is not bringing the facts`, () => {
  const [keep] = run(plannedRecord(20, [{ name: 'zero-shot', failures: failing(range(0, 10), 'knowledge') }, { name: 'rag', retrieval: true, failures: {} }]));
  assert.match(keep.title!, /rag fixes the knowledge failures: keep retrieval/);
  assert.equal(keep.evidence.remainingInBest, 0);
  assert.ok(keep.weight < 0.5, 'already fixed in the best variant: a note, not the next step');
  const [stuck] = run(plannedRecord(20, [{ name: 'zero-shot', failures: failing(range(0, 10), 'knowledge') }, { name: 'rag', retrieval: true, failures: failing(range(0, 9), 'knowledge') }]));
  assert.match(stuck.title!, /retrieval is not bringing the facts/);
  assert.ok(stuck.actions.some((a) => a.startsWith('command:promptLadder.addRetrievalVariant?')));
});

test(`${meta.id}: few-shot fixing knowledge (evidence) → retrieve similar examples`, () => {
  const [f] = run(plannedRecord(20, [{ name: 'zero-shot', failures: failing(range(0, 10), 'knowledge') }, { name: '5-shot', shots: 5, failures: failing([0], 'knowledge') }]));
  assert.match(f.title!, /retrieve similar examples/);
});

test(`${meta.id}: guessed categories lower the confidence`, () => {
  const certain = run(plannedRecord(20, [{ name: 'v', failures: failing(range(0, 10), 'knowledge') }]))[0];
  const guessed = run(plannedRecord(20, [{ name: 'v', basis: 'guess', failures: failing(range(0, 10), 'knowledge') }]))[0];
  assert.ok(guessed.confidence < certain.confidence);
});
