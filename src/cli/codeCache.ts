// V8's code cache for the CLI's own bundles (dist/cli-commands.js, dist/mcp.js and the lazily loaded ones), so a
// command does not compile 2 MB of JavaScript from scratch on every start. The cache lives in a per-user cache
// directory, never in a project:
//   $PROMPT_LADDER_CODE_CACHE (a directory; `0`, `off` or `false` turns the cache off), else
//   $XDG_CACHE_HOME/prompt-ladder/code-cache, else ~/.cache/prompt-ladder/code-cache
//   (macOS ~/Library/Caches/prompt-ladder/code-cache, Windows %LOCALAPPDATA%\prompt-ladder\code-cache).
// Node 22.1+ keeps it with `module.enableCompileCache`. On older Node a bundle is compiled with `vm.Script` and
// the cached data of the last run: an entry is named by a hash of the bundle's text, Node's version and the
// architecture, and carries a checksum of its data; a missing, corrupt or rejected entry falls back to the normal
// compile and is written again (after the command, so functions compiled during the run are in it too).
// Anything that goes wrong with the cache is silent and costs only the time it saves.
/* eslint-disable @typescript-eslint/no-require-imports -- this file runs before any bundle is loaded and loads
   each Node module only on the path that needs it, and it loads our bundles with require() by design */

import type * as Vm from 'node:vm';

type Loader = (file: string) => unknown;

/** The loader bundles share (they are separate files with separate module scopes): see `requireBundle`. */
export const BUNDLE_LOADER = Symbol.for('prompt-ladder.requireBundle');

const MAGIC = Buffer.from('PLCC1\n');
const HEADER = MAGIC.length + 4 + 32;

/** The cache directory, or undefined when the cache is off (env `PROMPT_LADDER_CODE_CACHE=0|off|false`). */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  const path = require('node:path') as typeof import('node:path');
  const os = require('node:os') as typeof import('node:os');
  const setting = env.PROMPT_LADDER_CODE_CACHE?.trim();
  if (setting && /^(0|off|false|no)$/i.test(setting)) return undefined;
  if (setting) return path.resolve(setting);
  let home: string;
  try {
    home = env.HOME || os.homedir();
  } catch {
    return undefined;
  }
  if (platform === 'win32') return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'prompt-ladder', 'code-cache');
  if (platform === 'darwin' && !env.XDG_CACHE_HOME) return path.join(home, 'Library', 'Caches', 'prompt-ladder', 'code-cache');
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'prompt-ladder', 'code-cache');
}

/** How the last `requireBundle` of a file went (for tests and diagnostics). */
export type CacheOutcome = 'off' | 'node-compile-cache' | 'hit' | 'miss' | 'rejected' | 'corrupt';
export const lastOutcome = new Map<string, CacheOutcome>();

interface Pending {
  script: Vm.Script;
  entry: string;
}
const pending: Pending[] = [];
let exitHook = false;
let nodeCompileCache: boolean | undefined;

