// Golden verdicts: the example prompt files (with the demo model's rules) and a large streamed run give the
// same verdict for every (case, variant, repeat), the same summary figures and the same advice as the
// engine recorded in test/fixtures/golden/verdicts.json. Performance work on the engine, the cache, the
// transport or the record must leave all of this unchanged; a change that means to alter a verdict must
// regenerate the file (`PROMPT_LADDER_UPDATE_GOLDEN=1 node --import tsx --test <this file>`) and say why in
// its commit. Latency is left out (it is wall time).

import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ScriptedRule } from '../../fixtures/scripted-server';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { runEval } from '../../../src/core/engine';
import { readRun, STREAMED_CASES } from '../../../src/core/runs/store';
import type { RunRecord } from '../../../src/core/runs/schema';
import { resolverFor, useScriptedWorkspace } from '../../fixtures/workspace';

const repo = path.resolve(__dirname, '../../..');
const goldenFile = path.join(repo, 'test/fixtures/golden/verdicts.json');
const update = process.env.PROMPT_LADDER_UPDATE_GOLDEN === '1';

interface Verdicts {
  status: string;
  calls: number;
  cells: string[];
  variants: unknown[];
  advice: unknown;
}

/** Costs are sums of floats: compared to 10 significant digits, so a different order of addition is not a change. */
const round = (x: number) => Number(x.toPrecision(10));

/** One line per cell: case line, variant, repeat, verdict, category, evaluator verdicts, tokens, cost. */
function verdictsOf(record: RunRecord): Verdicts {
  const cells: string[] = [];
  for (const c of record.cases) {
    for (const r of c.results) {
      const evals = r.evaluators.map((e) => `${e.name}:${e.passed ? 'pass' : 'fail'}:${e.score}`).join(',');
      const verdict = r.error ? `error(${r.error})` : r.passed ? 'pass' : 'fail';
      cells.push(
        [`${c.file ?? ''}:${c.line}`, r.variant, r.repeat ?? 0, verdict, r.category ?? '-', r.categoryBasis ?? '-', evals, `${r.tokens.prompt}+${r.tokens.completion}`, round(r.costUsd ?? 0), r.output].join(' | '),
      );
    }
  }
  return {
    status: record.status,
    calls: record.calls ?? 0,
    cells,
    variants: record.variants.map(({ latencyMs: _latency, ...rest }) => ({ ...rest, costUsd: round(rest.costUsd) })),
    advice: record.advice ?? null,
  };
}

const demoRules = (JSON.parse(readFileSync(path.join(repo, 'examples/.demo/rules.json'), 'utf8')) as { rules: ScriptedRule[] }).rules;
/** The large run: most replies echo the number; some are wrong, some prose, some refused, some fail. */
const bigRules: ScriptedRule[] = [
  { user: 'number \\d*13$', status: 400, errorMessage: 'scripted bad request' },
  { user: 'number \\d*7$', reply: 'I cannot help with that request.' },
  { user: 'number (\\d*)5$', reply: 'The number is $15 or so' },
  { user: 'number (\\d+)', reply: '{"n": $1}' },
];

const scripted = useScriptedWorkspace({ rules: demoRules }, {
  setUp: async () => {
    cpSync(path.join(repo, 'examples'), path.join(scripted.root, 'examples'), { recursive: true });
  },
});

const actual: Record<string, Verdicts> = {};
const golden: Record<string, Verdicts> = existsSync(goldenFile) && !update ? JSON.parse(readFileSync(goldenFile, 'utf8')) : {};

async function check(name: string, record: RunRecord): Promise<void> {
  // the scripted server's port changes from run to run; error messages name it
  const host = new URL(scripted.server.url).host;
  actual[name] = JSON.parse(JSON.stringify(verdictsOf(record)).split(host).join('SERVER')) as Verdicts;
  if (update) return;
  assert.ok(golden[name], `no golden verdicts for ${name}: regenerate ${path.relative(repo, goldenFile)}`);
  assert.deepEqual(actual[name], golden[name], `${name}: verdicts differ from the golden file`);
}

const examples = ['examples/support-intent/support-intent.prompt.yml', 'examples/support-qa/support-qa.prompt.yml', 'examples/summarizer/summarize.prompty'];

for (const rel of examples) {
  test(`golden verdicts: ${rel} (every variant, with the demo model's rules)`, async () => {
    scripted.server.setRules(demoRules);
    const spec = await loadPromptFile(path.join(scripted.root, rel));
    const { record } = await runEval(spec, { providers: resolverFor(scripted.server.url), root: scripted.root, cache: false, write: false });
    assert.equal(record.status, 'completed');
    assert.ok(record.cases.length > 0 && record.cases.every((c) => c.results.length === record.variants.length), `${rel}: every case has one result per variant`);
    await check(rel, record);
  });
}

test(`golden verdicts: a streamed run of ${STREAMED_CASES + 100} cases × 2 variants, read back from disk`, async () => {
  scripted.server.setRules(bigRules);
  const cases = STREAMED_CASES + 100;
  scripted.write('big/big.cases.jsonl', Array.from({ length: cases }, (_, i) => JSON.stringify({ n: i })).join('\n') + '\n');
  const file = scripted.write(
    'big/big.prompt.yml',
    [
      'name: big',
      'model: openai/bench-model',
      'messages:',
      '  - role: user',
      '    content: "number {{n}}"',
      'testFile: ./big.cases.jsonl',
      'variants:',
      '  - name: plain',
      '  - name: careful',
      '    modelParameters: { temperature: 0 }',
      'evaluators:',
      '  - name: echoes',
      '    string:',
      '      contains: "{{n}}"',
      '  - name: json',
      '    regex:',
      '      pattern: "^\\\\{"',
      '',
    ].join('\n'),
  );
  const spec = await loadPromptFile(file);
  scripted.server.resetStats();
  const { record, path: runFile } = await runEval(spec, { providers: resolverFor(scripted.server.url), root: scripted.root, retry: { maxRetries: 0 } });
  assert.equal(scripted.server.stats.chatRequests, cases * 2, 'one request per cell: none lost, none sent twice');
  assert.equal(record.calls, cases * 2);
  assert.ok(runFile);
  const onDisk = await readRun(runFile!);
  assert.equal(onDisk.cases.length, cases, 'no lost or duplicated case on disk');
  assert.deepEqual(onDisk.cases.map((c) => c.index), Array.from({ length: cases }, (_, i) => i));
  assert.ok(onDisk.cases.every((c) => c.results.length === 2), 'every case has both variants on disk');
  await check('streamed', onDisk);
  // what the caller got back summarises the same run
  assert.deepEqual(verdictsOf({ ...record, cases: onDisk.cases }).variants, actual.streamed.variants);
  assert.deepEqual(verdictsOf({ ...record, cases: onDisk.cases }).advice, actual.streamed.advice);
});

after(() => {
  if (!update) return;
  mkdirSync(path.dirname(goldenFile), { recursive: true });
  writeFileSync(goldenFile, JSON.stringify(actual, null, 1) + '\n');
});
