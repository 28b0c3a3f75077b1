// The built CLI (dist/cli.js) with its lazily loaded bundles and V8's code cache: a JSON Schema evaluator
// (dist/json-schema.js), a .prompty file (dist/templates.js) and a CSV eval set (dist/csv.js) run from the built
// files and give the verdicts the engine gives from the sources; the code cache (a temporary directory here) is
// written on the first run, used on the next, survives corrupt entries, and nothing of it lands in the project.
// `npm test` builds before the unit tests.

import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { startScriptedServer, type ScriptedServer, type ScriptedRule } from '../../fixtures/scripted-server';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { runEval } from '../../../src/core/engine';
import type { RunRecord } from '../../../src/core/runs/schema';
import { readEntry } from '../../../src/cli/codeCache';
import { resolverFor, tempWorkspace, type Workspace } from '../../fixtures/workspace';

/** Node 22.1+ keeps the CLI's compiled code with its own compile cache instead of our entries (src/cli/codeCache.ts). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous probe at module level
const NODE_COMPILE_CACHE = typeof (require('node:module') as { enableCompileCache?: unknown }).enableCompileCache === 'function';

const repo = path.resolve(__dirname, '../../..');
const CLI = path.join(repo, 'dist/cli.js');
const lazyBundles = JSON.parse(fs.readFileSync(path.join(repo, 'src/core/lazy/bundles.json'), 'utf8')) as Record<string, string>;

let server: ScriptedServer;
let ws: Workspace;
const demoRules = (JSON.parse(fs.readFileSync(path.join(repo, 'examples/.demo/rules.json'), 'utf8')) as { rules: ScriptedRule[] }).rules;
const csvRules: ScriptedRule[] = [{ user: '^capital of (\\w+)', reply: 'The capital is $1ville.' }];

const CSV_PROMPT = `name: CSV capitals
model: openai/demo-model
messages:
  - role: user
    content: "capital of {{country}}"
testFile: ./capitals.csv
evaluators:
  - name: names-it
    string:
      contains: "{{expected}}"
`;
const CSV = 'country,expected\nFrance,Franceville\n"Spain, Kingdom of",Madrid\nPeru,Lima\n';

before(async () => {
  assert.ok(fs.existsSync(CLI), `${CLI} is missing: run \`npm run build\` before the unit tests (npm test does)`);
  server = await startScriptedServer({ rules: [...csvRules, ...demoRules] });
  ws = tempWorkspace();
  fs.cpSync(path.join(repo, 'examples'), path.join(ws.root, 'examples'), { recursive: true });
  ws.write('csv/capitals.prompt.yml', CSV_PROMPT);
  ws.write('csv/capitals.csv', CSV);
});
after(async () => {
  await server.close();
  ws.dispose();
});

/** Verdict, evaluator verdicts and output per cell: what must not change between the built CLI and the sources. */
function cells(record: RunRecord): string[] {
  return record.cases.flatMap((c) =>
    c.results.map((r) =>
      [c.line, r.variant, r.error ? `error(${r.error})` : r.passed ? 'pass' : 'fail', r.evaluators.map((e) => `${e.name}:${e.passed}:${e.score}`).join(','), r.output].join(' | '),
    ),
  );
}

/** Runs the built CLI (asynchronously: the scripted server answers from this process). */
function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ws.root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function builtEval(rel: string, cache: string, out: string): Promise<{ code: number | null; stdout: string; stderr: string; record: RunRecord }> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: path.join(ws.root, 'home'),
    OPENAI_API_KEY: 'built-key',
    OPENAI_BASE_URL: server.url,
    PROMPT_LADDER_CODE_CACHE: cache,
  };
  const r = await run(['eval', rel, '--no-cache', '--no-strict', '--quiet', '--root', ws.root, '--json', out], env);
  const json = JSON.parse(fs.readFileSync(path.join(ws.root, out), 'utf8')) as RunRecord | RunRecord[];
  return { ...r, record: Array.isArray(json) ? json[0] : json };
}

const files = ['examples/support-intent/support-intent.prompt.yml', 'examples/summarizer/summarize.prompty', 'csv/capitals.prompt.yml'];

