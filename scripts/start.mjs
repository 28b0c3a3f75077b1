// `npm start`: builds the extension, installs the offline VS Code host if missing (code-server, TESTING.md),
// starts real VS Code in the browser with Prompt Ladder installed and examples/ open, and prints the URL.
// Without a configured provider (no OPENAI_API_KEY / GITHUB_TOKEN / AZURE_OPENAI_API_KEY in the environment)
// it also starts the scripted demo model and points the extension at it, labelled "Scripted demo model".
//
//   npm start [-- --port 8080] [--host 127.0.0.1] [--no-demo] [--demo]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCodeServer, isCodeServerInstalled, codeServerEntry } from './setup-code-server.mjs';
import { baseSettings, shutdown, freePort, root, scriptedProviderSettings, startCodeServer, startScriptedServer, writeUserSettings } from './lib/host.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name, fallback) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : fallback; };
const log = (msg) => console.log(`[start] ${msg}`);
const DEMO_LABEL = 'Scripted demo model';

async function portFree(port, host) {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

function readJson(file) {
  try { return JSON.parse(readFileSync(file, 'utf8')); } catch { return {}; }
}

async function main() {
  log('building (node esbuild.mjs --production)');
  execFileSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: root, stdio: 'inherit' });

  if (!isCodeServerInstalled()) ensureCodeServer();
  if (!isCodeServerInstalled()) throw new Error('code-server could not be installed (see the messages above)');

  const home = join(root, '.vscode-test', 'start');
  const userDataDir = join(home, 'user-data');
  const extensionsDir = join(home, 'extensions');
  mkdirSync(extensionsDir, { recursive: true });

  const vsix = join(home, 'prompt-ladder.vsix');
  log('packaging the extension');
  execFileSync(process.execPath, [join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', vsix],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  log('installing it into code-server');
  execFileSync(process.execPath, [codeServerEntry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });

  const hasKey = ['OPENAI_API_KEY', 'GITHUB_TOKEN', 'AZURE_OPENAI_API_KEY'].some((k) => process.env[k]);
  const demo = flag('--demo') || (!flag('--no-demo') && !hasKey);
  const settingsFile = join(userDataDir, 'User', 'settings.json');
  const settings = { ...readJson(settingsFile), ...baseSettings };
  const own = (settings['promptLadder.providers'] ?? []).filter((p) => p.label !== DEMO_LABEL);
  if (demo) {
    // tasks.json answers the product's own calls (generation, judges, categories), rules.json the examples' prompts
    const rules = ['tasks.json', 'rules.json'].map((f) => join(root, 'examples', '.demo', f)).filter((f) => existsSync(f));
    const { url } = await startScriptedServer({ rulesFile: rules, latencyMs: 120, capacity: 16 });
    if (rules.length < 2) log('examples/.demo/tasks.json or rules.json not found: the demo model echoes what they would answer');
    const demoSettings = scriptedProviderSettings(url, DEMO_LABEL, undefined, { batchApi: true });
    settings['promptLadder.providers'] = [...demoSettings['promptLadder.providers'], ...own.filter((p) => !['openai', 'github', 'ollama', 'demo'].includes(p.name))];
    if (!settings['promptLadder.defaultModel']) settings['promptLadder.defaultModel'] = demoSettings['promptLadder.defaultModel'];
    log(`no provider key in the environment: using the ${DEMO_LABEL} at ${url}`);
  } else {
    settings['promptLadder.providers'] = own;
    log('using the providers of your environment (OPENAI_API_KEY / GITHUB_TOKEN / AZURE_OPENAI_API_KEY)');
  }
  writeUserSettings(userDataDir, settings);

  const host = option('--host', '127.0.0.1');
  let port = Number(option('--port', process.env.PORT ?? '8080'));
  if (!(await portFree(port, host))) port = await freePort();
  const examples = join(root, 'examples');
  const server = await startCodeServer({ userDataDir, extensionsDir, folder: examples, port, extraArgs: host !== '127.0.0.1' ? ['--bind-addr', `${host}:${port}`] : [] });
  const shownHost = host === '0.0.0.0' ? '127.0.0.1' : host;
  console.log('');
  console.log(`  Prompt Ladder is running in VS Code: http://${shownHost}:${server.port}/?folder=${encodeURIComponent(examples)}`);
  console.log(`  Open support-intent/support-intent.prompt.yml and click "▶ Run eval".${demo ? `  (Model: ${DEMO_LABEL})` : ''}`);
  console.log('  Press Ctrl+C to stop.');
  console.log('');
  await new Promise((resolve) => server.child.on('exit', resolve));
  return 0;
}

main()
  .then(async (code) => { await shutdown(); process.exit(code); })
  .catch(async (err) => { console.error(`[start] FAILED: ${err instanceof Error ? err.message : String(err)}`); await shutdown(); process.exit(1); });
