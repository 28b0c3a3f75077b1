import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { runEval } from '../../../src/core/engine';
import { describeSources, exportFineTuneDataset, trainingPrice } from '../../../src/core/finetune/dataset';
import { countTokens } from '../../../src/core/providers/pricing';
import { classifierRules, resolverFor, useScriptedWorkspace } from '../../fixtures/workspace';

const scripted = useScriptedWorkspace({ rules: classifierRules });

function classifier(n: number): string {
  const rows = Array.from({ length: n }, (_, i) =>
    i % 2 ? `  - message: refund order ${i}\n    expected: '{"intent":"refund"}'` : `  - message: parcel ${i} is late\n    expected: '{"intent":"delivery"}'`,
  ).join('\n');
  return `name: Classifier
model: openai/gpt-4o-mini
messages:
  - role: system
    content: Classify the message. Reply with JSON.
  - role: user
    content: "{{message}}"
testData:
${rows}
examples:
  - input: where is my parcel
    output: '{"intent":"delivery"}'
  - input: give me a refund
    output: '{"intent":"refund"}'
variants:
  - name: zero-shot
    shots: 0
  - name: 2-shot
    shots: 2
evaluators:
  - name: valid-json
    json: {}
`;
}

async function run(n: number) {
  const file = scripted.write(`cls${n}.prompt.yml`, classifier(n));
  const spec = await loadPromptFile(file);
  const { record } = await runEval(spec, { providers: resolverFor(scripted.server.url), root: scripted.root, write: false });
  return { spec, record };
}

test('expected-output export: chat JSONL without the few-shot examples, split, tokens and savings', async () => {
  const { spec, record } = await run(12);
  const out = exportFineTuneDataset(spec, record, { source: 'expected', validationShare: 0.2, seed: 7 });
  assert.deepEqual(out.counts, { train: 10, validation: 2, skipped: 0 });
  const lines = out.train.trim().split('\n').map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
  assert.equal(lines.length, 10);
  for (const l of lines) {
    assert.deepEqual(l.messages.map((m) => m.role), ['system', 'user', 'assistant'], 'few-shot pairs are dropped');
    assert.equal(l.messages[0].content, 'Classify the message. Reply with JSON.');
  }
  assert.equal(out.validation.trim().split('\n').length, 2);
  assert.ok(out.tokens.train > 0);
  assert.equal(out.estimatedTrainingCostUsd, Math.round(((out.tokens.train * 3 * 3) / 1e6) * 1e6) / 1e6);
  // the two example pairs: 4 messages, each 4 framing tokens + content
  const pairTokens = ['where is my parcel', '{"intent":"delivery"}', 'give me a refund', '{"intent":"refund"}'].reduce((s, t) => s + 4 + countTokens(t), 0);
  assert.equal(out.tokensSavedPerCall, pairTokens);
  assert.equal(out.fewShotVariant, '2-shot');
  assert.equal(out.savedPer1000CallsUsd, Math.round(((pairTokens * 0.15) / 1000) * 1e6) / 1e6);
  assert.ok(out.netSavedPer1000CallsUsd !== undefined);
  assert.ok(out.warnings.some((w) => /50/.test(w)), 'warns that 10 examples are few');
  // same seed, same split
  assert.equal(exportFineTuneDataset(spec, record, { source: 'expected', validationShare: 0.2, seed: 7 }).validation, out.validation);
});

test('below the provider minimum the export warns', async () => {
  const { spec, record } = await run(6);
  const out = exportFineTuneDataset(spec, record, { source: 'expected' });
  assert.ok(out.counts.train < 10);
  assert.ok(out.warnings.some((w) => /at least 10/.test(w)));
});

test('best-variant export uses the passing outputs of the best variant', async () => {
  const { spec, record } = await run(12);
  const out = exportFineTuneDataset(spec, record, { source: 'best-variant', validationShare: 0 });
  assert.equal(out.variant, '2-shot');
  assert.equal(out.counts.train, 12);
  assert.equal(out.validation, '');
  const answers = out.train.trim().split('\n').map((l) => (JSON.parse(l) as { messages: { content: string }[] }).messages.at(-1)!.content);
  assert.ok(answers.every((a) => a === '{"intent":"delivery"}' || a === '{"intent":"refund"}'));
  const zero = exportFineTuneDataset(spec, record, { source: 'best-variant', variant: 'zero-shot', validationShare: 0 });
  assert.equal(zero.counts.train, 6, 'only the refund cases pass zero-shot');
  assert.equal(zero.counts.skipped, 6);
});

test('auto export: a case without an expected output gets the best variant\'s passing output, and says so', async () => {
  // Odd rows lose their expected value: 6 cases keep one, 6 have none.
  const text = classifier(12).replace(/( {2}- message: refund order \d+)\n {4}expected: '\{"intent":"refund"\}'/g, '$1');
  const file = scripted.write('auto.prompt.yml', text);
  const spec = await loadPromptFile(file);
  assert.equal(spec.cases.filter((c) => c.expected === undefined).length, 6);
  const { record } = await runEval(spec, { providers: resolverFor(scripted.server.url), root: scripted.root, write: false });
  const auto = exportFineTuneDataset(spec, record, { source: 'auto', validationShare: 0 });
  assert.equal(auto.counts.train, 12);
  assert.deepEqual(auto.sources, { expected: 6, bestVariant: 6, teacher: 0 });
  const sentence = describeSources(auto);
  assert.match(sentence, /6 from the cases' expected outputs/);
  assert.match(sentence, /6 from the passing outputs of variant "2-shot"/);
  const refund = auto.train.trim().split('\n').map((l) => JSON.parse(l) as { messages: { content: string }[] })
    .filter((l) => l.messages[1].content.startsWith('refund order'));
  assert.equal(refund.length, 6);
  for (const l of refund) assert.equal(l.messages.at(-1)!.content, '{"intent":"refund"}', 'the passing output of 2-shot');
  // 'expected' alone leaves those six out.
  const only = exportFineTuneDataset(spec, record, { source: 'expected', validationShare: 0 });
  assert.deepEqual({ ...only.counts, ...only.sources }, { train: 6, validation: 0, skipped: 6, expected: 6, bestVariant: 0, teacher: 0 });
});

test('training prices follow the base model name', () => {
  assert.equal(trainingPrice('openai/gpt-4o-mini'), 3);
  assert.equal(trainingPrice('gpt-4o-mini-2024-07-18'), 3);
  assert.equal(trainingPrice('gpt-4o'), 25);
  assert.equal(trainingPrice('ollama/llama3'), undefined);
});
