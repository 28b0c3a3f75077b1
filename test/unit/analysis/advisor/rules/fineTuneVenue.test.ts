import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, meta } from '../../../../../src/core/analysis/advisor/rules/fineTuneVenue';
import { computeSignals } from '../../../../../src/core/analysis/advisor/signals';
import { parseAction } from '../../../../../src/shared/actions';
import { failing, plannedRecord } from '../../records';

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const reduced = (model: string) =>
  plannedRecord(24, [
    { name: 'zero-shot', model, failures: failing(range(0, 12), 'format') },
    { name: '3-shot', model, shots: 3, failures: failing([0, 1, 2], 'format') },
  ]);
const after = new Date('2027-02-01T00:00:00Z');
const before = new Date('2026-12-05T00:00:00Z');

test(`${meta.id}: an OpenAI model gets the cut-off and where it could be fine-tuned, the same text on either side of the date, with an export per format and no job button`, () => {
  const [f] = check(computeSignals(reduced('openai/gpt-4o-mini')), { now: after });
  assert.equal(f.kind, 'fine-tuning');
  assert.match(f.why, /OpenAI creates new fine-tuning jobs only for organisations it still accepts, and for none from 2027-01-06/);
  assert.deepEqual(check(computeSignals(reduced('openai/gpt-4o-mini')), { now: before }), [f], 'a run\'s advice does not change with the day');
  assert.match(f.why, /Azure OpenAI, Mistral, Together .* Google Vertex AI .* Amazon Bedrock .* local training/);
  const formats = f.actions.map(parseAction).map((a) => (a.args?.[0] as { format: string }).format);
  assert.deepEqual(formats, ['openai', 'vertex', 'bedrock', 'local']);
  assert.ok(!f.actions.some((a) => /startFineTuneJob/.test(a)));
});

test(`${meta.id}: Ollama and GitHub Models say why; Azure, Mistral and unknown profiles say nothing`, () => {
  assert.deepEqual(check(computeSignals(reduced('lab/some-model')), { now: after }), [], 'a profile whose kind is not known');
  assert.match(check(computeSignals(reduced('ollama/llama3.2')), { now: before })[0].why, /Ollama serves models but does not train them/);
  assert.match(check(computeSignals(reduced('github/openai/gpt-4o')), { now: before })[0].why, /GitHub Models has no fine-tuning API/);
  assert.deepEqual(check(computeSignals(reduced('azure/my-deployment')), { now: after }), []);
  assert.deepEqual(check(computeSignals(reduced('lab/open-mistral-7b')), { now: after, profileKinds: { lab: 'mistral' } }), []);
});

test(`${meta.id}: no reason to fine-tune → nothing`, () => {
  const stuck = plannedRecord(24, [
    { name: 'zero-shot', failures: failing(range(0, 8), 'format') },
    { name: '3-shot', shots: 3, failures: failing(range(0, 8), 'format') },
  ]);
  assert.deepEqual(check(computeSignals(stuck), { now: after }), []);
});
