import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SLIM_OUTPUT_CHARS, slimCase } from '../../../src/shared/slim';
import { parseResult } from '../../../src/shared/protocol';
import { kase, record, res } from './fixtures';

test('slim cases drop messages, context and evaluator data but keep verdicts', () => {
  const full = record([
    kase(0, { q: 'x' }, [
      res('v', false, {
        output: 'y'.repeat(SLIM_OUTPUT_CHARS + 50),
        messages: [{ role: 'user', content: 'x' }],
        context: ['passage'],
        evaluators: [{ name: 'faithfulness', passed: false, score: 0.1, details: 'd', data: { statements: [1, 2] } }],
      }),
    ]),
  ]);
  const slim = slimCase(full.cases[0]);
  const r = slim.results[0];
  assert.equal(r.messages, undefined);
  assert.equal(r.context, undefined);
  assert.equal(r.evaluators[0].data, undefined);
  assert.equal(r.evaluators[0].details, 'd');
  assert.equal(r.output.length, SLIM_OUTPUT_CHARS + 1);
  assert.ok(full.cases[0].results[0].messages, 'the full record is not modified');
  assert.ok(parseResult('rows', { runId: full.id, rows: [slim] }).ok);
});
