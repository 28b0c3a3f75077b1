import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COT_INSTRUCTION, extractFinalAnswer } from '../../../src/core/analysis/cot';
import { referenceFreeEvaluators, repairConversation } from '../../../src/core/analysis/selfRepair';
import type { EvaluatorSpec } from '../../../src/core/prompt/spec';

test('the final answer after the last marker is what evaluators see', () => {
  const out = extractFinalAnswer('Ann is 30, Bob is 40.\n30 < 40, so Ann is younger.\nFinal answer: no');
  assert.deepEqual(out, { answer: 'no', reasoning: 'Ann is 30, Bob is 40.\n30 < 40, so Ann is younger.', found: true });
  assert.equal(extractFinalAnswer('Answer: 3\nwait, recheck.\n**Final Answer:** 4').answer, '4');
  assert.equal(extractFinalAnswer('steps...\nFinal answer:\n```json\n{"a":1}\n```').answer, '{"a":1}');
  assert.equal(extractFinalAnswer('推理……\n最终答案：42').answer, '42');
});

test('without a marker the whole reply is the answer, and the instruction names the marker', () => {
  assert.deepEqual(extractFinalAnswer('  just 4  '), { answer: 'just 4', reasoning: '', found: false });
  assert.match(COT_INSTRUCTION, /Final answer:/);
  assert.equal(extractFinalAnswer('The answer is clear: 5').found, false, 'a mid-line "answer:" is not a marker');
});

test('self-repair keeps only checks that do not reveal the expected answer', () => {
  const evs: EvaluatorSpec[] = [
    { name: 'json', kind: 'json', line: 1 },
    { name: 'prefix', kind: 'string', startsWith: 'A:', line: 2 },
    { name: 'has-fact', kind: 'string', contains: '{{expected}}', line: 3 },
    { name: 're', kind: 'regex', pattern: '^\\d+$', line: 4 },
    { name: 're-ref', kind: 'regex', pattern: '{{code}}', line: 5 },
    { name: 'sim', kind: 'similar', threshold: 0.8, line: 6 },
  ];
  assert.deepEqual(referenceFreeEvaluators(evs).map((e) => e.name), ['json', 'prefix', 're']);
  const conv = repairConversation([{ role: 'user', content: 'q' }], 'bad', [{ name: 'json', details: 'Unexpected token\n at 1' }]);
  assert.deepEqual(conv.map((m) => m.role), ['user', 'assistant', 'user']);
  assert.match(conv[2].content, /- json: Unexpected token at 1/);
});