/** The sha256 checksum of `data`. */
function checksum(data: Uint8Array): Buffer {
  return (require('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(data).digest();
}

/** An entry's cached data, or undefined when the file is missing, truncated or does not match its checksum. */
export function readEntry(entry: string): { data?: Buffer; corrupt: boolean } {
  const fs = require('node:fs') as typeof import('node:fs');
  let raw: Buffer;
  try {
    raw = fs.readFileSync(entry);
  } catch {
    return { corrupt: false };
  }
  if (raw.length < HEADER || !raw.subarray(0, MAGIC.length).equals(MAGIC)) return { corrupt: true };
  const length = raw.readUInt32LE(MAGIC.length);
  const data = raw.subarray(HEADER);
  if (data.length !== length || !checksum(data).equals(raw.subarray(MAGIC.length + 4, HEADER))) return { corrupt: true };
  return { data, corrupt: false };
}

/** Writes an entry whole or not at all (temporary file + rename); failures are ignored. */
export function writeEntry(entry: string, data: Buffer): void {
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const tmp = `${entry}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(entry), { recursive: true, mode: 0o700 });
    const len = Buffer.alloc(4);
    len.writeUInt32LE(data.length);
    fs.writeFileSync(tmp, Buffer.concat([MAGIC, len, checksum(data), data]), { mode: 0o600 });
    fs.renameSync(tmp, entry);
    prune(path.dirname(entry), entry);
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing to clean
    }
  }
}

/** At most this many entries stay (one per bundle per installed version and Node): the oldest go first. */
const MAX_ENTRIES = 12;

function prune(dir: string, keep: string): void {
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.v8')).map((f) => path.join(dir, f));
  if (files.length <= MAX_ENTRIES) return;
  const aged = files
    .filter((f) => f !== keep)
    .map((f) => {
      try {
        return { f, t: fs.statSync(f).mtimeMs };
      } catch {
        return { f, t: 0 };
      }
    })
    .sort((a, b) => a.t - b.t);
  for (const { f } of aged.slice(0, files.length - MAX_ENTRIES)) fs.rmSync(f, { force: true });
}

/** Writes the entries of this process's compiles (runs at exit; exported for tests). */
export function flushCodeCache(): void {
  for (const { script, entry } of pending.splice(0)) {
    try {
      writeEntry(entry, script.createCachedData());
    } catch {
      // the cache is an optimisation only
    }
  }
}

/** Node 22.1+: Node's own compile cache in our directory, for every module loaded from now on. */
function enableNodeCompileCache(dir: string): boolean {
  if (nodeCompileCache !== undefined) return nodeCompileCache;
  const mod = require('node:module') as { enableCompileCache?: (dir?: string) => { status: number } ; constants?: { compileCacheStatus?: Record<string, number> } };
  nodeCompileCache = false;
  if (typeof mod.enableCompileCache === 'function') {
    try {
      const { status } = mod.enableCompileCache(dir);
      const s = mod.constants?.compileCacheStatus ?? {};
      nodeCompileCache = status === s.ENABLED || status === s.ALREADY_ENABLED;
    } catch {
      nodeCompileCache = false;
    }
  }
  return nodeCompileCache;
}

/**
 * `require(file)` of one of our bundles (an absolute path) through the code cache. Without a cache directory, or
 * when this Node lacks what the cache needs, it is a plain `require`.
 */
export function requireBundle(file: string, options: { dir?: string | undefined; forceVmScript?: boolean } = {}): unknown {
  const Module = require('node:module') as typeof import('node:module') & {
    _nodeModulePaths(dir: string): string[];
    wrap(source: string): string;
  };
  const cached = require.cache[file];
  if (cached?.loaded) return cached.exports;
  const dir = 'dir' in options ? options.dir : codeCacheDir();
  if (!dir) {
    lastOutcome.set(file, 'off');
    return require(file);
  }
  if (!options.forceVmScript && enableNodeCompileCache(dir)) {
    lastOutcome.set(file, 'node-compile-cache');
    return require(file);
  }
  const vm = require('node:vm') as typeof Vm;
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const raw = fs.readFileSync(file);
  const key = checksum(Buffer.concat([Buffer.from(`${process.version}\0${process.arch}\0`), raw])).toString('hex').slice(0, 40);
  const entry = path.join(dir, `${key}.v8`);
  const { data, corrupt } = readEntry(entry);
  const source = raw.toString('utf8').replace(/^#!.*/, '');
  let script: Vm.Script;
  try {
    script = new vm.Script(Module.wrap(source), {
      filename: file,
      // No importModuleDynamically: Node 20 loses it for code restored from cached data, so an `import()` here
      // would work on a first run and fail on the next. Our code imports through src/core/dynamicImport.ts instead
      // (the importer `installBundleLoader` sets), and a test checks the bundles have no other `import()`.
      ...(data ? { cachedData: data } : {}),
    });
  } catch (err) {
    // a syntax error is the bundle's, not the cache's: let Node's loader report it
    if (err instanceof SyntaxError) return require(file);
    throw err;
  }
  const outcome: CacheOutcome = corrupt ? 'corrupt' : !data ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';
  lastOutcome.set(file, outcome);
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  const req = Module.createRequire(file);
  require.cache[file] = m;
  try {
    const fn = script.runInThisContext() as (...args: unknown[]) => void;
    fn.call(m.exports, m.exports, req, m, file, path.dirname(file));
  } catch (err) {
    delete require.cache[file];
    throw err;
  }
  m.loaded = true;
  if (outcome !== 'hit') {
    pending.push({ script, entry });
    if (!exitHook) {
      exitHook = true;
      process.once('exit', flushCodeCache);
    }
  }
  return m.exports;
}

/** The importer src/core/dynamicImport.ts uses (this module is loaded by Node itself, so its `import()` works). */
export const IMPORTER = Symbol.for('prompt-ladder.import');

/**
 * Makes `requireBundle` the loader bundles loaded later use for their own lazy bundles (see src/core/lazy), and
 * this module's `import()` the one they import with.
 */
export function installBundleLoader(): void {
  const g = globalThis as Record<symbol, unknown>;
  g[BUNDLE_LOADER] = ((file) => requireBundle(file)) satisfies Loader;
  g[IMPORTER] = (specifier: string) => import(specifier);
}