test('JSON Schema evaluators, .prompty files and CSV eval sets run from the built CLI (lazy bundles) with the verdicts of the sources', async () => {
  const cache = path.join(ws.root, 'code-cache');
  const fromSources = new Map<string, string[]>();
  for (const rel of files) {
    const spec = await loadPromptFile(path.join(ws.root, rel));
    const { record } = await runEval(spec, { providers: resolverFor(server.url), root: ws.root, cache: false, write: false });
    const expected = cells(record);
    assert.ok(expected.length > 0, rel);
    fromSources.set(rel, expected);
    const first = await builtEval(rel, cache, 'out/first.json');
    assert.ok(first.code === 0 || first.code === 1, `${rel}: exit ${first.code}\n${first.stderr}`);
    assert.doesNotMatch(first.stderr, /internal error|Cannot find module/, rel);
    assert.deepEqual(cells(first.record), expected, `${rel}: built CLI (first run) differs from the sources`);
    const second = await builtEval(rel, cache, 'out/second.json');
    assert.equal(second.code, first.code, rel);
    assert.deepEqual(cells(second.record), expected, `${rel}: built CLI (cached code) differs from the sources`);
  }
  const csvRun = (await builtEval('csv/capitals.prompt.yml', cache, 'out/csv.json')).record;
  assert.deepEqual(
    csvRun.cases.map((c) => [c.line, c.results[0].passed]),
    [
      [2, true],
      [3, false],
      [4, false],
    ],
    'the CSV rows (a quoted comma included) are read',
  );

  // nothing of the cache in the project or the home folder (the directory was moved by the variable)
  assert.equal(fs.existsSync(path.join(ws.root, 'home', '.cache')), false);
  assert.deepEqual(
    fs.readdirSync(path.join(ws.root, '.promptladder')).filter((f) => /code|v8/.test(f)),
    [],
  );
  if (NODE_COMPILE_CACHE) {
    // Node 22.1+: Node's own compile cache, in that directory (its format; it checks its entries itself)
    const written = fs.readdirSync(cache, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
    assert.ok(written.length >= 1 + Object.keys(lazyBundles).length, `${written.length} compile-cache entries`);
    return;
  }

  // one entry per bundle that ran: the commands and the three lazy bundles, each a valid entry
  const entries = fs.readdirSync(cache).filter((f) => f.endsWith('.v8'));
  assert.equal(entries.length, 1 + Object.keys(lazyBundles).length, entries.join(' '));
  for (const e of entries) assert.ok(readEntry(path.join(cache, e)).data, `${e} reads back`);

  // corrupt every entry: the next runs compile normally, give the same verdicts, and write the entries again
  for (const e of entries) {
    const p = path.join(cache, e);
    const bytes = fs.readFileSync(p);
    bytes[bytes.length - 7] ^= 0x5a;
    fs.writeFileSync(p, bytes);
    assert.equal(readEntry(p).corrupt, true);
  }
  for (const rel of files) {
    const again = await builtEval(rel, cache, 'out/again.json');
    assert.ok(again.code === 0 || again.code === 1, `${rel}: exit ${again.code}\n${again.stderr}`);
    assert.deepEqual(cells(again.record), fromSources.get(rel), `${rel}: built CLI (after corrupt entries) differs from the sources`);
  }
  for (const e of entries) assert.ok(readEntry(path.join(cache, e)).data, `${e} is whole again`);
});

test('PROMPT_LADDER_CODE_CACHE=off: the built CLI runs without writing a cache', async () => {
  const home = path.join(ws.root, 'home-off');
  const env = { PATH: process.env.PATH ?? '', HOME: home, XDG_CACHE_HOME: path.join(home, 'xdg'), OPENAI_API_KEY: 'k', OPENAI_BASE_URL: server.url, PROMPT_LADDER_CODE_CACHE: 'off' };
  const r = await run(['eval', 'csv/capitals.prompt.yml', '--no-cache', '--quiet', '--root', ws.root], env);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /1\s+2\s+0\s+33\.3%/);
  assert.equal(fs.existsSync(home), false);
});

/** `import()` calls in a built file, with the name of the function around each. */
function dynamicImports(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const found: string[] = [];
  const visit = (node: ts.Node, fn: string): void => {
    let name = fn;
    if (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node)) name = node.name?.getText(source) ?? fn;
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) found.push(name);
    ts.forEachChild(node, (child) => visit(child, name));
  };
  visit(source, '(top level)');
  return found;
}

test('the bundles loaded through the code cache call import() only in dynamicImport (Node 20 cannot import from cached code)', () => {
  for (const name of ['cli-commands.js', 'mcp.js', ...Object.values(lazyBundles)]) {
    const file = path.join(repo, 'dist', name);
    assert.ok(fs.existsSync(file), `${file} is missing: run \`npm run build\``);
    const calls = dynamicImports(file).filter((fn) => !/^dynamicImport\d*$/.test(fn));
    assert.deepEqual(calls, [], `${name}: import() outside src/core/dynamicImport.ts`);
  }
});
