// Installs the offline VS Code host (code-server 4.100.3 = VS Code 1.100.3) into .vscode-test/code-server/,
// following TESTING.md. Idempotent: a marker file records a finished install. Also makes sure chromium and
// ripgrep are present (apt-get, only when missing and running as root).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, rmSync, lstatSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const codeServerHome = join(root, '.vscode-test', 'code-server');
export const codeServerEntry = join(codeServerHome, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const marker = join(codeServerHome, '.installed');

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function run(cmd, args, cwd) {
  console.log(`[setup-code-server] ${cmd} ${args.join(' ')}${cwd ? `  (in ${cwd})` : ''}`);
  execFileSync(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
}

/** chromium (for Playwright) and ripgrep (replaces a download in code-server). */
export function ensureSystemPackages() {
  const missing = [];
  if (!existsSync('/usr/bin/chromium')) missing.push('chromium');
  if (!which('rg')) missing.push('ripgrep');
  if (missing.length === 0) return true;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !which('apt-get')) {
    console.warn(`[setup-code-server] missing system packages: ${missing.join(', ')}. ` +
      `Install them (e.g. \`sudo apt-get install -y ${missing.join(' ')}\`) and run this again.`);
    return false;
  }
  try {
    run('apt-get', ['install', '-y', '--no-install-recommends', ...missing]);
  } catch {
    run('apt-get', ['update']);
    run('apt-get', ['install', '-y', '--no-install-recommends', ...missing]);
  }
  return true;
}

/**
 * What a runner does when the editor host (code-server + Chromium) is missing: a green `npm test` must mean
 * the editor was tested, so this is a failure unless PROMPT_LADDER_SKIP_EDITOR_TESTS=1 asks to skip.
 * Returns the exit code.
 */
export function hostMissing(suite) {
  const skip = process.env.PROMPT_LADDER_SKIP_EDITOR_TESTS === '1';
  if (skip) {
    console.log(`[${suite}] SKIPPED: code-server or chromium is not available, and PROMPT_LADDER_SKIP_EDITOR_TESTS=1 allows skipping.`);
    return 0;
  }
  console.log(`[${suite}] FAILED: code-server or chromium is not available (see messages above), so the editor was not tested. ` +
    'Install them (as root this happens by itself: apt-get install chromium ripgrep), or set PROMPT_LADDER_SKIP_EDITOR_TESTS=1 to skip the editor suites.');
  return 1;
}

export function isCodeServerInstalled() {
  return existsSync(marker) && readFileSync(marker, 'utf8').trim() === CODE_SERVER_VERSION && existsSync(codeServerEntry);
}

export function ensureCodeServer() {
  const systemOk = ensureSystemPackages();
  if (isCodeServerInstalled()) {
    console.log(`[setup-code-server] code-server ${CODE_SERVER_VERSION} already installed in .vscode-test/code-server`);
    return systemOk;
  }
  const rg = which('rg');
  if (!rg) {
    console.warn('[setup-code-server] ripgrep (rg) is required to set up code-server offline; skipping.');
    return false;
  }
  mkdirSync(codeServerHome, { recursive: true });
  const pkg = join(codeServerHome, 'package.json');
  if (!existsSync(pkg)) writeFileSync(pkg, JSON.stringify({ name: 'vscode-test-host', private: true }, null, 2) + '\n');
  run('npm', ['install', '--ignore-scripts', '--no-save', `code-server@${CODE_SERVER_VERSION}`], codeServerHome);
  const vscodeDir = join(codeServerHome, 'node_modules', 'code-server', 'lib', 'vscode');
  run('npm', ['install', '--omit=dev', '--ignore-scripts'], vscodeDir);
  const rgDir = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgDir, { recursive: true });
  copyFileSync(rg, join(rgDir, 'rg'));
  run('npm', ['rebuild', '@parcel/watcher', '@vscode/spdlog', 'native-watchdog', '@vscode/deviceid'], vscodeDir);
  const asar = join(vscodeDir, 'node_modules.asar');
  try { if (lstatSync(asar)) rmSync(asar, { recursive: true, force: true }); } catch { /* absent */ }
  symlinkSync('node_modules', asar);
  run('npm', ['rebuild', 'argon2'], codeServerHome);
  writeFileSync(marker, CODE_SERVER_VERSION + '\n');
  console.log(`[setup-code-server] code-server ${CODE_SERVER_VERSION} ready in .vscode-test/code-server`);
  return systemOk;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const ok = ensureCodeServer();
    process.exit(ok ? 0 : 0);
  } catch (err) {
    console.error(`[setup-code-server] failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
