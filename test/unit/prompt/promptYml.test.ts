import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { checkPromptText, loadPromptFile } from '../../../src/core/prompt/load';
import { SpecError, formatProblem } from '../../../src/core/errors';
import type { SourceProblem } from '../../../src/core/errors';

const FIX = path.resolve(__dirname, '../../fixtures/prompts');
const fx = (name: string): string => path.join(FIX, name);

/** Load inline text as if it were a file in the fixtures folder; return the SpecError's problems. */
async function fatal(text: string, name = 'inline.prompt.yml'): Promise<SourceProblem[]> {
  try {
    await loadPromptFile(fx(name), { text });
  } catch (e) {
    assert.ok(e instanceof SpecError, `expected SpecError, got ${String(e)}`);
    return e.problems;
  }
  assert.fail('expected the file to be rejected');
}

function brief(ps: SourceProblem[]): string[] {
  return ps.map((p) => formatProblem({ ...p, file: path.basename(p.file) }));
}

test('a gh-format file with our keys loads every key', async () => {
  const s = await loadPromptFile(fx('support.prompt.yml'));
  assert.equal(s.format, 'prompt.yml');
  assert.equal(s.name, 'Support triage');
  assert.equal(s.description, 'Classify a support message into intent and priority');
  assert.equal(s.model, 'openai/gpt-4o-mini');
  assert.deepEqual(s.modelParameters, { maxTokens: 200, temperature: 0.2, seed: 7 });
  assert.deepEqual(s.messages.map((m) => [m.role, m.line]), [
    ['system', 11],
    ['user', 13],
  ]);
  assert.equal(s.messages[1].content, 'Message: {{message}}\n');
  assert.deepEqual(s.problems, []);
  assert.deepEqual(s.keyLines, {
    name: 1, description: 2, model: 3, modelParameters: 4, responseFormat: 8, jsonSchema: 9, messages: 10,
    testData: 16, testFile: 23, examples: 24, variants: 31, retrieval: 46, evaluators: 50,
  });
});

test('the jsonSchema JSON string becomes a json_schema response format', async () => {
  const s = await loadPromptFile(fx('support.prompt.yml'));
  assert.ok(s.responseFormat?.type === 'json_schema');
  assert.equal(s.responseFormat.name, 'triage');
  assert.equal(s.responseFormat.strict, true);
  assert.deepEqual((s.responseFormat.schema as { required: string[] }).required, ['intent', 'priority']);
});

test('jsonSchema may also be written as a YAML map', async () => {
  const s = await loadPromptFile(fx('x.prompt.yml'), {
    text: 'messages:\n  - role: user\n    content: hi\nresponseFormat: json_schema\njsonSchema:\n  name: out\n  schema:\n    type: object\n',
  });
  assert.deepEqual(s.responseFormat, { type: 'json_schema', name: 'out', schema: { type: 'object' } });
});

test('testData rows come first, then testFile rows; expected stays a variable and is lifted', async () => {
  const s = await loadPromptFile(fx('support.prompt.yml'));
  assert.deepEqual(s.cases.map((c) => [c.index, path.basename(c.file), c.line]), [
    [0, 'support.prompt.yml', 17],
    [1, 'support.prompt.yml', 19],
    [2, 'support.cases.jsonl', 1],
    [3, 'support.cases.jsonl', 3],
  ]);
  assert.equal(s.cases[0].expected, 'delivery');
  assert.equal(s.cases[0].vars.expected, 'delivery');
  assert.deepEqual(s.cases[1].context, ['Billing happens on the 1st.']);
  assert.deepEqual(s.cases[1].tags, ['money']);
  assert.deepEqual(s.cases[3].evaluators, [{ name: 'mentions-password', line: 3, kind: 'string', contains: 'password' }]);
  assert.equal('evaluators' in s.cases[3].vars, false);
});

test('non-string expected values are kept as JSON text', async () => {
  const s = await loadPromptFile(fx('x.prompt.yml'), {
    text: 'messages:\n  - role: user\n    content: "{{q}}"\ntestData:\n  - q: a\n    expected: 42\n  - q: b\n    expected: {intent: x}\n',
  });
  assert.equal(s.cases[0].expected, '42');
  assert.equal(s.cases[1].expected, '{"intent":"x"}');
  assert.equal(s.cases[0].vars.expected, 42);
});

