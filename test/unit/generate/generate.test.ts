// Test-case generation against the scripted server over real HTTP: one happy path per eval-set format, provenance,
// duplicates, invalid inputs, groundtruth, the proposed evaluator, and every failure leaving the files byte-identical.

import { test, beforeEach } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { type ScriptedRule } from '../../fixtures/scripted-server';
import { generationRules, RULE_TEXTS, STEP } from '../../fixtures/generation-rules';
import { useScriptedWorkspace } from '../../fixtures/workspace';
import { createEnvResolver } from '../../../src/core/providers/resolve';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { casesFromText } from '../../../src/core/cases/files';
import { generateCases, estimateGeneration, type GenerateOptions } from '../../../src/core/generate/generate';
import { GenerationError } from '../../../src/core/generate/client';
import { writeInsertions } from '../../../src/core/generate/write';

const scripted = useScriptedWorkspace({ rules: generationRules() }, { fresh: 'each' });

beforeEach(() => {
  scripted.write('package.json', '{}');
  scripted.server.setRules(generationRules());
  scripted.server.setOptions({ faults: [], latencyMs: 0 });
  scripted.server.resetStats();
});

const PROMPT = (extra: string) => `name: Classifier
model: openai/test-model
messages:
  - role: system
    content: Classify the message. Reply with JSON.
  - role: user
    content: "{{message}}"
${extra}`;

function options(extra: Partial<GenerateOptions> = {}, env: Record<string, string> = {}): GenerateOptions {
  return {
    providers: createEnvResolver({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: scripted.server.url, ...env }),
    retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  };
}

async function run(file: string, extra: Partial<GenerateOptions> = {}, env: Record<string, string> = {}) {
  const spec = await loadPromptFile(file);
  const result = await generateCases(spec, options(extra, env));
  await writeInsertions(result.edits, result.sources);
  return result;
}

async function failure(file: string, extra: Partial<GenerateOptions> = {}): Promise<GenerationError> {
  const spec = await loadPromptFile(file);
  try {
    await generateCases(spec, options(extra));
  } catch (err) {
    assert.ok(err instanceof GenerationError, String(err));
    assert.ok(!err.message.includes('\n'), 'one line');
    return err;
  }
  assert.fail('generation should have failed');
}

test('JSONL: cases are appended after the untouched existing lines, with tags and the rule text', async () => {
  const existing = '{"message":"parcel never arrived","expected":"delivery"}\n{"message":"refund please"}'; // no final newline
  const cases = scripted.write('cls.cases.jsonl', existing);
  const file = scripted.write('cls.prompt.yml', PROMPT('testFile: ./cls.cases.jsonl\n'));
  const result = await run(file);
  const text = readFileSync(cases, 'utf8');
  assert.ok(text.startsWith(existing + '\n'), 'existing bytes kept, a newline added before the new lines');
  const added = text.slice(existing.length + 1).trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(added.length, result.rows.length);
  // low effort: 2 rules, no inverse rules; 1 input per rule + 2 happy paths + 2 edge cases
  assert.equal(added.length, 6);
  const rule1 = added.find((r) => r.tags.includes('rule:1'));
  assert.deepEqual(rule1.tags, ['generated', 'rule:1']);
  assert.equal(rule1.rule, RULE_TEXTS[0]);
  assert.equal(added.filter((r) => r.tags.includes('happy-path')).length, 2);
  assert.equal(added.filter((r) => r.tags.includes('edge-case')).length, 2);
  assert.ok(added.every((r) => r.tags[0] === 'generated' && typeof r.message === 'string'));
  const loaded = await loadPromptFile(file);
  assert.equal(loaded.cases.length, 2 + added.length);
  assert.deepEqual(loaded.problems, []);
  // structured output was requested with a JSON schema naming the prompt's variable
  const bodies = scripted.server.stats.bodies as { response_format?: { type: string; json_schema?: { schema: unknown } } }[];
  const schemas = bodies.filter((b) => b.response_format?.type === 'json_schema').map((b) => JSON.stringify(b.response_format?.json_schema?.schema));
  assert.ok(schemas.some((s) => s.includes('"message"')), 'tests schema lists the variable');
  assert.equal(result.calls, scripted.server.stats.chatRequests);
});

