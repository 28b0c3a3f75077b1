import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runEvaluator } from '../../../src/core/evaluators/registry';
import { CODE_EVALUATOR_KINDS, type EvalInput } from '../../../src/core/evaluators/evaluator';
import type { EvaluatorSpec } from '../../../src/core/prompt/spec';

const input = (workspaceTrusted?: boolean): EvalInput => ({
  output: 'x',
  vars: {},
  messages: [],
  question: 'q',
  latencyMs: 1,
  costUsd: 0,
  judge: { complete: async () => '' },
  signal: new AbortController().signal,
  ...(workspaceTrusted !== undefined ? { workspaceTrusted } : {}),
});

test('in an untrusted workspace an evaluator that runs workspace code is not run, and says why', async () => {
  for (const kind of CODE_EVALUATOR_KINDS) {
    const spec = { name: 'checker', kind, line: 3 } as unknown as EvaluatorSpec;
    const r = await runEvaluator(spec, input(false));
    assert.equal(r.passed, false);
    assert.equal(r.category, 'error');
    assert.match(r.details ?? '', /not run: 'code' evaluators run code from the workspace, and this workspace is not trusted/);
    const trusted = await runEvaluator(spec, input(true));
    assert.doesNotMatch(trusted.details ?? '', /not trusted/);
  }
});

test('other evaluators run as usual in an untrusted workspace', async () => {
  const spec = { name: 'has-x', kind: 'regex', pattern: 'x', line: 1 } as unknown as EvaluatorSpec;
  const r = await runEvaluator(spec, input(false));
  assert.equal(r.passed, true, JSON.stringify(r));
  assert.doesNotMatch(r.details ?? '', /not trusted/);
});