test('variants, examples and retrieval load with defaults', async () => {
  const s = await loadPromptFile(fx('support.prompt.yml'));
  assert.deepEqual(s.variants.map((v) => [v.name, v.shots, v.select, v.line]), [
    ['zero-shot', undefined, undefined, 32],
    ['2-shot', 2, undefined, 33],
    ['2-similar', 2, 'similar', 35],
    ['mini-random', 1, 'random', 38],
  ]);
  const mini = s.variants[3];
  assert.equal(mini.seed, 42);
  assert.equal(mini.model, 'openai/gpt-4.1-mini');
  assert.deepEqual(mini.modelParameters, { temperature: 0 });
  assert.equal(mini.systemSuffix, 'Think step by step.');
  assert.deepEqual(s.examples.map((e) => [e.input, e.line]), [
    ['Where is my package?', 25],
    ['Please refund me', 27],
    ['The app crashes on start', 29],
  ]);
  assert.deepEqual(s.retrieval, {
    documents: ['./docs/**/*.md'], chunk: { size: 800, overlap: 100 }, topK: 3, query: 'hyde', into: 'context', line: 46,
  });
});

test('every evaluator kind parses, json schema files load relative to the prompt', async () => {
  const s = await loadPromptFile(fx('support.prompt.yml'));
  assert.deepEqual(s.evaluators.map((e) => [e.name, e.kind, e.line]), [
    ['intent-matches', 'string', 51],
    ['valid-json', 'json', 54],
    ['no-apology', 'regex', 58],
    ['judge-helpful', 'llm', 64],
    ['similarity', 'builtin', 73],
    ['fast', 'latency', 75],
  ]);
  const json = s.evaluators[1];
  assert.ok(json.kind === 'json');
  assert.equal(json.schemaFile, './triage.schema.json');
  assert.deepEqual(json.schema?.required, ['intent']);
  assert.equal(json.category, 'format');
  assert.equal(s.evaluators[2].weight, 0.5);
});

test('our evaluator kinds with their fields', async () => {
  const s = await loadPromptFile(fx('kinds.prompt.yml'));
  const byName = Object.fromEntries(s.evaluators.map((e) => [e.name, e]));
  assert.deepEqual(byName['inline-json'], { name: 'inline-json', line: 5, kind: 'json', schema: { type: 'object' } });
  assert.deepEqual(byName['any-json'], { name: 'any-json', line: 8, kind: 'json' });
  assert.deepEqual(byName.close, { name: 'close', line: 10, kind: 'similar', threshold: 0.9 });
  assert.deepEqual(byName.rubric, { name: 'rubric', line: 13, kind: 'judge', rubric: 'Polite and correct', threshold: 0.7, category: 'instruction' });
  assert.deepEqual(byName.faithful, { name: 'faithful', line: 18, kind: 'faithfulness' });
  assert.deepEqual(byName.relevant, { name: 'relevant', line: 20, kind: 'answer-relevancy', threshold: 0.6 });
  assert.deepEqual(byName.cheap, { name: 'cheap', line: 23, kind: 'cost', maxUsd: 0.01 });
  assert.deepEqual(byName['must-refuse'], { name: 'must-refuse', line: 26, kind: 'refusal', expected: true });
  assert.deepEqual(byName['starts'], { name: 'starts', line: 29, kind: 'string', startsWith: '42' });
});

test('without variants there is one default variant at the model line', async () => {
  const s = await loadPromptFile(fx('x.prompt.yml'), { text: 'name: x\nmodel: openai/gpt-4o\nmessages:\n  - role: user\n    content: hi\n' });
  assert.deepEqual(s.variants, [{ name: 'default', shots: 0, line: 2 }]);
  const t = await loadPromptFile(fx('x.prompt.yml'), { text: 'messages:\n  - role: user\n    content: hi\n' });
  assert.deepEqual(t.variants, [{ name: 'default', shots: 0, line: 1 }]);
  assert.equal(t.name, 'x');
});

test('wrong types give exact file:line:col with human messages, all at once', async () => {
  const ps = await fatal(
    'name: Bad\nmodelParameters:\n  temperature: hot\nmessages:\n  - role: system\n    content: hi\n  - role: robot\n    content: x\nevaluators:\n  - name: ok\n    string: {equals: x}\n  - name: weird\n    contains: x\n  - name: cat\n    regex: {pattern: a}\n    category: style\nvariants:\n  - name: v\n    shots: -1\n',
  );
  assert.deepEqual(brief(ps), [
    'inline.prompt.yml:3:16: modelParameters.temperature: expected a number, got "hot"',
    'inline.prompt.yml:7:11: messages[1].role: expected one of system, user, assistant, got "robot"',
    'inline.prompt.yml:12:5: evaluators[1]: unknown evaluator kind; expected one of string, llm, uses, regex, json, similar, judge, faithfulness, answer-relevancy, context-precision, context-recall, latency, cost, refusal, code',
    'inline.prompt.yml:16:15: evaluators[2].category: expected one of format, instruction, knowledge, grounding, retrieval, reasoning, refusal, error, got "style"',
    'inline.prompt.yml:19:12: variants[0].shots: must be at least 0, got -1',
  ]);
  assert.deepEqual([ps[0].endLine, ps[0].endCol], [3, 19]);
});

