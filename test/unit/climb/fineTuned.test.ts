// Fine-tuned models as moves: a fine-tuning job that succeeded for this prompt file and one of its models (the
// editor's stored jobs, test/fixtures/finetune/jobs.json) makes its model an `another-model` candidate of kind
// fine-tuning; failed, unfinished and other files' jobs do not, and starting a job is never a move.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { finishedFineTunes, type FineTuneJobLike } from '../../../src/core/climb/fineTuned';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { createEnvResolver } from '../../../src/core/providers/resolve';
import { scenario } from './harness';

/** The stored jobs, their prompt files placed in `root` (the editor stores absolute paths). */
function storedJobs(root: string): FineTuneJobLike[] {
  const jobs = JSON.parse(readFileSync(path.resolve('test/fixtures/finetune/jobs.json'), 'utf8')) as FineTuneJobLike[];
  return jobs.map((j) => ({ ...j, promptPath: path.join(root, j.promptPath) }));
}

const FT = 'openai/ft:gpt-4o-mini-2024-07-18:acme::codes1';

test('finished fine-tunes: only a succeeded job of this file on one of its models, as a model reference', async () => {
  await scenario({ cases: 30 }, async ({ file, root }) => {
    const spec = await loadPromptFile(file);
    assert.deepEqual(finishedFineTunes(storedJobs(root), file, spec, createEnvResolver({ OPENAI_API_KEY: 'k' })), [FT]);
    assert.deepEqual(finishedFineTunes([], file, spec, createEnvResolver({ OPENAI_API_KEY: 'k' })), []);
  });
});

test('a stored finished job makes its model a move of kind fine-tuning; it is tried, and dropped when it only ties at a higher price', async () => {
  // Expected (written before the first run): the scripted model answers the fine-tuned model as it answers
  // the base, so on step 1 retrieval is kept and the fine-tuned model ties the baseline on search while it
  // costs twice as much per call (fine-tuned gpt-4o-mini prices): dropped, not confirmed on validation.
  await scenario({ cases: 120 }, async ({ server, root, climbWith }) => {
    const { record } = await climbWith({ fineTuneJobs: storedJobs(root), maxSteps: 1 });
    assert.deepEqual(record.options.models, [FT]);
    const move = record.rounds[0].moves.find((m) => m.patch.variant?.model === FT);
    assert.ok(move, JSON.stringify(record.rounds[0].moves.map((m) => m.label)));
    assert.equal(move.kind, 'fine-tuning');
    assert.equal(move.action, 'another-model');
    const step = record.steps.find((s) => s.move.patch.variant?.model === FT)!;
    assert.equal(step.kept, false);
    assert.match(step.why, /not confirmed, dropped/);
    assert.ok(server.stats.billed['ft:gpt-4o-mini-2024-07-18:acme::codes1'], 'the fine-tuned model was called');
    assert.ok(!record.steps.some((s) => /start|job/i.test(s.move.action)), 'starting a job is never a move');
    assert.deepEqual(record.steps.filter((s) => s.kept).map((s) => s.move.action), ['add-retrieval']);
  });
});