test('CSV: rows go under the existing header, tags as JSON, quoting where needed; CRLF kept', async () => {
  const existing = 'message,expected,tags,rule\r\n"hello, there",other,,\r\n';
  const cases = scripted.write('cls.csv', existing);
  const file = scripted.write('cls.prompt.yml', PROMPT('testFile: cls.csv\n'));
  scripted.server.setRules(generationRules({ extraInputs: ['a "quoted", comma', 'plain'] }));
  const result = await run(file);
  const text = readFileSync(cases, 'utf8');
  assert.ok(text.startsWith(existing));
  assert.ok(!/[^\r]\n/.test(text), 'CRLF line ends throughout');
  const { cases: loaded, problems } = await casesFromText(cases, text, 0);
  assert.deepEqual(problems, []);
  assert.equal(loaded.length, 1 + result.rows.length);
  const quoted = loaded.find((c) => c.vars.message === 'a "quoted", comma');
  assert.ok(quoted, 'quoted cell round-trips');
  assert.deepEqual(quoted.tags, ['generated', 'happy-path']);
  const ruled = loaded.find((c) => c.tags?.includes('rule:2'));
  assert.equal(ruled?.vars.rule, RULE_TEXTS[1]);
});

test('CSV without the variable\'s column is refused before any call', async () => {
  scripted.write('cls.csv', 'text,expected\nhello,other\n');
  const file = scripted.write('cls.prompt.yml', PROMPT('testFile: cls.csv\n'));
  const err = await failure(file);
  assert.equal(err.kind, 'usage');
  assert.match(err.message, /no column for "message"/);
  assert.equal(scripted.server.stats.chatRequests, 0);
});

test('YAML list: items appended at the list\'s indentation; comments and layout above untouched', async () => {
  const existing = '# support cases\n  - message: parcel never arrived   # classic\n    expected: delivery\n';
  const cases = scripted.write('cls.cases.yaml', existing);
  const file = scripted.write('cls.prompt.yml', PROMPT('testFile: cls.cases.yaml\n'));
  const result = await run(file, { count: 3 });
  const text = readFileSync(cases, 'utf8');
  assert.ok(text.startsWith(existing));
  assert.match(text.slice(existing.length), /^ {2}- message: /);
  const { cases: loaded, problems } = await casesFromText(cases, text, 0);
  assert.deepEqual(problems, []);
  assert.equal(loaded.length, 4);
  assert.equal(result.rows.length, 3);
  // --count picks across groups: both rules and the happy paths are represented
  const tags = loaded.slice(1).map((c) => c.tags?.join(' '));
  assert.ok(tags.some((t) => t?.includes('rule:1')) && tags.some((t) => t?.includes('rule:2')) && tags.some((t) => t?.includes('happy-path')), tags.join(' | '));
});

test('inline testData: items inserted after the last case, the rest of the file byte-identical; evaluator proposed', async () => {
  const head = PROMPT('testData:\n  - message: parcel never arrived\n    expected: delivery # keep me\n');
  const tail = 'evaluators:\n  - name: json\n    json: {}\n';
  const file = scripted.write('cls.prompt.yml', head + tail);
  const result = await run(file, { evaluator: true, effort: 'medium' });
  const text = readFileSync(file, 'utf8');
  assert.ok(text.startsWith(head), 'everything up to the last case unchanged');
  assert.ok(text.includes(tail.trimEnd()), 'evaluators block kept');
  const spec = await loadPromptFile(file);
  assert.deepEqual(spec.problems, []);
  assert.equal(spec.cases.length, 1 + result.rows.length);
  // medium effort: inverse rules too
  const inverse = spec.cases.filter((c) => c.tags?.includes('inverse'));
  assert.ok(inverse.length >= 2);
  assert.deepEqual(inverse[0].tags, ['generated', 'rule:1', 'inverse']);
  assert.equal(inverse[0].vars.rule, 'The reply is prose without any JSON.');
  const judge = spec.evaluators.find((e) => e.name === 'rules-compliance');
  assert.ok(judge && judge.kind === 'llm');
  assert.match(judge.systemPrompt ?? '', /1\. The reply is a JSON object/);
  assert.match(judge.prompt, /\{\{completion\}\}/);
  assert.match(judge.prompt, /\{\{message\}\}/);
  assert.ok(spec.evaluators.some((e) => e.name === 'json'));
});

test('a prompt without testData gets a new testData list at its end', async () => {
  const original = PROMPT('');
  const file = scripted.write('cls.prompt.yml', original);
  const result = await run(file, { count: 2 });
  const text = readFileSync(file, 'utf8');
  assert.ok(text.startsWith(original));
  assert.match(text.slice(original.length), /^testData:\n {2}- message: /);
  assert.equal((await loadPromptFile(file)).cases.length, result.rows.length);
});

test('.prompty without an eval set: a sibling NAME.cases.jsonl is created', async () => {
  const prompty = '---\nname: Cls\nmodel:\n  id: openai/test-model\n---\nsystem:\nClassify the message.\nuser:\n{{message}}\n';
  const file = scripted.write('cls.prompty', prompty);
  const result = await run(file);
  assert.equal(readFileSync(file, 'utf8'), prompty, 'the .prompty file untouched');
  const sibling = path.join(scripted.root, 'cls.cases.jsonl');
  assert.ok(existsSync(sibling));
  assert.equal((await loadPromptFile(file)).cases.length, result.rows.length);
});

