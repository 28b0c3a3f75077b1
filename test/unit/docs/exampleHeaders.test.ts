// The examples' header comments name commands a reader runs from the example's own folder (npm start opens
// examples/ as the workspace, so a path from the repository root would not exist there): every file path a header's
// `prompt-ladder` command names must exist relative to the file that names it.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const EXAMPLES = path.resolve(__dirname, '..', '..', '..', 'examples');

function promptFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name.startsWith('.') ? [] : promptFiles(p);
    return /\.(prompt\.ya?ml|prompty)$/.test(e.name) ? [p] : [];
  });
}

test('paths in the examples\' header commands are relative to the example\'s own folder', () => {
  let named = 0;
  for (const file of promptFiles(EXAMPLES)) {
    const header = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('#'));
    for (const line of header) {
      const m = /prompt-ladder \w+ (\S+\.(?:prompt\.ya?ml|prompty|jsonl))/.exec(line);
      if (!m) continue;
      named++;
      assert.ok(fs.existsSync(path.resolve(path.dirname(file), m[1])), `${path.relative(EXAMPLES, file)}: "${m[1]}" does not exist beside it`);
    }
  }
  assert.ok(named >= 1, 'at least one example names its command');
});
