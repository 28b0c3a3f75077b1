// The CLI on real-world prompt files and on mistakes: gh's verdicts where gh gives one (0 cases → exit 0, an
// unknown plugin fails its evaluator and the run goes on), strict mode (default in CI) for warnings, "nothing
// was checked", and GitHub Models names routed to another OpenAI-compatible endpoint.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { cliEnv, runCli } from './runCli';
import { useScriptedWorkspace } from '../../fixtures/workspace';

const scripted = useScriptedWorkspace({ rules: [{ user: 'capital', reply: 'Paris' }] });

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(args, { cwd: scripted.root, env: cliEnv(scripted.root, scripted.server.url, env) });
}

const ASK = 'model: openai/test-model\nmessages:\n  - role: user\n    content: "What is the capital of {{country}}?"\n';

test('a file named like gh examples (sample_prompt.yml) with no testData runs 0 cases and exits 0, saying so', async () => {
  scripted.write('sample_prompt.yml', ASK);
  const before = scripted.server.stats.requests;
  const r = await cli(['eval', 'sample_prompt.yml']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /— 0 cases × 1 variant — completed/);
  assert.match(r.stdout, /^0 cases: the file has no testData/m);
  assert.equal(scripted.server.stats.requests, before);
});

test('an unknown uses: plugin fails that evaluator with gh\'s message; the other evaluators and cases still run; exit 1', async () => {
  scripted.write(
    'plugin.prompt.yml',
    ASK + 'testData:\n  - country: France\nevaluators:\n  - name: says paris\n    string: {contains: paris}\n  - name: custom\n    uses: acme/magic\n',
  );
  const r = await cli(['eval', 'plugin.prompt.yml', '--json', 'out.json', '--no-strict']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /plugin\.prompt\.yml:\d+:\d+: warning: evaluators\[1\]\.uses: unknown plugin evaluator "acme\/magic"/);
  const rec = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(path.join(scripted.root, 'out.json'), 'utf8')));
  const evs = rec.cases[0].results[0].evaluators;
  assert.deepEqual(evs.map((e: { name: string; passed: boolean }) => [e.name, e.passed]), [['says paris', true], ['custom', false]]);
  assert.equal(evs[1].details, "Plugin evaluator 'acme/magic' not found");
});

test('strict: warnings exit 2 before any call with --strict and by default when CI=true; --no-strict runs anyway', async () => {
  scripted.write('typo.prompt.yml', ASK + 'testData:\n  - country: France\nevaluatrs:\n  - name: x\n    string: {contains: Paris}\n');
  const before = scripted.server.stats.requests;
  const strict = await cli(['eval', 'typo.prompt.yml', '--strict']);
  assert.equal(strict.code, 2, strict.stdout + strict.stderr);
  assert.match(strict.stderr, /typo\.prompt\.yml:7:1: warning: unknown key "evaluatrs"; did you mean "evaluators"\? \(ignored\)/);
  assert.match(strict.stderr, /1 warning \(listed above\): strict mode fails the run on warnings/);
  const ci = await cli(['eval', 'typo.prompt.yml'], { CI: 'true' });
  assert.equal(ci.code, 2);
  assert.match(ci.stderr, /strict mode \(the default when CI=true\)/);
  assert.equal(scripted.server.stats.requests, before, 'no call before the strict check');
  const loose = await cli(['eval', 'typo.prompt.yml', '--no-strict'], { CI: 'true' });
  assert.equal(loose.code, 0, loose.stdout + loose.stderr);
});

test('evaluators that all had problems: "nothing was checked", exit 1, no call made', async () => {
  scripted.write('broken.prompt.yml', ASK + 'testData:\n  - country: France\nevaluators:\n  - name: r\n    regex: {pattern: "("}\n');
  const before = scripted.server.stats.requests;
  const r = await cli(['eval', 'broken.prompt.yml']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /broken\.prompt\.yml:9:\d+: evaluators\[0\]\.regex\.pattern: invalid regular expression/);
  assert.match(r.stderr, /broken\.prompt\.yml: nothing was checked: every evaluator had a problem/);
  assert.equal(scripted.server.stats.requests, before);
});

test('GITHUB_MODELS_BASE_URL sends GitHub Models catalog names to another OpenAI-compatible endpoint', async () => {
  scripted.write('meta.prompt.yml', 'model: meta/Llama-3.3-70B-Instruct\nmessages:\n  - role: user\n    content: "capital of {{country}}?"\ntestData:\n  - country: France\nevaluators:\n  - name: p\n    string: {contains: paris}\n');
  const r = await cli(['eval', 'meta.prompt.yml'], { GITHUB_MODELS_BASE_URL: scripted.server.url, OPENAI_API_KEY: '', OPENAI_BASE_URL: '' });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const last = scripted.server.stats.bodies[scripted.server.stats.bodies.length - 1] as { model?: string };
  assert.equal(last.model, 'meta/Llama-3.3-70B-Instruct');
});
