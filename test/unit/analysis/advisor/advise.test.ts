import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAction } from '../../../../src/shared/actions';
import { advise, topRecommendationLine } from '../../../../src/core/analysis/advisor/advise';
import { ADVISOR_COMMANDS } from '../../../../src/core/analysis/advisor/commands';
import { failing, plannedRecord } from '../records';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

test('4 cases: evaluation comes first whatever the failures say', () => {
  const rec = plannedRecord(4, [
    { name: 'zero-shot', failures: failing([0, 1, 2], 'knowledge') },
    { name: '3-shot', shots: 3, failures: failing([0, 1, 2], 'knowledge') },
  ]);
  const advice = advise(rec);
  const top = advice.recommendations[0];
  assert.equal(top.kind, 'evaluation');
  assert.equal(top.evidence.caseCount, 4);
  assert.deepEqual(top.evidence.cases, [0, 1, 2, 3]);
  assert.ok(top.actions.includes(`command:${ADVISOR_COMMANDS.addTestCase}|Add test case`));
  assert.ok(advice.recommendations.some((r) => r.kind === 'rag'), 'the provisional advice is still listed');
});

test('knowledge failures few-shot does not fix → rag, saying fine-tuning will not add knowledge', () => {
  const bad = [1, 4, 7, 9, 12, 15, 18, 19];
  const rec = plannedRecord(20, [
    { name: 'zero-shot', failures: failing(bad, 'knowledge') },
    { name: '3-shot', shots: 3, failures: failing(bad, 'knowledge') },
  ]);
  const top = advise(rec).recommendations[0];
  assert.equal(top.kind, 'rag');
  assert.match(top.why, /Fine-tuning will not add knowledge/);
  assert.deepEqual(top.evidence.cases, bad);
  assert.equal(top.evidence.failures, 16);
  const per = top.evidence.perVariant as { variant: string; failures: number }[];
  assert.deepEqual(per.map((p) => [p.variant, p.failures]), [['zero-shot', 8], ['3-shot', 8]]);
  assert.ok(top.actions.includes(`command:${ADVISOR_COMMANDS.addRetrieval}|Add retrieval`));
});

test('format failures few-shot reduces but does not clear → fine-tuning, with tokens saved per call', () => {
  const rec = plannedRecord(20, [
    { name: 'zero-shot', failures: failing(range(0, 10), 'format'), promptTokens: 120 },
    { name: '5-shot', shots: 5, failures: failing([2, 5, 8], 'format'), promptTokens: 520 },
  ]);
  const top = advise(rec, { pricing: { promptUsdPerMTok: 0.15 } }).recommendations[0];
  assert.equal(top.kind, 'fine-tuning');
  assert.equal(top.evidence.tokensSavedPerCall, 400);
  assert.equal(top.evidence.savedPer1000CallsUsd, 0.06);
  assert.equal(top.evidence.bestFewShot, '5-shot');
  assert.deepEqual(top.evidence.cases, range(0, 10));
  assert.match(top.title!, /from 10 to 3/);
  assert.ok(top.actions.some((a) => a.startsWith(`command:${ADVISOR_COMMANDS.exportFineTune}|`)));
  // net of the fine-tuned model's higher price (gpt-4o-mini: 0.15 → 0.30 per M input)
  assert.equal(top.evidence.netPromptSavedPer1000CallsUsd, (520 * 0.15 - 120 * 0.3) / 1000);
  assert.match(top.why, /prompts cost \$0\.0420 less per 1,000 calls/);
  assert.match(top.why, /5-shot fixes 7 of zero-shot's 10 format failures and breaks 0 on the same cases \(10 → 3 of 20, p = 0.02\)/);
});

test('format failures few-shot does not move → prompt-engineering (clearer instructions, JSON schema mode)', () => {
  const rec = plannedRecord(20, [
    { name: 'zero-shot', failures: failing(range(0, 8), 'format') },
    { name: '3-shot', shots: 3, failures: failing(range(0, 8), 'format') },
  ]);
  const top = advise(rec).recommendations[0];
  assert.equal(top.kind, 'prompt-engineering');
  assert.ok(top.actions.some((a) => /json_schema/.test(a)));
  assert.match(top.why, /fixes 0, breaks 0\): no sign that examples teach the format/);
  assert.ok(!advise(rec).recommendations.some((r) => r.kind === 'fine-tuning'));
});

test('few-shot clears format failures → keep the examples, not fine-tuning', () => {
  const rec = plannedRecord(20, [
    { name: 'zero-shot', failures: failing(range(0, 8), 'format') },
    { name: '3-shot', shots: 3, failures: {} },
  ]);
  const top = advise(rec).recommendations[0];
  assert.equal(top.kind, 'prompt-engineering');
  assert.match(top.title!, /examples clear the format failures/);
});

test('reasoning failures → prompt-engineering with chain of thought and self-repair actions', () => {
  const rec = plannedRecord(20, [{ name: 'default', failures: failing([3, 6, 9, 12, 15], 'reasoning') }]);
  const top = advise(rec).recommendations[0];
  assert.equal(top.kind, 'prompt-engineering');
  const commands = top.actions.map(parseAction);
  assert.ok(commands.some((a) => a.command === ADVISOR_COMMANDS.addChainOfThought && (a.args?.[0] as { rerun: boolean }).rerun));
  assert.ok(commands.some((a) => a.command === ADVISOR_COMMANDS.addSelfRepair));
  assert.deepEqual(top.evidence.cases, [3, 6, 9, 12, 15]);
});

