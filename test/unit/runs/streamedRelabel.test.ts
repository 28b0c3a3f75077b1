// A streamed run whose categories change at the end of the run (another column's evidence relabels guessed
// failures) reads back from disk with the final categories: the changed cases get a new line in the JSONL, and
// readers take the last line for a case index, in the place of its first.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { runEval } from '../../../src/core/engine';
import { casesFileOf, listRuns, readRun, runsDir, STREAMED_CASES, supersedeCases, writeRunsJson } from '../../../src/core/runs/store';
import { summarizeCategories } from '../../../src/core/analysis/categorize';
import type { CaseRecord, RunRecord } from '../../../src/core/runs/schema';
import { caseRecord, result, runRecord } from '../analysis/records';
import { resolverFor, useScriptedWorkspace } from '../../fixtures/workspace';

const scripted = useScriptedWorkspace();

const CASES = STREAMED_CASES + 200;

/** What a reader shows of a failure's category, per case and result. */
const labels = (cases: CaseRecord[]) =>
  cases.map((c) => `${c.index}:${c.results.map((r) => `${r.variant}=${r.passed ? 'pass' : `${r.category}/${r.categoryBasis}/${r.categoryReason}`}`).join(',')}`);

test('a streamed run relabelled at its end reads back from disk with the categories the engine returned, each case once', async () => {
  // plain answers every tenth item wrong (a content failure: guessed knowledge); the chain-of-thought column
  // gets all but every hundredth of those right, so at the end of the run the guesses become reasoning
  scripted.server.setRules([
    { system: 'Final answer', user: 'item (0|\\d*00)$', reply: 'Let me think.\nFinal answer: none' },
    { system: 'Final answer', user: 'item (\\d+)$', reply: 'Let me think about $1.\nFinal answer: ok-$1' },
    { user: 'item (\\d*0)$', reply: 'none' },
    { user: 'item (\\d+)$', reply: 'ok-$1' },
  ]);
  scripted.write('rel.cases.jsonl', Array.from({ length: CASES }, (_, i) => JSON.stringify({ n: i })).join('\n') + '\n');
  const file = scripted.write(
    'rel.prompt.yml',
    ['name: rel', 'model: openai/m', 'messages:', '  - role: user', '    content: "item {{n}}"', 'testFile: ./rel.cases.jsonl',
      'variants:', '  - name: plain', '  - name: cot', '    chainOfThought: true',
      'evaluators:', '  - name: answers', '    string:', '      contains: "ok-{{n}}"', ''].join('\n'),
  );
  const spec = await loadPromptFile(file);
  let told: number[] | undefined;
  const { record, path: recordPath } = await runEval(spec, {
    providers: resolverFor(scripted.server.url),
    root: scripted.root,
    cache: false,
    onEvent: (e) => {
      if (e.type === 'run-finished') told = e.changed;
    },
  });
  assert.ok(record.casesFile && recordPath, 'the run is streamed');
  assert.equal(record.status, 'completed');

  // in memory: every plain failure (220) and every cot failure (22) was relabelled
  const plainFails = CASES / 10;
  const cotFails = CASES / 100;
  const relabelled = record.cases.flatMap((c) => c.results.filter((r) => r.categoryBasis === 'variant'));
  assert.equal(relabelled.length, plainFails + cotFails);
  assert.ok(relabelled.every((r) => r.category === 'reasoning' && /^inferred from cot/.test(r.categoryReason ?? '')));
  assert.deepEqual(record.variants.map((v) => v.categories), [{ reasoning: plainFails }, { reasoning: cotFails }]);
  // the run-finished event names the cases the end changed, for a view that followed the run
  assert.deepEqual(told, record.cases.filter((c) => c.results.some((r) => r.categoryBasis === 'variant')).map((c) => c.index));

  // the JSONL got one new line per relabelled case already written (cases still queued at the end, if any,
  // were written once, relabelled); none for unchanged cases
  const jsonl = path.join(runsDir(scripted.root), casesFileOf(recordPath!));
  const lines = readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as CaseRecord);
  const firsts: number[] = [];
  const again: number[] = [];
  const seen = new Set<number>();
  for (const c of lines) {
    (seen.has(c.index) ? again : firsts).push(c.index);
    seen.add(c.index);
  }
  assert.deepEqual(firsts, Array.from({ length: CASES }, (_, i) => i), 'every case has a first line, in case order');
  assert.ok(again.length > 0 && again.length <= plainFails, `${again.length} superseding lines`);
  assert.ok(again.every((i) => i % 10 === 0), 'only relabelled cases are written again');
  assert.equal(new Set(again).size, again.length, 'once each');

  // read back: each case once, in order, with the final categories; the header's counts are the cases'
  const back = await readRun(recordPath!);
  assert.equal(back.cases.length, CASES);
  assert.deepEqual(back.cases.map((c) => c.index), Array.from({ length: CASES }, (_, i) => i));
  assert.deepEqual(labels(back.cases), labels(record.cases));
  for (const v of back.variants) {
    assert.deepEqual(v.categories, summarizeCategories(back.cases.flatMap((c) => c.results.filter((r) => r.variant === v.name))), v.name);
  }
  assert.deepEqual(back.variants, record.variants);
  // a passed result beside a relabelled failure is still whole on disk (memory keeps it slim)
  const ten = back.cases[10];
  assert.equal(ten.results[0].categoryBasis, 'variant');
  assert.equal(ten.results[1].passed, true);
  assert.equal(record.cases[10].results[1].messages, undefined, 'slim in memory');
  assert.match(ten.results[1].messages?.at(-1)?.content ?? '', /^item 10$/);
  assert.equal(ten.results[1].answer, 'ok-10');
  assert.equal(ten.results[0].messages?.at(-1)?.content, 'item 10');

  // the history and --json see the same
  assert.deepEqual(labels((await listRuns(scripted.root)).find((r) => r.path === recordPath)!.record.cases), labels(record.cases));
  const out = path.join(scripted.root, 'out.json');
  await writeRunsJson(out, [{ record, path: recordPath }]);
  const exported = JSON.parse(readFileSync(out, 'utf8')) as RunRecord;
  assert.equal(exported.cases.length, CASES);
  assert.deepEqual(exported.cases, back.cases);
});