test('a YAML syntax error is fatal, in plain words, at the offending token', async () => {
  // a colon and a space inside a plain value: at that colon, with the fix
  const ps = await fatal('name: x\nmessages:\n  - role: user\n    content: a: b\n');
  assert.deepEqual(brief(ps), [
    'inline.prompt.yml:4:15: YAML: the value "a: b" holds a colon followed by a space, which YAML reads as a new key: put the value in quotes ("…"), or use a block (|) for longer text',
  ]);
  // the library says "Nested mappings are not allowed in compact mappings" at line 3 (the line before): once, at line 4
  const deeper = await fatal('name: x\nmessages:\n  - role: user\n     content: hi\n');
  assert.equal(deeper.length, 1, brief(deeper).join('\n'));
  assert.equal(`${deeper[0].line}:${deeper[0].col}`, '4:6');
  assert.match(deeper[0].message, /^YAML: this line is indented deeper than the line above, so YAML cannot tell what "content" belongs to: indent it like the line above \(2 spaces\)/);
  assert.doesNotMatch(deeper[0].message, /compact mappings/);
  // an unclosed quote: at the opening quote, not at the end of the file
  const unclosed = await fatal('name: x\nmessages:\n  - role: user\n    content: "unclosed\n');
  assert.deepEqual(brief(unclosed), ['inline.prompt.yml:4:14: YAML: this quoted value is never closed: add the closing " at its end']);
  // a tab as indentation
  const tab = await fatal('name: x\nmessages:\n\t- role: user\n');
  assert.match(brief(tab)[0], /^inline\.prompt\.yml:3:1: YAML: a tab indents this line; YAML indents with spaces only/);
  // a line without a colon among keys
  const noColon = await fatal('name: x\nmodel\nmessages:\n  - role: user\n    content: hi\n');
  assert.deepEqual(brief(noColon), ['inline.prompt.yml:2:1: YAML: "model" is not a "key: value" pair: add the colon and a space after the key, or indent it under the key it belongs to']);
  // an unclosed [ … ]: at the bracket
  const flow = await fatal('name: x\ntags: [a, b\nmessages:\n  - role: user\n    content: hi\n');
  assert.match(brief(flow)[0], /^inline\.prompt\.yml:2:7: YAML: this \[ … \] list is never closed: add the closing \]/);
});

test('a file without messages is fatal', async () => {
  assert.deepEqual(brief(await fatal('name: x\nmodel: openai/gpt-4o\n')), ['inline.prompt.yml:1:1: no messages: a prompt file needs `messages` (a list of {role, content})']);
  assert.deepEqual(brief(await fatal('messages: []\n')), ['inline.prompt.yml:1:11: messages: must not be empty']);
  assert.deepEqual(brief(await fatal('')), ['inline.prompt.yml:1:1: expected a prompt file (a map with messages), got an empty file']);
});

test('json_schema without jsonSchema, and jsonSchema with bad JSON, are fatal', async () => {
  const msgs = 'messages:\n  - role: user\n    content: hi\n';
  assert.deepEqual(brief(await fatal(msgs + 'responseFormat: json_schema\n')), [
    'inline.prompt.yml:4:17: responseFormat: responseFormat json_schema needs a `jsonSchema` (a JSON string with name and schema)',
  ]);
  const ps = await fatal(msgs + "responseFormat: json_schema\njsonSchema: '{\"name\": '\n");
  assert.equal(ps.length, 1);
  assert.equal(ps[0].line, 5);
  assert.match(ps[0].message, /^jsonSchema: invalid JSON/);
  assert.deepEqual(brief(await fatal(msgs + 'responseFormat: json_schema\njsonSchema: \'{"schema": {}}\'\n')), [
    'inline.prompt.yml:5:13: jsonSchema: jsonSchema must contain a "name" (a string)',
  ]);
  assert.deepEqual(brief(await fatal(msgs + 'responseFormat: yaml\n')), ['inline.prompt.yml:4:17: responseFormat: expected one of text, json_object, json_schema, got "yaml"']);
});

