// TypeScript `code` evaluators through the real CLI against the scripted server: verdicts per case, a syntax
// error located in the evaluator's file, and the containment gate for a .ts path outside the project.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { cliEnv, runCli } from './runCli';
import { useScriptedWorkspace } from '../../fixtures/workspace';
import type { RunRecord } from '../../../src/core/runs/schema';

const scripted = useScriptedWorkspace({
  rules: [
    { user: 'two plus two', reply: 'SELECT 2 + 2' },
    { user: 'weather', reply: 'It is sunny.' },
  ],
}, {
  setUp: async () => {
    mkdirSync(path.join(scripted.root, 'project', '.git'), { recursive: true });
  },
});

const cli = (args: string[]) => runCli(['eval', ...args], { cwd: path.join(scripted.root, 'project'), env: cliEnv(scripted.root, scripted.server.url) });

const PROMPT = (evaluator: string) => `name: SQL only
model: openai/test-model
messages:
  - role: user
    content: "Write SQL for: {{question}}"
testData:
  - question: two plus two
  - question: the weather
evaluators:
${evaluator}`;

test('a .ts evaluator judges each case through the CLI: one passes, one fails with its reason, exit 1', async () => {
  scripted.write(
    'project/checks/is-sql.ts',
    [
      "import type { Verdict } from './verdict';",
      'export default function isSql(output: string, { vars }: { vars: Record<string, unknown> }): Verdict {',
      '  const ok: boolean = /^select\\b/i.test(output);',
      '  return { pass: ok, score: ok ? 1 : 0, reason: ok ? "a query" : `not SQL for ${String(vars.question)}` };',
      '}',
      '',
    ].join('\n'),
  );
  scripted.write('project/checks/verdict.ts', 'export type Verdict = { pass: boolean; score: number; reason: string };\n');
  scripted.write('project/sql.prompt.yml', PROMPT('  - name: is-sql\n    code: ./checks/is-sql.ts\n'));
  const r = await cli(['sql.prompt.yml', '--no-cache', '--json', 'out.json']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /default\s+openai\/test-model\s+1\s+1\s+0\s+50\.0%/);
  const rec = JSON.parse(readFileSync(path.join(scripted.root, 'project', 'out.json'), 'utf8')) as RunRecord;
  const verdicts = rec.cases.map((c) => c.results[0].evaluators[0]);
  assert.deepEqual(verdicts.map((v) => [v.name, v.passed, v.score, v.details]), [
    ['is-sql', true, 1, 'a query'],
    ['is-sql', false, 0, 'not SQL for the weather'],
  ]);
});

test('a .ts evaluator with a syntax error: file:line:col in the evaluator file, before any call; the rest still runs', async () => {
  scripted.write('project/checks/bad.ts', 'export default function check(output: string): boolean {\n  return output.length > ;\n}\n');
  scripted.write('project/bad.prompt.yml', PROMPT('  - name: bad\n    code: ./checks/bad.ts\n  - name: any\n    string: { contains: "s" }\n'));
  scripted.server.resetStats();
  const r = await cli(['bad.prompt.yml', '--no-cache']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr + r.stdout, /checks[\\/]bad\.ts:2:26: .*TypeScript syntax error in code evaluator "bad" \(\.\/checks\/bad\.ts\): Unexpected token/);
  assert.match(r.stdout, /the affected cases or evaluators did not run/);
  assert.equal(scripted.server.stats.chatRequests, 2, 'the valid evaluator still checks both cases');
});

test('a .ts path outside the project is refused by the containment gate', async () => {
  scripted.write('outside.ts', 'export default () => true;\n');
  scripted.write('project/out.prompt.yml', PROMPT('  - name: escape\n    code: ../outside.ts\n'));
  const r = await cli(['out.prompt.yml', '--no-cache']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr + r.stdout, /out\.prompt\.yml:10:5: evaluator "escape": \.\.\/outside\.ts is outside this project/);
});
