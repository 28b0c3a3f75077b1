// Large runs stream their record: a small header plus a JSONL of case records in case order.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { runEval } from '../../../src/core/engine';
import { deleteRun, listRuns, readRun, runsDir, STREAMED_CASES, writeRunsJson } from '../../../src/core/runs/store';
import { resolverFor, useScriptedWorkspace } from '../../fixtures/workspace';

const scripted = useScriptedWorkspace();

const CASES = STREAMED_CASES + 500;

test('a run above the streaming size writes a header and a JSONL that readRun, listRuns and --json join back whole', async () => {
  const rows = Array.from({ length: CASES }, (_, i) => JSON.stringify({ n: i, word: i % 7 === 0 ? 'skip' : 'keep' })).join('\n');
  scripted.write('big.cases.jsonl', rows + '\n');
  const file = scripted.write(
    'big.prompt.yml',
    ['name: big', 'model: openai/m', 'messages:', '  - role: user', '    content: "{{word}} {{n}}"', 'testFile: ./big.cases.jsonl',
      'evaluators:', '  - name: keeps', '    string:', '      contains: "keep"', ''].join('\n'),
  );
  const spec = await loadPromptFile(file);
  assert.equal(spec.cases.length, CASES);
  const { record, path: recordPath } = await runEval(spec, { providers: resolverFor(scripted.server.url), root: scripted.root, cache: false });
  assert.ok(recordPath);
  assert.equal(record.status, 'completed');
  const failing = Math.ceil(CASES / 7);
  assert.equal(record.variants[0].failed, failing);
  assert.equal(record.variants[0].passed, CASES - failing);

  const names = readdirSync(runsDir(scripted.root)).sort();
  const header = path.basename(recordPath);
  assert.deepEqual(names, [header.replace(/\.json$/, '.cases.jsonl'), header].sort());
  assert.ok(statSync(recordPath).size < 20_000, `the header is small (${statSync(recordPath).size} bytes)`);
  const lines = readFileSync(path.join(runsDir(scripted.root), names.find((n) => n.endsWith('.jsonl'))!), 'utf8').trim().split('\n');
  assert.equal(lines.length, CASES, 'one line per case, none lost or duplicated');
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as { index: number }).index), spec.cases.map((c) => c.index), 'in case order');

  const back = await readRun(recordPath);
  assert.equal(back.cases.length, CASES);
  assert.equal(back.status, 'completed');
  assert.deepEqual(back.variants, record.variants);
  // On disk every result is whole, passed ones included (memory keeps less of them).
  const passed = back.cases[1].results[0];
  assert.equal(passed.passed, true);
  assert.equal(passed.messages?.[0].content, 'keep 1');
  const failed = back.cases[0].results[0];
  assert.equal(failed.passed, false);
  assert.equal(failed.output, 'echo: skip 0');
  assert.equal(record.cases[0].results[0].messages?.[0].content, 'skip 0', 'failures stay whole in memory');
  assert.equal((await listRuns(scripted.root)).find((r) => r.path === recordPath)?.record.cases.length, CASES);

  const out = path.join(scripted.root, 'out.json');
  await writeRunsJson(out, [{ record, path: recordPath }]);
  const exported = JSON.parse(readFileSync(out, 'utf8')) as typeof back;
  assert.equal(exported.casesFile, undefined, 'the export is one self-contained record');
  assert.deepEqual(exported.cases, back.cases);

  // A run killed mid-append leaves a torn last line: the record still reads, without it.
  appendFileSync(path.join(runsDir(scripted.root), names.find((n) => n.endsWith('.jsonl'))!), '{"index": 99999, "li');
  assert.equal((await readRun(recordPath)).cases.length, CASES);

  await deleteRun(recordPath);
  assert.deepEqual(readdirSync(runsDir(scripted.root)), []);
  assert.ok(!existsSync(recordPath));
});
