// gh-models' own Go tests, re-expressed against our loader, renderer, evaluators and CLI.
// Each case names its source: the file in the github/gh-models repository and the Go test (t.Run name).
// The YAML bodies are the same shapes the Go tests use; the assertions are on what the same file means here.
//
// Where we differ from gh on purpose (a documented extension), the case says so; verdicts (load or refuse,
// pass or fail, score, exit code) follow gh for .prompt.yml files.

import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { SpecError } from '../../../src/core/errors';
import { renderMessages } from '../../../src/core/render/messages';
import { ghTemplate } from '../../../src/core/render/ghTemplate';
import { runEvaluators } from '../../../src/core/evaluators/registry';
import type { EvaluatorSpec, PromptSpec } from '../../../src/core/prompt/spec';
import type { RunRecord } from '../../../src/core/runs/schema';
import type { ScriptedRule } from '../../fixtures/scripted-server';
import { useScriptedWorkspace } from '../../fixtures/workspace';
import { cliEnv, runCli } from '../cli/runCli';
import { evalInput } from '../evaluators/evalInput';
import { openAiJudge } from '../evaluators/judgeClient';

const PROMPT_TEST = 'gh-models pkg/prompt/prompt_test.go TestPromptFile';
const EVAL_TEST = 'gh-models cmd/eval/eval_test.go TestEval';

const scripted = useScriptedWorkspace({});
beforeEach(() => {
  scripted.server.setRules([]);
  scripted.server.resetStats();
});

/** Write `text` as `name` in the temp workspace and load it (as gh's LoadFromFile reads a file from disk). */
async function load(text: string, name = 'test.prompt.yml'): Promise<PromptSpec> {
  return loadPromptFile(scripted.write(name, text));
}

