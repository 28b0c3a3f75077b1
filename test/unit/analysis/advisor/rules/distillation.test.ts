import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, meta } from '../../../../../src/core/analysis/advisor/rules/distillation';
import { computeSignals } from '../../../../../src/core/analysis/advisor/signals';
import { parseAction } from '../../../../../src/shared/actions';
import { failing, plannedRecord } from '../../records';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

test(`${meta.id}: a pricier model passing what the small one fails → teacher and student named, with the export that distils`, () => {
  const rec = plannedRecord(24, [
    { name: 'mini', model: 'openai/gpt-4o-mini', failures: failing(range(0, 10), 'instruction') },
    { name: 'big', model: 'openai/gpt-4o', failures: failing([0], 'instruction') },
  ]);
  const [f] = check(computeSignals(rec), {});
  assert.equal(f.kind, 'fine-tuning');
  assert.equal(f.title, 'Distil: teacher "big" (openai/gpt-4o) → student "mini" (openai/gpt-4o-mini)');
  assert.match(f.why, /big \(openai\/gpt-4o\) passes 9 cases that mini \(openai\/gpt-4o-mini\) fails, and fails 0 it passes \(p = 0\.004\)/);
  assert.deepEqual({ teacher: f.evidence.teacher, student: f.evidence.student }, { teacher: 'big', student: 'mini' });
  const exp = parseAction(f.actions[0]);
  assert.deepEqual(exp.args, [{ teacher: 'big', variant: 'mini' }]);
  assert.ok(f.actions.some((a) => a.includes('--teacher big --variant mini')));
  assert.equal(f.weight, 0.9);
});

test(`${meta.id}: a cheaper model, a difference within noise, or one model only → no teacher`, () => {
  const cheaperBetter = plannedRecord(24, [
    { name: 'big', model: 'openai/gpt-4o', failures: failing(range(0, 10), 'instruction') },
    { name: 'mini', model: 'openai/gpt-4o-mini', failures: {} },
  ]);
  assert.deepEqual(check(computeSignals(cheaperBetter), {}), [], 'the baseline is the student; a cheaper teacher is not distillation');
  const noise = plannedRecord(24, [
    { name: 'mini', model: 'openai/gpt-4o-mini', failures: failing([0, 1, 2], 'instruction') },
    { name: 'big', model: 'openai/gpt-4o', failures: failing([0], 'instruction') },
  ]);
  assert.deepEqual(check(computeSignals(noise), {}), []);
  assert.deepEqual(check(computeSignals(plannedRecord(24, [{ name: 'v', failures: failing([0, 1], 'format') }])), {}), []);
});