test('groundtruth: each case gets the chosen model\'s reply as expected', async () => {
  const file = scripted.write('cls.prompt.yml', PROMPT('testData:\n  - message: hi\n'));
  scripted.server.setRules(generationRules({ groundtruth: '{"intent":"refund"}' }));
  const result = await run(file, { groundtruthModel: 'openai/truth-model', count: 2 });
  const spec = await loadPromptFile(file);
  const generated = spec.cases.filter((c) => c.tags?.includes('generated'));
  assert.equal(generated.length, 2);
  assert.ok(generated.every((c) => c.expected === '{"intent":"refund"}'));
  const truthCalls = (scripted.server.stats.bodies as { model: string }[]).filter((b) => b.model === 'truth-model');
  assert.equal(truthCalls.length, 2);
  assert.equal(result.cases.length, 2);
});

test('duplicates of existing cases (normalised text) and of each other are skipped', async () => {
  // every rule group returns the same input, which also exists already (with other case and punctuation)
  const cases = scripted.write('cls.cases.jsonl', '{"message":"Order never arrived!"}\n');
  const file = scripted.write('cls.prompt.yml', PROMPT('testFile: cls.cases.jsonl\n'));
  scripted.server.setRules(generationRules({ ruleInput: (k) => (k === 1 ? 'order never arrived' : 'the refund is late'), extraInputs: ['the refund is late', 'THE REFUND... is late', 'new question'] }));
  const result = await run(file);
  const added = readFileSync(cases, 'utf8').trimEnd().split('\n').slice(1).map((l) => JSON.parse(l).message);
  assert.deepEqual(added.sort(), ['new question', 'the refund is late']);
  assert.equal(result.dropped.duplicates, 3);
});

test('with an embedding model, near-duplicates (same words, other order) are skipped too', async () => {
  scripted.write('cls.cases.jsonl', '{"message":"my parcel never arrived"}\n');
  const file = scripted.write('cls.prompt.yml', PROMPT('testFile: cls.cases.jsonl\n'));
  scripted.server.setRules(generationRules({ ruleInput: (k) => (k === 1 ? 'never arrived my parcel' : 'refund me now'), extraInputs: ['what colour is the sky'] }));
  const withEmbeddings = await generateCases(await loadPromptFile(file), options({}, { PROMPT_LADDER_EMBEDDING_MODEL: 'openai/embed-model' }));
  assert.deepEqual(withEmbeddings.rows.map((r) => r.message).sort(), ['refund me now', 'what colour is the sky']);
  assert.ok(scripted.server.stats.embeddingRequests >= 1);
  const textOnly = await generateCases(await loadPromptFile(file), options());
  assert.ok(textOnly.rows.some((r) => r.message === 'never arrived my parcel'), 'text comparison alone keeps it');
});

test('inputs the validity check rejects are dropped', async () => {
  const file = scripted.write('cls.prompt.yml', PROMPT(''));
  scripted.server.setRules(generationRules({ extraInputs: ['INVALID: 42', 'fine message', 'INVALID too'], invalidMarker: 'INVALID' }));
  const result = await run(file);
  assert.equal(result.dropped.invalid, 2);
  assert.ok(result.rows.every((r) => !String(r.message).includes('INVALID')));
});

function withFirst(rule: ScriptedRule): ScriptedRule[] {
  return [rule, ...generationRules()];
}

test('a garbage reply (twice) leaves the eval set byte-identical and names the step', async () => {
  const existing = '{"message":"a"}\n';
  const cases = scripted.write('cls.cases.jsonl', existing);
  const file = scripted.write('cls.prompt.yml', PROMPT('testFile: cls.cases.jsonl\n'));
  const promptBefore = readFileSync(file);
  scripted.server.setRules(withFirst({ system: STEP.ruleTests, reply: 'Sure! Here are some tests: 1) hello 2) world' }));
  const err = await failure(file);
  assert.equal(err.kind, 'shape');
  assert.match(err.message, /test inputs .*wrong shape twice .*not JSON.*nothing was written/);
  assert.equal(readFileSync(cases, 'utf8'), existing);
  assert.deepEqual(readFileSync(file), promptBefore);
  const asked = (scripted.server.stats.bodies as { messages: { role: string; content: string }[] }[]).filter((b) => b.messages[0].content.includes(STEP.ruleTests));
  assert.equal(asked.length, 2, 'asked once more, then gave up');
  assert.match(asked[1].messages.at(-1)?.content ?? '', /could not be used: not JSON/);
});

