// `prompt-ladder eval --baseline/--fail-on/--repeat/--md` end to end: the real CLI against the scripted server,
// with the server's own counts of what it was asked.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { cliEnv, runCli } from './runCli';
import type { ScriptedChatRequest } from '../../fixtures/scripted-server';
import { tempWorkspace, useScriptedWorkspace } from '../../fixtures/workspace';
import { quizCases, quizPrompt, quizRules } from '../../fixtures/quiz';

/** Chat requests per question, counted by the server's reply rule. */
const asked = new Map<string, number>();

const answering = (wrong?: Set<number>) => quizRules(asked, wrong);
const PROMPT = (system: string) => quizPrompt(system);
const casesFile = quizCases;

const scripted = useScriptedWorkspace({ rules: answering() }, {
  setUp: async () => {
    scripted.write('package.json', '{"name":"quiz"}\n');
  },
});

function cli(args: string[], env: Record<string, string> = {}, cwd = scripted.root) {
  return runCli(args, { cwd, env: cliEnv(scripted.root, scripted.server.url, env) });
}

test('6 of 60 cases regress against the latest run: exit 1 with those 6 listed and the reason in one line', async () => {
  scripted.write('quiz.prompt.yml', PROMPT('Answer the quiz.'));
  scripted.write('quiz.cases.jsonl', casesFile());
  scripted.server.setRules(answering());
  const first = await cli(['eval', 'quiz.prompt.yml']);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  scripted.server.setRules(answering(new Set([4, 11, 23, 35, 47, 58])));
  const r = await cli(['eval', 'quiz.prompt.yml', '--no-cache', '--baseline', 'latest', '--md', 'summary.md'], { CI: 'true' });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const listed = [...r.stdout.matchAll(/↓ quiz\.cases\.jsonl:(\d+) \[default\]/g)].map((m) => Number(m[1]));
  assert.deepEqual(listed, [5, 12, 24, 36, 48, 59], 'the eval-set lines of cases 4, 11, 23, 35, 47 and 58');
  assert.match(r.stdout, /Gate: 0 fixed, 6 broken of 60, p = 0\.03: regression beyond noise \(α = 0\.05\) — failed/);
  const md = readFileSync(path.join(scripted.root, 'summary.md'), 'utf8');
  assert.match(md, /^## Prompt Ladder: ❌ 0 fixed, 6 broken of 60/);
  assert.equal(md.match(/<details>/g)?.length, 6);
  assert.match(md, /no idea about 23/);
  assert.match(md, /\| default \| openai\/quiz-model \| 90\.0 % \| 80–95 % \| −10\.0 pts/);
});

test('1 of 60 flips: exit 0, "within noise"; the same flip on a must-pass case: exit 1', async () => {
  scripted.write('quiz.prompt.yml', PROMPT('Answer the quiz.'));
  scripted.write('quiz.cases.jsonl', casesFile());
  scripted.server.setRules(answering());
  const base = await cli(['eval', 'quiz.prompt.yml', '--no-cache', '--json', 'base.json']);
  assert.equal(base.code, 0, base.stdout + base.stderr);
  scripted.server.setRules(answering(new Set([17])));
  const r = await cli(['eval', 'quiz.prompt.yml', '--no-cache', '--baseline', 'base.json'], { CI: 'true' });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Gate: 0 fixed, 1 broken of 60, p = 1: within noise \(α = 0\.05\) — passed/);
  assert.match(r.stdout, /↓ quiz\.cases\.jsonl:18 \[default\]/);
  // outside CI the default is today's: any failed case fails
  const local = await cli(['eval', 'quiz.prompt.yml', '--no-cache', '--baseline', 'base.json']);
  assert.equal(local.code, 1);
  assert.match(local.stdout, /Gate: 1 of 60 results failed or errored — failed/);

  scripted.write('quiz.cases.jsonl', casesFile(60, [17]));
  const must = await cli(['eval', 'quiz.prompt.yml', '--no-cache', '--baseline', 'base.json', '--fail-on', 'regression']);
  assert.equal(must.code, 1, must.stdout + must.stderr);
  assert.match(must.stdout, /✗ quiz\.prompt\.yml \[default\]: must-pass case quiz\.cases\.jsonl:18 regressed/);
  assert.match(must.stdout, /Gate: 0 fixed, 1 broken of 60, p = 1: within noise \(α = 0\.05\); 1 must-pass case failing — failed/);
});

test('--min-pass-rate, bad gate options and a baseline that names nothing', async () => {
  scripted.write('quiz.prompt.yml', PROMPT('Answer the quiz.'));
  scripted.write('quiz.cases.jsonl', casesFile());
  scripted.server.setRules(answering(new Set([1, 2, 3])));
  const ok = await cli(['eval', 'quiz.prompt.yml', '--no-cache', '--min-pass-rate', '0.9']);
  assert.equal(ok.code, 0, ok.stdout);
  assert.match(ok.stdout, /Gate: every pass rate ≥ 90\.0 % \(lowest 95\.0 %\) — passed/);
  const low = await cli(['eval', 'quiz.prompt.yml', '--no-cache', '--min-pass-rate', '0.99']);
  assert.equal(low.code, 1);
  assert.match(low.stdout, /pass rate 95\.0 % is below the minimum 99\.0 %/);
  scripted.server.resetStats();
  const bad = await cli(['eval', 'quiz.prompt.yml', '--baseline', 'no-such-ref']);
  assert.equal(bad.code, 2, bad.stdout + bad.stderr);
  assert.match(bad.stderr, /--baseline no-such-ref: not a run record file, a run id, "latest" or a git ref/);
  assert.equal((await cli(['eval', 'quiz.prompt.yml', '--fail-on', 'regression'])).code, 2);
  assert.equal((await cli(['eval', 'quiz.prompt.yml', '--fail-on', 'maybe'])).code, 2);
  assert.equal((await cli(['eval', 'quiz.prompt.yml', '--min-pass-rate', '90'])).code, 2);
  assert.equal(scripted.server.stats.chatRequests, 0, 'usage errors are found before any call');
});

