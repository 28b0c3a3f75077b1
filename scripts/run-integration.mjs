// Runs the integration suite (test/integration, mocha inside the extension host) in real VS Code, offline:
// code-server 4.100.3 + Chromium driven by Playwright (TESTING.md). The scripted model server is started
// first and handed to the extension through the user settings file, so runs go over real HTTP.
//
//   node scripts/run-integration.mjs [--no-build] [--grep PATTERN] [--timeout SECONDS] [--keep] [--verbose] [--in-process-server]
// Online machines can run the same suite with @vscode/test-electron: `npm run test:integration:electron`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { ensureCodeServer, hostMissing, isCodeServerInstalled } from './setup-code-server.mjs';
import {
  baseSettings, chromiumArgs, chromiumPath, shutdown, copyWorkspace, keepTempDir, makeTempDir, root,
  scriptedProviderSettings, startCodeServer, startScriptedServer, writeUserSettings,
} from './lib/host.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name, fallback) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : fallback; };
const timeoutSec = Number(option('--timeout', process.env.PL_INTEGRATION_TIMEOUT ?? '240'));
const verbose = flag('--verbose');

/** Workbench chatter that says nothing about the suite (the offline gallery lookup is expected to fail). */
const NOISE = [/open-vsx\.org/, /^\s+at .*workbench\.js/, /^(Resolving|Resolved) connection token/, /^Creating a socket/,
  /^Updating additional builtin extensions cache/, /^\[Service Worker\]/, /^ChatSessionStore:/];
function isWorkbenchNoise(text) { return NOISE.some((re) => re.test(text)); }

function log(msg) { console.log(`[integration] ${msg}`); }

async function main() {
  if (!flag('--no-build')) {
    log('bundling (node esbuild.mjs)');
    execFileSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
  }
  const suite = join(root, 'out', 'integration', 'index.js');
  if (!existsSync(join(root, 'dist', 'extension.js')) || !existsSync(suite)) {
    throw new Error('dist/extension.js or out/integration/index.js missing: run `npm run bundle` first');
  }
  if (!isCodeServerInstalled() || !existsSync(chromiumPath)) ensureCodeServer();
  if (!isCodeServerInstalled() || !existsSync(chromiumPath)) {
    return hostMissing('integration');
  }

  // --in-process-server: leave the provider settings empty so the suite starts its own server, as it does
  // under @vscode/test-electron (checks that path offline).
  const inProcess = flag('--in-process-server');
  let providerSettings = {};
  if (!inProcess) {
    const { url } = await startScriptedServer({ rulesFile: join(root, 'test', 'integration', 'rules.json'), latencyMs: 5, verbose });
    log(`scripted model server at ${url}`);
    providerSettings = { ...scriptedProviderSettings(url, 'Scripted test model'), 'promptLadder.cache.enabled': false };
  }

  const workspace = copyWorkspace(join(root, 'test', 'integration', 'workspace'));
  const userDataDir = makeTempDir('pl-user-');
  const extensionsDir = makeTempDir('pl-ext-');
  if (flag('--keep')) { keepTempDir(workspace); keepTempDir(userDataDir); log(`workspace ${workspace}, user data ${userDataDir}`); }
  writeUserSettings(userDataDir, {
    ...baseSettings,
    ...providerSettings,
  });

  if (option('--grep')) process.env.PL_GREP = option('--grep');
  const server = await startCodeServer({ userDataDir, extensionsDir, folder: workspace, verbose });
  log(`code-server at ${server.base}`);

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let resolveExit;
    const exited = new Promise((r) => { resolveExit = r; });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = format(...(Array.isArray(args) ? args : [args]));
      if (!verbose && isWorkbenchNoise(text)) return;
      if (type === 'error') console.error(text); else console.log(text);
    });
    await page.exposeFunction('codeAutomationExit', (code) => resolveExit(Number(code)));
    if (verbose) page.on('console', (m) => console.log(`[browser] ${m.text()}`));
    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(root)],
      ['extensionTestsPath', remote(suite)],
      ['skipWelcome', 'true'],
    ];
    const target = `${server.base}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(target);
    const timeout = new Promise((r) => setTimeout(() => r('timeout'), timeoutSec * 1000).unref());
    const code = await Promise.race([exited, timeout]);
    if (code === 'timeout') {
      console.error(`[integration] FAILED: the suite did not finish within ${timeoutSec} s`);
      if (!verbose) console.error(server.log.slice(-30).join('\n'));
      return 1;
    }
    log(code === 0 ? 'passed' : `failed (exit code ${code})`);
    return code;
  } finally {
    await browser.close().catch(() => {});
  }
}

main()
  .then(async (code) => { await shutdown(); process.exit(code); })
  .catch(async (err) => { console.error(`[integration] FAILED: ${err instanceof Error ? err.message : String(err)}`); await shutdown(); process.exit(1); });