test('evaluator problems are located errors and leave that evaluator out; an unknown plugin loads and warns (gh fails it per case)', async () => {
  const head = 'messages:\n  - role: user\n    content: hi\nevaluators:\n';
  const s = await loadPromptFile(path.join(FIX, 'inline.prompt.yml'), {
    text:
      head +
      '  - name: a\n    latency: {maxMs: soon}\n' + // 5-6
      '  - name: b\n    llm:\n      modelId: m\n      choices: []\n' + // 7-10
      '  - name: c\n    regex: {pattern: "("}\n' + // 11-12
      '  - name: d\n    json: {schema: ./nope.schema.json}\n' + // 13-14
      '  - name: e\n    string: {contains: x}\n    regex: {pattern: x}\n' + // 15-17
      '  - name: f\n    uses: github/nonsense\n', // 18-19
  });
  assert.deepEqual(s.evaluators.map((e) => [e.name, e.kind]), [['f', 'builtin']]);
  assert.equal(s.declaredEvaluators, 6);
  assert.deepEqual(
    s.problems.map((p) => `${p.severity} ${path.basename(p.file)}:${p.line}:${p.col}: ${p.message}`),
    [
      'error inline.prompt.yml:6:22: evaluators[0].latency.maxMs: expected a number, got "soon"',
      'error inline.prompt.yml:9:7: evaluators[1].llm.prompt: required (expected a string)',
      'error inline.prompt.yml:10:16: evaluators[1].llm.choices: must not be empty',
      'error inline.prompt.yml:12:22: evaluators[2].regex.pattern: invalid regular expression: Invalid regular expression: /(/: Unterminated group',
      'error inline.prompt.yml:14:20: evaluator "d": schema file ./nope.schema.json not found',
      'error inline.prompt.yml:15:5: evaluators[4]: more than one evaluator kind (string, regex); declare one kind per evaluator',
      `warning inline.prompt.yml:19:11: evaluators[5].uses: unknown plugin evaluator "github/nonsense" (known: github/similarity, github/coherence, github/fluency, github/relevance, github/groundedness); it fails every case, as gh's "Plugin evaluator 'github/nonsense' not found"`,
    ],
  );
});

test('a wrong type deep in testData points at that node, and only that row is skipped', async () => {
  const s = await loadPromptFile(fx('bad-rows.prompt.yml'));
  assert.deepEqual(s.cases.map((c) => [path.basename(c.file), c.line, c.vars.question]), [
    ['bad-rows.prompt.yml', 6, 'fine'],
    ['bad-rows.prompt.yml', 10, 'also fine'],
    ['bad-rows.cases.jsonl', 1, 'one'],
    ['bad-rows.cases.jsonl', 6, 'six'],
  ]);
  assert.deepEqual(s.cases.map((c) => c.index), [0, 1, 2, 3]);
  assert.equal(s.examples.length, 1);
  assert.deepEqual(brief(s.problems), [
    'bad-rows.prompt.yml:7:5: testData[1]: expected a case (a map of variables), got "just a string"',
    'bad-rows.prompt.yml:9:14: testData[2].context: expected a string or a list of strings, got 3',
    'bad-rows.prompt.yml:15:5: examples[1].input: required (a string or a map of variables)',
    'bad-rows.prompt.yml:17:1: warning: unknown key "unknownKey"; ignored',
    'bad-rows.cases.jsonl:2:20: invalid JSON: Expected double-quoted property name',
    'bad-rows.cases.jsonl:3:1: expected a case (a map of variables), got a list',
    'bad-rows.cases.jsonl:5:1: context: expected a string or a list of strings, got a list',
  ]);
});

test('a missing testFile is fatal at the testFile line', async () => {
  assert.deepEqual(brief(await fatal('messages:\n  - role: user\n    content: hi\ntestFile: ./missing.jsonl\n')), [
    'inline.prompt.yml:4:11: testFile: file not found: ./missing.jsonl',
  ]);
  assert.deepEqual(brief(await fatal('messages:\n  - role: user\n    content: hi\ntestFile:\n  - ./support.cases.jsonl\n  - ./gone.csv\n')), [
    'inline.prompt.yml:6:5: testFile[1]: file not found: ./gone.csv',
  ]);
});

