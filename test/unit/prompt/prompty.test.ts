import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { splitPromptyBody } from '../../../src/core/prompt/prompty';
import { renderMessages } from '../../../src/core/render/messages';
import { SpecError, formatProblem } from '../../../src/core/errors';

const FIX = path.resolve(__dirname, '../../fixtures/prompts');
const fx = (name: string): string => path.join(FIX, name);

test('prompty v1: azure deployment, snake_case parameters, role markers with lines, sample as the one case', async () => {
  const s = await loadPromptFile(fx('chat.prompty'));
  assert.equal(s.format, 'prompty');
  assert.equal(s.name, 'Outdoor chat');
  assert.equal(s.model, 'azure/gpt-4o-mini');
  assert.deepEqual(s.modelParameters, { maxTokens: 300, temperature: 0.5, presencePenalty: 0.1 });
  assert.deepEqual(s.messages.map((m) => [m.role, m.line]), [
    ['system', 19],
    ['user', 26],
  ]);
  assert.equal(s.messages[1].content, '{{question}}');
  assert.equal(s.cases.length, 1);
  assert.deepEqual(s.cases[0].vars, { firstName: 'Seth', items: ['tent', 'stove'], question: 'What tents do you have?' });
  assert.equal(s.cases[0].line, 14);
  assert.deepEqual(s.variants, [{ name: 'default', shots: 0, line: 4 }]);
  assert.deepEqual(s.problems, []);
});

test('prompty for/if templating renders with nunjucks as Prompty does (block tags keep their line breaks)', async () => {
  const s = await loadPromptFile(fx('chat.prompty'));
  const chat = renderMessages(s, s.variants[0], s.cases[0], []);
  assert.deepEqual(chat, [
    { role: 'system', content: 'You are an assistant helping Seth.\n\n- 1. tent\n\n- 2. stove\n\nGreet Seth warmly.' },
    { role: 'user', content: 'What tents do you have?' },
  ]);
});

test('prompty v2: model id + provider, options, `# Role:` markers, sibling NAME.cases.jsonl with input defaults', async () => {
  const s = await loadPromptFile(fx('qa.prompty'));
  assert.equal(s.model, 'openai/gpt-4o-mini');
  assert.deepEqual(s.modelParameters, { temperature: 0, maxTokens: 100 });
  assert.deepEqual(s.messages, [
    { role: 'system', line: 19, content: 'Answer in a {{tone}} tone.' },
    { role: 'user', line: 22, content: '{{question}}' },
  ]);
  assert.deepEqual(s.cases.map((c) => [path.basename(c.file), c.line, c.vars, c.expected]), [
    ['qa.cases.jsonl', 1, { tone: 'friendly', question: 'What is a vector?', expected: 'direction' }, 'direction'],
    ['qa.cases.jsonl', 2, { tone: 'terse', question: 'Define chunking' }, undefined],
  ]);
});

test('prompty front matter may carry our keys (testData, evaluators, variants, examples)', async () => {
  const s = await loadPromptFile(fx('ours.prompty'));
  assert.deepEqual(s.cases.map((c) => [c.line, c.vars.question]), [
    [4, 'What is 2+2?'],
    [6, 'Capital of France?'],
  ]);
  assert.deepEqual(s.evaluators.map((e) => [e.name, e.kind, e.line]), [['has-answer', 'string', 9]]);
  assert.deepEqual(s.variants.map((v) => [v.name, v.shots, v.line]), [
    ['zero', undefined, 15],
    ['one', 1, 16],
  ]);
  assert.equal(s.examples.length, 1);
  assert.equal(s.model, 'gpt-4o');
  assert.deepEqual(s.messages.map((m) => [m.role, m.line]), [
    ['system', 20],
    ['user', 23],
  ]);
});

test('v2 inputs example values make the case when there is no eval set', async () => {
  const s = await loadPromptFile(fx('solo.prompty'), {
    text: '---\nname: solo\ninputs:\n  question:\n    type: string\n    example: Why?\n---\nuser:\n{{question}}\n',
  });
  assert.deepEqual(s.cases.map((c) => [c.line, c.vars]), [[3, { question: 'Why?' }]]);
});

test('role markers: case-insensitive, `#` prefix and attributes allowed; text before the first marker is system', () => {
  const msgs = splitPromptyBody('Intro text\n\nUSER:\nhi\n# Assistant:\nhello\nuser[name="bo"]:\nagain\nnot a role: here\n', 10);
  assert.deepEqual(msgs, [
    { role: 'system', line: 10, content: 'Intro text' },
    { role: 'user', line: 12, content: 'hi' },
    { role: 'assistant', line: 14, content: 'hello' },
    { role: 'user', line: 16, content: 'again\nnot a role: here' },
  ]);
});