/** A streamed run written by hand: a header and the given JSONL text. */
function handWritten(name: string, jsonl: string): string {
  const dir = runsDir(scripted.root);
  mkdirSync(dir, { recursive: true });
  const header = path.join(dir, `${name}.json`);
  const rec = runRecord(name, [], ['v']);
  writeFileSync(header, JSON.stringify({ ...rec, casesFile: casesFileOf(header) }));
  writeFileSync(path.join(dir, casesFileOf(header)), jsonl);
  return header;
}

const line = (c: CaseRecord) => JSON.stringify(c) + '\n';
const cell = (i: number, category: 'knowledge' | 'reasoning' | 'format') =>
  caseRecord(i, { n: i }, [{ ...result('v', { passed: false, category }), categoryReason: `${category} ${i}` }]);
/** The case as JSON gives it back (no undefined fields). */
const plain = (c: CaseRecord) => JSON.parse(JSON.stringify(c)) as CaseRecord;

test('a JSONL line for a case index already written supersedes the earlier one, in its place; readRun and --json agree', async () => {
  const header = handWritten(
    'sup',
    [cell(0, 'knowledge'), cell(1, 'knowledge'), cell(2, 'knowledge'), cell(1, 'format'), cell(3, 'knowledge')].map(line).join('') +
      line(cell(1, 'reasoning')).replace('{"index":', '{ "index": ') + // spaced as a hand-edited file might be
      '{"index":2,"li', // torn: a run killed mid-append
  );
  const back = await readRun(header);
  assert.deepEqual(back.cases.map((c) => c.index), [0, 1, 2, 3], 'each case once, in case order');
  assert.deepEqual(back.cases.map((c) => c.results[0].category), ['knowledge', 'reasoning', 'knowledge', 'knowledge'], 'the last line for case 1 wins');
  assert.deepEqual(back.cases[1], plain(cell(1, 'reasoning')));

  const out = path.join(scripted.root, 'sup-out.json');
  await writeRunsJson(out, [{ record: back, path: header }]);
  const exported = JSON.parse(readFileSync(out, 'utf8')) as RunRecord;
  assert.deepEqual(exported.cases, back.cases);
  // two runs in one export: each joined on its own
  const other = handWritten('other', [cell(0, 'format'), cell(0, 'reasoning')].map(line).join(''));
  await writeRunsJson(out, [{ record: back, path: header }, { record: await readRun(other), path: other }]);
  const both = JSON.parse(readFileSync(out, 'utf8')) as RunRecord[];
  assert.deepEqual(both.map((r) => r.cases.map((c) => `${c.index}:${c.results[0].category}`)), [
    ['0:knowledge', '1:reasoning', '2:knowledge', '3:knowledge'],
    ['0:reasoning'],
  ]);
});

test('supersedeCases appends a new version of the chosen cases, after a torn last line too, and reads only what was there', async () => {
  const header = handWritten('app', [0, 1, 2].map((i) => line(cell(i, 'knowledge'))).join('') + '{"index": 1, "torn');
  const seen: number[] = [];
  const n = await supersedeCases(header, new Set([0, 2]), (old) => {
    seen.push(old.index);
    return { ...old, results: old.results.map((r) => ({ ...r, category: 'reasoning', categoryBasis: 'variant' })) };
  });
  assert.equal(n, 2);
  assert.deepEqual(seen, [0, 2], 'each chosen case once, as written');
  const back = await readRun(header);
  assert.deepEqual(back.cases.map((c) => `${c.index}:${c.results[0].category}/${c.results[0].categoryBasis ?? '-'}`), ['0:reasoning/variant', '1:knowledge/-', '2:reasoning/variant']);
  assert.equal(back.cases[0].results[0].categoryReason, 'knowledge 0', 'the rest of the case is as written');
  // nothing chosen, nothing written
  const before = readFileSync(path.join(runsDir(scripted.root), casesFileOf(header)), 'utf8');
  assert.equal(await supersedeCases(header, new Set(), () => assert.fail('not called')), 0);
  assert.equal(await supersedeCases(header, new Set([7]), () => assert.fail('not called')), 0);
  assert.equal(readFileSync(path.join(runsDir(scripted.root), casesFileOf(header)), 'utf8'), before);
});
