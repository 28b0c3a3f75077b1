// One naming scheme for the editor and the CLI: the files of an export, and the base name a save dialog's choice
// gives back, so a chosen training file keeps its validation file and axolotl config beside it under the same name.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { exportBaseOf, exportFiles, trainFileName } from '../../../src/core/finetune/files';

const result = (format: 'openai' | 'local', validation: number) => ({ format, train: '{}\n', validation: validation ? '{}\n' : '', counts: { train: 9, validation, skipped: 0 } });

test('the files of an export: NAME.FORMAT.train.jsonl, the validation file when examples are held out, the local config', () => {
  assert.deepEqual(exportFiles(result('openai', 2), 'support', 3).map((f) => f.name), ['support.openai.train.jsonl', 'support.openai.validation.jsonl']);
  assert.deepEqual(exportFiles(result('openai', 0), 'support', 3).map((f) => f.name), ['support.openai.train.jsonl']);
  assert.deepEqual(exportFiles(result('local', 1), 'support', 3).map((f) => f.name), ['support.local.train.jsonl', 'support.local.validation.jsonl', 'support.local.axolotl.yml']);
  assert.equal(trainFileName('support', 'vertex'), 'support.vertex.train.jsonl');
});

test('the base of a chosen training file, whatever the user typed', () => {
  assert.equal(exportBaseOf('support.openai.train.jsonl', 'openai'), 'support');
  assert.equal(exportBaseOf('mine.vertex.train.jsonl', 'openai'), 'mine', 'a name from another format');
  assert.equal(exportBaseOf('mine.jsonl', 'openai'), 'mine');
  assert.equal(exportBaseOf('my.data.train.jsonl', 'bedrock'), 'my.data');
  assert.equal(exportBaseOf('.openai.train.jsonl', 'openai'), 'dataset');
  // the chosen name comes back unchanged through the scheme
  for (const name of ['support.openai.train.jsonl', 'q3-export.bedrock.train.jsonl']) {
    const format = name.split('.').at(-3)!;
    assert.equal(trainFileName(exportBaseOf(name, format), format), name);
  }
});
