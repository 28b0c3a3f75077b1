// V8's code cache for the CLI's bundles (src/cli/codeCache.ts): each test loads a small bundle of its own through
// `requireBundle` in a child process (a module loads once per process), with the cache in a temporary directory,
// and checks what it returns, what it prints and what the cache directory holds afterwards.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { codeCacheDir, readEntry } from '../../../src/cli/codeCache';

const TSX = pathToFileURL(path.resolve('node_modules/tsx/dist/loader.mjs')).href;
const MODULE = path.resolve('src/cli/codeCache.ts');

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pl-code-cache-'));
}

/** A bundle-like CommonJS file: it requires a sibling, imports an ES module (through the CLI's importer) and counts its own evaluations. */
function writeBundle(dir: string, value: string): string {
  fs.writeFileSync(path.join(dir, 'sibling.js'), 'module.exports = { sibling: true };\n');
  fs.writeFileSync(path.join(dir, 'esm.mjs'), 'export const fromEsm = 7;\n');
  const file = path.join(dir, 'bundle.js');
  fs.writeFileSync(
    file,
    [
      '#!/usr/bin/env node',
      'globalThis.__evaluations = (globalThis.__evaluations ?? 0) + 1;',
      `const big = ${JSON.stringify('x'.repeat(20_000))};`,
      'function work(n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }',
      'exports.value = ' + JSON.stringify(value) + ';',
      'exports.sum = work(100);',
      "exports.sibling = require('./sibling.js').sibling;",
      "exports.resolved = require.resolve('./sibling.js');",
      'exports.dirname = __dirname;',
      'exports.big = big.length;',
      // as src/core/dynamicImport.ts imports under the CLI
      `exports.esm = async () => (await globalThis[Symbol.for('prompt-ladder.import')](${JSON.stringify(pathToFileURL(path.join(dir, 'esm.mjs')).href)})).fromEsm;`,
      '',
    ].join('\n'),
  );
  return file;
}

/** Loads `file` through requireBundle in a fresh process; prints what the bundle exported and the cache outcome. */
function load(file: string, cache: string | undefined, extraEnv: Record<string, string> = {}): { out: Record<string, unknown>; stderr: string } {
  const script = `
    const { requireBundle, lastOutcome, installBundleLoader } = require(${JSON.stringify(MODULE)});
    installBundleLoader();
    const file = ${JSON.stringify(file)};
    const m = requireBundle(file, ${cache === undefined ? '{}' : `{ dir: ${JSON.stringify(cache)}, forceVmScript: true }`});
    const again = requireBundle(file);
    m.esm().then((esm) => {
      process.stdout.write(JSON.stringify({ value: m.value, sum: m.sum, sibling: m.sibling, resolved: m.resolved, dirname: m.dirname,
        big: m.big, esm, same: again === m, evaluations: globalThis.__evaluations, outcome: lastOutcome.get(file) }));
    });
  `;
  const r = spawnSync(process.execPath, ['--import', TSX, '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...extraEnv },
  });
  assert.equal(r.status, 0, r.stderr);
  return { out: JSON.parse(r.stdout) as Record<string, unknown>, stderr: r.stderr };
}

function entries(cache: string): string[] {
  return fs.existsSync(cache) ? fs.readdirSync(cache).filter((f) => f.endsWith('.v8')) : [];
}

