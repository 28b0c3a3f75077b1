// `code` evaluators: the project's JavaScript module judges the reply in a worker thread, with a timeout;
// its path passes the containment gate at load; an untrusted editor workspace does not run it.

import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { mkdirSync, realpathSync } from 'node:fs';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { runEvaluator } from '../../../src/core/evaluators/registry';
import type { EvalInput } from '../../../src/core/evaluators/evaluator';
import { codeVerdict } from '../../../src/core/evaluators/code';
import { referenceFreeEvaluators } from '../../../src/core/analysis/selfRepair';
import { tempWorkspace } from '../../fixtures/workspace';

const ws = tempWorkspace();
mkdirSync(path.join(ws.root, '.git'));
after(() => ws.dispose());

const input = (output: string, extra: Partial<EvalInput> = {}): EvalInput => ({
  output,
  vars: { sql: 'SELECT 1' },
  expected: '1',
  messages: [],
  question: 'q',
  latencyMs: 0,
  costUsd: 0,
  judge: { complete: async () => '' },
  signal: new AbortController().signal,
  ...extra,
});

async function specWith(evaluator: string) {
  const f = ws.write('p.prompt.yml', `messages:\n  - role: user\n    content: "{{sql}}"\ntestData:\n  - sql: x\nevaluators:\n${evaluator}`);
  return loadPromptFile(f);
}

test('a module returning { pass, score, reason } is called with the reply, the case vars and expected', async () => {
  ws.write('checks/runs.mjs', 'export default (output, { vars, expected }) => ({ pass: output === expected, score: output === expected ? 1 : 0.2, reason: `ran ${vars.sql}` });\n');
  const s = await specWith('  - name: runs\n    code: ./checks/runs.mjs\n');
  assert.deepEqual(s.problems, []);
  const brief = (r: { name: string; passed: boolean; score: number; details?: string }) => [r.name, r.passed, r.score, r.details];
  assert.deepEqual(brief(await runEvaluator(s.evaluators[0], input('1'))), ['runs', true, 1, 'ran SELECT 1']);
  assert.deepEqual(brief(await runEvaluator(s.evaluators[0], input('2'))), ['runs', false, 0.2, 'ran SELECT 1']);
});

test('a CommonJS module with a named evaluate returning a number passes at the threshold', async () => {
  ws.write('checks/len.cjs', 'exports.evaluate = (output) => output.length / 10;\n');
  const s = await specWith('  - name: len\n    code: { file: checks/len.cjs, threshold: 0.3 }\n');
  assert.equal((await runEvaluator(s.evaluators[0], input('abcd'))).passed, true);
  assert.equal((await runEvaluator(s.evaluators[0], input('ab'))).passed, false);
});

test('a module that never returns is stopped at its timeout and fails saying so; a throwing one fails with its message', async () => {
  ws.write('checks/hang.mjs', 'export default () => { for (;;) {} };\n');
  ws.write('checks/throws.mjs', 'export default () => { throw new Error("no database"); };\n');
  const s = await specWith('  - name: hang\n    code: { file: checks/hang.mjs, timeoutMs: 300 }\n  - name: throws\n    code: checks/throws.mjs\n');
  const hang = await runEvaluator(s.evaluators[0], input('x'));
  assert.equal(hang.passed, false);
  assert.equal(hang.details, 'checks/hang.mjs: timed out after 300 ms');
  const thr = await runEvaluator(s.evaluators[1], input('x'));
  assert.equal(thr.details, 'checks/throws.mjs: no database');
});

test('not run when code is not allowed (an untrusted workspace)', async () => {
  ws.write('checks/yes.mjs', 'export default () => true;\n');
  const s = await specWith('  - name: yes\n    code: checks/yes.mjs\n');
  const r = await runEvaluator(s.evaluators[0], input('x', { workspaceTrusted: false }));
  assert.equal(r.passed, false);
  assert.match(r.details ?? '', /this workspace is not trusted/);
});

test('the module path passes the containment gate; a missing, outside or non-JS/TS module is a located error', async () => {
  const s = await specWith('  - name: a\n    code: ../../outside.mjs\n  - name: b\n    code: ./nope.js\n  - name: c\n    code: ../../outside.ts\n');
  ws.write('checks/x.py', 'print(1)\n');
  const t = await specWith('  - name: c\n    code: ./checks/x.py\n');
  assert.equal(s.evaluators.length, 0);
  assert.equal(s.declaredEvaluators, 3);
  assert.match(s.problems[0].message, /^evaluator "a": \.\.\/\.\.\/outside\.mjs is outside this project/);
  assert.equal(s.problems[0].line, 7);
  assert.equal(s.problems[1].message, 'evaluator "b": file not found: ./nope.js');
  assert.match(s.problems[2].message, /^evaluator "c": \.\.\/\.\.\/outside\.ts is outside this project/);
  assert.match(t.problems[0].message, /is not a JavaScript or TypeScript module \(\.js, \.mjs, \.cjs, \.ts, \.mts or \.cts\)/);
});

