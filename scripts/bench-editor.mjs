/* global document, window, requestAnimationFrame, MutationObserver -- these run inside the workbench page (page.evaluate) */
// The editor at scale, measured in a real workbench: code-server in Chromium (Playwright), the extension under
// development, the scripted model server at a fixed latency, a prompt file with N variants over an M-case JSONL
// eval set. It prints the window's side of a run: when the panel and the Testing API say the run completed
// against when the engine finished, frame gaps and typing latency during the run, the time to the first
// CodeLens of the big prompt file, typing latency in the big eval set (and whether its lenses stay), the time
// to reopen the finished run's panel, the extension host's RSS before, at its peak and after the run, and its
// heap after a full garbage collection before and after.
// A benchmark, not a test: nothing here passes or fails, and the machine's load shows in the figures.
//
//   node scripts/bench-editor.mjs [--cases 10000] [--variants 4] [--latency 50] [--repeat 1]
//                                 [--extension DIR] [--no-build] [--markdown] [--verbose] [--headed]
//                                 [--json FILE] [--before FILE] [--screenshots] [--profile DIR] [--trace FILE]
// --profile DIR writes CPU profiles of the extension host and the workbench page from the click on Run eval to
// the end of the run, and summary.txt with their busiest functions; --trace FILE a Chromium performance trace
// of the 8 s after the engine's finish. --verbose adds the browser's console (the extension host's console.log
// reaches it), the Testing view's rows and a census of each frame's elements.
// --screenshots saves, in one more round after the measured ones, the window at the first cell, mid-run, completed
// and with the Testing view, under docs/images/ (linked from docs/benchmarks-editor.md).
// --extension measures another checkout (e.g. an older commit, bundled there); --json saves the rounds, and
// --before FILE (rounds saved so) adds their medians as a "before" column; --from FILE prints (and with
// --markdown writes) the table of rounds saved earlier instead of measuring again.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureCodeServer, hostMissing, isCodeServerInstalled } from './setup-code-server.mjs';
import {
  baseSettings, chromiumArgs, chromiumPath, makeTempDir, root, scriptedProviderSettings, shutdown, startCodeServer,
  startScriptedServer, writeUserSettings,
} from './lib/host.mjs';
import { extensionHostRss, findExtensionHost, processCpuSeconds } from './lib/processes.mjs';
import { summarize } from './lib/profile-summary.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name, fallback) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : fallback; };
const CASES = Number(option('--cases', '10000'));
const VARIANTS = Number(option('--variants', '4'));
const LATENCY = Number(option('--latency', '50'));
const REPEAT = Number(option('--repeat', '1'));
const extensionRoot = resolve(option('--extension', root));
const verbose = flag('--verbose');
// --profile DIR: CPU profiles of the extension host and the workbench page from the click to the end of the run.
const PROFILE = option('--profile');
// --trace FILE: a Chromium performance trace of the workbench for 8 s from the engine's finish (the lag).
const TRACE = option('--trace');
const log = (msg) => console.log(`[bench:editor] ${msg}`);

/** The workspace: big.prompt.yml (VARIANTS variants) over big.cases.jsonl (CASES rows, about 30 % failing). */
function makeWorkspace() {
  const dir = makeTempDir('pl-bench-editor-');
  const variants = Array.from({ length: VARIANTS }, (_, i) => `  - name: v${i + 1}\n    modelParameters: { temperature: 0.${i} }`).join('\n');
  writeFileSync(join(dir, 'big.prompt.yml'), [
    '# Editor benchmark: every case is echoed by the scripted model; about 30 % expect a word it never says.',
    'name: Editor bench',
    'model: openai/gpt-4o-mini',
    'messages:',
    '  - role: user',
    '    content: "Question: {{question}}"',
    'testFile: ./big.cases.jsonl',
    'variants:',
    variants,
    'evaluators:',
    '  - name: answer',
    '    string:',
    '      contains: "{{expected}}"',
    '',
  ].join('\n'));
  const rows = [];
  for (let i = 0; i < CASES; i++) {
    const question = `case ${i} about topic${i % 97}`;
    rows.push(JSON.stringify({ question, expected: i % 10 < 3 ? `absent${i}` : `topic${i % 97}` }));
  }
  writeFileSync(join(dir, 'big.cases.jsonl'), rows.join('\n') + '\n');
  writeFileSync(join(dir, 'scratch.txt'), '\n');
  // the floor: a one-case prompt file, whose lenses take what the workbench takes for any file
  writeFileSync(join(dir, 'tiny.prompt.yml'), ['name: Tiny', 'model: openai/gpt-4o-mini', 'messages:', '  - role: user', '    content: "{{q}}"', 'testData:', '  - q: hello', ''].join('\n'));
  return dir;
}

