// The built CLI (dist/cli.js, which loads dist/cli-commands.js on demand), not the sources through tsx: the two
// bundles each carry their own copy of the CLI's error classes, so a usage error thrown in the commands bundle must
// still come out as a usage error (exit 2, one line), not as "internal error". `npm test` builds before the unit tests.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CLI = path.resolve('dist/cli.js');

test('the built CLI reports a usage error from the commands bundle as a usage error', () => {
  assert.ok(fs.existsSync(CLI), `${CLI} is missing: run \`npm run build\` before the unit tests (npm test does)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-built-'));
  try {
    fs.writeFileSync(
      path.join(dir, 't.prompt.yml'),
      'name: t\nmodel: openai/gpt-4o-mini\nmessages:\n  - role: user\n    content: hi\ntestData:\n  - x: 1\nevaluators:\n  - name: e\n    string: { contains: a }\n',
    );
    const env = { PATH: process.env.PATH ?? '', HOME: dir, OPENAI_API_KEY: 'built-key', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };
    const r = spawnSync(process.execPath, [CLI, 'eval', 't.prompt.yml', '--variant', 'nope', '--no-strict'], { cwd: dir, env, encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.match(r.stderr, /t\.prompt\.yml: no variant named "nope" \(variants: default\)/);
    const flag = spawnSync(process.execPath, [CLI, 'eval', 't.prompt.yml', '--bogus'], { cwd: dir, env, encoding: 'utf8' });
    assert.equal(flag.status, 2, flag.stderr);
    assert.match(flag.stderr, /^prompt-ladder: unknown option --bogus/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