/** Load and expect a refusal; the SpecError's message (every problem, file:line:col). */
async function refused(text: string, name = 'test.prompt.yml'): Promise<string> {
  try {
    await load(text, name);
  } catch (e) {
    assert.ok(e instanceof SpecError, `expected a SpecError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('expected the file to be refused');
}

function cli(args: string[], rules: ScriptedRule[]): Promise<{ code: number; stdout: string; stderr: string }> {
  scripted.server.setRules(rules);
  return runCli(['eval', ...args], { cwd: scripted.root, env: cliEnv(scripted.root, scripted.server.url) });
}

const readJson = (rel: string): RunRecord => JSON.parse(readFileSync(path.join(scripted.root, rel), 'utf8')) as RunRecord;

type Body = { model: string; messages: { role: string; content: string }[]; response_format?: { type: string; json_schema?: Record<string, unknown> } };
const chatBodies = (): Body[] => (scripted.server.stats.bodies as Body[]).filter((b) => Array.isArray(b.messages));

describe(PROMPT_TEST, () => {
  // pkg/prompt/prompt_test.go TestPromptFile / "loads and parses prompt file"
  it('loads and parses prompt file', async () => {
    const spec = await load(`
name: Test Prompt
description: A test prompt file
model: openai/gpt-4o
modelParameters:
  temperature: 0.5
  maxTokens: 100
messages:
  - role: system
    content: You are a helpful assistant.
  - role: user
    content: "Hello {{name}}"
testData:
  - name: "Alice"
  - name: "Bob"
evaluators:
  - name: contains-greeting
    string:
      contains: "hello"
`);
    assert.equal(spec.name, 'Test Prompt');
    assert.equal(spec.description, 'A test prompt file');
    assert.equal(spec.model, 'openai/gpt-4o');
    assert.equal(spec.modelParameters.temperature, 0.5);
    assert.equal(spec.modelParameters.maxTokens, 100);
    assert.deepEqual(
      spec.messages.map((m) => [m.role, m.content]),
      [
        ['system', 'You are a helpful assistant.'],
        ['user', 'Hello {{name}}'],
      ],
    );
    assert.deepEqual(spec.cases.map((c) => c.vars.name), ['Alice', 'Bob']);
    assert.equal(spec.evaluators.length, 1);
    const ev = spec.evaluators[0];
    assert.equal(ev.name, 'contains-greeting');
    assert.equal(ev.kind, 'string');
    assert.equal(ev.kind === 'string' ? ev.contains : undefined, 'hello');
    assert.deepEqual(spec.problems, []);
  });

  // pkg/prompt/prompt_test.go TestPromptFile / "templates messages correctly" (prompt.TemplateString)
  it('templates messages correctly', () => {
    assert.equal(ghTemplate('Hello {{name}}, you are {{age}} years old', { name: 'World', age: 25 }), 'Hello World, you are 25 years old');
  });

  // pkg/prompt/prompt_test.go TestPromptFile / "handles missing template variables"
  it('handles missing template variables: an unknown {{missing}} stays literal', () => {
    assert.equal(ghTemplate('Hello {{name}}, you are {{missing}} years old', { name: 'World' }), 'Hello World, you are {{missing}} years old');
  });

  // pkg/prompt/prompt_test.go TestPromptFile / "handles file not found"
  it('handles file not found', async () => {
    await assert.rejects(loadPromptFile(path.join(scripted.root, 'nonexistent', 'file.yml')), (e: unknown) => e instanceof SpecError && /file not found/.test(e.message));
  });

  // pkg/prompt/prompt_test.go TestPromptFile / "handles invalid YAML"
  it('handles invalid YAML: refused, located at the line and column', async () => {
    const msg = await refused('invalid: yaml: content: [', 'invalid.prompt.yml');
    assert.match(msg, /invalid\.prompt\.yml:1:\d+: YAML: /);
  });

  // pkg/prompt/prompt_test.go TestPromptFile / "loads prompt file with responseFormat text"
  it('loads prompt file with responseFormat text', async () => {
    const spec = await load(`
name: Text Response Format Test
description: Test with text response format
model: openai/gpt-4o
responseFormat: text
messages:
  - role: user
    content: "Hello"
`);
    assert.deepEqual(spec.responseFormat, { type: 'text' });
  });

  // pkg/prompt/prompt_test.go TestPromptFile / "loads prompt file with responseFormat json_object"
  it('loads prompt file with responseFormat json_object', async () => {
    const spec = await load(`
name: JSON Object Response Format Test
description: Test with JSON object response format
model: openai/gpt-4o
responseFormat: json_object
messages:
  - role: user
    content: "Hello"
`);
    assert.deepEqual(spec.responseFormat, { type: 'json_object' });
  });

  // pkg/prompt/prompt_test.go TestPromptFile / "loads prompt file with responseFormat json_schema and jsonSchema as JSON string"
  it('loads prompt file with responseFormat json_schema and jsonSchema as JSON string', async () => {
    const spec = await load(`
name: JSON Schema String Format Test
description: Test with JSON schema as JSON string
model: openai/gpt-4o
responseFormat: json_schema
jsonSchema: |-
  {
    "name": "describe_animal",
    "strict": true,
    "schema": {
      "type": "object",
      "properties": {
        "name": { "type": "string", "description": "The name of the animal" },
        "habitat": { "type": "string", "description": "The habitat the animal lives in" }
      },
      "additionalProperties": false,
      "required": ["name", "habitat"]
    }
  }
messages:
  - role: user
    content: "Hello"
`);
    const rf = spec.responseFormat;
    assert.ok(rf && rf.type === 'json_schema');
    assert.equal(rf.name, 'describe_animal');
    assert.equal(rf.strict, true);
    assert.equal(rf.schema.type, 'object');
    assert.deepEqual(Object.keys(rf.schema.properties as object), ['name', 'habitat']);
    assert.deepEqual(rf.schema.required, ['name', 'habitat']);
  });

  // pkg/prompt/prompt_test.go TestPromptFile / "validates invalid responseFormat"
  it('validates invalid responseFormat: refused naming the bad value', async () => {
    const msg = await refused(`
name: Invalid Response Format Test
description: Test with invalid response format
model: openai/gpt-4o
responseFormat: invalid_format
messages:
  - role: user
    content: "Hello"
`);
    // gh: "invalid responseFormat: invalid_format. Must be 'text', 'json_object', or 'json_schema'"; same facts, located.
    assert.match(msg, /test\.prompt\.yml:5:\d+: responseFormat: expected one of text, json_object, json_schema, got "invalid_format"/);
  });

  // pkg/prompt/prompt_test.go TestPromptFile / "validates json_schema requires jsonSchema"
  it('validates json_schema requires jsonSchema', async () => {
    const msg = await refused(`
name: JSON Schema Missing Test
description: Test json_schema without jsonSchema
model: openai/gpt-4o
responseFormat: json_schema
messages:
  - role: user
    content: "Hello"
`);
    assert.match(msg, /test\.prompt\.yml:5:\d+: .*json_schema needs a `jsonSchema`/);
  });

  // pkg/prompt/prompt_test.go TestPromptFile / "BuildChatCompletionOptions includes responseFormat and jsonSchema"
  // Here: what the request to the model actually carries, seen by the scripted server.
  it('BuildChatCompletionOptions includes responseFormat and jsonSchema: the request carries them', async () => {
    scripted.write(
      'schema.prompt.yml',
      `model: openai/gpt-4o
responseFormat: json_schema
jsonSchema: '{"name": "test_schema", "strict": true, "schema": {"type": "object", "properties": {"name": {"type": "string", "description": "The name"}}, "required": ["name"]}}'
messages:
  - role: user
    content: Hello
testData:
  - {}
`,
    );
    const r = await cli(['schema.prompt.yml', '--no-cache'], [{ reply: '{"name":"x"}' }]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const body = chatBodies()[0];
    assert.equal(body.model, 'gpt-4o');
    assert.equal(body.response_format?.type, 'json_schema');
    const js = body.response_format?.json_schema as { name: string; strict: boolean; schema: { type: string; properties: object } };
    assert.equal(js.name, 'test_schema');
    assert.equal(js.strict, true);
    assert.equal(js.schema.type, 'object');
    assert.ok('name' in js.schema.properties);
  });
});

describe(EVAL_TEST, () => {
  // cmd/eval/eval_test.go TestEval / "loads and parses evaluation prompt file"
  it('loads and parses evaluation prompt file', async () => {
    const spec = await load(`
name: Test Evaluation
description: A test evaluation
model: openai/gpt-4o
modelParameters:
  temperature: 0.5
  maxTokens: 100
testData:
  - input: "hello"
    expected: "hello world"
  - input: "goodbye"
    expected: "goodbye world"
messages:
  - role: system
    content: You are a helpful assistant.
  - role: user
    content: "Please respond to: {{input}}"
evaluators:
  - name: contains-world
    string:
      contains: "world"
  - name: similarity-check
    uses: github/similarity
`);
    assert.equal(spec.name, 'Test Evaluation');
    assert.equal(spec.description, 'A test evaluation');
    assert.equal(spec.model, 'openai/gpt-4o');
    assert.equal(spec.modelParameters.temperature, 0.5);
    assert.equal(spec.modelParameters.maxTokens, 100);
    assert.equal(spec.cases.length, 2);
    assert.equal(spec.messages.length, 2);
    assert.deepEqual(spec.evaluators.map((e) => [e.name, e.kind]), [
      ['contains-world', 'string'],
      ['similarity-check', 'builtin'],
    ]);
    // `expected` stays a row variable as in gh (and is also the case's expected output)
    assert.equal(spec.cases[0].vars.expected, 'hello world');
    assert.equal(spec.cases[0].expected, 'hello world');
  });

  // cmd/eval/eval_test.go TestEval / "templates messages correctly" (evalCommandHandler.templateMessages)
  it('templates messages correctly', async () => {
    const spec = await load(`
messages:
  - role: system
    content: You are helpful.
  - role: user
    content: "Process {{input}} and return {{expected}}"
testData:
  - input: hello
    expected: world
`);
    const sent = renderMessages(spec, spec.variants[0], spec.cases[0], []);
    assert.deepEqual(sent, [
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'Process hello and return world' },
    ]);
  });

  // cmd/eval/eval_test.go TestEval / "string evaluator works correctly" — its table, one case per row.
  describe('string evaluator works correctly', () => {
    type StringSpec = Extract<EvaluatorSpec, { kind: 'string' }>;
    const rows: { name: string; criteria: Partial<StringSpec>; response: string; expected: boolean; variables?: Record<string, unknown> }[] = [
      { name: 'contains match', criteria: { contains: 'world' }, response: 'hello world', expected: true },
      { name: 'contains no match', criteria: { contains: 'world' }, response: 'hello there', expected: false },
      { name: 'equals match', criteria: { equals: 'exact' }, response: 'exact', expected: true },
      { name: 'equals no match', criteria: { equals: 'exact' }, response: 'not exact', expected: false },
      { name: 'starts with match', criteria: { startsWith: 'hello' }, response: 'hello world', expected: true },
      { name: 'ends with match', criteria: { endsWith: 'world' }, response: 'hello world', expected: true },
      { name: 'contains with variable', criteria: { contains: '{{expected}}' }, response: 'hello world', expected: true, variables: { expected: 'world' } },
      { name: 'fails with variable not match', criteria: { contains: '{{expected}}' }, response: 'hello world', expected: false, variables: { expected: 'goodbye' } },
    ];
    for (const row of rows) {
      // cmd/eval/eval_test.go TestEval / "string evaluator works correctly" / row.name
      it(row.name, async () => {
        const spec = { kind: 'string', name: 'test', line: 1, ...row.criteria } as StringSpec;
        const v = await runEvaluators([spec], evalInput(row.response, { vars: row.variables ?? {} }));
        const r = v.results[0];
        assert.equal(r.name, 'test');
        assert.equal(r.passed, row.expected, r.details);
        assert.equal(r.score, row.expected ? 1 : 0);
      });
    }
  });

  // cmd/eval/eval_test.go TestEval / "plugin evaluator works with github/similarity"
  it('plugin evaluator works with github/similarity: a judge reply of "4" scores 0.75 and passes', async () => {
    scripted.server.setRules([{ reply: '4' }]);
    const spec: EvaluatorSpec = { kind: 'builtin', name: 'similarity', line: 1, uses: 'github/similarity' };
    const v = await runEvaluators(
      [spec],
      evalInput('test response', { vars: { input: 'test question', expected: 'test answer' }, judge: openAiJudge(scripted.server) }),
    );
    assert.equal(v.results[0].name, 'similarity');
    assert.equal(v.results[0].score, 0.75);
    assert.equal(v.results[0].passed, true);
    assert.equal(chatBodies().length, 1, 'one judge call');
  });

  // cmd/eval/eval_test.go TestEval / "command creation works"
  // gh checks cobra's Use/Short; ours is a plain CLI: the help names the eval command (wording is ours).
  it('command creation works: the CLI has an eval command', async () => {
    const r = await runCli(['--help'], { cwd: scripted.root, env: cliEnv(scripted.root, scripted.server.url) });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /prompt-ladder eval <file>\.\.\./);
  });

  const MOCK_TEST = `
name: Mock Test
description: Test with mock client
model: openai/test-model
testData:
  - input: "test input"
    expected: "test response"
messages:
  - role: user
    content: "{{input}}"
evaluators:
  - name: contains-test
    string:
      contains: "test"
`;

  // cmd/eval/eval_test.go TestEval / "integration test with mock client"
  // gh prints "Running test case" and "PASSED"; ours prints the prompt's name and a variant table (our wording).
  it('integration test with mock client: exit 0, the run passes', async () => {
    scripted.write('mock.prompt.yml', MOCK_TEST);
    const r = await cli(['mock.prompt.yml', '--no-cache', '--json', 'mock.json'], [{ reply: 'test response' }]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Mock Test — 1 case × 1 variant — completed/);
    assert.match(r.stdout, /100\.0%/);
    const rec = readJson('mock.json');
    assert.equal(rec.variants[0].passed, 1);
    assert.equal(chatBodies()[0].messages.at(-1)?.content, 'test input');
  });

  // cmd/eval/eval_test.go TestEval / "logs model response when test fails"
  it('logs model response when test fails: exit 1, the failure shows the reply', async () => {
    scripted.write(
      'failing.prompt.yml',
      `
name: Failing Test
description: Test that fails to check model response logging
model: openai/test-model
testData:
  - input: "test input"
    expected: "expected but not returned"
messages:
  - role: user
    content: "{{input}}"
evaluators:
  - name: contains-nonexistent
    string:
      contains: "nonexistent text"
`,
    );
    const r = await cli(['failing.prompt.yml', '--no-cache'], [{ reply: 'actual model response' }]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /Failing Test — 1 case/);
    assert.match(r.stdout, /✗ line \d+ \[default\] .*contains-nonexistent/);
    assert.match(r.stdout, /reply: "actual model response"/);
  });

  const JSON_TEST = `
name: JSON Test Evaluation
description: Testing JSON output format
model: openai/gpt-4o
testData:
  - input: "hello"
    expected: "hello world"
  - input: "test"
    expected: "test response"
messages:
  - role: user
    content: "Respond to: {{input}}"
evaluators:
  - name: contains-hello
    string:
      contains: "hello"
  - name: exact-match
    string:
      equals: "hello world"
`;

  // cmd/eval/eval_test.go TestEval / "json output format"
  // gh's --json prints its EvaluationSummary on stdout; ours writes the run record to the named file
  // (`--json <out.json>`, README). Same facts: 2 cases, 1 passed, 1 failed, 50 %, replies and per-evaluator scores.
  it('json output format', async () => {
    scripted.write('json.prompt.yml', JSON_TEST);
    const r = await cli(['json.prompt.yml', '--no-cache', '--json', 'json.json'], [
      { user: '^Respond to: hello$', reply: 'hello world' },
      { user: '^Respond to: test$', reply: 'test output' },
    ]);
    assert.equal(r.code, 1, 'a failed case fails the run, as gh returns FailedTests');
    const rec = readJson('json.json');
    assert.equal(rec.promptName, 'JSON Test Evaluation');
    assert.equal(rec.variants[0].model, 'openai/gpt-4o');
    assert.equal(rec.cases.length, 2);
    assert.equal(rec.variants[0].passed, 1);
    assert.equal(rec.variants[0].failed, 1);
    assert.equal(rec.variants[0].passRate, 0.5);
    const [first, second] = rec.cases.map((c) => c.results[0]);
    assert.equal(first.output, 'hello world');
    assert.deepEqual(first.evaluators.map((e) => [e.passed, e.score]), [
      [true, 1],
      [true, 1],
    ]);
    assert.equal(second.output, 'test output');
    assert.deepEqual(second.evaluators.map((e) => [e.passed, e.score]), [
      [false, 0],
      [false, 0],
    ]);
    // the JSON file holds data only
    const text = readFileSync(path.join(scripted.root, 'json.json'), 'utf8');
    assert.doesNotMatch(text, /✓|✗|Run record:/);
  });

  // cmd/eval/eval_test.go TestEval / "json output vs human-readable output"
  it('json output vs human-readable output', async () => {
    scripted.write(
      'cmp.prompt.yml',
      `
name: Output Comparison Test
description: Compare JSON vs human-readable output
model: openai/gpt-4o
testData:
  - input: "hello"
messages:
  - role: user
    content: "Say: {{input}}"
evaluators:
  - name: simple-check
    string:
      contains: "hello"
`,
    );
    const rules = [{ reply: 'hello world' }];
    const human = await cli(['cmp.prompt.yml', '--no-cache'], rules);
    assert.equal(human.code, 0, human.stdout + human.stderr);
    assert.match(human.stdout, /Output Comparison Test — 1 case × 1 variant — completed/);
    assert.match(human.stdout, /default\s+openai\/gpt-4o\s+1\s+0\s+0\s+100\.0%/);
    const json = await cli(['cmp.prompt.yml', '--no-cache', '--json', 'cmp.json'], rules);
    assert.equal(json.code, 0);
    const rec = readJson('cmp.json');
    assert.equal(rec.promptName, 'Output Comparison Test');
    assert.equal(rec.cases.length, 1);
    assert.equal(rec.variants[0].passed, 1);
    assert.doesNotMatch(readFileSync(path.join(scripted.root, 'cmp.json'), 'utf8'), /100\.0%|Run record:/);
  });

  // cmd/eval/eval_test.go TestEval / "json flag works with failing tests"
  it('json flag works with failing tests: exit 1 and the JSON is still written', async () => {
    scripted.write(
      'jfail.prompt.yml',
      `
name: JSON Failing Test
description: Testing JSON with failing evaluators
model: openai/gpt-4o
testData:
  - input: "hello"
    expected: "hello world"
messages:
  - role: user
    content: "{{input}}"
evaluators:
  - name: impossible-check
    string:
      contains: "impossible_string_that_wont_match"
`,
    );
    const r = await cli(['jfail.prompt.yml', '--no-cache', '--json', 'jfail.json'], [{ reply: 'hello world' }]);
    assert.equal(r.code, 1);
    const rec = readJson('jfail.json');
    assert.equal(rec.variants[0].failed, 1);
    assert.equal(rec.cases[0].results[0].evaluators[0].name, 'impossible-check');
  });

  // cmd/eval/eval_test.go TestEval / "eval with responseFormat and jsonSchema"
  it('eval with responseFormat and jsonSchema: the request carries the schema and the case passes', async () => {
    scripted.write(
      'jsch.prompt.yml',
      `
name: JSON Schema Evaluation
description: Testing responseFormat and jsonSchema in eval
model: openai/gpt-4o
responseFormat: json_schema
jsonSchema: '{"name": "response_schema", "strict": true, "schema": {"type": "object", "properties": {"message": {"type": "string", "description": "The response message"}, "confidence": {"type": "number", "description": "Confidence score"}}, "required": ["message"], "additionalProperties": false}}'
testData:
  - input: "hello"
    expected: "hello world"
messages:
  - role: user
    content: "Respond to: {{input}}"
evaluators:
  - name: contains-message
    string:
      contains: "message"
`,
    );
    const r = await cli(['jsch.prompt.yml', '--no-cache'], [{ reply: '{"message": "hello world", "confidence": 0.95}' }]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const rf = chatBodies()[0].response_format;
    assert.equal(rf?.type, 'json_schema');
    assert.equal(rf?.json_schema?.name, 'response_schema');
    assert.equal(rf?.json_schema?.strict, true);
    assert.ok(rf?.json_schema?.schema);
    assert.match(r.stdout, /default\s+openai\/gpt-4o\s+1\s+0\s+0\s+100\.0%/);
  });
});

// Rules of gh-models' source that its Go tests do not cover, checked here because gh's verdict decides for .prompt.yml.
describe('gh-models pkg/prompt/prompt.go rules beyond its tests', () => {
  // pkg/prompt/prompt.go GetAzureChatMessageRole lower-cases the role
  it('a role is matched ignoring case, as gh does', async () => {
    const spec = await load('messages:\n  - role: System\n    content: Be brief.\n  - role: USER\n    content: "{{q}}"\ntestData:\n  - q: hi\n');
    assert.deepEqual(spec.messages.map((m) => m.role), ['system', 'user']);
  });

  // pkg/prompt/prompt.go GetAzureChatMessageRole: any other role is an error
  it('an unknown role is refused, located', async () => {
    const msg = await refused('messages:\n  - role: narrator\n    content: hi\n');
    assert.match(msg, /test\.prompt\.yml:2:\d+: messages\[0\]\.role: expected one of system, user, assistant, got "narrator"/);
  });

  // pkg/prompt/prompt.go JsonSchema.UnmarshalYAML runs whatever responseFormat says
  it('a jsonSchema that is not valid JSON refuses the file even without responseFormat', async () => {
    const msg = await refused('jsonSchema: "{not json"\nmessages:\n  - role: user\n    content: hi\n');
    assert.match(msg, /test\.prompt\.yml:1:\d+: jsonSchema: invalid JSON/);
  });

  // pkg/prompt/prompt.go validateResponseFormat: json_schema needs "name" and "schema"
  it('json_schema with a jsonSchema lacking "name" or "schema" is refused', async () => {
    assert.match(await refused(`responseFormat: json_schema\njsonSchema: '{"schema": {}}'\nmessages:\n  - role: user\n    content: hi\n`), /must contain a "name"/);
    assert.match(await refused(`responseFormat: json_schema\njsonSchema: '{"name": "x"}'\nmessages:\n  - role: user\n    content: hi\n`), /must contain a "schema"/);
  });

  // Deliberate extension (FORMATS.md, README): gh accepts only a JSON string; a YAML map is accepted here too.
  it('extension: jsonSchema may be a YAML map', async () => {
    const spec = await load('responseFormat: json_schema\njsonSchema:\n  name: s\n  schema: { type: object }\nmessages:\n  - role: user\n    content: hi\n');
    assert.deepEqual(spec.responseFormat, { type: 'json_schema', name: 's', schema: { type: 'object' } });
  });

  // pkg/prompt/prompt.go TemplateString replaces only the literal `{{key}}` of each row key. The three
  // cases: a `{% for %}` block, a filter and a dotted path are sent as literal text; so is `{{ key }}` with spaces,
  // in messages and in string evaluator values alike.
  /** The messages a loaded .prompt.yml sends for its first case. */
  async function sent(yml: string): Promise<string[]> {
    const spec = await load(yml);
    return renderMessages(spec, spec.variants[0], spec.cases[0], []).map((m) => m.content);
  }

  it('a {% for %} block is sent as literal text, only {{key}} inside it is replaced', async () => {
    const out = await sent('messages:\n  - role: user\n    content: "{% for x in items %}- {{x}} {{name}}\\n{% endfor %}"\ntestData:\n  - name: Ann\n    items: [a, b]\n');
    assert.deepEqual(out, ['{% for x in items %}- {{x}} Ann\n{% endfor %}']);
  });

  it('a filter is sent as literal text', async () => {
    const out = await sent('messages:\n  - role: user\n    content: "Hi {{ name | upper }} / {{name|upper}} / {{name}}"\ntestData:\n  - name: Ann\n');
    assert.deepEqual(out, ['Hi {{ name | upper }} / {{name|upper}} / Ann']);
  });

  it('a dotted path is sent as literal text; a key holding a dot is replaced', async () => {
    const out = await sent('messages:\n  - role: user\n    content: "{{user.name}} {{user}} {{a.b}}"\ntestData:\n  - user: {name: Ann}\n    a.b: dotted key\n');
    // gh prints a map value with Go's %v
    assert.deepEqual(out, ['{{user.name}} map[name:Ann] dotted key']);
  });

  it('{{ key }} with spaces stays as written in messages and string evaluator values', async () => {
    assert.deepEqual(await sent('messages:\n  - role: user\n    content: "Hi {{ name }} and {{name}}"\ntestData:\n  - name: Ann\n'), ['Hi {{ name }} and Ann']);
    const spec: EvaluatorSpec = { kind: 'string', name: 's', line: 1, contains: '{{ name }}' };
    const v = await runEvaluators([spec], evalInput('Hi Ann', { vars: { name: 'Ann' } }));
    assert.equal(v.results[0].passed, false);
  });

  it('a placeholder of a key the row lacks stays as written, other keys are still replaced', async () => {
    assert.deepEqual(await sent('messages:\n  - role: system\n    content: "{{missing}}"\n  - role: user\n    content: "{{q}} {{ticket id}}"\ntestData:\n  - q: why\n    ticket id: 7\n'), ['{{missing}}', 'why 7']);
  });
});