const pct = (xs, p) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs a command through the command palette (F1), by its title. */
async function command(page, title) {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input', { timeout: 20_000 });
  await page.keyboard.type(title, { delay: 5 });
  await sleep(400);
  await page.keyboard.press('Enter');
  await sleep(300);
}

/** Opens a file by name through Quick Open; resolves at the Enter press (its time). */
async function quickOpen(page, name, timeout = 30_000) {
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input', { timeout });
  await page.keyboard.type(name, { delay: 5 });
  // the row picked by Enter is the focused one: the list still shows recent files until it has filtered
  await page.waitForSelector(`.quick-input-list .monaco-list-row.focused[aria-label*="${name}"]`, { timeout });
  const t = Date.now();
  await page.keyboard.press('Enter');
  return t;
}

/** The Test Explorer's rendered rows: label and whether expanded. */
const testingRows = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('.part.sidebar .test-explorer .monaco-list-row')].map((n) => `${n.getAttribute('aria-label')} ${n.getAttribute('aria-expanded') ?? ''}`),
  );

/** The number of elements in a document and the classes that have the most of them. */
function domCensus() {
  const all = document.querySelectorAll('*');
  const by = new Map();
  for (const el of all) {
    const k = `${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 2).join('.')}`;
    by.set(k, (by.get(k) ?? 0) + 1);
  }
  return `${all.length} elements; ${[...by].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, n]) => `${k} ${n}`).join(', ')}`;
}

/** Lenses shown in the active editor (their titles). */
const lensTitles = (page) =>
  page.evaluate(() => [...document.querySelectorAll('.editor-group-container.active .codelens-decoration')].map((n) => n.textContent ?? ''));

/** Presses one key in the focused editor; resolves with the ms until the editor shows one more character. */
async function typeOne(page, ch) {
  const before = await page.evaluate(() => document.querySelector('.monaco-editor.focused .view-lines')?.textContent?.length ?? 0);
  const t = Date.now();
  await page.keyboard.type(ch);
  await page.waitForFunction((n) => (document.querySelector('.monaco-editor.focused .view-lines')?.textContent?.length ?? 0) > n, before, { polling: 'raf', timeout: 30_000 });
  return Date.now() - t;
}

/** The panel's progress state (data-state of its progress line) from the webview frames; undefined without a panel. */
async function panelState(page) {
  for (const f of page.frames()) {
    const s = await f.evaluate(() => document.querySelector('[data-testid="progress"]')?.getAttribute('data-state') ?? null).catch(() => null);
    if (s) return s;
  }
  return undefined;
}

async function panelRows(page) {
  for (const f of page.frames()) {
    const n = await f.evaluate(() => document.querySelectorAll('[data-testid="matrix-row"]').length).catch(() => 0);
    if (n) return n;
  }
  return 0;
}

/**
 * A test run is under way: the status bar says "Running tests…", or the Testing view (opened before the run)
 * offers "Cancel Test Run" in its title bar.
 */
const testingRunning = (page) =>
  page.evaluate(
    () =>
      /Running tests/.test(document.querySelector('.part.statusbar')?.textContent ?? '') ||
      !!document.querySelector('.statusbar-item [aria-label*="Running tests"]') ||
      [...document.querySelectorAll('.part.sidebar .actions-container [aria-label^="Cancel Test Run"]')].some((n) => n.getBoundingClientRect().width > 0),
  );

/**
 * When the run shows completed, to the millisecond: observers in the page (status bar and the Testing view's
 * actions) and in the panel's frame (its progress line's state) note the time of the change, so the figures do not
 * carry the polling loop's interval. The panel's is installed while the run is under way (it watches one
 * attribute); the page's, which checks the status bar at every change of the workbench, once the engine has
 * finished (it would weigh on the typing measured during the run). `doneAt` reads the times noted.
 */
