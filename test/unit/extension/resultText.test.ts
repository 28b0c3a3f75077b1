import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { CaseRecord, CaseResult, RunRecord } from '../../../src/core/runs/schema';
import { modelOfPromptText } from '../../../src/extension/promptModel';
import { bestVariantText, caseLensTitle, caseVerdicts, codeFence, decorationText, fileLensTitle, relativeTime } from '../../../src/extension/editor/resultText';

function result(variant: string, passed: boolean, extra: Partial<CaseResult> = {}): CaseResult {
  return { variant, output: 'x', passed, error: null, latencyMs: 1, tokens: { prompt: 1, completion: 1 }, cached: false, evaluators: [], ...extra };
}

function caseOf(results: CaseResult[]): CaseRecord {
  return { index: 0, line: 3, vars: {}, results };
}

const summary = (name: string, passed: number, failed: number) => ({
  name, model: 'm', passed, failed, errors: 0, passRate: passed / (passed + failed), tokens: { prompt: 0, completion: 0 }, costUsd: 0, latencyMs: { p50: 0, p95: 0 }, categories: {},
});

test('a case passing every variant reads "✓ n/n variants"', () => {
  const v = caseVerdicts(caseOf([result('a', true), result('b', true)]), ['a', 'b']);
  assert.equal(caseLensTitle(v), '✓ 2/2 variants');
  assert.equal(decorationText(v), '✓ a  ✓ b');
});

test('a failing variant shows its category, errors show "error"', () => {
  const c = caseOf([
    result('zero-shot', false, { category: 'format', evaluators: [{ name: 'valid-json', passed: false, score: 0 }] }),
    result('3-shot', true),
    result('mini', false, { error: 'HTTP 500', category: 'error' }),
  ]);
  const v = caseVerdicts(c, ['zero-shot', '3-shot', 'mini']);
  assert.equal(caseLensTitle(v), '✗ zero-shot: format, mini: error');
  assert.equal(decorationText(v), '✗ zero-shot (format)  ✓ 3-shot  ✗ mini (error)');
  assert.equal(v[0].failedEvaluator, 'valid-json');
});

test('repeats: a variant fails when any of its results fails', () => {
  const v = caseVerdicts(caseOf([result('a', true, { repeat: 0 }), result('a', false, { repeat: 1, category: 'instruction' })]), ['a']);
  assert.equal(caseLensTitle(v), '✗ a: instruction');
});

test('the file lens names the best variant and how long ago, and marks staleness', () => {
  const now = Date.parse('2026-01-01T10:02:00Z');
  const record = { version: 1, id: 'r', startedAt: '2026-01-01T10:00:00Z', finishedAt: null, promptFile: 'p.prompt.yml', status: 'completed', variants: [summary('zero-shot', 5, 5), summary('3-shot', 8, 2)], cases: [] } as RunRecord;
  assert.equal(bestVariantText(record), '8/10 on 3-shot');
  assert.equal(fileLensTitle(record, { now }), '▶ Run eval · last: 8/10 on 3-shot, 2 min ago');
  assert.equal(fileLensTitle(record, { now, stale: true }), '▶ Run eval · last: 8/10 on 3-shot, 2 min ago · file changed since');
  assert.equal(fileLensTitle(undefined), '▶ Run eval');
  assert.equal(bestVariantText({ ...record, variants: [summary('default', 3, 1)] }), '3/4');
});

test('relative times', () => {
  const now = Date.parse('2026-01-02T00:00:00Z');
  assert.equal(relativeTime('2026-01-01T23:59:50Z', now), 'just now');
  assert.equal(relativeTime('2026-01-01T21:00:00Z', now), '3 h ago');
  assert.equal(relativeTime('2025-12-31T00:00:00Z', now), '2 days ago');
});

test('the code fence is longer than any backtick run in the output', () => {
  assert.equal(codeFence('plain'), '```');
  assert.equal(codeFence('a ```` b'), '`````');
});

test('finds the model of a .prompt.yml and of a .prompty front matter', () => {
  assert.equal(modelOfPromptText('name: x\nmodel: openai/gpt-4o-mini # cheap\nmessages: []\n'), 'openai/gpt-4o-mini');
  assert.equal(modelOfPromptText('---\nname: s\nmodel:\n  id: gpt-4o-mini\n  provider: openai\n  options:\n    temperature: 0\n---\nsystem:\nhi\n'), 'openai/gpt-4o-mini');
  assert.equal(modelOfPromptText('---\nmodel:\n  id: ollama/llama3.2\n---\n'), 'ollama/llama3.2');
  assert.equal(modelOfPromptText('name: no model here\n'), undefined);
});
