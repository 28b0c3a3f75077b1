// The advice says what the specific signal shows: retrieval confirms guessed knowledge failures (so the
// confidence reflects the evidence), a fixed run says what comes next, off-topic answers are named, and a
// larger topK that did worse turns the retrieval actions towards fewer chunks and reranking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyVariantEvidence } from '../../../src/core/analysis/categorize';
import { computeSignals } from '../../../src/core/analysis/advisor/signals';
import { check as knowledge } from '../../../src/core/analysis/advisor/rules/knowledge';
import { check as format } from '../../../src/core/analysis/advisor/rules/format';
import { check as retrieval } from '../../../src/core/analysis/advisor/rules/retrieval';
import { retrievalActions } from '../../../src/core/analysis/advisor/rules/retrievalActions';
import type { PromptSpec } from '../../../src/core/prompt/spec';
import { failing, plannedRecord } from './records';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

test('a retrieval variant that fixes guessed knowledge failures confirms them, and the advice is more confident for it', () => {
  const plan = () => plannedRecord(12, [
    { name: 'closed-book', basis: 'guess', failures: failing(range(0, 9), 'knowledge') },
    { name: 'rag', retrieval: true, failures: {} },
  ]);
  const before = knowledge(computeSignals(plan()), {})[0];
  const rec = plan();
  const changed = applyVariantEvidence(rec);
  assert.equal(changed.results, 9);
  const r = rec.cases[0].results.find((x) => x.variant === 'closed-book')!;
  assert.equal(r.category, 'knowledge');
  assert.equal(r.categoryBasis, 'variant');
  assert.match(r.categoryReason!, /confirmed by rag: with retrieved context it passes 9 of the 9 cases closed-book failed/);
  const after = knowledge(computeSignals(rec), {})[0];
  assert.ok(after.confidence > before.confidence, `${after.confidence} > ${before.confidence}`);
  assert.ok(after.confidence >= 0.6, `a 9-of-9 fix (p = 0.004) reads as likely, got ${after.confidence}`);
});

test('a retrieval variant that fixes few of them confirms nothing', () => {
  const rec = plannedRecord(12, [
    { name: 'closed-book', basis: 'guess', failures: failing(range(0, 9), 'knowledge') },
    { name: 'rag', retrieval: true, failures: failing(range(0, 7), 'knowledge') },
  ]);
  assert.equal(applyVariantEvidence(rec).results, 0);
});

test('keep retrieval says what comes next when nothing fails with it', () => {
  const [f] = knowledge(computeSignals(plannedRecord(20, [{ name: 'zero-shot', failures: failing(range(0, 10), 'knowledge') }, { name: 'rag', retrieval: true, failures: {} }])), {});
  assert.match(f.title!, /keep retrieval/);
  assert.match(f.why, /Next: make rag the prompt's default and add harder questions/);
  assert.ok(f.actions.some((a) => a.startsWith('command:promptLadder.generateTestCases')));
});

const specWith = (extra: Partial<PromptSpec>): PromptSpec => ({ variants: [], evaluators: [], ...extra }) as unknown as PromptSpec;

test('answers failing answer relevancy are named as answers that ignore the question', () => {
  const rec = plannedRecord(20, [{ name: 'v', failures: failing(range(0, 8), 'instruction') }]);
  for (const c of rec.cases.slice(0, 8)) c.results[0].evaluators = [{ name: 'on-topic', passed: false, score: 0.2 }];
  const spec = specWith({ evaluators: [{ name: 'on-topic', kind: 'answer-relevancy', line: 3 }] as PromptSpec['evaluators'], variants: [{ name: 'v' }] as PromptSpec['variants'] });
  const [f] = format(computeSignals(rec, spec), { spec });
  assert.match(f.why, /^8 of v's answers score low on answer relevancy: they do not address the question asked/);
  const [plain] = format(computeSignals(plannedRecord(20, [{ name: 'v', failures: failing(range(0, 8), 'instruction') }])), {});
  assert.doesNotMatch(plain.why, /answer relevancy/);
});

test('a topK 8 variant worse than topK 3 is said, and the actions rerank from the better one instead of adding chunks', () => {
  const rec = plannedRecord(20, [
    { name: 'rag', retrieval: true, failures: failing([0, 1], 'retrieval') },
    { name: 'rag-top8', retrieval: true, failures: failing(range(0, 9), 'retrieval') },
  ]);
  const spec = specWith({
    retrieval: { topK: 3, chunk: { size: 800, overlap: 100 } } as PromptSpec['retrieval'],
    variants: [{ name: 'rag', retrieval: true }, { name: 'rag-top8', retrieval: { topK: 8 } }] as PromptSpec['variants'],
  });
  const s = computeSignals(rec, spec);
  const [f] = retrieval(s, { spec });
  assert.match(f.why, /rag-top8 \(topK 8\) passes 55 % against 90 % for rag \(topK 3\); rag passes 7 cases rag-top8 fails/);
  assert.match(f.why, /Keep fewer chunks and rerank from rag\./);
  const actions = retrievalActions(s, { spec });
  assert.match(actions[0], /reranked variant/);
  assert.ok(actions[0].includes(encodeURIComponent('"base":"rag"')) || actions[0].includes('"base":"rag"'), actions[0]);
  assert.ok(!actions.some((a) => /topK 6|topK 16/.test(a)), 'no "more chunks" action');
});