async function watchTestingEnd(page) {
  await page
    .evaluate(() => {
      const w = window;
      if (w.__plTesting) return;
      w.__plTesting = true;
      const running = () =>
        /Running tests/.test(document.querySelector('.part.statusbar')?.textContent ?? '') ||
        [...document.querySelectorAll('.part.sidebar .actions-container [aria-label^="Cancel Test Run"]')].some((n) => n.getBoundingClientRect().width > 0);
      let seen = running();
      new MutationObserver(() => {
        if (w.__plTestingDoneAt) return;
        const now = running();
        if (seen && !now) w.__plTestingDoneAt = Date.now();
        seen ||= now;
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    })
    .catch(() => undefined);
}

async function watchPanelEnd(page) {
  for (const f of page.frames()) {
    await f
      .evaluate(() => {
        const w = window;
        const el = document.querySelector('[data-testid="progress"]');
        if (!el || w.__plPanel) return;
        w.__plPanel = true;
        new MutationObserver(() => {
          const s = el.getAttribute('data-state');
          if (!w.__plPanelDoneAt && s && s !== 'running' && s !== 'empty') w.__plPanelDoneAt = Date.now();
        }).observe(el, { attributes: true, attributeFilter: ['data-state'] });
      })
      .catch(() => undefined);
  }
}

/** The times the observers of watchCompletion noted (undefined where none). */
async function doneAt(page) {
  const testing = await page.evaluate(() => window.__plTestingDoneAt).catch(() => undefined);
  let panel;
  for (const f of page.frames()) panel ??= await f.evaluate(() => window.__plPanelDoneAt).catch(() => undefined);
  return { testing, panel };
}

/** The panel's progress line text, and whether a result cell (not waiting, not running) shows. */
async function panelView(page) {
  for (const f of page.frames()) {
    const v = await f
      .evaluate(() => ({
        text: document.querySelector('[data-testid="progress"]')?.textContent ?? '',
        cell: !!document.querySelector('[data-testid="matrix-cell"][data-status="pass"], [data-testid="matrix-cell"][data-status="fail"], [data-testid="matrix-cell"][data-status="error"]'),
      }))
      .catch(() => null);
    if (v?.text) return v;
  }
  return { text: '', cell: false };
}

const SHOTS = flag('--screenshots') ? join(root, 'docs', 'images') : undefined;
// Screenshots are taken in a round of their own after the measured ones: a capture mid-run left the window slower
// to show the end of that run (seconds, in the round that took them).
let shooting = false;
let shotsTaken = false;
async function shot(page, name) {
  if (!shooting || shotsTaken) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `bench-editor-${name}.png`) }).catch((err) => log(`screenshot ${name}: ${err.message}`));
  log(`screenshot ${name}`);
}

function newestRecordFile(workspace) {
  const dir = join(workspace, '.promptladder', 'runs');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
  return files.length ? join(dir, files[files.length - 1]) : undefined;
}