test('--baseline HEAD~1 in a temporary git repository: the old prompt file and eval set are run from git, cache first', async () => {
  const repo = tempWorkspace();
  try {
    const g = (...a: string[]) => execFileSync('git', a, { cwd: repo.root, stdio: 'pipe', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    g('init', '-q');
    repo.write('prompts/quiz.prompt.yml', PROMPT('Answer the quiz.'));
    repo.write('prompts/quiz.cases.jsonl', casesFile(20));
    g('add', '.');
    g('commit', '-qm', 'quiz');
    // the change under review: a sloppier system message (breaks questions 3 and 13) and one more case
    repo.write('prompts/quiz.prompt.yml', PROMPT('Answer the quiz, be sloppy.'));
    repo.write('prompts/quiz.cases.jsonl', casesFile(21));
    g('commit', '-qam', 'sloppy');
    scripted.server.setRules(answering());
    asked.clear();
    const env = cliEnv(repo.root, scripted.server.url, { CI: 'true' });
    const r = await runCli(['eval', 'prompts/quiz.prompt.yml', '--baseline', 'HEAD~1'], { cwd: repo.root, env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Against the baseline HEAD~1 \([0-9a-f]{8}\):/);
    assert.match(r.stdout, /default: 0 fixed, 2 broken, 18 unchanged of 20 shared/);
    assert.match(r.stdout, /not counted, on one side only: prompts\/quiz\.cases\.jsonl:21 \(new\)/);
    assert.match(r.stdout, /Gate: 0 fixed, 2 broken of 20, p = 0\.5: within noise/);
    assert.equal(asked.get('question 3'), 2, 'asked once for the head and once for the baseline (different system messages)');
    // the same again: every call of both sides comes from the cache
    asked.clear();
    const again = await runCli(['eval', 'prompts/quiz.prompt.yml', '--baseline', 'HEAD~1'], { cwd: repo.root, env });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal(asked.size, 0, 'the baseline run is cache first');
    assert.equal(execFileSync('git', ['status', '--porcelain'], { cwd: repo.root }).toString().replace(/^\?\? \.promptladder\/\n?/m, ''), '', 'the work tree is untouched');
  } finally {
    repo.dispose();
  }
});

test('--repeat 3 asks the server 3 times per case, then the cache answers each repeat on its own', async () => {
  scripted.write('quiz.prompt.yml', quizPrompt('Answer the quiz, be sloppy.', 'modelParameters:\n  temperature: 0.7\n'));
  scripted.write('quiz.cases.jsonl', casesFile(12));
  let calls = 0;
  scripted.server.setRules([
    {
      user: 'question',
      reply: (req: ScriptedChatRequest) => {
        asked.set(req.user, (asked.get(req.user) ?? 0) + 1);
        calls++;
        const n = Number(/question (\d+)/.exec(req.user)?.[1]);
        // question 5 passes on its first ask only: a flaky case
        return n === 5 && asked.get(req.user)! > 1 ? 'hmm' : `answer ${n}`;
      },
    },
  ]);
  asked.clear();
  scripted.server.resetStats();
  const r = await cli(['eval', 'quiz.prompt.yml', '--repeat', '3', '--json', 'rep.json', '--junit', 'rep.xml']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(calls, 36);
  for (let i = 0; i < 12; i++) assert.equal(asked.get(`question ${i}`), 3, `question ${i}`);
  assert.deepEqual(new Set(scripted.server.stats.bodies.map((b) => (b as { temperature?: number }).temperature)), new Set([0.7]));
  assert.match(r.stdout, /default: pass\^3 91\.7% \(11 of 12 cases passed every repeat\) · 1 flaky: quiz\.cases\.jsonl:6 1\/3/);
  const junit = readFileSync(path.join(scripted.root, 'rep.xml'), 'utf8');
  assert.match(junit, /tests="12" failures="1" errors="0"/);
  assert.match(junit, /message="1 of 3 repeats passed; right"/);
  const json = JSON.parse(readFileSync(path.join(scripted.root, 'rep.json'), 'utf8'));
  assert.deepEqual(json.variants[0].passRateInterval, [0.6807, 0.9927]);
  calls = 0;
  const cached = await cli(['eval', 'quiz.prompt.yml', '--repeat', '3']);
  assert.equal(cached.code, 1);
  assert.equal(calls, 0, 'every repeat is answered by its own cache entry');
  assert.match(cached.stdout, /1 flaky: quiz\.cases\.jsonl:6 1\/3/);
});
