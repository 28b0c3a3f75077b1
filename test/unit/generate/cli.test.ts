// `prompt-ladder generate` as a process: the estimate before the calls, exit codes, and Ctrl-C writing nothing.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cliEnv, runCli } from '../cli/runCli';
import { generationRules, STEP } from '../../fixtures/generation-rules';
import { useScriptedWorkspace } from '../../fixtures/workspace';

const scripted = useScriptedWorkspace({ rules: generationRules() }, {
  setUp: async () => {
    scripted.write('package.json', '{}');
  },
});

const PROMPT = `name: Classifier
model: openai/gpt-4o-mini
messages:
  - role: system
    content: Classify the message. Reply with JSON.
  - role: user
    content: "{{message}}"
testFile: cls.cases.jsonl
`;

function cli(args: string[], opts: { onStderr?: (chunk: string, kill: () => void) => void } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(args, {
    cwd: scripted.root,
    env: cliEnv(scripted.root, scripted.server.url),
    onStderr: (chunk, child) => opts.onStderr?.(chunk, () => child.kill('SIGINT')),
  });
}

test('generate prints the estimate, appends the cases and exits 0', async () => {
  scripted.server.setRules(generationRules());
  scripted.server.setOptions({ latencyMs: 0 });
  const existing = '{"message":"parcel never arrived"}\n';
  const cases = scripted.write('cls.cases.jsonl', existing);
  scripted.write('cls.prompt.yml', PROMPT);
  const r = await cli(['generate', 'cls.prompt.yml', '--count', '4']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /into cls\.cases\.jsonl\n {2}estimate: up to \d+ calls, ≈ [\d,]+ tokens \(≈ \$[\d.]+\)/);
  assert.match(r.stdout, /Added 4 cases to cls\.cases\.jsonl from 2 rules/);
  assert.match(r.stderr, /· Checking \d+ inputs against the input specification/);
  const text = readFileSync(cases, 'utf8');
  assert.ok(text.startsWith(existing));
  assert.equal(text.trimEnd().split('\n').length, 5);
});

test('a garbage reply: exit 1, one line naming the step, the eval set byte-identical', async () => {
  scripted.server.setRules([{ system: STEP.rules, reply: '<html>502 Bad Gateway</html>' }, ...generationRules()]);
  const existing = '{"message":"a"}\n';
  const cases = scripted.write('cls.cases.jsonl', existing);
  scripted.write('cls.prompt.yml', PROMPT);
  const r = await cli(['generate', 'cls.prompt.yml', '--quiet']);
  assert.equal(r.code, 1);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^prompt-ladder: generate: output rules: the model's reply had the wrong shape twice/);
  assert.equal(readFileSync(cases, 'utf8'), existing);
});

test('Ctrl-C during generation: exit 1 and nothing written', async () => {
  scripted.server.setRules(generationRules());
  scripted.server.setOptions({ latencyMs: 400 });
  const existing = '{"message":"a"}\n';
  const cases = scripted.write('cls.cases.jsonl', existing);
  scripted.write('cls.prompt.yml', PROMPT);
  let sent = false;
  const r = await cli(['generate', 'cls.prompt.yml'], {
    onStderr: (chunk, kill) => {
      if (!sent && /Extracting output rules/.test(chunk)) {
        sent = true;
        kill();
      }
    },
  });
  scripted.server.setOptions({ latencyMs: 0 });
  assert.ok(sent, 'interrupted during a step');
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /cancelled; nothing was written/);
  assert.equal(readFileSync(cases, 'utf8'), existing);
});

test('bad usage exits 2 before any call', async () => {
  scripted.server.resetStats();
  scripted.write('cls.prompt.yml', PROMPT);
  const a = await cli(['generate', 'cls.prompt.yml', '--effort', 'extreme']);
  assert.equal(a.code, 2);
  assert.match(a.stderr, /--effort must be low, medium or high/);
  const b = await cli(['generate', 'cls.prompt.yml', '--out', 'cases.json']);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /cannot be appended to a JSON array/);
  const c = await cli(['generate']);
  assert.equal(c.code, 2);
  assert.equal(scripted.server.stats.chatRequests, 0);
});