test('retrieval failures in a RAG variant → rag with chunking, reranking, HyDE and expansion actions', () => {
  const rec = plannedRecord(20, [
    { name: 'zero-shot', failures: failing(range(0, 10), 'knowledge') },
    { name: 'rag', retrieval: true, failures: failing([1, 2, 3, 4, 5, 6], 'retrieval') },
  ]);
  const top = advise(rec).recommendations[0];
  assert.equal(top.kind, 'rag');
  for (const word of [/chunk/i, /rerank/i, /hyde/i, /expand/i]) assert.ok(top.actions.some((a) => word.test(a)), String(word));
});

test('a RAG variant that clears the knowledge failures → keep retrieval', () => {
  const rec = plannedRecord(20, [
    { name: 'zero-shot', failures: failing(range(0, 10), 'knowledge') },
    { name: 'with-docs', retrieval: true, failures: {} },
  ]);
  const top = advise(rec).recommendations[0];
  assert.equal(top.kind, 'rag');
  assert.match(top.title!, /with-docs fixes/);
  assert.equal(top.evidence.ragVariant, 'with-docs');
});

test('when few-shot does reduce knowledge failures the advisor follows the data and says so', () => {
  const rec = plannedRecord(20, [
    { name: 'zero-shot', failures: failing(range(0, 10), 'knowledge') },
    { name: '5-shot', shots: 5, failures: failing([0, 1], 'knowledge') },
  ]);
  const top = advise(rec).recommendations[0];
  assert.equal(top.kind, 'rag');
  assert.match(top.why, /The examples seem to carry the facts/);
  assert.ok(top.actions.some((a) => /select: similar/.test(a)));
});

test('grounding → prompt-engineering first, fine-tuning named as the next step', () => {
  const rec = plannedRecord(20, [{ name: 'rag', retrieval: true, failures: failing([1, 2, 3, 4], 'grounding') }]);
  const top = advise(rec).recommendations[0];
  assert.equal(top.kind, 'prompt-engineering');
  assert.match(top.why, /only from the context/);
  assert.match(top.why, /fine-tune/);
  const recs = advise(rec).recommendations;
  assert.deepEqual(recs.filter((r) => r.kind !== 'evaluation').map((r) => r.kind), ['prompt-engineering', 'fine-tuning']);
});

test('mixed failures give several recommendations ranked by their share of failures', () => {
  const rec = plannedRecord(30, [
    { name: 'zero-shot', failures: { ...failing(range(0, 12), 'knowledge'), ...failing([20, 21, 22, 23], 'format') } },
    { name: '3-shot', shots: 3, failures: { ...failing(range(0, 12), 'knowledge'), ...failing([20, 21, 22, 23], 'format') } },
  ]);
  const recs = advise(rec).recommendations;
  assert.deepEqual(recs.map((r) => r.kind), ['rag', 'prompt-engineering']);
  assert.ok(recs[0].confidence > 0 && recs[0].confidence <= 1);
});

test('transport errors are left out of the advice', () => {
  const rec = plannedRecord(20, [{ name: 'default', failures: failing(range(0, 15), 'error') }]);
  const recs = advise(rec).recommendations;
  assert.ok(!recs.some((r) => r.kind === 'rag' || r.kind === 'fine-tuning' || r.kind === 'prompt-engineering'));
});

test('all passing with enough cases → evaluation: add harder cases', () => {
  const rec = plannedRecord(20, [{ name: 'default', failures: {} }]);
  const top = advise(rec).recommendations[0];
  assert.equal(top.kind, 'evaluation');
  assert.match(top.title!, /harder/);
});

test('topRecommendationLine names the kind, confidence and headline', () => {
  const rec = plannedRecord(20, [
    { name: 'zero-shot', failures: failing(range(0, 10), 'format') },
    { name: '5-shot', shots: 5, failures: failing([2, 5, 8], 'format') },
  ]);
  const line = topRecommendationLine(advise(rec));
  assert.match(line, /^fine-tuning \(\d+% confidence\): Few-shot cuts format failures from 10 to 3/);
  assert.equal(topRecommendationLine(undefined), 'No recommendation: nothing to go on.');
});

test('retrieval failures from context precision alone → fewer, reranked chunks (more context is not better)', () => {
  const rec = plannedRecord(20, [{ name: 'rag', retrieval: true, failures: failing([1, 2, 3, 4, 5], 'retrieval') }]);
  for (const c of rec.cases) {
    for (const r of c.results) if (!r.passed) r.evaluators = [{ name: 'ctx-precision', passed: false, score: 0.2 }];
  }
  const top = advise(rec).recommendations[0];
  assert.equal(top.kind, 'rag');
  assert.match(top.title!, /rerank and keep fewer chunks/);
  assert.equal(top.evidence.contextPrecisionFailures, 5);
  assert.match(top.actions[0], /rerank/i);
});