test('a wrong-shaped reply (a variable missing) twice fails; once is repaired by the retry', async () => {
  const existing = '{"message":"a"}\n';
  const cases = scripted.write('cls.cases.jsonl', existing);
  const file = scripted.write('cls.prompt.yml', PROMPT('testFile: cls.cases.jsonl\n'));
  const wrong = JSON.stringify({ tests: [{ ruleId: 1, scenario: 's', vars: { text: 'no message key' } }] });
  scripted.server.setRules(withFirst({ system: STEP.ruleTests, reply: wrong }));
  const err = await failure(file);
  assert.match(err.message, /wrong shape twice \(tests\.0\.vars/);
  assert.equal(readFileSync(cases, 'utf8'), existing);

  scripted.server.setRules(withFirst({ system: STEP.ruleTests, reply: wrong, times: 1 }));
  const ok = await run(file);
  assert.ok(ok.rows.length > 0);
  assert.ok(readFileSync(cases, 'utf8').startsWith(existing));
});

test('a validity reply that skips an input is a shape error', async () => {
  const file = scripted.write('cls.prompt.yml', PROMPT(''));
  const original = readFileSync(file, 'utf8');
  scripted.server.setRules(withFirst({ system: STEP.validity, reply: JSON.stringify({ verdicts: [{ id: 1, valid: true, reason: '' }] }) }));
  const err = await failure(file);
  assert.match(err.message, /input validity .*no verdict for inputs 2, 3/);
  assert.equal(readFileSync(file, 'utf8'), original);
});

test('a provider error leaves the files unchanged and says which step failed', async () => {
  const file = scripted.write('cls.prompt.yml', PROMPT('testData:\n  - message: a\n'));
  const original = readFileSync(file, 'utf8');
  scripted.server.setRules(withFirst({ system: STEP.rules, status: 500 }));
  const err = await failure(file);
  assert.equal(err.kind, 'provider');
  assert.match(err.message, /^output rules: openai\/test-model: HTTP 500 after 2 attempts/);
  assert.equal(readFileSync(file, 'utf8'), original);
});

test('cancellation stops the calls in flight and writes nothing', async () => {
  const file = scripted.write('cls.prompt.yml', PROMPT('testData:\n  - message: a\n'));
  const original = readFileSync(file, 'utf8');
  scripted.server.setOptions({ latencyMs: 300 });
  const controller = new AbortController();
  const spec = await loadPromptFile(file);
  const pending = generateCases(spec, options({ signal: controller.signal, onProgress: (p) => p.step === 'rules' && controller.abort() }));
  await assert.rejects(pending, (err: unknown) => err instanceof GenerationError && err.kind === 'cancelled');
  assert.equal(readFileSync(file, 'utf8'), original);
  assert.ok(scripted.server.stats.chatRequests <= 2, `stopped early (${scripted.server.stats.chatRequests} calls)`);
});

test('the estimate bounds the calls made and names the target', async () => {
  scripted.write('cls.cases.jsonl', '');
  const file = scripted.write('cls.prompt.yml', PROMPT('testFile: cls.cases.jsonl\n'));
  const spec = await loadPromptFile(file);
  const est = await estimateGeneration(spec, options({ groundtruthModel: 'openai/gpt-4o-mini', effort: 'medium' }));
  assert.equal(scripted.server.stats.chatRequests, 0, 'estimating calls nothing');
  assert.equal(est.target.file, path.join(scripted.root, 'cls.cases.jsonl'));
  assert.ok(est.tokens.prompt > 0 && est.tokens.completion > 0);
  assert.ok(est.costUsd !== undefined && est.costUsd > 0, 'gpt-4o-mini is priced');
  const result = await generateCases(spec, options({ groundtruthModel: 'openai/gpt-4o-mini', effort: 'medium' }));
  assert.ok(result.calls <= est.calls, `${result.calls} calls ≤ estimate ${est.calls}`);
});

test('a file changed on disk while generating is not overwritten', async () => {
  const cases = scripted.write('cls.cases.jsonl', '{"message":"a"}\n');
  const file = scripted.write('cls.prompt.yml', PROMPT('testFile: cls.cases.jsonl\n'));
  const result = await generateCases(await loadPromptFile(file), options());
  scripted.write('cls.cases.jsonl', '{"message":"edited meanwhile"}\n');
  await assert.rejects(writeInsertions(result.edits, result.sources), /changed on disk/);
  assert.equal(readFileSync(cases, 'utf8'), '{"message":"edited meanwhile"}\n');
});

test('an eval set outside the prompt\'s project is refused before any call', async () => {
  const file = scripted.write('proj/cls.prompt.yml', PROMPT(''));
  scripted.write('proj/package.json', '{}');
  const err = await failure(file, { out: path.join(scripted.root, 'elsewhere.jsonl') });
  assert.equal(err.kind, 'usage');
  assert.match(err.message, /outside/);
  assert.equal(scripted.server.stats.chatRequests, 0);
});
