import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cliEnv, runCli } from './runCli';
import { CLASSIFIER, classifierRules, useScriptedWorkspace } from '../../fixtures/workspace';

const scripted = useScriptedWorkspace({ rules: classifierRules });

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(args, { cwd: scripted.root, env: cliEnv(scripted.root, scripted.server.url, env) });
}

test('exit 1 when a case fails; prints the table, the failures and where the record went', async () => {
  scripted.write('cls.prompt.yml', CLASSIFIER);
  const r = await cli(['eval', 'cls.prompt.yml']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /zero-shot\s+openai\/test-model\s+1\s+2\s+0\s+33\.3%/);
  assert.match(r.stdout, /2-shot\s+openai\/test-model\s+3\s+0\s+0\s+100\.0%/);
  assert.match(r.stdout, /✗ line \d+ \[zero-shot\] format/);
  assert.match(r.stdout, /Run record: \.promptladder[\\/]runs[\\/]cls-.*\.json/);
});

test('exit 0 when every case passes; --variant narrows; --json/--junit/--html are written', async () => {
  scripted.write('cls.prompt.yml', CLASSIFIER);
  const r = await cli(['eval', 'cls.prompt.yml', '--variant', '2-shot', '--json', 'out/run.json', '--junit', 'out/junit.xml', '--html', 'out/report.html']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const json = JSON.parse(readFileSync(path.join(scripted.root, 'out/run.json'), 'utf8'));
  assert.equal(json.version, 1);
  assert.deepEqual(json.variants.map((v: { name: string }) => v.name), ['2-shot']);
  const junit = readFileSync(path.join(scripted.root, 'out/junit.xml'), 'utf8');
  assert.match(junit, /<testsuite name="cls\.prompt\.yml \[2-shot\]" tests="3" failures="0" errors="0"/);
  const html = readFileSync(path.join(scripted.root, 'out/report.html'), 'utf8');
  assert.match(html, /<!doctype html>/);
  assert.ok(!/<link|src="http/.test(html), 'self-contained');
});

test('exit 2 for an invalid file, with file:line:col; no call is made', async () => {
  scripted.server.resetStats();
  scripted.write('bad.prompt.yml', 'name: bad\nmodel: openai/x\nmessages:\n  - role: user\n    content: hi\nmodelParameters:\n  temperature: hot\n');
  const r = await cli(['eval', 'bad.prompt.yml']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.prompt\.yml:7:\d+: .*temperature/);
  assert.equal(scripted.server.stats.chatRequests, 0);
});

test('exit 2 for bad usage: unknown variant, bad --concurrency, no files', async () => {
  scripted.write('cls.prompt.yml', CLASSIFIER);
  const a = await cli(['eval', 'cls.prompt.yml', '--variant', 'nope']);
  assert.equal(a.code, 2);
  assert.match(a.stderr, /no variant named "nope"/);
  const b = await cli(['eval', 'cls.prompt.yml', '--concurrency', 'zero']);
  assert.equal(b.code, 2);
  const c = await cli(['eval']);
  assert.equal(c.code, 2);
});

test('exit 2 with the variable to set when no API key is configured', async () => {
  scripted.write('cls.prompt.yml', CLASSIFIER);
  const r = await cli(['eval', 'cls.prompt.yml'], { OPENAI_API_KEY: '' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /OPENAI_API_KEY/);
});

test('a missing PROMPT_LADDER_CONFIG file is exit 2 with the file named, not an internal error', async () => {
  scripted.write('cls.prompt.yml', CLASSIFIER);
  const missing = path.join(scripted.root, 'no-such-config.json');
  const r = await cli(['eval', 'cls.prompt.yml'], { PROMPT_LADDER_CONFIG: missing });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no-such-config\.json:1:1: cannot read the config file \(ENOENT\)/);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
});

test('a bad eval-set row is reported with its line and skipped; the valid rows still run', async () => {
  scripted.write('rows.cases.jsonl', '{"message":"refund me","intent":"refund"}\n{not json\n{"message":"refund now","intent":"refund"}\n');
  scripted.write('rows.prompt.yml', CLASSIFIER.replace(/testData:[\s\S]*?examples:/, 'testFile: ./rows.cases.jsonl\nexamples:'));
  const r = await cli(['eval', 'rows.prompt.yml', '--variant', '2-shot', '--json', 'rows.json']);
  assert.match(r.stderr, /rows\.cases\.jsonl:2:\d+:/);
  assert.equal(r.code, 1, 'the valid cases passed, but a skipped case is not a pass: ' + r.stdout + r.stderr);
  assert.match(r.stdout, /1 problem in the prompt or eval-set files/);
  const json = JSON.parse(readFileSync(path.join(scripted.root, 'rows.json'), 'utf8'));
  assert.equal(json.cases.length, 2);
  assert.deepEqual(json.cases.map((c: { line: number }) => c.line), [1, 3]);
  assert.ok(existsSync(path.join(scripted.root, '.promptladder', 'runs')));
});

test('finetune exports chat JSONL from the newest run without the few-shot pairs, with the savings estimate', async () => {
  const cases = Array.from({ length: 12 }, (_, i) => `  - message: parcel ${i}\n    intent: delivery\n    expected: '{"intent":"delivery"}'`).join('\n');
  scripted.write('ft.prompt.yml', CLASSIFIER.replace(/testData:[\s\S]*?examples:/, `testData:\n${cases}\nexamples:`));
  const run = await cli(['eval', 'ft.prompt.yml']);
  assert.equal(run.code, 1, 'zero-shot fails, so eval exits 1');
  const r = await cli(['finetune', 'ft.prompt.yml', '--out', 'ft', '--validation', '0.25']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Wrote 9 training examples/);
  assert.match(r.stdout, /Wrote 3 validation examples/);
  assert.match(r.stdout, /prompt tokens saved per call/);
  const lines = readFileSync(path.join(scripted.root, 'ft', 'ft.openai.train.jsonl'), 'utf8').trim().split('\n');
  assert.equal(lines.length, 9);
  const first = JSON.parse(lines[0]);
  assert.deepEqual(first.messages.map((m: { role: string }) => m.role), ['system', 'user', 'assistant']);
  assert.equal(first.messages[2].content, '{"intent":"delivery"}');
});

test('finetune --format writes the platform\'s file (local: with its axolotl config); --teacher distils into the student\'s prompt', async () => {
  const cases = Array.from({ length: 12 }, (_, i) => `  - message: parcel ${i}\n    intent: delivery`).join('\n');
  scripted.write('dist.prompt.yml', CLASSIFIER.replace(/testData:[\s\S]*?examples:/, `testData:\n${cases}\nexamples:`));
  assert.equal((await cli(['eval', 'dist.prompt.yml'])).code, 1);
  const v = await cli(['finetune', 'dist.prompt.yml', '--format', 'vertex', '--teacher', '2-shot', '--variant', 'zero-shot', '--out', 'v', '--validation', '0']);
  assert.equal(v.code, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /Distillation: teacher "2-shot" \(openai\/test-model\) → student "zero-shot"/);
  assert.match(v.stdout, /Answers: 12 from the passing outputs of the teacher "2-shot"/);
  const first = JSON.parse(readFileSync(path.join(scripted.root, 'v', 'dist.vertex.train.jsonl'), 'utf8').split('\n')[0]);
  assert.equal(first.systemInstruction.parts[0].text, 'Classify the message. Reply with JSON.');
  assert.deepEqual(first.contents.map((c: { role: string }) => c.role), ['user', 'model'], 'the student prompt: no example pairs');
  assert.equal(first.contents[1].parts[0].text, '{"intent":"delivery"}');
  const l = await cli(['finetune', 'dist.prompt.yml', '--format', 'trl', '--out', 'l']);
  assert.equal(l.code, 0, l.stdout + l.stderr);
  assert.ok(existsSync(path.join(scripted.root, 'l', 'dist.local.train.jsonl')));
  assert.match(readFileSync(path.join(scripted.root, 'l', 'dist.local.axolotl.yml'), 'utf8'), /path: dist\.local\.train\.jsonl/);
  const bad = await cli(['finetune', 'dist.prompt.yml', '--format', 'anthropic']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--format must be one of openai \(or azure, mistral, together, fireworks\), vertex/);
  const noTeacher = await cli(['finetune', 'dist.prompt.yml', '--teacher', 'gpt-9']);
  assert.equal(noTeacher.code, 2);
  assert.match(noTeacher.stderr, /--teacher: no variant named "gpt-9"/);
});

test('finetune without a run says how to make one (exit 2)', async () => {
  scripted.write('norun.prompt.yml', CLASSIFIER);
  const r = await cli(['finetune', 'norun.prompt.yml']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no run record found.*prompt-ladder eval/);
});

test('a CSV with a broken quote keeps the rows before it and exits 1; an unreadable YAML eval set exits 2', async () => {
  scripted.write('q.cases.csv', 'message,intent\nrefund me,refund\n"refund, "now,refund\n');
  scripted.write('q.prompt.yml', CLASSIFIER.replace(/testData:[\s\S]*?examples:/, 'testFile: ./q.cases.csv\nexamples:'));
  const r = await cli(['eval', 'q.prompt.yml', '--variant', '2-shot', '--json', 'q.json']);
  assert.match(r.stderr, /q\.cases\.csv:\d+:1: invalid CSV/);
  assert.equal(r.code, 1);
  const json = JSON.parse(readFileSync(path.join(scripted.root, 'q.json'), 'utf8'));
  assert.deepEqual(json.cases.map((c: { line: number }) => c.line), [2], 'the row before the broken quote ran');
  scripted.write('y.cases.yaml', '- message: refund me\n  intent: refund\n- message: [unclosed\n- message: parcel\n');
  scripted.write('y.prompt.yml', CLASSIFIER.replace(/testData:[\s\S]*?examples:/, 'testFile: ./y.cases.yaml\nexamples:'));
  const y = await cli(['eval', 'y.prompt.yml']);
  assert.equal(y.code, 2, y.stdout + y.stderr);
  assert.match(y.stderr, /y\.cases\.yaml:\d+:\d+:/);
  assert.match(y.stderr, /no test cases to run/);
});

test('retrieval documents symlinked out of the project are skipped with a warning naming them; their text is never sent', async () => {
  const outside = mkdtempSync(path.join(tmpdir(), 'pl-outside-'));
  try {
    writeFileSync(path.join(outside, 'leak.md'), '# Refunds\nTOPSECRET refund policy for parcels.\n');
    scripted.write('rag/.promptladder/.keep', '');
    scripted.write('rag/docs/policy.md', '# Refunds\nRefunds within 30 days for any parcel.\n');
    symlinkSync(outside, path.join(scripted.root, 'rag', 'docs', 'more'), 'dir');
    symlinkSync(path.join(outside, 'leak.md'), path.join(scripted.root, 'rag', 'docs', 'leak.md'));
    scripted.write(
      'rag/rag.prompt.yml',
      'name: rag\nmodel: openai/test-model\nmessages:\n  - role: user\n    content: "{{message}} CONTEXT: {{context}}"\ntestData:\n  - message: refund my parcel\n' +
        'retrieval:\n  documents: ./docs/**/*.md\nvariants:\n  - name: rag\n    retrieval: true\n',
    );
    scripted.server.resetStats();
    const r = await cli(['eval', 'rag/rag.prompt.yml', '--json', 'rag/out.json', '--no-cache']);
    assert.match(r.stderr, /retrieval\.documents \(line \d+\): skipped docs\/leak\.md: docs\/leak\.md is a symlink to a place outside this project/);
    assert.match(r.stderr, /skipped docs\/more: docs\/more is a symlink to a place outside this project/);
    const json = JSON.parse(readFileSync(path.join(scripted.root, 'rag/out.json'), 'utf8'));
    assert.ok(json.problems.some((p: string) => p.includes('docs/leak.md')));
    assert.ok(scripted.server.stats.chatRequests > 0);
    assert.ok(!JSON.stringify(scripted.server.stats.bodies).includes('TOPSECRET'), 'a document outside the project reached the model');
    assert.ok(JSON.stringify(scripted.server.stats.bodies).includes('Refunds within 30 days'), 'the document inside was used');
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});

test('--timeout and PROMPT_LADDER_TIMEOUT bound a hung call; a bad value is a usage error naming it', async () => {
  scripted.write('hang.prompt.yml', CLASSIFIER);
  scripted.server.setOptions({ faults: [{ kind: 'timeout' }] });
  try {
    scripted.server.resetStats();
    const r = await cli(['eval', 'hang.prompt.yml', '--variant', '2-shot', '--no-cache', '--timeout', '0.2']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /no answer within 0\.2 s \(2 attempts timed out; change it with promptLadder\.timeoutSeconds, --timeout or PROMPT_LADDER_TIMEOUT\)/);
    // two attempts per case by the client's count (above); the server sees at most that many (an attempt can
    // expire on a loaded machine before its request arrives)
    assert.ok(scripted.server.stats.chatRequests >= 3 && scripted.server.stats.chatRequests <= 6, `server saw ${scripted.server.stats.chatRequests}`);
    const e = await cli(['eval', 'hang.prompt.yml', '--variant', '2-shot', '--no-cache'], { PROMPT_LADDER_TIMEOUT: '0.2' });
    assert.match(e.stdout, /no answer within 0\.2 s/);
  } finally {
    scripted.server.setOptions({ faults: [] });
  }
  const bad = await cli(['eval', 'hang.prompt.yml', '--timeout', 'soon']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--timeout: expected a number of seconds/);
  const badEnv = await cli(['eval', 'hang.prompt.yml'], { PROMPT_LADDER_TIMEOUT: '-3' });
  assert.equal(badEnv.code, 2);
  assert.match(badEnv.stderr, /PROMPT_LADDER_TIMEOUT: expected a number of seconds/);
});

test('a refused key is one message, and a 6-character key echoed by the 401 body appears nowhere: stdout, stderr, --json, JUnit, HTML, run record', async () => {
  const KEY = 'Zq7x2P';
  scripted.write('auth.prompt.yml', CLASSIFIER);
  scripted.server.setRules([{ user: '.*', status: 401, errorMessage: (req) => `Incorrect API key provided: ${(req.headers.authorization ?? '').replace(/^Bearer /, '')}` }]);
  try {
    const r = await cli(['eval', 'auth.prompt.yml', '--no-cache', '--json', 'auth/run.json', '--junit', 'auth/junit.xml', '--html', 'auth/report.html'], { OPENAI_API_KEY: KEY });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: the key for OpenAI \(127\.0\.0\.1:\d+\) was refused \(HTTP 401: Incorrect API key provided: \*\*\*\): check OPENAI_API_KEY; the remaining calls/);
    assert.equal((r.stderr.match(/was refused/g) ?? []).length, 1, r.stderr);
    const files = ['auth/run.json', 'auth/junit.xml', 'auth/report.html'].map((f) => readFileSync(path.join(scripted.root, f), 'utf8'));
    const record = JSON.parse(files[0]);
    const stored = readFileSync(path.join(scripted.root, '.promptladder', 'runs', readdirSync(path.join(scripted.root, '.promptladder', 'runs')).filter((f) => f.startsWith('auth-')).sort().pop()!), 'utf8');
    assert.ok(record.cases.length === 3);
    for (const [where, text] of Object.entries({ stdout: r.stdout, stderr: r.stderr, json: files[0], junit: files[1], html: files[2], record: stored })) {
      assert.ok(!text.includes(KEY), `the key leaked into ${where}`);
    }
  } finally {
    scripted.server.setRules(classifierRules);
  }
});

test('an unknown option or a missing value is one line and the usage, exit 2', async () => {
  const r = await cli(['eval', 'cls.prompt.yml', '--frobnicate']);
  assert.equal(r.code, 2);
  const lines = r.stderr.split('\n');
  assert.equal(lines[0], 'prompt-ladder: unknown option --frobnicate');
  assert.doesNotMatch(r.stderr, /positional argument/, "not Node's parseArgs text");
  assert.match(r.stderr, /^Usage:\n {2}prompt-ladder eval <file>\.\.\. \[options\]/m);
  assert.match(r.stderr, /prompt-ladder --help/);
  const v = await cli(['eval', 'cls.prompt.yml', '--json']);
  assert.equal(v.code, 2);
  assert.equal(v.stderr.split('\n')[0], 'prompt-ladder: option --json needs a value');
});

test('--help lists -v/--version with the general options and names the demo server; -v prints the version', async () => {
  const h = await cli(['--help']);
  assert.equal(h.code, 0);
  const general = h.stdout.slice(h.stdout.indexOf('General:'));
  assert.match(general, /^General:\n {2}-h, --help .*\n {2}-v, --version/);
  const finetuneOptions = h.stdout.slice(h.stdout.indexOf('Options for finetune'), h.stdout.indexOf('General:'));
  assert.doesNotMatch(finetuneOptions, /--version/);
  assert.match(h.stdout, /npm run demo:server/);
  const v = await cli(['-v']);
  assert.equal(v.code, 0);
  assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+/);
});

test('"cannot read the file" says why', async () => {
  const missing = await cli(['eval', 'nowhere.prompt.yml']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nowhere\.prompt\.yml: cannot read the file \(file not found/);
  scripted.write('folder.prompt.yml/keep', '');
  const dir = await cli(['eval', 'folder.prompt.yml']);
  assert.equal(dir.code, 2);
  assert.match(dir.stderr, /folder\.prompt\.yml: cannot read the file \(folder\.prompt\.yml is a folder, not a file\)/);
});

test('runs land in the prompt file\'s project wherever the CLI is started; finetune finds them and names its source', async () => {
  // proj/ is a project (package.json); the CLI runs from the folder above it.
  scripted.write('proj/package.json', '{}');
  const noExpected = CLASSIFIER.replace('  - message: parcel is late\n    intent: delivery\n', '')
    .replace(/testData:[\s\S]*?examples:/, `testData:\n${Array.from({ length: 12 }, (_, i) => `  - message: parcel ${i} is late\n    intent: delivery`).join('\n')}\nexamples:`);
  scripted.write('proj/prompts/shop.prompt.yml', noExpected);
  const r = await cli(['eval', 'proj/prompts/shop.prompt.yml', '--variant', '2-shot']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Run record: proj[\\/]\.promptladder[\\/]runs[\\/]shop-.*\.json/);
  assert.ok(!existsSync(path.join(scripted.root, 'proj', 'prompts', '.promptladder')), 'not beside the prompt file');
  const record = JSON.parse(readFileSync(path.join(scripted.root, r.stdout.match(/Run record: (\S+)/)![1]), 'utf8'));
  assert.equal(record.promptFile, 'prompts/shop.prompt.yml', 'relative to the project');
  // No case has an expected output: the export falls back to the passing outputs, and says so.
  const ft = await cli(['finetune', 'proj/prompts/shop.prompt.yml', '--out', 'ftauto', '--validation', '0']);
  assert.equal(ft.code, 0, ft.stdout + ft.stderr);
  assert.match(ft.stdout, /Wrote 12 training examples/);
  assert.match(ft.stdout, /Answers: 12 from the passing outputs of variant "2-shot"\./);
  const strict = await cli(['finetune', 'proj/prompts/shop.prompt.yml', '--out', 'ftstrict', '--source', 'expected']);
  assert.equal(strict.code, 1, 'no expected outputs: nothing to export');
  assert.match(strict.stderr, /12 cases have no expected output/);
});
