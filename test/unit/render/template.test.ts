import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkTemplate, renderTemplate, TemplateError, templateVariables } from '../../../src/core/render/template';

test('gh semantics: plain replacement, unknown placeholders left as written, any key characters', () => {
  assert.equal(renderTemplate('Hi {{name}}, {{unknown}}!', { name: 'Bo' }), 'Hi Bo, {{unknown}}!');
  assert.equal(renderTemplate('{{ticket id}} / {{user-name}}', { 'ticket id': 7, 'user-name': 'x' }), '7 / x');
  assert.equal(renderTemplate('{{a.b}} {{a-b}}', {}), '{{a.b}} {{a-b}}');
  assert.equal(renderTemplate('no braces', { a: 1 }), 'no braces');
});

test('non-strings: scalars via String(), objects and arrays as JSON, null as empty', () => {
  assert.equal(renderTemplate('{{n}} {{f}} {{b}} {{o}} {{l}} [{{z}}]', { n: 3, f: 1.5, b: false, o: { a: 1 }, l: ['x', 2], z: null }), '3 1.5 false {"a":1} ["x",2] []');
});

test('whitespace inside the braces and dotted paths', () => {
  assert.equal(renderTemplate('{{ name }}|{{  user.first }}|{{ items[1] }}', { name: 'n', user: { first: 'F' }, items: ['a', 'b'] }), 'n|F|b');
  assert.equal(renderTemplate('{{ user.missing }}', { user: {} }), '{{ user.missing }}');
});

test('a value holding braces is not expanded again', () => {
  assert.equal(renderTemplate('{{a}} {{b}}', { a: '{{b}}', b: 'B' }), '{{b}} B');
});

test('for loops with loop.index/first/last, else branch, and block tags leaving no blank lines', () => {
  const t = 'List:\n{% for x in xs %}\n{{ loop.index }}. {{ x }}{% if loop.last %}.{% else %},{% endif %}\n{% else %}\nnothing\n{% endfor %}\nend';
  assert.equal(renderTemplate(t, { xs: ['a', 'b'] }), 'List:\n1. a,\n2. b.\nend');
  assert.equal(renderTemplate(t, { xs: [] }), 'List:\nnothing\nend');
  assert.equal(renderTemplate('{% for k, v in m %}{{k}}={{v}};{% endfor %}', { m: { a: 1, b: 2 } }), 'a=1;b=2;');
  assert.equal(renderTemplate('{% for d in docs %}[{{ d.title }}]{% endfor %}', { docs: [{ title: 'x' }, { title: 'y' }] }), '[x][y]');
});

test('if / elif / else with truthiness, not, ==, !=, and, or, in', () => {
  const t = '{% if not items %}none{% elif kind == "a" and n == 2 %}A2{% elif kind != "b" or flag %}other{% else %}B{% endif %}';
  assert.equal(renderTemplate(t, { items: [] }), 'none');
  assert.equal(renderTemplate(t, { items: [1], kind: 'a', n: 2 }), 'A2');
  assert.equal(renderTemplate(t, { items: [1], kind: 'c' }), 'other');
  assert.equal(renderTemplate(t, { items: [1], kind: 'b' }), 'B');
  assert.equal(renderTemplate(t, { items: [1], kind: 'b', flag: true }), 'other');
  assert.equal(renderTemplate('{% if n == "2" %}yes{% endif %}', { n: 2 }), 'yes');
  assert.equal(renderTemplate('{% if "x" in tags %}x{% endif %}{% if "y" not in tags %}!y{% endif %}', { tags: ['x'] }), 'x!y');
});

test('filters: join, default, length, upper, lower, trim, chained', () => {
  assert.equal(renderTemplate('{{ xs | join(", ") }}|{{ xs|join }}', { xs: ['a', 'b'] }), 'a, b|ab');
  assert.equal(renderTemplate('{{ missing | default("d") }}|{{ empty | default("d", true) }}|{{ set | default("d") }}', { empty: '', set: 's' }), 'd|d|s');
  assert.equal(renderTemplate('{{ xs | length }} {{ s | length }}', { xs: [1, 2, 3], s: 'abcd' }), '3 4');
  assert.equal(renderTemplate('{{ s | upper }} {{ s | lower }} [{{ p | trim }}]', { s: 'MiX', p: '  pad  ' }), 'MIX mix [pad]');
  assert.equal(renderTemplate('{{ s | trim | upper }}', { s: ' a ' }), 'A');
});

test('whitespace control with {%- -%} and comments are dropped', () => {
  assert.equal(renderTemplate('a  {%- if x -%}  b  {%- endif -%}  c{# note #}', { x: true }), 'abc');
});

test('malformed blocks are TemplateErrors with offsets, reported by checkTemplate', () => {
  assert.ok(checkTemplate('x {% for a in b %} y') instanceof TemplateError);
  assert.match(checkTemplate('{% endif %}')?.message ?? '', /unexpected \{% endif %\}/);
  const err = checkTemplate('line1\n{% if a %}\nno end');
  assert.ok(err);
  assert.equal(err.offset, 6);
  assert.equal(checkTemplate('{{ fine }} {% if a %}{% endif %}'), undefined);
});

test('a text whose blocks do not parse renders with gh plain replacement instead of failing', () => {
  assert.equal(renderTemplate('Liquid uses {% raw %} tags; hi {{ name }} {{other}}', { name: 'Bo' }), 'Liquid uses {% raw %} tags; hi Bo {{other}}');
});

test('templateVariables: distinct top-level names, loop variables excluded', () => {
  assert.deepEqual(templateVariables('{{a}} {{ a }} {% for x in xs %}{{ x.y }}{{ loop.index }}{{ b.c }}{% endfor %}{% if d == "1" %}{{ e | default(f) }}{% endif %}{{ticket id}}'), ['a', 'xs', 'b', 'd', 'e', 'f', 'ticket id']);
  assert.deepEqual(templateVariables('no vars'), []);
  assert.deepEqual(templateVariables('{% oops %} {{ a }} {{b}} {{a}}'), ['a', 'b']);
});
