import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { FORMATS, FORMAT_NAMES, formatByName } from '../../../src/core/finetune/formats/registry';
import { axolotlConfig } from '../../../src/core/finetune/formats/local';
import { describeProblems, validateJsonl } from '../../../src/core/finetune/validate';
import type { ChatMessage } from '../../../src/core/prompt/spec';

const fixture = (name: string) => readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'finetune', name), 'utf8');

for (const name of ['openai', 'vertex', 'bedrock'] as const) {
  test(`${name}: the examples of the platform's documentation are accepted, every line`, () => {
    const text = fixture(`${name}.valid.jsonl`);
    const r = validateJsonl(FORMATS[name], text);
    assert.deepEqual(r.problems, []);
    assert.equal(r.valid, text.trim().split('\n').length);
  });
}

test('openai: a broken file is refused line by line (missing answer, unknown role, bad JSON, another format)', () => {
  const r = validateJsonl(FORMATS.openai, fixture('openai.broken.jsonl'));
  assert.equal(r.valid, 1, 'line 1 is fine');
  const byLine = new Map(r.problems.map((p) => [p.line, p.message]));
  assert.match(byLine.get(2)!, /ends with a 'user' turn; the last turn must be 'assistant'/);
  assert.match(byLine.get(3)!, /messages\[1\]\.role must be one of system, user, assistant/);
  assert.match(byLine.get(4)!, /not valid JSON/);
  assert.match(byLine.get(5)!, /unknown key 'prompt'|'messages' must be a non-empty list/);
  assert.match(describeProblems('train.jsonl', r.problems), /^train\.jsonl:2: /);
});

test('vertex: assistant instead of model, the chat shape, and a conversation without the answer are refused', () => {
  const r = validateJsonl(FORMATS.vertex, fixture('vertex.broken.jsonl'));
  assert.equal(r.valid, 1);
  const lines = (n: number) => r.problems.filter((p) => p.line === n).map((p) => p.message).join(' | ');
  assert.match(lines(2), /contents\[1\]\.role must be 'user' or 'model' \(Vertex calls the assistant 'model'\)/);
  assert.match(lines(3), /this is the chat format/);
  assert.match(lines(4), /contents ends with a 'user' turn; the last turn must be 'model'/);
});

test('bedrock: a misspelt schemaVersion, string content and a system turn inside messages are refused', () => {
  const r = validateJsonl(FORMATS.bedrock, fixture('bedrock.broken.jsonl'));
  assert.equal(r.valid, 1, 'line 4 is fine');
  const lines = (n: number) => r.problems.filter((p) => p.line === n).map((p) => p.message).join(' | ');
  assert.match(lines(1), /schemaVersion must be 'bedrock-conversation-2024'/);
  assert.match(lines(2), /messages\[0\]\.content must be a list of content blocks/);
  assert.match(lines(3), /messages\[0\]\.role must be 'user' or 'assistant' \(the system text goes in 'system'\)/);
});

test('an empty line inside a file is reported; the trailing newline is not', () => {
  const line = fixture('openai.valid.jsonl').split('\n')[0];
  assert.deepEqual(validateJsonl(FORMATS.openai, `${line}\n${line}\n`).problems, []);
  assert.deepEqual(validateJsonl(FORMATS.openai, `${line}\n\n${line}\n`).problems, [{ line: 2, message: 'empty line (JSONL holds one example per line)' }]);
});

test('every format writes what its own check accepts, with the system text where the platform keeps it', () => {
  const conversation: ChatMessage[] = [
    { role: 'system', content: 'Reply with JSON.' },
    { role: 'user', content: 'parcel late' },
    { role: 'assistant', content: '{"intent":"delivery"}' },
  ];
  for (const name of FORMAT_NAMES) {
    const f = FORMATS[name];
    assert.deepEqual(f.check(JSON.parse(JSON.stringify(f.encode(conversation)))), [], name);
  }
  assert.deepEqual(FORMATS.vertex.encode(conversation), {
    systemInstruction: { role: 'system', parts: [{ text: 'Reply with JSON.' }] },
    contents: [
      { role: 'user', parts: [{ text: 'parcel late' }] },
      { role: 'model', parts: [{ text: '{"intent":"delivery"}' }] },
    ],
  });
  assert.deepEqual(FORMATS.bedrock.encode(conversation), {
    schemaVersion: 'bedrock-conversation-2024',
    system: [{ text: 'Reply with JSON.' }],
    messages: [
      { role: 'user', content: [{ text: 'parcel late' }] },
      { role: 'assistant', content: [{ text: '{"intent":"delivery"}' }] },
    ],
  });
});

test('platform names choose the file they accept; unknown names choose nothing', () => {
  for (const alias of ['azure', 'mistral', 'together', 'fireworks', 'OpenAI']) assert.equal(formatByName(alias)?.name, 'openai', alias);
  assert.equal(formatByName('gemini')?.name, 'vertex');
  assert.equal(formatByName('trl')?.name, 'local');
  assert.equal(formatByName('anthropic'), undefined);
});

test('the local format comes with an axolotl config that reads the exported files and trains on the answers only', () => {
  const config = parse(axolotlConfig({ train: 'intent.local.train.jsonl', validation: 'intent.local.validation.jsonl', epochs: 3, outputName: 'intent-lora' }));
  assert.equal(config.datasets[0].path, 'intent.local.train.jsonl');
  assert.equal(config.datasets[0].type, 'chat_template');
  assert.equal(config.datasets[0].field_messages, 'messages');
  assert.deepEqual(config.datasets[0].roles_to_train, ['assistant']);
  assert.equal(config.test_datasets[0].path, 'intent.local.validation.jsonl');
  assert.equal(config.num_epochs, 3);
  assert.equal(config.adapter, 'lora');
  const noValidation = parse(axolotlConfig({ train: 't.jsonl', epochs: 2, outputName: 'x' }));
  assert.equal(noValidation.val_set_size, 0);
  assert.equal(noValidation.test_datasets, undefined);
});