test('a Jinja statement in a .prompt.yml is a warning at its line, since gh sends it as written', async () => {
  const s = await loadPromptFile(fx('x.prompt.yml'), { text: 'messages:\n  - role: user\n    content: |\n      Hello {{x}}\n      {% for x in xs %}\n' });
  assert.deepEqual(brief(s.problems), [
    'x.prompt.yml:5:1: warning: template: {% for %} is sent as written: a .prompt.yml only replaces {{name}}, as gh does (loops and conditions need a .prompty file)',
  ]);
});

test('{{ name }} with spaces in a .prompt.yml is a warning when a case has `name`, since gh sends it as written', async () => {
  const s = await loadPromptFile(fx('x.prompt.yml'), { text: 'messages:\n  - role: user\n    content: "{{ x }} {{ other }}"\ntestData:\n  - x: 1\n' });
  assert.deepEqual(brief(s.problems), ['x.prompt.yml:2:1: warning: {{ x }} is sent as written: a .prompt.yml replaces only {{x}}, without spaces, as gh does']);
});

test('variants: duplicate names, retrieval without a retrieval section, unknown keys', async () => {
  const ps = await fatal('messages:\n  - role: user\n    content: hi\nvariants:\n  - name: a\n  - name: a\n    retrieval: true\n    shot: 3\n');
  assert.deepEqual(brief(ps), [
    'inline.prompt.yml:6:11: variants[1].name: duplicate variant name "a"',
    'inline.prompt.yml:7:16: variants[1].retrieval: retrieval: true needs a top-level `retrieval` section',
    'inline.prompt.yml:8:5: warning: variants[1]: unknown key "shot"; did you mean "shots"? (ignored)',
  ]);
});

test('examples from a JSONL file, with a bad line skipped', async () => {
  const s = await loadPromptFile(fx('x.prompt.yml'), {
    text: 'messages:\n  - role: user\n    content: "{{q}}"\nexamples: ./examples.jsonl\nvariants:\n  - name: two\n    shots: 2\n',
  });
  assert.deepEqual(s.examples.map((e) => [e.input, e.output, path.basename(e.file), e.line]), [
    ['Where is my parcel?', 'delivery', 'examples.jsonl', 1],
    [{ q: 'Refund please' }, '{"intent":"billing"}', 'examples.jsonl', 3],
  ]);
  assert.deepEqual(brief(s.problems), ['examples.jsonl:2:1: output: required (the assistant reply)']);
});

test('checkPromptText returns every problem (fatal and not) and never throws', async () => {
  const ps = await checkPromptText(fx('bad-rows.prompt.yml'), 'messages:\n  - role: user\n    content: hi\ntestData:\n  - 3\nmodelParameters: {topP: 7}\n');
  assert.deepEqual(brief(ps), [
    'bad-rows.prompt.yml:5:5: testData[0]: expected a case (a map of variables), got 3',
    'bad-rows.prompt.yml:6:25: modelParameters.topP: must be at most 1, got 7',
  ]);
  assert.deepEqual(await checkPromptText(fx('support.prompt.yml'), ''), [
    { file: fx('support.prompt.yml'), line: 1, col: 1, message: 'expected a prompt file (a map with messages), got an empty file', severity: 'error' },
  ]);
});

test('an unknown extension and a missing file are SpecErrors, not crashes', async () => {
  await assert.rejects(loadPromptFile(fx('nope.prompt.yml')), (e: unknown) => e instanceof SpecError && /file not found/.test(e.message));
  await assert.rejects(loadPromptFile(fx('notes.txt'), { text: 'x' }), (e: unknown) => e instanceof SpecError && /not a prompt file/.test(e.message));
});

test('scalars read as text like gh does: numeric content and name', async () => {
  const s = await loadPromptFile(fx('x.prompt.yml'), { text: 'name: 2024\nmessages:\n  - role: user\n    content: 42\n' });
  assert.equal(s.name, '2024');
  assert.equal(s.messages[0].content, '42');
});

test('a case-level json evaluator loads its schema relative to the prompt; a missing one skips only that row', async () => {
  const s = await loadPromptFile(fx('x.prompt.yml'), {
    text: 'messages:\n  - role: user\n    content: "{{q}}"\ntestData:\n  - q: a\n    evaluators:\n      - name: shape\n        json: {schema: ./triage.schema.json}\n  - q: b\n    evaluators:\n      - name: shape\n        json: {schema: ./gone.json}\n',
  });
  assert.equal(s.cases.length, 1);
  const e = s.cases[0].evaluators?.[0];
  assert.ok(e?.kind === 'json');
  assert.deepEqual(e.schema?.required, ['intent']);
  assert.deepEqual(brief(s.problems), ['x.prompt.yml:12:24: evaluator "shape": schema file ./gone.json not found']);
});