test('a bundle loads the same through the code cache: miss, then hit; require, require.resolve, __dirname and import() work', () => {
  const dir = tempDir();
  try {
    const file = writeBundle(dir, 'one');
    const cache = path.join(dir, 'cache');
    const first = load(file, cache);
    const expected = { value: 'one', sum: 4950, sibling: true, resolved: path.join(dir, 'sibling.js'), dirname: dir, big: 20_000, esm: 7, same: true, evaluations: 1 };
    assert.deepEqual({ ...first.out, outcome: undefined }, { ...expected, outcome: undefined });
    assert.equal(first.out.outcome, 'miss');
    assert.equal(first.stderr, '');
    assert.equal(entries(cache).length, 1, 'the entry is written at exit');
    const second = load(file, cache);
    assert.deepEqual({ ...second.out, outcome: undefined }, { ...expected, outcome: undefined });
    assert.equal(second.out.outcome, 'hit');
    assert.equal(second.stderr, '');
    // a changed bundle is another entry; the old one is not used for it
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"one"', '"two"'));
    const changed = load(file, cache);
    assert.equal(changed.out.value, 'two');
    assert.equal(changed.out.outcome, 'miss');
    assert.equal(entries(cache).length, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt, truncated or foreign cache entry falls back to a normal compile and is written again', () => {
  const dir = tempDir();
  try {
    const file = writeBundle(dir, 'v');
    const cache = path.join(dir, 'cache');
    load(file, cache);
    const [name] = entries(cache);
    const entry = path.join(cache, name);
    const good = fs.readFileSync(entry);
    assert.ok(readEntry(entry).data, 'a written entry reads back');

    const flipped = Buffer.from(good);
    flipped[flipped.length - 100] ^= 0xff; // a payload byte: the checksum no longer matches
    const cases: [string, Buffer][] = [
      ['flipped byte', flipped],
      ['truncated', good.subarray(0, Math.floor(good.length / 2))],
      ['garbage', Buffer.from('not a cache entry at all')],
      ['empty', Buffer.alloc(0)],
    ];
    for (const [what, bytes] of cases) {
      fs.writeFileSync(entry, bytes);
      assert.equal(readEntry(entry).corrupt, true, what);
      const r = load(file, cache);
      assert.equal(r.out.value, 'v', what);
      assert.equal(r.out.sum, 4950, what);
      assert.equal(r.out.esm, 7, what);
      assert.equal(r.out.outcome, 'corrupt', what);
      assert.equal(r.stderr, '', what);
      assert.ok(readEntry(entry).data, `${what}: the entry is rewritten whole`);
      assert.equal(load(file, cache).out.outcome, 'hit', `${what}: the rewritten entry is used`);
    }

    // a well-formed entry whose data V8 refuses (made for another script): rejected, then rewritten
    const otherDir = path.join(dir, 'other');
    fs.mkdirSync(otherDir);
    const other = writeBundle(otherDir, 'something else entirely');
    const otherCache = path.join(dir, 'other-cache');
    load(other, otherCache);
    const foreign = readEntry(path.join(otherCache, entries(otherCache)[0])).data!;
    fs.copyFileSync(path.join(otherCache, entries(otherCache)[0]), entry);
    assert.ok(readEntry(entry).data?.equals(foreign));
    const rejected = load(file, cache);
    assert.equal(rejected.out.value, 'v');
    assert.equal(rejected.out.outcome, 'rejected');
    assert.equal(load(file, cache).out.outcome, 'hit');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('PROMPT_LADDER_CODE_CACHE: off turns the cache off, a directory moves it; the default is a per-user cache directory', () => {
  const dir = tempDir();
  try {
    for (const off of ['0', 'off', 'false', 'OFF']) assert.equal(codeCacheDir({ PROMPT_LADDER_CODE_CACHE: off, HOME: dir }, 'linux'), undefined);
    assert.equal(codeCacheDir({ PROMPT_LADDER_CODE_CACHE: path.join(dir, 'cc'), HOME: dir }, 'linux'), path.join(dir, 'cc'));
    assert.equal(codeCacheDir({ HOME: dir }, 'linux'), path.join(dir, '.cache', 'prompt-ladder', 'code-cache'));
    assert.equal(codeCacheDir({ HOME: dir, XDG_CACHE_HOME: path.join(dir, 'xdg') }, 'linux'), path.join(dir, 'xdg', 'prompt-ladder', 'code-cache'));
    assert.equal(codeCacheDir({ HOME: dir }, 'darwin'), path.join(dir, 'Library', 'Caches', 'prompt-ladder', 'code-cache'));
    assert.equal(codeCacheDir({ HOME: dir, LOCALAPPDATA: path.join(dir, 'local') }, 'win32'), path.join(dir, 'local', 'prompt-ladder', 'code-cache'));

    // off: the bundle loads by plain require and nothing is written anywhere
    const file = writeBundle(dir, 'plain');
    const r = load(file, undefined, { PROMPT_LADDER_CODE_CACHE: 'off', HOME: dir });
    assert.equal(r.out.value, 'plain');
    assert.equal(r.out.outcome, 'off');
    assert.equal(fs.existsSync(path.join(dir, '.cache')), false);
    // default location under HOME (a cache directory that cannot be created costs nothing but the cache)
    const home = load(file, undefined, { HOME: dir });
    assert.equal(home.out.value, 'plain');
    assert.ok(['miss', 'node-compile-cache'].includes(String(home.out.outcome)), String(home.out.outcome));
    const blocked = path.join(dir, 'blocked');
    fs.writeFileSync(blocked, 'a file where the cache directory would be');
    const unwritable = load(file, path.join(blocked, 'cache'));
    assert.equal(unwritable.out.value, 'plain');
    assert.equal(unwritable.stderr, '');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('old entries are pruned: at most 12 stay, the newest kept', () => {
  const dir = tempDir();
  try {
    const cache = path.join(dir, 'cache');
    fs.mkdirSync(cache);
    const old = new Date(Date.now() - 86_400_000);
    for (let i = 0; i < 15; i++) {
      const f = path.join(cache, `old${String(i).padStart(2, '0')}.v8`);
      fs.writeFileSync(f, 'stale');
      fs.utimesSync(f, old, new Date(old.getTime() + i * 1000));
    }
    fs.writeFileSync(path.join(cache, 'unrelated.txt'), 'not ours');
    const file = writeBundle(dir, 'new');
    assert.equal(load(file, cache).out.outcome, 'miss');
    const left = entries(cache);
    assert.equal(left.length, 12);
    assert.ok(!left.includes('old00.v8') && left.includes('old14.v8'), left.join(' '));
    assert.equal(left.filter((f) => !f.startsWith('old')).length, 1, 'the new entry stays');
    assert.ok(fs.existsSync(path.join(cache, 'unrelated.txt')));
    assert.equal(load(file, cache).out.outcome, 'hit');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
