// What real prompt files need: any file name when named explicitly, Prompty v2 references and inputs, nunjucks /
// mustache rendering as Prompty's runtime does, and the lint rules that catch mistakes a run would hide.

import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { mkdirSync } from 'node:fs';
import { loadPromptFile, checkPromptText } from '../../../src/core/prompt/load';
import { renderMessages } from '../../../src/core/render/messages';
import { SpecError } from '../../../src/core/errors';
import type { SourceProblem } from '../../../src/core/errors';
import { tempWorkspace } from '../../fixtures/workspace';

const ws = tempWorkspace();
mkdirSync(path.join(ws.root, '.git'));
after(() => ws.dispose());

async function refused(file: string, opts: Parameters<typeof loadPromptFile>[1] = {}): Promise<SourceProblem[]> {
  try {
    await loadPromptFile(file, opts);
  } catch (e) {
    assert.ok(e instanceof SpecError, String(e));
    return e.problems;
  }
  assert.fail('expected the file to be refused');
}
const brief = (ps: SourceProblem[]) => ps.map((p) => `${p.severity} ${path.basename(p.file)}:${p.line}: ${p.message}`);

test('any YAML name with the prompt-file shape loads when named explicitly; other YAML is refused as not a prompt file', async () => {
  const f = ws.write('sample_prompt.yml', 'model: openai/gpt-4o\nmessages:\n  - role: user\n    content: "{{q}}"\ntestData:\n  - q: hi\n');
  const s = await loadPromptFile(f, { anyName: true });
  assert.equal(s.format, 'prompt.yml');
  assert.equal(s.cases.length, 1);
  assert.match(brief(await refused(f))[0], /not a prompt file: expected a name ending in \.prompt\.yml/);
  const wf = ws.write('workflow.yml', 'name: CI\non: [push]\njobs: {}\n');
  assert.deepEqual(brief(await refused(wf, { anyName: true })), [
    'error workflow.yml:1: not a prompt file: a GitHub Models prompt file is a YAML map with a top-level `messages` list',
  ]);
});

test('an unreadable prompt file says why: not found, a folder', async () => {
  assert.deepEqual(brief(await refused(path.join(ws.root, 'gone.prompt.yml'))), ['error gone.prompt.yml:1: file not found']);
  mkdirSync(path.join(ws.root, 'dir.prompt.yml'));
  assert.deepEqual(brief(await refused(path.join(ws.root, 'dir.prompt.yml'))), ['error dir.prompt.yml:1: dir.prompt.yml is a folder, not a file']);
});

test('prompty: empty front matter is valid; a file without front matter is all body', async () => {
  const s = await loadPromptFile(ws.write('empty.prompty', '---\n---\nsystem:\nYou are helpful.\n'));
  assert.deepEqual(s.messages.map((m) => [m.role, m.line, m.content]), [['system', 3, 'You are helpful.']]);
  const b = await loadPromptFile(ws.write('bare.prompty', 'user:\nHello {{name}}\n'));
  assert.deepEqual(b.messages.map((m) => m.role), ['user']);
  assert.deepEqual(brief(await refused(ws.write('blank.prompty', '\n'))), ['error blank.prompty:1: no messages: the file is empty (write `system:` / `user:` sections, optionally after a `---` front matter)']);
});

test('prompty: ${env:NAME} and ${env:NAME:default} in the connection settings come from the environment passed in; unset is a located error', async () => {
  const text = '---\nmodel:\n  configuration:\n    type: ${env:KIND:openai}\n    name: ${env:DEPLOY}\n    api_key: ${env:NEVER_SET_KEY}\n  parameters:\n    temperature: 0\n---\nuser:\nhi\n';
  const f = ws.write('env.prompty', text);
  const s = await loadPromptFile(f, { env: { DEPLOY: 'gpt-4o-mini' } });
  assert.equal(s.model, 'openai/gpt-4o-mini');
  assert.equal(s.modelParameters.temperature, 0);
  assert.deepEqual(brief(await refused(f, { env: {} })), [
    'error env.prompty:5: model.configuration.name: environment variable DEPLOY is not set (Prompty refuses the file too); set it or write the value',
  ]);
});

test('prompty v2: ${file:} loads JSON/YAML from inside the project; outside or missing is refused at its line', async () => {
  ws.write('data/inputs.json', JSON.stringify([{ name: 'question', kind: 'string', default: 'What is AI?' }]));
  const s = await loadPromptFile(ws.write('ref.prompty', '---\nname: r\ninputs: ${file:data/inputs.json}\n---\nuser:\n{{question}}\n'));
  assert.deepEqual(s.cases.map((c) => c.vars), [{ question: 'What is AI?' }]);
  const miss = brief(await refused(ws.write('miss.prompty', '---\nsample: ${file:nope.yaml}\n---\nuser:\nx\n')));
  assert.deepEqual(miss, ['error miss.prompty:2: sample: file not found: nope.yaml']);
  const out = brief(await refused(ws.write('out.prompty', '---\nsample: ${file:../../etc/passwd}\n---\nuser:\nx\n')));
  assert.match(out[0], /^error out\.prompty:2: sample: \.\.\/\.\.\/etc\/passwd is outside this project/);
});