test('prompty problems are positioned in the whole file (front matter offset, template line in the body)', async () => {
  const bad = async (text: string): Promise<string[]> => {
    try {
      await loadPromptFile(fx('bad.prompty'), { text });
    } catch (e) {
      assert.ok(e instanceof SpecError);
      return e.problems.map((p) => formatProblem({ ...p, file: 'bad.prompty' }));
    }
    return assert.fail('expected a SpecError');
  };
  assert.deepEqual(await bad('---\nname: x\nvariants:\n  - name: a\n    shots: many\n---\nuser:\nhi\n'), [
    'bad.prompty:5:12: variants[0].shots: expected a number, got "many"',
  ]);
  assert.deepEqual(await bad('---\nname: x\n---\nsystem:\nbe nice\n\nuser:\n{% if a %}\nhi\n'), ['bad.prompty:8:1: template (jinja2): {% if %} without {% endif %}']);
  assert.deepEqual(await bad('---\nname: x\n---\n\n'), ['bad.prompty:4:1: no messages: the body after the front matter is empty (write `system:` / `user:` sections)']);
  assert.deepEqual(await bad('---\nname: x\nuser:\nhi\n'), ['bad.prompty:1:1: front matter is not closed: add a line with `---` after it']);
});

test('a template error in text before the first role marker points at its line', async () => {
  await assert.rejects(loadPromptFile(fx('pre.prompty'), { text: '---\nname: x\n---\nIntro\n{% for a in b %}\nuser:\nhi\n' }), (e: unknown) => {
    assert.ok(e instanceof SpecError);
    assert.deepEqual(e.problems.map((p) => [p.line, p.message]), [[5, 'template (jinja2): {% for %} without {% endfor %}']]);
    return true;
  });
});

test('a chat-history loop that emits role markers becomes separate messages, as Prompty renders', async () => {
  const s = await loadPromptFile(fx('history.prompty'), {
    text: '---\nname: h\nsample:\n  question: And now?\n  history:\n    - {role: user, content: hi}\n    - {role: assistant, content: hello}\n---\nsystem:\nBe kind.\n{% for item in history %}\n{{ item.role }}:\n{{ item.content }}\n{% endfor %}\n\nuser:\n{{ question }}\n',
  });
  assert.deepEqual(renderMessages(s, s.variants[0], s.cases[0], []), [
    { role: 'system', content: 'Be kind.' },
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: 'hello' },
    { role: 'user', content: 'And now?' },
  ]);
});

// A .prompty that names no model, or names it badly: the message says which line of which file is at fault.
test('.prompty model section: a bad configuration is located; a missing model says why', async () => {
  const dir = path.join(__dirname, '..', '..', 'fixtures', 'prompty');
  const at = (name: string) => path.join(dir, name);
  const noFront = await loadPromptFile(at('nofront.prompty'), { text: 'user:\nhi {{q}}\n' });
  assert.equal(noFront.model, undefined);
  assert.equal(noFront.modelHint, 'nofront.prompty:1: the file has no front matter (a --- block with model:), so it names no model');

  const noName = await loadPromptFile(at('noname.prompty'), { text: '---\nname: x\nmodel:\n  api: chat\n  configuration:\n    type: azure_openai\n---\nuser:\nhi\n' });
  assert.equal(noName.modelHint, 'noname.prompty:5: model.configuration names no deployment or model (azure_deployment for type azure_openai, name for openai)');

  await assert.rejects(
    loadPromptFile(at('conf.prompty'), { text: '---\nname: x\nmodel:\n  api: chat\n  configuration: 42\n---\nuser:\nhi\n' }),
    (e: unknown) => e instanceof SpecError && /conf\.prompty:5:\d+: model\.configuration: expected a map \(type, azure_deployment or name, …\), got 42/.test(e.message),
  );

  const oddType = await loadPromptFile(at('type.prompty'), {
    text: '---\nname: x\nmodel:\n  api: chat\n  configuration:\n    type: wizard\n    name: gpt-4o\n---\nuser:\nhi\n',
  });
  assert.equal(oddType.model, 'gpt-4o');
  const warn = oddType.problems.find((p) => /unknown configuration type "wizard"/.test(p.message));
  assert.ok(warn, JSON.stringify(oddType.problems));
  assert.equal(warn.severity, 'warning');
  assert.equal(warn.line, 6);

  // a ${file:} reference for the connection is Prompty's, not a bad value
  const ref = await loadPromptFile(at('ref.prompty'), { text: '---\nname: x\nmodel:\n  id: gpt-4o\n  connection: ${file:conn.json}\n---\nuser:\nhi\n' });
  assert.equal(ref.model, 'gpt-4o');
});
