// Hand-made run records for the panel's unit tests.

import type { CaseRecord, CaseResult, RunRecord } from '../../../src/core/runs/schema';

export function res(variant: string, passed: boolean, over: Partial<CaseResult> = {}): CaseResult {
  return {
    variant,
    output: passed ? 'good answer' : 'bad answer',
    passed,
    error: null,
    category: passed ? null : 'format',
    latencyMs: 100,
    tokens: { prompt: 50, completion: 5 },
    cached: false,
    evaluators: [{ name: 'check', passed, score: passed ? 1 : 0 }],
    ...over,
  };
}

export function kase(index: number, vars: Record<string, unknown>, results: CaseResult[], expected?: string): CaseRecord {
  return { index, line: 10 + index, vars, ...(expected !== undefined ? { expected } : {}), results };
}

export function record(cases: CaseRecord[], variants = ['zero-shot', '3-shot'], over: Partial<RunRecord> = {}): RunRecord {
  return {
    version: 1,
    id: 'run-1',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:05.000Z',
    promptFile: 'support.prompt.yml',
    status: 'completed',
    variants: variants.map((name) => ({
      name,
      model: 'm',
      passed: 0,
      failed: 0,
      errors: 0,
      passRate: 0,
      tokens: { prompt: 0, completion: 0 },
      costUsd: 0,
      latencyMs: { p50: 0, p95: 0 },
      categories: {},
    })),
    cases,
    ...over,
  };
}

/**
 * Four cases × two variants:
 *   0: both pass
 *   1: zero-shot fails (format), 3-shot passes      → differs
 *   2: both fail (knowledge)
 *   3: zero-shot errors, 3-shot passes (slow)       → differs
 */
export function sample(): RunRecord {
  return record([
    kase(0, { question: 'What is 2+2?' }, [res('zero-shot', true), res('3-shot', true)], '4'),
    kase(1, { question: 'Reply in JSON' }, [res('zero-shot', false, { output: 'not json' }), res('3-shot', true, { output: '{"a":1}' })]),
    kase(2, { question: 'Capital of Atlantis?' }, [
      res('zero-shot', false, { category: 'knowledge', score: 0.2 }),
      res('3-shot', false, { category: 'knowledge', score: 0.4 }),
    ]),
    kase(3, { question: 'Timeout please' }, [
      res('zero-shot', false, { error: 'HTTP 500 after 3 retries', category: 'error', output: '' }),
      res('3-shot', true, { latencyMs: 9000 }),
    ]),
  ]);
}
