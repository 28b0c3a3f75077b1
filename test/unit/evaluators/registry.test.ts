// runEvaluators: the case verdict, weighted score, error isolation, registration; latency and cost.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EvaluatorSpec } from '../../../src/core/prompt/spec';
import { hasEvaluator, registerEvaluator, runEvaluators } from '../../../src/core/evaluators/registry';
import { evalInput } from './evalInput';

const contains = (text: string, more: Partial<EvaluatorSpec> = {}): EvaluatorSpec =>
  ({ kind: 'string', name: `contains-${text}`, line: 1, contains: text, ...more }) as EvaluatorSpec;

describe('runEvaluators', () => {
  it('zero evaluators: the case passes, as in gh models eval', async () => {
    assert.deepEqual(await runEvaluators([], evalInput('anything')), { passed: true, score: 1, results: [] });
  });

  it('passes only when every evaluator passes, keeping declared order', async () => {
    const v = await runEvaluators([contains('a'), contains('z'), contains('b')], evalInput('abc'));
    assert.equal(v.passed, false);
    assert.deepEqual(v.results.map((r) => [r.name, r.passed]), [['contains-a', true], ['contains-z', false], ['contains-b', true]]);
  });

  it('score is the weighted mean of evaluator scores (weight default 1)', async () => {
    const plain = await runEvaluators([contains('a'), contains('z')], evalInput('abc'));
    assert.equal(plain.score, 0.5);
    const weighted = await runEvaluators([contains('a', { weight: 3 }), contains('z')], evalInput('abc'));
    assert.equal(weighted.score, 0.75);
    const zeroWeights = await runEvaluators([contains('a', { weight: 0 })], evalInput('abc'));
    assert.equal(zeroWeights.score, 1);
  });

  it('an evaluator that throws becomes a failed result with the error; the others still run', async () => {
    registerEvaluator('context-recall', async () => {
      throw new Error('judge exploded');
    });
    const spec: EvaluatorSpec = { kind: 'context-recall', name: 'recall', line: 3 };
    const v = await runEvaluators([spec, contains('a')], evalInput('abc'));
    assert.equal(v.passed, false);
    assert.deepEqual(v.results[0], { name: 'recall', passed: false, score: 0, details: 'Evaluator error: judge exploded', category: 'error' });
    assert.equal(v.results[1].passed, true);
  });

  it('a kind with no implementation fails clearly', async () => {
    const kind = 'answer-relevancy';
    if (hasEvaluator(kind)) return; // registered by its own module in this process
    const v = await runEvaluators([{ kind, name: 'ar', line: 1 }], evalInput('abc'));
    assert.equal(v.passed, false);
    assert.match(v.results[0].details ?? '', /No evaluator is available for kind 'answer-relevancy'/);
  });

  it('registerEvaluator plugs a kind in; the declared category wins over the natural one', async () => {
    registerEvaluator('faithfulness', async (spec) => ({ name: 'ignored', passed: true, score: 0.9, category: 'grounding', data: { t: spec.threshold } }));
    const v = await runEvaluators(
      [
        { kind: 'faithfulness', name: 'faith', line: 1, threshold: 0.7 },
        { kind: 'faithfulness', name: 'faith2', line: 2, category: 'retrieval' },
      ],
      evalInput('abc'),
    );
    assert.deepEqual(v.results.map((r) => [r.name, r.passed, r.category]), [['faith', true, 'grounding'], ['faith2', true, 'retrieval']]);
    assert.deepEqual(v.results[0].data, { t: 0.7 });
  });

  it('cancellation propagates instead of becoming a verdict', async () => {
    const controller = new AbortController();
    registerEvaluator('context-precision', async () => {
      controller.abort();
      throw new Error('aborted');
    });
    await assert.rejects(runEvaluators([{ kind: 'context-precision', name: 'cp', line: 1 }], evalInput('x', { signal: controller.signal })), /aborted/);
  });
});

describe('latency and cost evaluators', () => {
  const latency = (maxMs: number): EvaluatorSpec => ({ kind: 'latency', name: 'fast', line: 1, maxMs });
  const cost = (maxUsd: number): EvaluatorSpec => ({ kind: 'cost', name: 'cheap', line: 1, maxUsd });
  it('latency passes at or under maxMs', async () => {
    assert.equal((await runEvaluators([latency(100)], evalInput('x', { latencyMs: 100 }))).passed, true);
    const v = await runEvaluators([latency(100)], evalInput('x', { latencyMs: 101 }));
    assert.equal(v.passed, false);
    assert.equal(v.results[0].details, 'Latency 101 ms (max 100 ms)');
  });
  it('cost passes at or under maxUsd', async () => {
    assert.equal((await runEvaluators([cost(0.01)], evalInput('x', { costUsd: 0.01 }))).passed, true);
    const v = await runEvaluators([cost(0.01)], evalInput('x', { costUsd: 0.02 }));
    assert.equal(v.passed, false);
    assert.match(v.results[0].details ?? '', /Cost \$0\.0200 \(max \$0\.0100\)/);
  });
});