function newestRecord(workspace) {
  const file = newestRecordFile(workspace);
  return file ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

async function oneRound(browser, serverUrl) {
  const workspace = makeWorkspace();
  const userDataDir = makeTempDir('pl-bench-user-');
  const extensionsDir = makeTempDir('pl-bench-ext-');
  writeUserSettings(userDataDir, {
    ...baseSettings,
    ...scriptedProviderSettings(serverUrl, 'Scripted bench model'),
    'promptLadder.cache.enabled': false,
    'editor.minimap.enabled': false,
    'workbench.colorTheme': 'Default Dark Modern',
  });
  const server = await startCodeServer({ userDataDir, extensionsDir, folder: workspace, verbose });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  if (verbose) page.on('console', (m) => console.log(`[browser] ${m.text()}`));
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [['extensionDevelopmentPath', remote(extensionRoot)], ['skipWelcome', 'true']];
  await page.goto(`${server.base}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 120_000 });
  // Activated: its status bar item names the model (the lens time then excludes the window's start-up).
  await page.waitForFunction(() => /Scripted bench model/.test(document.querySelector('.part.statusbar')?.textContent ?? ''), null, { timeout: 120_000 }).catch(() => log('the status bar never named the model'));
  await sleep(3000);
  const host = await findExtensionHost(server.child.pid);
  const rss = () => (host ? extensionHostRss(host) : NaN);
  const out = { rssBefore: rss() };

  await measureLens(page, out);
  // the Testing view shows the run too: open it (its title bar says when the run ends), then back to the editor
  await command(page, 'Testing: Focus on Test Explorer View');
  await sleep(1500);
  if (verbose) log(`Testing view rows: ${JSON.stringify(await testingRows(page))}`);
  await quickOpen(page, 'big.prompt.yml');
  await sleep(1000);
  out.rssBefore = rss();
  out.heapBefore = heapUsed(host);
  await measureRun(page, out, workspace, rss, host);
  if (verbose) log(`Testing view rows after the run: ${JSON.stringify((await testingRows(page)).slice(0, 12))}`);
  if (verbose) for (const f of page.frames()) log(`frame ${f.url().slice(0, 60)}: ${await f.evaluate(domCensus).catch(() => '?')}`);
  await measureReopen(page, out);
  await measureEvalTyping(page, out);
  await page.close().catch(() => {});
  server.child.kill('SIGTERM');
  return out;
}

async function measureLens(page, out) {
  // CodeLens of a prompt file, from the Enter of Quick Open: the big one, then a one-case file (what the
  // workbench takes for any file, the first file opened having paid for the start), then the big one again
  // in a fresh editor.
  const lensOf = async (name) => {
    const opened = await quickOpen(page, name);
    await page.waitForFunction(
      () => [...document.querySelectorAll('.editor-group-container.active .codelens-decoration')].some((n) => /Run eval/.test(n.textContent ?? '')),
      null,
      { polling: 50, timeout: 120_000 },
    );
    return Date.now() - opened;
  };
  out.lensMs = await lensOf('big.prompt.yml');
  await sleep(1000);
  out.lensTinyMs = await lensOf('tiny.prompt.yml');
  await sleep(1000);
  await command(page, 'View: Close All Editors');
  await sleep(1000);
  out.lensAgainMs = await lensOf('big.prompt.yml');
  log(`CodeLens after ${out.lensMs} ms (one-case file ${out.lensTinyMs} ms, the big one again ${out.lensAgainMs} ms)`);
  await sleep(1000);
}

async function measureRun(page, out, workspace, rss, host) {
  const profiling = PROFILE ? await startProfiles(page, host) : undefined;
  const cpuAtClick = processCpuSeconds(host);
  // The run, from its lens; then a scratch editor to type in while it goes.
  await page.evaluate(() => {
    const w = window;
    w.__gaps = [];
    let last = performance.now();
    w.__gapOn = true;
    const loop = (t) => {
      w.__gaps.push(t - last);
      last = t;
      if (w.__gapOn) requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  });
  const clickedAt = Date.now();
  await page.locator('.codelens-decoration a', { hasText: 'Run eval' }).first().click();
  await sleep(1500);
  // A frozen window may not show Quick Open in time: then typing goes to the prompt file's editor.
  await quickOpen(page, 'scratch.txt', 120_000).catch(() => page.keyboard.press('Escape'));
  await sleep(800);
  const typing = [];
  let peak = out.rssBefore;
  let panelDoneAt;
  let testingDoneAt;
  let sawTesting = false;
  const deadline = Date.now() + 30 * 60_000;
  // Without a "Running tests" in the status bar (another window progress may hold it) the Testing figure stays empty.
  let traced = false;
  let shotFirst = false;
  let shotMid = false;
  while (Date.now() < deadline && (!panelDoneAt || (!testingDoneAt && (sawTesting || Date.now() - panelDoneAt < 5000)))) {
    peak = Math.max(peak, rss());
    if (shooting && !shotsTaken && (!shotFirst || !shotMid)) {
      const v = await panelView(page);
      const m = /Running… ([\d,]+)\/([\d,]+)/.exec(v.text);
      if (!shotFirst && v.cell && m) {
        shotFirst = true;
        await shot(page, 'first-cell');
      } else if (shotFirst && !shotMid && m && Number(m[1].replace(/,/g, '')) >= Number(m[2].replace(/,/g, '')) / 2) {
        shotMid = true;
        await shot(page, 'mid-run');
      }
    }
    if (!panelDoneAt) {
      const s = await panelState(page);
      if (s === 'running') await watchPanelEnd(page);
      if (s && s !== 'running' && s !== 'empty' && newestRecord(workspace)?.finishedAt) panelDoneAt = Date.now();
    }
    if (!testingDoneAt) {
      if (sawTesting && newestRecord(workspace)?.finishedAt) await watchTestingEnd(page);
      const running = await testingRunning(page);
      sawTesting ||= running;
      if (sawTesting && !running) testingDoneAt = Date.now();
    }
    if (TRACE && !traced && newestRecord(workspace)?.finishedAt) {
      traced = true;
      await traceFor(page, 8000);
    }
    if (!panelDoneAt) typing.push(await typeOne(page, 'x').catch(() => NaN));
    await sleep(200);
  }
  // the observers' times when they saw the change (the loop saw it up to one turn later)
  const observed = await doneAt(page);
  if (observed.panel && panelDoneAt) panelDoneAt = Math.min(panelDoneAt, observed.panel);
  if (observed.testing && testingDoneAt) testingDoneAt = Math.min(testingDoneAt, observed.testing);
  log(`completion observed in the window: panel ${observed.panel ? 'yes' : 'no'}, Testing ${observed.testing ? 'yes' : 'no'}`);
  await shot(page, 'completed');
  if (shooting && !shotsTaken) {
    await command(page, 'Testing: Focus on Test Explorer View');
    await sleep(1500);
    await shot(page, 'testing');
    shotsTaken = true;
  }
  if (profiling) await profiling.stop();
  log(`panel completed ${panelDoneAt ? 'yes' : 'no'}, Testing run ended ${testingDoneAt ? 'yes' : 'no'}${sawTesting ? '' : ' (never saw "Running tests")'}`);
  const gaps = await page.evaluate(() => {
    const w = window;
    w.__gapOn = false;
    return w.__gaps;
  });
  const record = newestRecord(workspace);
  const engineDone = record?.finishedAt ? Date.parse(record.finishedAt) : NaN;
  out.engineS = (engineDone - Date.parse(record?.startedAt ?? '')) / 1000;
  out.clickToEngineS = (engineDone - clickedAt) / 1000;
  out.panelLagS = (panelDoneAt - engineDone) / 1000;
  out.testingLagS = (testingDoneAt - engineDone) / 1000;
  // the engine's end: its last write of the record, the advice in it (after `finishedAt` come the variants'
  // evidence, the advice and that write)
  const written = statSync(newestRecordFile(workspace)).mtimeMs;
  out.adviseS = (written - engineDone) / 1000;
  out.panelAfterWriteS = (panelDoneAt - written) / 1000;
  out.testingAfterWriteS = (testingDoneAt - written) / 1000;
  out.results = (record?.variants ?? []).reduce((n, v) => n + v.passed + v.failed + v.errors, 0);
  out.failures = (record?.variants ?? []).reduce((n, v) => n + v.failed + v.errors, 0);
  out.gapP50 = pct(gaps, 50);
  out.gapP95 = pct(gaps, 95);
  out.gapP99 = pct(gaps, 99);
  out.gapsOver1s = gaps.filter((g) => g > 1000).length;
  out.typingRunP95 = pct(typing.filter(Number.isFinite), 95);
  out.rssPeak = peak;
  out.hostCpuS = processCpuSeconds(host) - cpuAtClick;
  await sleep(15_000);
  out.rssAfter = rss();
  out.heapAfter = heapUsed(host);
  // after that full collection: what V8 gives back to the system at once
  out.rssAfterGc = rss();

}

/** The extension host's JavaScript heap after a full garbage collection (MB), through its inspector. */
function heapUsed(host) {
  if (!host) return NaN;
  try {
    const out = execFileSync(process.execPath, ['--experimental-websocket', join(root, 'scripts', 'lib', 'node-heap.mjs'), String(host)], { encoding: 'utf8', timeout: 60_000 });
    return JSON.parse(out.trim().split('\n').pop()).usedMB;
  } catch (err) {
    log(`heap of the extension host: ${err.message}`);
    return NaN;
  }
}

/** Starts sampling the extension host (a helper process with the inspector) and the workbench page (CDP). */
async function startProfiles(page, host) {
  mkdirSync(PROFILE, { recursive: true });
  const helper = spawn(process.execPath, ['--experimental-websocket', join(root, 'scripts', 'lib', 'node-profile.mjs'), String(host), join(PROFILE, 'extension-host.cpuprofile')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let text = '';
  helper.stdout.on('data', (d) => (text += d));
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
  await cdp.send('Profiler.start');
  await sleep(1000);
  return {
    async stop() {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(join(PROFILE, 'workbench.cpuprofile'), JSON.stringify(profile));
      const page = summarize(profile, 'workbench page');
      helper.stdin.end();
      await new Promise((r) => helper.on('exit', r));
      writeFileSync(join(PROFILE, 'summary.txt'), `${text}\n${page}\n`);
      log(`profiles in ${PROFILE}`);
    },
  };
}

/** Records a performance trace of the page for `ms` and prints where its main threads spent the time. */
async function traceFor(page, ms) {
  await page.context().browser().startTracing(page, { path: TRACE, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute'] });
  await sleep(ms);
  await page.context().browser().stopTracing();
  log(`trace in ${TRACE}`);
}

/** Opens the results panel of a prompt file, all editors closed first; ms until `shown` says it is shown. */
async function openPanelOf(page, file, shown) {
  await command(page, 'View: Close All Editors');
  await sleep(1500);
  await quickOpen(page, file);
  // the command opens the panel of the active editor's prompt file: wait until that is the one
  const name = file.replace(/\./g, '\\.');
  await page
    .waitForFunction((n) => new RegExp(`(^|\\] )${n}\\b`).test(document.title), name, { timeout: 30_000 })
    .catch(async () => log(`the active editor is not ${file} (window title "${await page.title()}")`));
  await sleep(1500);
  const at = Date.now();
  await command(page, 'Prompt Ladder: Open Results');
  const deadline = Date.now() + 120_000;
  while (!(await shown()) && Date.now() < deadline) await sleep(50);
  return Date.now() - at - 700;
}

async function measureReopen(page, out) {
  // the floor: the panel of a prompt file never run (the workbench's webview frame, our script, "no runs yet")
  out.reopenTinyMs = await openPanelOf(page, 'tiny.prompt.yml', async () => (await panelState(page)) === 'empty');
  // Reopen the finished run's panel: close every editor, open the prompt file, open its panel.
  out.reopenMs = await openPanelOf(page, 'big.prompt.yml', () => panelRows(page));
  // the panel's own part: from its script's arrival in the new webview to the rows on screen (before that, the
  // workbench makes the webview's frame and its service worker serves the script)
  for (const f of page.frames()) {
    const ms = await f
      .evaluate(() => {
        const script = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/webview.js'));
        return script && document.querySelector('[data-testid="matrix-row"]') ? performance.now() - script.responseEnd : undefined;
      })
      .catch(() => undefined);
    if (ms !== undefined) out.reopenPanelMs = Math.round(ms);
  }

}

async function measureEvalTyping(page, out) {
  // Typing in the big eval set: 40 keys in the middle of the file, then are the lenses still there 10 s later?
  await command(page, 'View: Close All Editors');
  await sleep(1000);
  await quickOpen(page, 'big.cases.jsonl');
  await sleep(3000);
  await page.keyboard.press('Control+G');
  await page.keyboard.type(String(Math.floor(CASES / 2)));
  await page.keyboard.press('Enter');
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  const lensesBefore = (await lensTitles(page)).length;
  const evalTyping = [];
  for (let i = 0; i < 40; i++) evalTyping.push(await typeOne(page, 'y').catch(() => NaN));
  out.typingEvalP95 = pct(evalTyping.filter(Number.isFinite), 95);
  await sleep(10_000);
  out.lensesEval = `${(await lensTitles(page)).length}/${lensesBefore}`;
}

const median = (xs) => pct(xs.filter(Number.isFinite), 50);

const ROWS = [
  ['engineS', 'engine: run start → finish (s)', 1],
  ['panelLagS', 'panel "Completed" after the engine (s)', 2],
  ['testingLagS', 'Testing run ended after the engine (s)', 2],
  ['adviseS', 'of which the engine: `finishedAt` → its record written with the advice (s)', 2],
  ['panelAfterWriteS', 'panel "Completed" after the record is written (s)', 2],
  ['testingAfterWriteS', 'Testing run ended after the record is written (s)', 2],
  ['gapP50', 'frame gap p50 during the run (ms)', 0],
  ['gapP95', 'frame gap p95 during the run (ms)', 0],
  ['gapP99', 'frame gap p99 during the run (ms)', 0],
  ['gapsOver1s', 'frame gaps over 1 s', 0],
  ['typingRunP95', 'typing p95 during the run (ms)', 0],
  ['lensMs', 'CodeLens of the big prompt file after opening (ms)', 0],
  ['lensTinyMs', 'CodeLens of a one-case prompt file after opening (ms)', 0],
  ['lensAgainMs', 'CodeLens of the big prompt file opened again (ms)', 0],
  ['typingEvalP95', 'typing p95 in the big eval set (ms)', 0],
  ['lensesEval', 'eval-set lenses 10 s after typing (after/before)', null],
  ['reopenMs', 'reopen the finished run\'s panel (ms)', 0],
  ['reopenTinyMs', 'open the panel of a prompt file never run (the workbench\'s floor) (ms)', 0],
  ['reopenPanelMs', 'of which the panel, from its script to its rows (ms)', 0],
  ['rssBefore', 'extension host RSS before (MB)', 0],
  ['rssPeak', 'extension host RSS peak (MB)', 0],
  ['rssAfter', 'extension host RSS 15 s after (MB)', 0],
  ['rssAfterGc', 'extension host RSS after a full garbage collection (MB)', 0],
  ['heapBefore', 'extension host heap after GC, before the run (MB)', 0],
  ['heapAfter', 'extension host heap after GC, 15 s after the run (MB)', 0],
  ['hostCpuS', 'extension host CPU from the click to the end of the run (s)', 1],
];

function table(rounds, before) {
  const head = `| figure |${before ? ' before (median) |' : ''} ${rounds.map((_, i) => `run ${i + 1}`).join(' | ')} | median |`;
  const sep = `|---|${before ? '---:|' : ''}${rounds.map(() => '---:').join('|')}|---:|`;
  const fmt = (v, d) => (typeof v === 'number' ? (Number.isFinite(v) ? v.toFixed(d) : '–') : String(v ?? '–'));
  const lines = ROWS.map(([k, label, d]) => {
    const vals = rounds.map((r) => r[k]);
    const med = d === null ? '' : fmt(median(vals), d);
    const was = before ? ` ${d === null ? fmt(before[0]?.[k], 0) : fmt(median(before.map((r) => r[k])), d)} |` : '';
    return `| ${label} |${was} ${vals.map((v) => fmt(v, d ?? 0)).join(' | ')} | ${med} |`;
  });
  return [head, sep, ...lines].join('\n');
}

async function main() {
  if (option('--from')) return report(JSON.parse(readFileSync(option('--from'), 'utf8')));
  if (!flag('--no-build')) {
    log(`bundling ${extensionRoot}`);
    execFileSync(process.execPath, ['esbuild.mjs'], { cwd: extensionRoot, stdio: 'inherit' });
  }
  if (!isCodeServerInstalled() || !existsSync(chromiumPath)) ensureCodeServer();
  if (!isCodeServerInstalled() || !existsSync(chromiumPath)) return hostMissing('bench:editor');
  const { url } = await startScriptedServer({ latencyMs: LATENCY, verbose });
  log(`${CASES} cases × ${VARIANTS} variants, scripted model at ${LATENCY} ms (${url})`);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: !flag('--headed') });
  const rounds = [];
  try {
    for (let i = 0; i < REPEAT; i++) {
      log(`round ${i + 1}/${REPEAT}`);
      const r = await oneRound(browser, url);
      log(JSON.stringify(r));
      rounds.push(r);
    }
    if (SHOTS) {
      log('a round for the screenshots (its figures are not counted)');
      shooting = true;
      await oneRound(browser, url);
    }
  } finally {
    await browser.close().catch(() => {});
  }
  if (option('--json')) writeFileSync(option('--json'), JSON.stringify(rounds, null, 2));
  return report(rounds);
}

function report(rounds) {
  const before = option('--before') ? JSON.parse(readFileSync(option('--before'), 'utf8')) : undefined;
  const md = table(rounds, before);
  console.log(`\n${md}\n`);
  if (flag('--markdown')) {
    const docs = join(root, 'docs');
    mkdirSync(docs, { recursive: true });
    const page = [
      '# Editor benchmark',
      '',
      'Written by `npm run bench:editor -- --markdown`; do not edit by hand.',
      '',
      '## What it measures',
      '',
      `A prompt file with ${VARIANTS} variants over a ${CASES.toLocaleString('en-US')}-case JSONL eval set (about 30 % of the results fail),`,
      `run from its CodeLens in code-server (Chromium, 1,600 × 1,000) against the scripted model at ${LATENCY} ms, the response cache off.`,
      'Lags are measured from the engine\'s own finish time (the run record\'s `finishedAt`, set when the last result is in) to',
      'the moment the window shows the run; after `finishedAt` the engine still relabels by the variants\' evidence, advises',
      'and writes the record, so the lags are also given from that last write (the record file\'s modification time).',
      'The window shows the run completed in the panel\'s progress line, and by the end of the test run in the Testing view',
      '(opened before the run: its "Cancel Test Run" action, or the status bar\'s "Running tests").',
      'Frame gaps are the intervals between animation frames of the workbench during the run; typing latency is a key press',
      'until the editor shows the character. RSS is the extension host process\'s. "–" is a figure the window did not show',
      '(the Testing figure needs one of the two signals above).',
      '',
      '## How the editor keeps up at this size',
      '',
      '- The results panel is a view over the run: the extension keeps the run\'s header and one brief per case (status,',
      '  category, score, latency per variant), sends the panel at most four updates a second (progress, the variants\'',
      '  running summaries, the changed cases\' briefs), and the panel asks for the text of only the rows on screen. A',
      '  finished run\'s rows are read from its record on disk; reopening it reads the header and the briefs.',
      '  When the run ends, the panel gets the run\'s header and only the rows whose brief changed at the end (the engine',
      '  names the cases it relabelled), not every row again; it keeps the briefs it had rather than making 10,000 anew.',
      '  The matrix renders only the rows in view, also in a narrow panel.',
      '- In the Test Explorer a prompt file with more than 500 cases shows them in groups of 100, and its cases are the tests',
      '  (no variant items). A run reports to the groups (a group fails when a case of it failed, naming the first ones), and',
      '  to a case only when its request names it: the workbench resolves every test of a file opened in an editor, and at',
      '  the end of a run sends the run\'s results to every extension host, so a run reported case by case was a',
      '  10,000-item result that kept the window busy for seconds after the engine. A smaller file\'s cases have one item',
      '  per variant.',
      '- The Test Explorer mirrors a run started elsewhere onto the case items whose variant items exist (and a big file\'s',
      '  groups); states go to the Testing API in batches (at most 2,000 every 250 ms), the first 200 failures and errors',
      '  with their full message, the rest one line. A run of more than 500 items reports only final states, without',
      '  durations: the workbench redraws the file\'s row whenever its summed duration changes, which was once per result.',
      '- The Runs view and the editor list a run under way from the record in memory: the run rewrites its file as cells',
      '  finish, and reading it back each time cost the extension host seconds in a run of 2,000 cases.',
      '- Between runs the extension holds summaries, not results: the run lists keep each run\'s record without its cases,',
      '  the inline results one verdict per case and variant (alike verdicts shared), and a whole record read for a view',
      '  is kept 8 s after its last use; a hover reads its case from the run\'s file. The record a run has just written is',
      '  taken from memory, not parsed again. The heap after a full collection comes back near where it was before the',
      '  run. The RSS stays where the run took it until V8 collects fully and gives the pages back (the bench forces',
      '  one: the RSS after it is the last row).',
      '- The run\'s progress notification is updated four times a second, not at every result (each update is a message',
      '  to the window).',
      '- A command that runs a prompt file (Run eval from a CodeLens, the palette or a key) resolves with the run\'s header,',
      '  not the whole record: the workbench receives a command\'s result, and a 10,000-case record took a second to',
      '  serialize in the extension host and as long to read in the window.',
      '- Floors the extension does not control, measured beside their figures: the CodeLens of a one-case prompt file',
      '  (the workbench opening an editor and asking for lenses); opening the panel of a prompt file never run, and, in a',
      '  reopen, what comes before the panel\'s script runs (code-server makes the webview\'s frame, and its service worker',
      '  serves the script).',
      '- Typing during a run shares two cores with the extension host, which spends a core on the run. Part of that is',
      '  VS Code\'s proxy support, which wraps every HTTP request of an extension: it reads the `http` settings twice per',
      '  request and, without keep-alive, opens a connection per call (the command-line twin keeps connections alive).',
      '- A file with more than 400 cases gets the CodeLens of the lines around what is shown; scrolling brings the others.',
      '- Editing an eval set keeps its results on their cases: a case follows its line, and only a case whose own line was',
      '  edited loses its marks until the next run. Big files are checked and re-parsed after 1.5 s without typing.',
      '- Problems lists at most 500 failing results per file, then one line for the rest (the results panel has them all).',
      '- The Runs view tells runs apart by their start time to the second, the start of their run id and their variants.',
      '',
      '## Figures',
      '',
      `${new Date().toISOString().slice(0, 10)}, ${rounds.length} round(s)${before ? `; "before" is the code before these changes (${before.length} round(s))` : ''}. The machine is shared with other work, so the figures are noisy.`,
      '',
      md,
      '',
      ...(existsSync(join(docs, 'images', 'bench-editor-completed.png'))
        ? [
            '## Screenshots',
            '',
            `From a round after the measured ones, at ${CASES.toLocaleString('en-US')} cases × ${VARIANTS} variants: the first cell, mid-run, completed, and the Testing view.`,
            '',
            '![The first cell](images/bench-editor-first-cell.png)',
            '',
            '![Mid-run](images/bench-editor-mid-run.png)',
            '',
            '![Completed](images/bench-editor-completed.png)',
            '',
            '![The Testing view after the run](images/bench-editor-testing.png)',
            '',
          ]
        : []),
    ].join('\n');
    writeFileSync(join(docs, 'benchmarks-editor.md'), page);
    log('wrote docs/benchmarks-editor.md');
  }
  return 0;
}

main()
  .then(async (code) => { await shutdown(); process.exit(code); })
  .catch(async (err) => { console.error(`[bench:editor] FAILED: ${err instanceof Error ? err.stack : String(err)}`); await shutdown(); process.exit(1); });
