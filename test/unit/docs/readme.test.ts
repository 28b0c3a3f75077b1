// The README is the front door: short, and its first code block is the two commands — one runs the main job
// on a fresh machine, one runs every test (.ci/run runs the second).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const readme = readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');

test('the README stays a front door of at most 300 lines', () => {
  const lines = readme.split('\n').length;
  assert.ok(lines <= 300, `README.md has ${lines} lines; move reference material into a page under docs/`);
});

test('the first code block of the README is exactly the two set-up commands', () => {
  const first = /```sh\n([\s\S]*?)```/.exec(readme);
  assert.ok(first, 'no ```sh block in README.md');
  assert.ok(readme.indexOf(first[0]) < readme.indexOf('\n## '), 'the commands come before the first section');
  assert.deepEqual(first[1].trimEnd().split('\n'), [
    'npm ci && npm start     # main job: real VS Code in your browser with Prompt Ladder and examples/ open',
    'npm ci && npm test      # all tests: build + type-check, unit, integration in real VS Code, e2e in Chromium',
  ]);
});

test('the README shows the screenshot and links every docs page it summarises', () => {
  assert.match(readme, /!\[[^\]]+\]\(docs\/screenshots\/panel-matrix\.png\)/);
  for (const page of ['editor', 'prompt-files', 'cli', 'advisor', 'retrieval', 'fine-tuning', 'batch', 'agents', 'providers', 'security', 'architecture', 'development', 'benchmarks']) {
    assert.ok(readme.includes(`](docs/${page}.md)`), `README.md does not link docs/${page}.md`);
  }
});
