// The CLI on its own: `npm pack` of this repository, installed into a clean folder offline with an empty npm cache
// (so it can have no runtime dependencies), run through npx; and the GitHub Action's step (scripts/action-run.sh)
// run as a shell script with that package against the scripted server. Needs the built bundles (npm test builds).

import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startScriptedServer, type ScriptedServer } from '../../fixtures/scripted-server';
import { quizCases, quizPrompt, quizRules } from '../../fixtures/quiz';

const REPO = path.resolve('.');
let tmp: string;
let tarball: string;
let server: ScriptedServer;
const asked = new Map<string, number>();

function run(cmd: string, args: string[], opts: { cwd: string; env: Record<string, string> }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** PATH, HOME, an empty npm cache used offline, and the scripted server as the OpenAI endpoint. */
function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: tmp,
    npm_config_cache: path.join(tmp, 'npm-cache'),
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    OPENAI_API_KEY: 'pack-key',
    OPENAI_BASE_URL: server.url,
    ...extra,
  };
}

before(async () => {
  assert.ok(fs.existsSync(path.join(REPO, 'dist/cli.js')), 'dist/cli.js is missing: run `npm run build` before the unit tests (npm test does)');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-pack-'));
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], { cwd: REPO, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  tarball = path.join(tmp, JSON.parse(out)[0].filename);
  server = await startScriptedServer({ rules: quizRules(asked) });
});
after(async () => {
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('npm pack: the bundled CLI only, no runtime dependencies; a clean folder installs it offline and runs it through npx', async () => {
  const listed = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
  const lazy = Object.values(JSON.parse(fs.readFileSync('src/core/lazy/bundles.json', 'utf8'))) as string[];
  const bundles = ['cli.js', 'cli-commands.js', 'mcp.js', 'tokenizer.js', 'ts-transpile.js', ...lazy].map((f) => `package/dist/${f}`);
  assert.deepEqual(listed, [...bundles, 'package/CHANGELOG.md', 'package/LICENSE', 'package/README.md', 'package/package.json'].sort());
  const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
  assert.deepEqual(manifest.dependencies ?? {}, {});

  const clean = path.join(tmp, 'clean');
  fs.mkdirSync(clean);
  fs.writeFileSync(path.join(clean, 'package.json'), '{"name":"clean","private":true}\n');
  const install = await run('npm', ['install', tarball], { cwd: clean, env: env() });
  assert.equal(install.code, 0, install.stderr);
  assert.deepEqual(fs.readdirSync(path.join(clean, 'node_modules')).filter((n) => !n.startsWith('.')), ['prompt-ladder'], 'nothing but the package itself');

  const help = await run('npx', ['prompt-ladder', '--help'], { cwd: clean, env: env() });
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /--baseline <ref>/);

  fs.writeFileSync(path.join(clean, 'quiz.prompt.yml'), quizPrompt('Answer the quiz.'));
  fs.writeFileSync(path.join(clean, 'quiz.cases.jsonl'), quizCases(10));
  asked.clear();
  const evalRun = await run('npx', ['prompt-ladder', 'eval', 'quiz.prompt.yml', '--md', 'summary.md'], { cwd: clean, env: env() });
  assert.equal(evalRun.code, 0, evalRun.stdout + evalRun.stderr);
  assert.match(evalRun.stdout, /default\s+openai\/quiz-model\s+10\s+0\s+0\s+100\.0%\s+72–100 %/);
  assert.equal([...asked.values()].reduce((a, b) => a + b, 0), 10, 'one call per case, counted on the server');
  assert.match(fs.readFileSync(path.join(clean, 'summary.md'), 'utf8'), /## Prompt Ladder: ✅ all 10 results passed — passed/);
});

test("the action's step as a shell script: a pull request breaking 6 of 60 cases against HEAD~1 fails, with the outputs and the job summary", async () => {
  const repo = path.join(tmp, 'repo');
  fs.mkdirSync(path.join(repo, 'prompts'), { recursive: true });
  const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
  const g = (...a: string[]) => execFileSync('git', a, { cwd: repo, env: gitEnv, stdio: 'pipe' });
  g('init', '-q');
  fs.writeFileSync(path.join(repo, 'prompts/quiz.prompt.yml'), quizPrompt('Answer the quiz.'));
  fs.writeFileSync(path.join(repo, 'prompts/quiz.cases.jsonl'), quizCases(60));
  g('add', '.');
  g('commit', '-qm', 'quiz');
  fs.writeFileSync(path.join(repo, 'prompts/quiz.prompt.yml'), quizPrompt('Answer the quiz, be sloppy.'));
  g('commit', '-qam', 'sloppy');

  const runnerTemp = path.join(tmp, 'runner');
  fs.mkdirSync(runnerTemp);
  const outputs = path.join(runnerTemp, 'outputs');
  const stepSummary = path.join(runnerTemp, 'step-summary.md');
  asked.clear();
  const r = await run('bash', [path.join(REPO, 'scripts/action-run.sh')], {
    cwd: repo,
    env: env({ PL_FILES: '**/*.prompt.yml', PL_BASELINE: 'HEAD~1', PL_REPEAT: '1', PL_PACKAGE: tarball, RUNNER_TEMP: runnerTemp, GITHUB_OUTPUT: outputs, GITHUB_STEP_SUMMARY: stepSummary }),
  });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /Gate: 0 fixed, 6 broken of 60, p = 0\.03: regression beyond noise \(α = 0\.05\) — failed/);
  assert.equal(asked.get('question 3'), 2, 'the head and the baseline (another system message) each asked once');
  assert.equal([...asked.values()].reduce((a, b) => a + b, 0), 120);
  const out = Object.fromEntries(fs.readFileSync(outputs, 'utf8').trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2)));
  assert.equal(out['pass-rate'], '0.9000');
  assert.equal(out['exit-code'], '1');
  const summary = fs.readFileSync(out['summary-path'], 'utf8');
  assert.match(summary, /^## Prompt Ladder: ❌ 0 fixed, 6 broken of 60/);
  assert.equal(summary.match(/<details>/g)?.length, 6);
  assert.equal(fs.readFileSync(stepSummary, 'utf8').trim(), summary.trim(), 'the job summary gets the same Markdown');

  const none = await run('bash', [path.join(REPO, 'scripts/action-run.sh')], { cwd: repo, env: env({ PL_FILES: 'nothing/*.prompt.yml', PL_PACKAGE: tarball, RUNNER_TEMP: runnerTemp }) });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no file matches 'nothing\/\*\.prompt\.yml'/);
});
