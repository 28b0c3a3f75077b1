// The first-minutes contributions of package.json: the walkthrough's steps run commands that exist and point at
// media that ships; .prompty is a language with a grammar whose rules compile and name the template scopes; the
// example workspace hides its demo folder.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const c = pkg.contributes;
const commands = new Set<string>(c.commands.map((x: { command: string }) => x.command));

test('walkthrough: open an example, run it, read the advice, set a real provider; every command exists', () => {
  const [walk] = c.walkthroughs;
  assert.deepEqual(walk.steps.map((s: { id: string }) => s.id), ['openExample', 'runEval', 'readAdvice', 'setProvider']);
  for (const step of walk.steps) {
    const linked = [...String(step.description).matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
    const events = step.completionEvents.map((e: string) => e.replace(/^onCommand:/, ''));
    assert.ok(linked.length > 0, `${step.id} has a button`);
    for (const id of [...linked, ...events]) assert.ok(commands.has(id), `${step.id}: ${id} is a contributed command`);
    assert.ok(existsSync(step.media.markdown), `${step.id}: ${step.media.markdown} exists`);
  }
});

test('the Runs view welcome offers "Open an example" and "New prompt file" and needs no open prompt file', () => {
  const welcome = c.viewsWelcome.find((w: { view: string }) => w.view === 'promptLadder.runs');
  assert.ok(welcome);
  assert.equal(welcome.when, undefined);
  assert.match(welcome.contents, /\(command:promptLadder\.openExample\)/);
  assert.match(welcome.contents, /\(command:promptLadder\.newPromptFile\)/);
  const runsView = c.views.promptLadder.find((v: { id: string }) => v.id === 'promptLadder.runs');
  assert.equal(runsView.when, undefined, 'the view shows before any prompt file is opened');
});

test('.prompty is a language with a grammar: YAML front matter, markdown body, {{ }} and {% %} injected', () => {
  const lang = c.languages.find((l: { id: string }) => l.id === 'prompty');
  assert.deepEqual(lang.extensions, ['.prompty']);
  assert.ok(existsSync(lang.configuration));
  const main = c.grammars.find((g: { language?: string }) => g.language === 'prompty');
  const grammar = JSON.parse(readFileSync(main.path, 'utf8'));
  assert.equal(grammar.scopeName, main.scopeName);
  assert.deepEqual(grammar.repository.frontMatter.patterns, [{ include: 'source.yaml' }]);
  assert.ok(grammar.patterns.some((p: { include?: string }) => p.include === 'text.html.markdown'));
  const inj = c.grammars.find((g: { injectTo?: string[] }) => g.injectTo?.includes('text.prompty'));
  const template = JSON.parse(readFileSync(inj.path, 'utf8'));
  assert.equal(template.scopeName, inj.scopeName);
  // Every rule compiles (TextMate uses Oniguruma; these patterns use nothing JavaScript lacks).
  const regexes: string[] = [];
  const walk = (o: unknown): void => {
    if (!o || typeof o !== 'object') return;
    for (const [k, v] of Object.entries(o)) {
      if ((k === 'match' || k === 'begin' || k === 'end') && typeof v === 'string') regexes.push(v);
      else walk(v);
    }
  };
  walk(grammar);
  walk(template);
  for (const r of regexes) assert.doesNotThrow(() => new RegExp(r.replace(/\\A/g, '^')), r);
  const expr = new RegExp(template.repository.expression.begin);
  const stmt = new RegExp(template.repository.statement.begin);
  assert.ok(expr.test('Hello {{ name }}') && expr.test('{{- name }}'));
  const m = stmt.exec('{% for item in items %}');
  assert.equal(m?.[1], 'for');
  const role = new RegExp(grammar.repository.roleMarker.match, 'm');
  assert.ok(role.test('system:') && role.test('user:') && !role.test('user: hello'));
  // *.prompt.yml stays YAML with our schema.
  assert.ok(c.yamlValidation.some((v: { fileMatch: string[]; url: string }) => v.fileMatch.includes('*.prompt.yml') && existsSync(v.url)));
});

test('the example workspace hides .demo from the explorer', () => {
  const text = readFileSync(path.join('examples', '.vscode', 'settings.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '');
  assert.equal(JSON.parse(text)['files.exclude']['.demo'], true);
  assert.ok(existsSync(path.join('examples', '.demo')));
});

test('the grammar and walkthrough media ship in the VSIX (media/** is in the allow-list)', () => {
  const ignore = readFileSync('.vscodeignore', 'utf8');
  assert.match(ignore, /^!media\/\*\*$/m);
  for (const g of c.grammars) assert.ok(g.path.startsWith('./media/'), g.path);
});
