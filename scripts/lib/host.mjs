// Shared plumbing for the scripts that run real VS Code (code-server) offline: free ports, the scripted
// model server as a child process, a fresh user-data dir with settings, code-server itself, and cleanup
// that always kills every child process group this script started.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeServerEntry } from '../setup-code-server.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const children = new Set();
const tempDirs = new Set();

function alive(child) {
  return child.exitCode === null && child.signalCode === null;
}

function killGroup(child, signal) {
  try { process.kill(-child.pid, signal); } catch { /* already gone */ }
}

function removeTempDirs() {
  for (const dir of tempDirs) {
    try { rmSync(dir, { recursive: true, force: true }); } catch { /* best effort */ }
  }
  tempDirs.clear();
}

/** Synchronous last resort (process 'exit'): SIGKILL every child process group still alive, remove temp dirs. */
export function cleanup() {
  for (const child of children) if (alive(child)) killGroup(child, 'SIGKILL');
  children.clear();
  removeTempDirs();
}

/** Stops every child process group started through this module: SIGTERM, then SIGKILL after `graceMs`. */
export async function shutdown(graceMs = 2000) {
  const list = [...children].filter(alive);
  for (const child of list) killGroup(child, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (list.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const child of list) killGroup(child, 'SIGKILL');
  children.clear();
  removeTempDirs();
}

let hooked = false;
function hookExit() {
  if (hooked) return;
  hooked = true;
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => { void shutdown(1500).finally(() => process.exit(130)); });
  }
}

/** Spawns a child in its own process group (so cleanup can kill its whole tree). */
export function spawnChild(cmd, args, opts = {}) {
  hookExit();
  const child = spawn(cmd, args, { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

export function makeTempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** Keeps a temp dir after exit (e.g. when asked to, for debugging). */
export function keepTempDir(dir) {
  tempDirs.delete(dir);
}

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

function prefixLines(stream, prefix, sink) {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (sink) sink(line);
      else if (prefix !== null) console.log(`${prefix}${line}`);
    }
  });
}

/**
 * Starts test/fixtures/scripted-server.ts as a child process; resolves with its base URL ('http://127.0.0.1:PORT/v1').
 * `rulesFile` (one path or a list, tried in order) may be undefined (the server's default echo replies).
 */
export function startScriptedServer({ rulesFile, latencyMs = 0, capacity, port = 0, verbose = false } = {}) {
  const args = ['--import', 'tsx', join(root, 'test', 'fixtures', 'scripted-server.ts'), '--port', String(port), '--latency', String(latencyMs)];
  if (capacity) args.push('--capacity', String(capacity));
  for (const file of [rulesFile ?? []].flat()) args.push('--rules', file);
  const child = spawnChild(process.execPath, args);
  return new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error('scripted model server did not start within 30 s')), 30_000);
    prefixLines(child.stdout, null, (line) => {
      const m = /listening (\S+)/.exec(line);
      if (m) { clearTimeout(timer); resolveUrl({ url: m[1], child }); }
      else if (verbose) console.log(`[scripted-server] ${line}`);
    });
    prefixLines(child.stderr, '[scripted-server] ');
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`scripted model server exited with code ${code}`)); });
  });
}

/** Writes <dir>/User/settings.json. */
export function writeUserSettings(userDataDir, settings) {
  const userDir = join(userDataDir, 'User');
  mkdirSync(userDir, { recursive: true });
  writeFileSync(join(userDir, 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
}

/** Settings every automated VS Code start needs (no trust dialog, no welcome page, no noise). */
export const baseSettings = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'git.enabled': false,
  'files.watcherExclude': { '**/node_modules/**': true },
  'chat.commandCenter.enabled': false,
};

/**
 * Settings that point the extension at a scripted server, clearly labelled. `batchApi`: the profiles declare the
 * server's Batch API (the demo does; the integration suite keeps a provider without one).
 */
export function scriptedProviderSettings(url, label = 'Scripted demo model', model = 'openai/gpt-4o-mini', { batchApi = false } = {}) {
  const profile = (name) => ({ name, kind: 'custom', baseURL: url, label, ...(batchApi ? { batchApi } : {}) });
  return {
    'promptLadder.providers': [profile('openai'), profile('github'), profile('ollama'), profile('demo')],
    'promptLadder.defaultModel': model,
  };
}

/** Copies a folder to a fresh temp dir (so runs write their records there, not into the repo). */
export function copyWorkspace(src, prefix = 'pl-ws-') {
  const dir = makeTempDir(prefix);
  cpSync(src, dir, { recursive: true });
  return dir;
}

/**
 * Starts code-server on a free port. Resolves once /healthz answers.
 * `extraArgs` e.g. ['--install-extension', vsix] are appended before the folder.
 */
export async function startCodeServer({ userDataDir, extensionsDir, folder, port, extraArgs = [], verbose = false }) {
  port = port ?? (await freePort());
  const args = [codeServerEntry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', ...extraArgs];
  if (folder) args.push(folder);
  const child = spawnChild(process.execPath, args, { env: { ...process.env, VSCODE_CLI: undefined, ELECTRON_RUN_AS_NODE: undefined } });
  const log = [];
  const keep = (line) => { log.push(line); if (log.length > 200) log.shift(); if (verbose) console.log(`[code-server] ${line}`); };
  prefixLines(child.stdout, null, keep);
  prefixLines(child.stderr, null, keep);
  let exited = null;
  child.on('exit', (code) => { exited = code ?? -1; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) throw new Error(`code-server exited with code ${exited}:\n${log.join('\n')}`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`code-server did not answer within 60 s:\n${log.join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, port, base, log };
}

/** Chromium flags from TESTING.md. */
export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];
export const chromiumPath = '/usr/bin/chromium';
