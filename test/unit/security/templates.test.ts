// Attacks through a `.prompty` template: reading files through include/import/extends (with a `views -> /`
// symlink beside the process), reaching prototypes through filters, tests, variables and Mustache sections, and
// freezing the process with nested loops or a value that doubles. Each is refused, or renders nothing, in bounded
// time and memory.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { renderWith, checkWith } from '../../../src/core/render/engines';
import { MAX_ITERATIONS } from '../../../src/core/render/sandbox';
import { cliEnv, runCli } from '../cli/runCli';
import { useScriptedWorkspace } from '../../fixtures/workspace';

const scripted = useScriptedWorkspace({ rules: [{ reply: 'ok' }] }, {
  setUp: async () => {
    scripted.write('package.json', '{}');
    // nunjucks' default loader reads ./views relative to the working directory: point it at the root
    symlinkSync('/', path.join(scripted.root, 'views'));
  },
});

const prompty = (body: string, s = 'aaaa') => `---\nname: t\nmodel: openai/test-model\nsample:\n  s: ${s}\n---\nuser:\n${body}\n`;

test('attack: {% include "etc/passwd" %} through a `views -> /` symlink — refused at its line, no call, nothing read', async () => {
  scripted.write('inc.prompty', prompty('Hello\n{% include "etc/passwd" %}'));
  scripted.server.resetStats();
  const r = await runCli(['eval', 'inc.prompty'], { cwd: scripted.root, env: cliEnv(scripted.root, scripted.server.url) });
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /inc\.prompty:9:\d+: .*\{% include %\} is not allowed: templates have no file access/);
  assert.doesNotMatch(r.stdout + r.stderr, /root:/);
  assert.equal(scripted.server.stats.chatRequests, 0);
});

test('import, from and extends are refused before rendering, each at its line; the loader refuses any name too', () => {
  for (const [text, tag, line] of [
    ['a\n{% import "etc/passwd" as p %}', 'import', 2],
    ['{% from "etc/passwd" import x %}', 'from', 1],
    ['a\nb\n{% extends "etc/passwd" %}', 'extends', 3],
  ] as const) {
    const p = checkWith('jinja2', text);
    assert.ok(p, tag);
    assert.equal(p.line, line, tag);
    assert.match(p.message, new RegExp(`\\{% ${tag} %\\} is not allowed`));
    assert.throws(() => renderWith('jinja2', text, {}), /not allowed: templates have no file access/);
  }
});

test('attack: prototype names as filters, tests and variables resolve to nothing; no function reaches a filter', () => {
  assert.match(checkWith('jinja2', '{{ x | __lookupGetter__ }}')!.message, /unknown filter "__lookupGetter__"/);
  assert.match(checkWith('jinja2', '{{ x | constructor }}')!.message, /unknown filter "constructor"/);
  assert.match(checkWith('jinja2', '{% if x is constructor %}y{% endif %}')!.message, /unknown test "constructor"/);
  assert.equal(checkWith('jinja2', '{{ x | upper }} {% if n is odd %}o{% endif %}'), undefined);
  // top-level names of Object.prototype are not variables; globals (range, cycler, joiner) are not reachable
  assert.equal(renderWith('jinja2', '[{{ constructor }}][{{ valueOf }}][{{ range }}][{{ cycler }}]', { x: 1 }), '[][][][]');
  assert.equal(renderWith('jinja2', '{{ "abc" | replace("a", constructor) }}', {}), 'undefinedbc');
  assert.throws(() => renderWith('jinja2', '{{ "".constructor }}', {}), /unsafe template member access/);
  assert.throws(() => renderWith('jinja2', '{{ s.toUpperCase() }}', { s: 'a' }), /function calls are not allowed/);
  // plain data still renders: loops, members, filters, tests
  assert.equal(
    renderWith('jinja2', '{% for m in msgs %}{{ loop.index }}:{{ m.role | upper }}{% if loop.index is odd %}*{% endif %} {% endfor %}{{ s.length }}', { msgs: [{ role: 'a' }, { role: 'b' }], s: 'xyz' }),
    '1:A* 2:B 3',
  );
});

test('attack: Mustache sections and dotted names reach no prototype (before: `list.constructor.constructor.name` gave "Function")', () => {
  const view = { s: 'abc', list: [1, 2], o: { a: 'A' } };
  assert.equal(renderWith('mustache', '[{{list.constructor.constructor.name}}][{{s.constructor.name}}][{{#list}}{{constructor.name}}{{/list}}][{{s.constructor.prototype.constructor}}]', view), '[][][][]');
  assert.equal(renderWith('mustache', '{{#list}}<{{.}}>{{/list}} {{o.a}} {{s.length}} {{^missing}}none{{/missing}}', view), '<1><2> A 3 none');
});

test('attack: nested loops over a long value stop after the iteration budget, fast, with a clear error', () => {
  const s = 'a'.repeat(1000);
  assert.throws(
    () => renderWith('jinja2', '{% for a in s %}{% for b in s %}{% for c in s %}x{% endfor %}{% endfor %}{% endfor %}', { s }),
    new RegExp(`loops ran more than ${MAX_ITERATIONS.toLocaleString('en')} times`),
  );
  assert.throws(() => renderWith('mustache', '{{#l}}{{#l}}{{#l}}x{{/l}}{{/l}}{{/l}}', { l: Array.from({ length: 1000 }, (_, i) => i) }), /loops ran more than/);
  // a value that doubles each pass is stopped at the size limit, not when memory runs out
  const doubling = '{% set v = "aaaaaaaaaa" %}{% for i in l %}{% set v = v ~ v %}{% endfor %}{{ v }}';
  for (const n of [21, 60]) assert.throws(() => renderWith('jinja2', doubling, { l: Array.from({ length: n }, (_, i) => i) }), /grew past 10,000,000 characters/);
});

test('attack: a nested-loop template (50^9 passes) in a run errors its cases and the run finishes (the process does not hang)', async () => {
  scripted.write('loops.prompty', prompty('{% for a in s %}{% for b in s %}{% for c in s %}{% for d in s %}{% for e in s %}{% for f in s %}{% for g in s %}{% for h in s %}{% for i in s %}x{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}', 'a'.repeat(50)));
  const r = await runCli(['eval', 'loops.prompty'], { cwd: scripted.root, env: cliEnv(scripted.root, scripted.server.url) });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /loops ran more than/);
});
