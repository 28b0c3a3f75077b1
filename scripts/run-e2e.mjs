// End-to-end: Playwright drives the real workbench (code-server 4.100.3 in Chromium) like a person, against
// the scripted model server, and saves a screenshot of every step to test-results/e2e/.
// The scenario itself is test/e2e/workbench.e2e.ts; this script provides the host around it.
//
//   node scripts/run-e2e.mjs [--no-build] [--timeout SECONDS] [--headed] [--verbose]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureCodeServer, hostMissing, isCodeServerInstalled } from './setup-code-server.mjs';
import {
  baseSettings, chromiumArgs, chromiumPath, shutdown, copyWorkspace, makeTempDir, root,
  scriptedProviderSettings, startCodeServer, startScriptedServer, writeUserSettings,
} from './lib/host.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name, fallback) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : fallback; };
const timeoutSec = Number(option('--timeout', process.env.PL_E2E_TIMEOUT ?? '240'));
const verbose = flag('--verbose');
const log = (msg) => console.log(`[e2e] ${msg}`);

async function main() {
  if (!flag('--no-build')) {
    log('bundling (node esbuild.mjs)');
    execFileSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
  }
  if (!existsSync(join(root, 'dist', 'extension.js'))) throw new Error('dist/extension.js missing: run `npm run bundle` first');
  if (!isCodeServerInstalled() || !existsSync(chromiumPath)) ensureCodeServer();
  if (!isCodeServerInstalled() || !existsSync(chromiumPath)) {
    return hostMissing('e2e');
  }

  // The workspace: the examples a new user opens, plus the XSS fixture.
  const workspace = copyWorkspace(join(root, 'examples'), 'pl-e2e-ws-');
  rmSync(join(workspace, '.promptladder'), { recursive: true, force: true });
  cpSync(join(root, 'test', 'e2e', 'workspace'), workspace, { recursive: true });

  // Scripted replies: the XSS fixture's rules first, then the demo rules of the examples.
  const demo = join(root, 'examples', '.demo', 'rules.json');
  const demoRules = existsSync(demo) ? JSON.parse(readFileSync(demo, 'utf8')) : { rules: [] };
  const own = JSON.parse(readFileSync(join(root, 'test', 'e2e', 'rules.json'), 'utf8'));
  const rulesDir = makeTempDir('pl-e2e-rules-');
  const rulesFile = join(rulesDir, 'rules.json');
  writeFileSync(rulesFile, JSON.stringify({ rules: [...own.rules, ...(demoRules.rules ?? demoRules)], faults: demoRules.faults ?? [] }));
  const { url } = await startScriptedServer({ rulesFile, latencyMs: 30, verbose });
  log(`scripted model server at ${url}`);

  const userDataDir = makeTempDir('pl-e2e-user-');
  const extensionsDir = makeTempDir('pl-e2e-ext-');
  writeUserSettings(userDataDir, {
    ...baseSettings,
    ...scriptedProviderSettings(url, 'Scripted demo model'),
    'promptLadder.cache.enabled': false,
    'workbench.colorTheme': 'Default Dark Modern',
    'editor.minimap.enabled': false,
  });
  const server = await startCodeServer({ userDataDir, extensionsDir, folder: workspace, verbose });
  log(`code-server at ${server.base}`);

  const outDir = join(root, 'test-results', 'e2e');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: !flag('--headed') });
  const { tsImport } = await import('tsx/esm/api');
  const scenario = await tsImport(pathToFileURL(join(root, 'test', 'e2e', 'workbench.e2e.ts')).href, import.meta.url);
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    if (verbose) page.on('console', (m) => console.log(`[browser] ${m.text()}`));
    const payload = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${root}`], ['skipWelcome', 'true']];
    const target = `${server.base}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const run = scenario.runScenario({ page, url: target, outDir, workspace, log });
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(`the scenario did not finish within ${timeoutSec} s`)), timeoutSec * 1000).unref());
    const result = await Promise.race([run, timeout]);
    for (const step of result.steps) console.log(`  ${step.ok ? '✔' : '✗'} ${step.name}${step.error ? `\n      ${step.error}` : ''}`);
    const failed = result.steps.filter((s) => !s.ok).length;
    console.log(`\n  ${result.steps.length - failed} passing`);
    if (failed) console.log(`  ${failed} failing`);
    console.log(`[e2e] screenshots in test-results/e2e/ (${result.steps.length} steps)`);
    return result.steps.every((s) => s.ok) ? 0 : 1;
  } finally {
    await browser.close().catch(() => {});
  }
}

main()
  .then(async (code) => { await shutdown(); process.exit(code); })
  .catch(async (err) => { console.error(`[e2e] FAILED: ${err instanceof Error ? err.message : String(err)}`); await shutdown(); process.exit(1); });