test('prompty inputs with defaults (v2 list) and v1 sample form the one case; sample wins over defaults', async () => {
  const s = await loadPromptFile(
    ws.write('defaults.prompty', '---\ninputs:\n  - name: firstName\n    default: Jane\n  - name: question\n    default: Why?\nsample:\n  question: How?\n---\nuser:\n{{firstName}}: {{question}}\n'),
  );
  assert.deepEqual(s.cases.map((c) => c.vars), [{ firstName: 'Jane', question: 'How?' }]);
  assert.deepEqual(renderMessages(s, s.variants[0], s.cases[0], []), [{ role: 'user', content: 'Jane: How?' }]);
});

test('prompty renders with nunjucks: undefined is empty, filters work, a loop may emit role markers; calls and constructor access are refused', async () => {
  const s = await loadPromptFile(
    ws.write(
      'hist.prompty',
      '---\nsample:\n  name: ann\n  history:\n    - role: user\n      content: hi\n    - role: assistant\n      content: hello\n---\nsystem:\nHelp {{ name | upper }}{{ missing }}.\n{% for m in history %}\n{{ m.role }}:\n{{ m.content }}\n{% endfor %}\nuser:\nnext\n',
    ),
  );
  assert.deepEqual(renderMessages(s, s.variants[0], s.cases[0], []), [
    { role: 'system', content: 'Help ANN.' },
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: 'hello' },
    { role: 'user', content: 'next' },
  ]);
  const evil = await loadPromptFile(ws.write('evil.prompty', '---\nsample: {a: 1}\n---\nuser:\n{{ a.constructor.constructor("return process")() }}\n'));
  assert.throws(() => renderMessages(evil, evil.variants[0], evil.cases[0], []), /unsafe template member access: constructor/);
});

test('prompty `template: mustache` (v1) and `template: {format: {kind: mustache}}` (v2) render with mustache', async () => {
  for (const tpl of ['template: mustache', 'template:\n  format:\n    kind: mustache']) {
    const s = await loadPromptFile(ws.write('m.prompty', `---\n${tpl}\nsample:\n  who: Bo\n  items: [a, b]\n---\nuser:\nHi {{who}}{{#items}} [{{.}}]{{/items}}{{missing}}\n`));
    assert.equal(s.template, 'mustache');
    assert.deepEqual(renderMessages(s, s.variants[0], s.cases[0], []), [{ role: 'user', content: 'Hi Bo [a] [b]' }]);
  }
});

test('.prompt.yml keeps gh rule: {{missing}} stays literal', async () => {
  const s = await loadPromptFile(ws.write('gh.prompt.yml', 'messages:\n  - role: user\n    content: "{{q}} {{missing}}"\ntestData:\n  - q: hi\n'));
  assert.deepEqual(renderMessages(s, s.variants[0], s.cases[0], []), [{ role: 'user', content: 'hi {{missing}}' }]);
});

test('lint: a {{variable}} no case provides and a case missing one are warnings at their lines', async () => {
  const f = ws.write(
    'lint.prompt.yml',
    'messages:\n  - role: system\n    content: "Tone: {{tone}}"\n  - role: user\n    content: "{{question}}"\ntestData:\n  - question: a\n  - other: b\n',
  );
  const s = await loadPromptFile(f);
  assert.deepEqual(brief(s.problems), [
    'warning lint.prompt.yml:2: {{tone}} is not provided by any case (cases have question, other); it stays as literal text, as gh sends it',
    'warning lint.prompt.yml:8: case 1 has no "question", which the template uses ({{question}} is sent as written)',
  ]);
});

test('lint: an unknown .prompty role marker, unknown top-level and variant keys are located warnings', async () => {
  const text = '---\nnmae: x\nvariants:\n  - name: a\n    shot: 2\n---\nsystem:\nbe brief\nasistant:\nok\nuser:\nhi\n';
  const ps = await checkPromptText(path.join(ws.root, 'typo.prompty'), text);
  assert.deepEqual(brief(ps), [
    'warning typo.prompty:2: unknown key "nmae"; did you mean "name"? (ignored)',
    'warning typo.prompty:5: variants[0]: unknown key "shot"; did you mean "shots"? (ignored)',
    'warning typo.prompty:9: unknown role marker "asistant:"; Prompty starts messages only at system:, user:, assistant: or developer:, so this line stays text of the message before it',
  ]);
});

test('lint: a duplicate CSV header is a warning at the header line; the rows still load (the later column wins)', async () => {
  ws.write('dup.cases.csv', 'question,expected,question\na,b,c\n');
  const s = await loadPromptFile(ws.write('dup.prompt.yml', 'messages:\n  - role: user\n    content: "{{question}}"\ntestFile: ./dup.cases.csv\n'));
  assert.deepEqual(brief(s.problems), ['warning dup.cases.csv:1: duplicate column "question" (also column 1); the later column wins']);
  assert.equal(s.problems[0].col, 19);
  assert.deepEqual(s.cases.map((c) => c.vars.question), ['c']);
});
