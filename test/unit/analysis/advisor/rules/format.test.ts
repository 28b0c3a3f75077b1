import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, meta } from '../../../../../src/core/analysis/advisor/rules/format';
import { computeSignals } from '../../../../../src/core/analysis/advisor/signals';
import { failing, plannedRecord } from '../../records';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const run = (rec: ReturnType<typeof plannedRecord>) => check(computeSignals(rec), { pricing: { promptUsdPerMTok: 0.15 } });

test(`${meta.id}: few-shot reduces (paired evidence) but does not clear → fine-tuning with tokens saved`, () => {
  const [f] = run(
    plannedRecord(24, [
      { name: 'zero-shot', failures: failing(range(0, 12), 'format'), promptTokens: 100 },
      { name: '3-shot', shots: 3, failures: failing([0, 1, 2], 'format'), promptTokens: 400 },
    ]),
  );
  assert.equal(f.kind, 'fine-tuning');
  assert.equal(f.evidence.tokensSavedPerCall, 300);
  assert.deepEqual(f.evidence.fixed, range(3, 12));
  assert.match(f.why, /12 → 3 of 24, p = 0\.004/);
  assert.ok(f.confidence >= 0.6);
});

test(`${meta.id}: 8 → 6 of 24 with 1-, 3- and 5-shot within noise → prompt-engineering, never a confident fine-tuning call`, () => {
  const rec = plannedRecord(24, [
    { name: 'zero-shot', failures: failing(range(0, 8), 'format') },
    { name: '1-shot', shots: 1, failures: failing([0, 1, 2, 3, 4, 5, 6, 20], 'format') },
    { name: '3-shot', shots: 3, failures: failing(range(0, 6), 'format') },
    { name: '5-shot', shots: 5, failures: failing([0, 1, 2, 3, 4, 5, 21], 'format') },
  ]);
  const [f] = run(rec);
  assert.equal(f.kind, 'prompt-engineering');
  assert.match(f.why, /8 → 6 of 24 in 3-shot is within noise \(p = 1; best of 3 variants, so p is corrected ×3\): not evidence that examples teach the format/);
  assert.ok(f.confidence < 0.6);
});

test(`${meta.id}: a steady fall across shot counts is evidence even when each step is small`, () => {
  const rec = plannedRecord(30, [
    { name: 'zero-shot', failures: failing(range(0, 12), 'format') },
    { name: '1-shot', shots: 1, failures: failing(range(0, 9), 'format') },
    { name: '3-shot', shots: 3, failures: failing(range(0, 7), 'format') },
    { name: '5-shot', shots: 5, failures: failing(range(0, 5), 'format') },
  ]);
  const [f] = run(rec);
  assert.equal(f.kind, 'fine-tuning');
  assert.match(f.why, /a steady fall, which is evidence/);
  assert.equal(f.evidence.bestFewShot, '5-shot');
});

test(`${meta.id}: examples clear them → prompt-engineering (keep the examples); no movement → instructions and schema mode`, () => {
  const [cleared] = run(plannedRecord(20, [{ name: 'zero-shot', failures: failing(range(0, 8), 'format') }, { name: '3-shot', shots: 3, failures: {} }]));
  assert.equal(cleared.kind, 'prompt-engineering');
  assert.match(cleared.title!, /3 examples clear/);
  const [stuck] = run(plannedRecord(20, [{ name: 'zero-shot', failures: failing(range(0, 8), 'format') }, { name: '3-shot', shots: 3, failures: failing(range(0, 8), 'format') }]));
  assert.equal(stuck.kind, 'prompt-engineering');
  assert.ok(stuck.actions.some((a) => /json_schema/.test(a)));
});

test(`${meta.id}: no few-shot variant → prompt-engineering with the add-few-shot command; no format failures → nothing`, () => {
  const [f] = run(plannedRecord(20, [{ name: 'default', failures: failing(range(0, 8), 'instruction') }]));
  assert.equal(f.kind, 'prompt-engineering');
  assert.ok(f.actions.includes('command:promptLadder.addFewShotVariants|Add few-shot variants'));
  assert.match(f.title!, /^Instruction failures/);
  assert.deepEqual(run(plannedRecord(20, [{ name: 'default', failures: failing([1], 'knowledge') }])), []);
});

test(`${meta.id}: when the best variant retrieves, the advice keeps retrieval and never says to keep the few-shot variant`, () => {
  const [f] = run(
    plannedRecord(30, [
      { name: 'zero-shot', failures: { ...failing(range(0, 10), 'format'), ...failing(range(10, 20), 'knowledge') } },
      { name: '3-shot', shots: 3, failures: { ...failing([0, 1, 2], 'format'), ...failing(range(10, 20), 'knowledge') } },
      { name: 'rag-3-shot', shots: 3, retrieval: true, failures: failing([0, 1, 2], 'format') },
    ]),
  );
  assert.equal(f.kind, 'fine-tuning');
  assert.match(f.why, /fine-tune \+ RAG/);
  assert.ok(f.actions.includes('Until the fine-tuned model is ready, keep rag-3-shot'));
  assert.ok(!f.actions.some((a) => /keep the few-shot variant/i.test(a)));
});