test('TypeScript: type-only imports, annotations and `export default function` work; the verdict follows the reply', async () => {
  ws.write('checks/types.ts', 'export interface Ctx { vars: Record<string, unknown>; expected?: string }\n');
  ws.write(
    'checks/exact.ts',
    [
      "import type { Ctx } from './types';",
      'type Verdict = { pass: boolean; score: number; reason: string };',
      'export default function exact(output: string, { vars, expected }: Ctx): Verdict {',
      '  const ok: boolean = output === (expected as string);',
      '  return { pass: ok, score: ok ? 1 : 0, reason: `${String(vars.sql)} -> ${output}` };',
      '}',
      '',
    ].join('\n'),
  );
  const s = await specWith('  - name: exact\n    code: ./checks/exact.ts\n');
  assert.deepEqual(s.problems, []);
  const ok = await runEvaluator(s.evaluators[0], input('1'));
  assert.deepEqual([ok.passed, ok.score, ok.details], [true, 1, 'SELECT 1 -> 1']);
  const bad = await runEvaluator(s.evaluators[0], input('2'));
  assert.deepEqual([bad.passed, bad.score], [false, 0]);
});

test('TypeScript: .mts with a named evaluate, .cts with `export =`, and a nested .ts import', async () => {
  ws.write('checks/util.ts', 'export const words = (s: string): number => s.split(/\\s+/).filter(Boolean).length;\n');
  ws.write('checks/short.mts', "import { words } from './util.ts';\nexport async function evaluate(output: string): Promise<number> {\n  return words(output) <= 3 ? 1 : 0;\n}\n");
  ws.write('checks/nonempty.cts', 'const check = (output: string): boolean => output.length > 0;\nexport = check;\n');
  const s = await specWith('  - name: short\n    code: checks/short.mts\n  - name: nonempty\n    code: checks/nonempty.cts\n');
  assert.deepEqual(s.problems, []);
  assert.equal((await runEvaluator(s.evaluators[0], input('one two'))).passed, true);
  assert.equal((await runEvaluator(s.evaluators[0], input('one two three four'))).passed, false);
  assert.equal((await runEvaluator(s.evaluators[1], input('x'))).passed, true);
  assert.equal((await runEvaluator(s.evaluators[1], input(''))).passed, false);
});

test('TypeScript: a syntax error is an error at its line and column in the evaluator file, and that evaluator is left out', async () => {
  const bad = ws.write('checks/broken.ts', 'export default function (output: string) {\n  const n: number = ;\n  return n > 0;\n}\n');
  const s = await specWith('  - name: broken\n    code: ./checks/broken.ts\n  - name: has\n    string: {contains: x}\n');
  assert.deepEqual(s.evaluators.map((e) => e.name), ['has']);
  const p = s.problems.find((x) => x.message.includes('broken'))!;
  assert.equal(p.file, realpathSync(bad));
  assert.deepEqual([p.line, p.col, p.severity], [2, 21, 'error']);
  assert.equal(p.message, 'TypeScript syntax error in code evaluator "broken" (./checks/broken.ts): Unexpected token');
});

test('TypeScript: a runtime throw fails with its message, like JavaScript', async () => {
  ws.write('checks/throwts.ts', 'export default (_o: string): never => { throw new Error("no database"); };\n');
  const s = await specWith('  - name: t\n    code: checks/throwts.ts\n');
  assert.equal((await runEvaluator(s.evaluators[0], input('x'))).details, 'checks/throwts.ts: no database');
});

test('verdicts: booleans, numbers, objects; anything else is an error naming what came back', () => {
  assert.deepEqual(codeVerdict(true, 0.5), { passed: true, score: 1 });
  assert.deepEqual(codeVerdict(0.4, 0.5), { passed: false, score: 0.4 });
  assert.deepEqual(codeVerdict({ score: 0.9 }, 0.5), { passed: true, score: 0.9 });
  assert.match((codeVerdict('yes', 0.5) as { error: string }).error, /returned "yes"/);
});

test('self-repair counts a code evaluator as a reference-free check', async () => {
  ws.write('checks/ok.mjs', 'export default () => true;\n');
  const s = await specWith('  - name: ok\n    code: checks/ok.mjs\n  - name: has\n    string: {contains: "{{expected}}"}\n');
  assert.deepEqual(referenceFreeEvaluators(s.evaluators).map((e) => e.name), ['ok']);
});
