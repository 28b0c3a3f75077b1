// A streamed run (more than STREAMED_CASES cases) keeps little per finished case in memory, yet gives the same
// summaries, failure list and advice as the same run kept whole in memory; its periodic summaries, kept as
// results arrive, equal the ones computed from the cases.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { runEval } from '../../../src/core/engine';
import { readRun, STREAMED_CASES } from '../../../src/core/runs/store';
import { summarizeVariants, VariantTally, type VariantInfo } from '../../../src/core/runs/summary';
import type { CaseRecord, CaseResult, RunRecord } from '../../../src/core/runs/schema';
import { resolverFor, useScriptedWorkspace } from '../../fixtures/workspace';

const scripted = useScriptedWorkspace({ latencyMs: 2 });

const CASES = STREAMED_CASES + 300;

const withoutLatency = (record: RunRecord) => record.variants.map(({ latencyMs: _l, ...rest }) => rest);
/** What the CLI lists and the advisor reads of each failing result. */
const failures = (record: RunRecord) =>
  record.cases.flatMap((c) =>
    c.results
      .filter((r) => !r.passed)
      .map((r) => ({ index: c.index, line: c.line, variant: r.variant, error: r.error, category: r.category, basis: r.categoryBasis, reason: r.categoryReason, output: r.output, evaluators: r.evaluators, messages: r.messages })),
  );
const verdicts = (cases: CaseRecord[]) => cases.map((c) => `${c.index}:${c.results.map((r) => `${r.variant}=${r.passed ? 'pass' : r.error ? 'error' : 'fail'}/${r.tokens.prompt}+${r.tokens.completion}/${r.costUsd}`).join(',')}`);

test('a streamed run keeps passed results slim in memory and gives the summaries, failures and advice of the same run kept whole', async () => {
  const rows = Array.from({ length: CASES }, (_, i) => JSON.stringify({ n: i, word: i % 9 === 0 ? 'skip' : 'keep' })).join('\n');
  scripted.write('mem.cases.jsonl', rows + '\n');
  scripted.write('mem.examples.jsonl', JSON.stringify({ input: 'keep 1', output: 'echo: keep 1' }) + '\n');
  const file = scripted.write(
    'mem.prompt.yml',
    ['name: mem', 'model: openai/m', 'messages:', '  - role: user', '    content: "{{word}} {{n}}"', 'testFile: ./mem.cases.jsonl',
      'examples: ./mem.examples.jsonl', 'variants:', '  - name: zero', '    shots: 0', '  - name: one', '    shots: 1',
      'evaluators:', '  - name: keeps', '    string:', '      contains: "keep"', ''].join('\n'),
  );
  const spec = await loadPromptFile(file);
  assert.equal(spec.cases.length, CASES);
  const providers = resolverFor(scripted.server.url);
  const streamed = await runEval(spec, { providers, root: scripted.root, cache: false });
  const whole = await runEval(spec, { providers, root: scripted.root, cache: false, write: false });
  assert.ok(streamed.record.casesFile, 'the first run is streamed');
  assert.equal(whole.record.casesFile, undefined, 'the second is kept whole');

  const failing = Math.ceil(CASES / 9);
  assert.equal(streamed.record.variants[0].failed, failing);
  assert.deepEqual(withoutLatency(streamed.record), withoutLatency(whole.record));
  assert.deepEqual(verdicts(streamed.record.cases), verdicts(whole.record.cases));
  assert.deepEqual(failures(streamed.record), failures(whole.record));
  assert.equal(failures(streamed.record).length, failing * 2);
  assert.deepEqual(streamed.record.advice, whole.record.advice);

  // In memory: a passed result keeps no messages and no verdict details.
  const passedResults = streamed.record.cases.flatMap((c) => c.results.filter((r) => r.passed));
  assert.equal(passedResults.length, (CASES - failing) * 2);
  assert.ok(passedResults.every((r) => r.messages === undefined && r.evaluators[0].details === undefined));
  assert.ok(failures(streamed.record).every((f) => f.messages?.length && f.evaluators[0].details));

  // On disk every result is whole, and the header's figures are the ones the cases give (latency percentiles too).
  const back = await readRun(streamed.path!);
  assert.equal(back.cases.length, CASES);
  assert.deepEqual(back.variants, streamed.record.variants);
  const info: VariantInfo[] = back.variants.map((v) => ({ name: v.name, model: v.model, shots: v.shots }));
  assert.deepEqual(summarizeVariants(info, back.cases), back.variants);
  const strip = (cases: CaseRecord[]) => cases.map((c) => ({ ...c, results: c.results.map(({ latencyMs: _l, ...r }) => r) }));
  assert.deepEqual(strip(back.cases), strip(whole.record.cases), 'the JSONL holds what the whole run held, messages included');
});

test('VariantTally gives summarizeVariants figures whatever order the results arrive in', () => {
  let seed = 11;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const variants: VariantInfo[] = [{ name: 'a', model: 'm', shots: 0 }, { name: 'b', model: 'm2', shots: 3, retrieval: true }];
  const repeat = 3;
  const cases: CaseRecord[] = Array.from({ length: 400 }, (_, i) => ({ index: i, line: i + 1, vars: {}, results: [] }));
  const jobs: { i: number; vi: number; r: number; result: CaseResult }[] = [];
  for (let i = 0; i < cases.length; i++) {
    for (let vi = 0; vi < variants.length; vi++) {
      for (let r = 0; r < repeat; r++) {
        const p = rnd();
        const error = p < 0.05 ? 'boom' : null;
        const passed = !error && p > 0.3;
        jobs.push({
          i,
          vi,
          r,
          result: {
            variant: variants[vi].name,
            repeat: r,
            output: 'x',
            passed,
            error,
            category: error ? 'error' : passed ? null : rnd() < 0.5 ? 'format' : 'knowledge',
            latencyMs: Math.floor(rnd() * 900),
            tokens: { prompt: Math.floor(rnd() * 50), completion: Math.floor(rnd() * 20) },
            costUsd: rnd() * 1e-4,
            cached: rnd() < 0.2,
            evaluators: [],
          },
        });
      }
    }
  }
  const tally = new VariantTally(variants, cases.length * repeat, repeat);
  // finishing order is not case order
  for (const j of [...jobs].sort(() => rnd() - 0.5)) tally.add(j.vi, j.i * repeat + j.r, j.result);
  for (const j of jobs) cases[j.i].results.push(j.result);
  const expected = summarizeVariants(variants, cases);
  const got = tally.summaries();
  // categories are counted alike; their key order follows arrival
  assert.deepEqual(got.map((v) => ({ ...v, categories: Object.fromEntries(Object.entries(v.categories).sort()) })), expected.map((v) => ({ ...v, categories: Object.fromEntries(Object.entries(v.categories).sort()) })));
  assert.ok(expected[0].latencyMs.p95 > 0 && expected[1].costUsd > 0);
});
