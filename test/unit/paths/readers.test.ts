// Every module in src/core that reads the file system, found by scanning the sources: only the containment
// gate (src/core/paths.ts) may read files a prompt file names; the few internal readers are listed with why.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const CORE = path.resolve(__dirname, '../../../src/core');

/** Modules allowed to call fs read functions, and why their paths are not named by a workspace file. */
const INTERNAL_READERS: Record<string, string> = {
  'paths.ts': 'the containment gate itself',
  'storeFs.ts': 'the store (.promptladder/: runs, cache, batches), written only by us; opened without following symlinks',
  'runs/store.ts': 'run records the user names on the command line (--run, --json output), outside the store; store files go through storeFs.ts',
  'providers/resolve.ts': "the user's own provider config (~/.config or PROMPT_LADDER_CONFIG), never a workspace file",
  'runs/baselineRef.ts': 'the run record file named by `eval --baseline` on the command line (the user\'s own argument), never by a prompt file',
  'runs/gitBaseline.ts': "the real paths of the prompt file's project and of the temporary copy it writes from git objects; the copy's files are then read through the gate",
  'evaluators/code.ts':
    "inside a code evaluator's worker only: the .ts files the evaluator module itself imports (as Node's loader reads its .js imports); the module named by the prompt file went through the gate",
};

// fs calls that read content or list folders; also reading through a library given a path ({ path: file })
const READ_CALL =
  /\b(readFile|readFileSync|createReadStream|readdir|readdirSync|opendir|opendirSync|openSync|readv|readvSync|readlinkSync|readSync)\s*\(|\bfs\.(open|read|readlink|realpath|stat|lstat)\w*\s*\(|extractRawText\(\s*\{\s*path\b|\brequire\(\s*['"](node:)?fs/
  ;

function* modules(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) yield* modules(full);
    else if (e.name.endsWith('.ts')) yield full;
  }
}

/** Lines of `source` that read the file system (comments ignored). */
export function readCalls(source: string): string[] {
  return source
    .split('\n')
    .filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l))
    .filter((l) => READ_CALL.test(l))
    .map((l) => l.trim());
}

test('the reader scan recognises the ways a module can read a file', () => {
  for (const line of [
    "const t = await fs.readFile(abs, 'utf8');",
    'const t = readFileSync(p);',
    'for (const e of await fs.readdir(dir)) {}',
    'const s = createReadStream(file);',
    "const h = await fs.open(file, 'r');",
    'const { value } = await m.extractRawText({ path: file });',
    "const fs = require('node:fs');",
  ]) {
    assert.equal(readCalls(line).length, 1, line);
  }
  assert.deepEqual(readCalls('// fs.readFile is done by the gate\nconst x = parse(text);'), []);
});

test('no module in src/core but the containment gate (and the listed internal stores) reads files', () => {
  const offenders: string[] = [];
  const seen = new Set<string>();
  for (const file of modules(CORE)) {
    const rel = path.relative(CORE, file).split(path.sep).join('/');
    const calls = readCalls(readFileSync(file, 'utf8'));
    if (!calls.length) continue;
    seen.add(rel);
    if (!(rel in INTERNAL_READERS)) offenders.push(`${rel}: ${calls.join(' | ')}`);
  }
  assert.deepEqual(offenders, [], 'read user-named files through src/core/paths.ts (readProjectFile, listProjectDir)');
  // the allow-list holds only modules that still read: a stale entry would hide a new reader of that name
  assert.deepEqual(Object.keys(INTERNAL_READERS).filter((m) => !seen.has(m)), []);
});
