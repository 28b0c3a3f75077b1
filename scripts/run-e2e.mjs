// End-to-end: Playwright drives the real workbench (code-server 4.100.3 in Chromium) like a person, against
// the scripted model server, and saves a screenshot of every step to test-results/e2e/.
// The scenario itself is test/e2e/workbench.e2e.ts; this script provides the host around it.
//
// The workbench is the one `npm start` shows: the extension installed from its package (not a development host)
// and examples/ open as the workspace (a copy, in a folder named examples). --screenshots copies the steps the
// README shows into docs/screenshots/.
//
//   node scripts/run-e2e.mjs [--no-build] [--timeout SECONDS] [--headed] [--verbose] [--screenshots]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { codeServerEntry, ensureCodeServer, hostMissing, isCodeServerInstalled } from './setup-code-server.mjs';
import {
  baseSettings, chromiumArgs, chromiumPath, shutdown, makeTempDir, root,
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

  // The workspace: the examples a new user opens (`npm start`), in a folder named examples so the window title
  // is the same. The XSS fixture is added by the scenario only for its own step, after the README's screenshots.
  const workspace = join(makeTempDir('pl-e2e-ws-'), 'examples');
  cpSync(join(root, 'examples'), workspace, { recursive: true });
  rmSync(join(workspace, '.promptladder'), { recursive: true, force: true });

  // Scripted replies: the XSS fixture's rules first, then the demo rules of the examples.
  const demo = join(root, 'examples', '.demo', 'rules.json');
  const demoRules = existsSync(demo) ? JSON.parse(readFileSync(demo, 'utf8')) : { rules: [] };
  const own = JSON.parse(readFileSync(join(root, 'test', 'e2e', 'rules.json'), 'utf8'));
  const rulesDir = makeTempDir('pl-e2e-rules-');
  const rulesFile = join(rulesDir, 'rules.json');
  writeFileSync(rulesFile, JSON.stringify({ rules: [...own.rules, ...(demoRules.rules ?? demoRules)], faults: demoRules.faults ?? [] }));
  const tasks = join(root, 'examples', '.demo', 'tasks.json');
  const { url } = await startScriptedServer({ rulesFile: existsSync(tasks) ? [rulesFile, tasks] : rulesFile, latencyMs: 30, verbose });
  log(`scripted model server at ${url}`);

  const userDataDir = makeTempDir('pl-e2e-user-');
  const extensionsDir = makeTempDir('pl-e2e-ext-');
  writeUserSettings(userDataDir, {
    ...baseSettings,
    ...scriptedProviderSettings(url, 'Scripted demo model', undefined, { batchApi: true }),
    'promptLadder.cache.enabled': false,
    'workbench.colorTheme': 'Default Dark Modern',
    'editor.minimap.enabled': false,
  });
  // Installed from its package, as `npm start` does: the window is an ordinary one, not an Extension Development Host.
  const vsix = join(makeTempDir('pl-e2e-vsix-'), 'prompt-ladder.vsix');
  log('packaging and installing the extension');
  execFileSync(process.execPath, [join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', vsix],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync(process.execPath, [codeServerEntry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
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
    const payload = [['skipWelcome', 'true']];
    const target = `${server.base}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const run = scenario.runScenario({ page, url: target, outDir, workspace, fixtures: join(root, 'test', 'e2e', 'workspace'), log });
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(`the scenario did not finish within ${timeoutSec} s`)), timeoutSec * 1000).unref());
    const result = await Promise.race([run, timeout]);
    for (const step of result.steps) console.log(`  ${step.ok ? '✔' : '✗'} ${step.name}${step.error ? `\n      ${step.error}` : ''}`);
    const failed = result.steps.filter((s) => !s.ok).length;
    console.log(`\n  ${result.steps.length - failed} passing`);
    if (failed) console.log(`  ${failed} failing`);
    console.log(`[e2e] screenshots in test-results/e2e/ (${result.steps.length} steps)`);
    if (flag('--screenshots')) {
      const docs = join(root, 'docs', 'screenshots');
      for (const [step, name] of Object.entries(scenario.README_SCREENSHOTS)) {
        const shot = result.steps.find((s) => s.name === step && s.ok)?.file;
        if (!shot) { log(`no screenshot of "${step}": docs/screenshots/${name} left as it was`); continue; }
        cpSync(shot, join(docs, name));
        log(`docs/screenshots/${name} ← ${step}`);
      }
    }
    return result.steps.every((s) => s.ok) ? 0 : 1;
  } finally {
    await browser.close().catch(() => {});
  }
}

main()
  .then(async (code) => { await shutdown(); process.exit(code); })
  .catch(async (err) => { console.error(`[e2e] FAILED: ${err instanceof Error ? err.message : String(err)}`); await shutdown(); process.exit(1); });
