import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { runEval } from '../../../src/core/engine';
import { loadPromptFile } from '../../../src/core/prompt/load';
import { cacheDir } from '../../../src/core/runs/store';
import { CLASSIFIER, classifierRules, resolverFor, useScriptedWorkspace } from '../../fixtures/workspace';

const scripted = useScriptedWorkspace({ rules: classifierRules });

test('damaged cache lines are skipped, never served, and reported once per run in one line', async () => {
  const file = scripted.write('cls.prompt.yml', CLASSIFIER);
  const spec = await loadPromptFile(file);
  const first = await runEval(spec, { providers: resolverFor(scripted.server.url), root: scripted.root });
  assert.equal(first.problems, undefined, 'a clean store reports nothing');
  // garbage and a torn line in every log the run wrote
  const logs = readdirSync(cacheDir(scripted.root)).filter((n) => n.endsWith('.jsonl'));
  assert.ok(logs.length > 0);
  for (const n of logs) appendFileSync(path.join(cacheDir(scripted.root), n), 'garbage line\n' + 'a'.repeat(64) + '\t0123456789abcdef\t{"text":"tampered"}\n{"torn');
  const second = await runEval(spec, { providers: resolverFor(scripted.server.url), root: scripted.root });
  assert.equal(second.problems?.length, 1, JSON.stringify(second.problems));
  const line = second.problems![0];
  assert.match(line, /^skipped 3 damaged cache lines in \S+log-[0-9a-f]\.jsonl/);
  assert.equal(line.match(/damaged cache lines? in/g)!.length, logs.length, 'one entry per damaged log');
  assert.ok(second.record.cases.every((c) => c.results.every((r) => r.output !== 'tampered')));
  assert.ok(second.record.cases.every((c) => c.results.every((r) => r.cached)), 'the good entries still answer');
});

test('a cache folder that cannot be written is reported once, and the run still completes', async () => {
  const file = scripted.write('other/cls.prompt.yml', CLASSIFIER.replace('Classify the message.', 'Classify this message.'));
  const spec = await loadPromptFile(file);
  // the cache folder is a file: every append fails (ENOTDIR), as a full or read-only disk makes it fail
  const root = path.join(scripted.root, 'other');
  mkdirSync(path.join(root, '.promptladder'), { recursive: true });
  appendFileSync(path.join(root, '.promptladder', 'cache'), 'not a folder');
  const r = await runEval(spec, { providers: resolverFor(scripted.server.url), root });
  assert.ok(r.problems, 'the failed cache writes are reported');
  assert.equal(r.record.status, 'completed');
  assert.match(r.problems.join('\n'), /cannot write the response cache \S+cache\/log-[0-9a-f]\.jsonl: .*\((ENOTDIR|EEXIST|EPLSTORE)\); answers of this run are not cached/);
});
