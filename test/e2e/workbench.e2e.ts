// The E2E scenario: a person in the real workbench. Open an example, run it from the CodeLens, read the
// matrix, open a failing cell, filter to failures, open the history and compare two runs, and check that
// HTML in a model output shows as text. Every step saves a screenshot to test-results/e2e/.

import { cpSync } from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { writeLadder } from '../fixtures/climbScenarios';

export interface Step {
  name: string;
  ok: boolean;
  error?: string;
  /** Its screenshot. */
  file?: string;
}

/** The steps whose screenshots the README shows (docs/screenshots/, refreshed by `run-e2e.mjs --screenshots`). */
export const README_SCREENSHOTS: Record<string, string> = {
  'click the Run eval CodeLens and see the matrix fill': 'panel-matrix.png',
  'open a failing cell and read its details': 'cell-details.png',
  'open the history and compare two runs': 'history-compare.png',
  'inline results on the lines of the eval-set file': 'inline-results.png',
  'climb the item-codes prompt and read the Climb view': 'climb.png',
};

interface Ctx {
  page: Page;
  url: string;
  outDir: string;
  workspace: string;
  /** Fixtures the scenario adds to the workspace for its own steps (the XSS prompt). */
  fixtures: string;
  log: (m: string) => void;
}

const LONG = 60_000;

function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

type PanelFrame = Pick<Frame, 'locator'>;

/** The results panel's content frame (the webview's inner iframe) whose title names this prompt file. */
async function panel(page: Page, promptName: string): Promise<PanelFrame> {
  const deadline = Date.now() + LONG;
  for (;;) {
    for (const f of page.frames()) {
      const title = await f.locator('h1.title').first().innerText({ timeout: 200 }).catch(() => '');
      if (title.includes(promptName)) return f;
    }
    if (Date.now() > deadline) throw new Error(`no results panel for ${promptName}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Escape');
  // Open into the first editor group, not beside the results panel.
  await page.locator('.editor-group-container').first().click({ position: { x: 200, y: 200 } }).catch(() => undefined);
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
  if (await row.isVisible().catch(() => false)) {
    await row.click();
    await page.locator(`.tab[aria-label^="${name}"], .tab:has-text("${name}")`).first().waitFor({ timeout: LONG });
    return;
  }
  // Quick Open's file search can answer before it has indexed a file written moments ago, and a quick input left
  // by the step before can take the first keys: ask again, in a fresh Quick Open, until the file is offered.
  const deadline = Date.now() + LONG;
  for (;;) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(name);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
    const offered = await row.waitFor({ timeout: 5000 }).then(() => true, () => false);
    if (offered) {
      await row.click();
      break;
    }
    if (Date.now() > deadline) throw new Error(`Quick Open never offered ${name}`);
  }
  await page.locator(`.tab[aria-label^="${name}"], .tab:has-text("${name}")`).first().waitFor({ timeout: LONG });
}

async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().click();
}

/** The Climb view's content frame (its heading names the climbed prompt file). */
async function climbView(page: Page, promptName: string): Promise<PanelFrame> {
  const deadline = Date.now() + LONG;
  for (;;) {
    for (const f of page.frames()) {
      const title = await f.locator('h2').first().innerText({ timeout: 200 }).catch(() => '');
      if (title.startsWith('Climb of') && title.includes(promptName)) return f;
    }
    if (Date.now() > deadline) throw new Error(`no Climb view for ${promptName}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Climbs the item-codes ladder (test/fixtures/climbScenarios.ts, answered by test/e2e/rules.json) from the palette. */
async function climbLadder(ctx: Ctx): Promise<void> {
  const { page } = ctx;
  await openFile(page, 'codes.prompt.yml');
  await runCommand(page, 'Prompt Ladder: Climb…');
  const box = page.locator('.quick-input-widget', { hasText: 'Budget in dollars' });
  await box.waitFor({ timeout: LONG });
  const prompt = await box.innerText();
  check(/Estimate: up to \$[\d.]+ and \d+ calls/.test(prompt) && /Scripted demo model/.test(prompt), `the budget box shows the estimate and where the cases go: ${prompt.slice(0, 300)}`);
  await page.keyboard.press('Enter');
  const frame = await climbView(page, 'codes.prompt.yml');
  const status = frame.locator('p.status');
  const deadline = Date.now() + 3 * LONG;
  while (!/^finished/.test(await status.innerText().catch(() => ''))) {
    if (Date.now() > deadline) throw new Error(`the climb did not finish: "${await status.innerText().catch(() => '')}"`);
    await new Promise((r) => setTimeout(r, 300));
  }
  const kept = await frame.locator('[data-testid="climb-step"].kept').allInnerTexts();
  check(kept.length === 2 && /add-retrieval/.test(kept[0]) && /add-shots/.test(kept[1]), `kept retrieval, then one example: ${kept.join(' | ')}`);
  // the chart: baseline, two steps and the final figure on validation, test at the baseline and the end
  const dots = await frame.locator('svg circle.validation').count();
  const tests = await frame.locator('svg circle.test').count();
  check(dots >= 4 && tests === 2, `chart points: ${dots} validation, ${tests} test`);
  check(/\$[\d.e-]+ spent/.test((await frame.locator('svg text.tick').last().textContent()) ?? ''), 'the x axis is cumulative dollars');
  // no tab tooltip over the picture (it shows the workspace's path on this machine)
  await page.mouse.move(1200, 900);
  await new Promise((r) => setTimeout(r, 500));
}

async function clickRunLens(page: Page): Promise<void> {
  const lens = page.locator('.editor-group-container.active .codelens-decoration a', { hasText: 'Run eval' }).first();
  await lens.waitFor({ timeout: LONG });
  await lens.click();
}

/** Waits for the panel to say the run completed (after it was seen running, or 3 s, for fast runs). */
async function waitForRunDone(frame: PanelFrame): Promise<string> {
  const progress = frame.locator('[data-testid="progress"]');
  const started = Date.now();
  while (Date.now() - started < 3000) {
    const t = await progress.innerText().catch(() => '');
    if (t && !/^Completed/i.test(t.trim())) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const deadline = Date.now() + LONG;
  for (;;) {
    const t = await progress.innerText().catch(() => '');
    if (/^Completed/i.test(t.trim())) return t;
    if (Date.now() > deadline) throw new Error(`the run did not complete: progress says "${t}"`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Checks the matrix is cases × variants: the row count, the summaries, and every rendered row's cells. */
async function checkMatrixShape(frame: PanelFrame, cases: number, variants: number, opts: { restoredView?: boolean } = {}): Promise<void> {
  const count = (await frame.locator('[data-testid="row-count"]').innerText()).trim();
  // A restored panel keeps the view it had (filters, comparison), so it may show some of the cases; all are loaded.
  const shown = opts.restoredView ? '[1-9]\\d*' : String(cases);
  check(new RegExp(`\\b${shown} of ${cases} cases`).test(count), `row count says ${cases} cases: "${count}"`);
  const summaries = await frame.locator('[data-testid="variant-summary"]').count();
  check(summaries === variants, `summary shows ${variants} variants, saw ${summaries}`);
  const rows = frame.locator('[data-testid="matrix-row"]');
  const rendered = await rows.count();
  check(rendered > 0, 'matrix renders rows');
  for (let i = 0; i < rendered; i++) {
    const cells = await rows.nth(i).locator('[data-testid="matrix-cell"][data-status]').count();
    check(cells === variants, `row ${i} has ${variants} result cells, saw ${cells}`);
  }
}

export async function runScenario(ctx: Ctx): Promise<{ steps: Step[] }> {
  const { page, outDir } = ctx;
  const steps: Step[] = [];
  let n = 0;
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });

  // The Climb step's project is in the workspace from the start, so the window has indexed it when the step opens it.
  writeLadder(path.join(ctx.workspace, 'ladder'), { cases: 120 });

  const step = async (name: string, fn: () => Promise<void>): Promise<boolean> => {
    n++;
    const file = path.join(outDir, `${String(n).padStart(2, '0')}-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/-+$/, '')}.png`);
    try {
      await fn();
      await page.screenshot({ path: file });
      steps.push({ name, ok: true, file });
      ctx.log(`✔ ${name}`);
      return true;
    } catch (err) {
      await page.screenshot({ path: file.replace(/\.png$/, '-failed.png') }).catch(() => undefined);
      steps.push({ name, ok: false, error: err instanceof Error ? err.message.split('\n')[0] : String(err) });
      ctx.log(`✗ ${name}: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  };

  const CASES = 12;
  const VARIANTS = 3;

  const all = async () => {
    if (!(await step('workbench loads with the demo model in the status bar', async () => {
      await page.goto(ctx.url);
      await page.locator('.monaco-workbench').waitFor({ timeout: LONG });
      await page.locator('.statusbar-item', { hasText: 'Scripted demo model' }).first().waitFor({ timeout: LONG });
      // The window npm start shows: the examples workspace, the extension installed (no development host).
      const windowTitle = await page.title();
      check(/\bexamples\b/.test(windowTitle) && !/Extension Development Host/.test(windowTitle), `window title: "${windowTitle}"`);
    }))) return;

    if (!(await step('open the support-intent example', async () => {
      await openFile(page, 'support-intent.prompt.yml');
      await page.locator('.codelens-decoration a', { hasText: 'Run eval' }).first().waitFor({ timeout: LONG });
    }))) return;

    if (!(await step('click the Run eval CodeLens and see the matrix fill', async () => {
      await clickRunLens(page);
      const frame = await panel(page, 'support-intent.prompt.yml');
      await frame.locator('[data-testid="matrix"]').waitFor({ timeout: LONG });
      await waitForRunDone(frame);
      await checkMatrixShape(frame, CASES, VARIANTS);
      // The matrix is the first thing: its first row starts right under the toolbar and the compact advisor strip
      // (the per-variant summaries sit in the sticky column headers, not in cards above it).
      // Measured with the panel 800 px wide (the window widened for it; the screenshot is taken at 1600 px).
      const firstRow = () =>
        frame.locator('[data-testid="matrix-row"]').first().evaluate((r) => ({
          top: Math.round(r.getBoundingClientRect().top),
          width: window.innerWidth,
          // the matrix scrolls inside the panel: its scroller is no taller than the panel (or every row renders)
          scroller: r.closest('.matrix-scroll')?.clientHeight ?? -1,
          height: window.innerHeight,
        }));
      const normal = page.viewportSize()!;
      const at1600 = await firstRow();
      await page.setViewportSize({ width: normal.width + 2 * (800 - at1600.width), height: normal.height });
      let at800 = await firstRow();
      for (let i = 0; i < 20 && at800.width === at1600.width; i++) {
        await page.waitForTimeout(100);
        at800 = await firstRow();
      }
      await page.screenshot({ path: path.join(outDir, 'panel-at-800px.png') });
      await page.setViewportSize(normal);
      await page.waitForTimeout(300);
      ctx.log(`  first matrix row at ${at800.top} px from the panel top with the panel ${at800.width} px wide (${at1600.top} px at ${at1600.width} px)`);
      check(Math.abs(at800.width - 800) <= 20, `the panel was widened to 800 px: ${at800.width} px`);
      for (const m of [at1600, at800]) check(m.scroller > 0 && m.scroller <= m.height, `the matrix scroller (${m.scroller} px) fits the ${m.width} px wide panel (${m.height} px high)`);
      check(at800.top <= 200, `the first matrix row starts within 200 px of the panel top: ${at800.top} px (panel ${at800.width} px wide)`);
      const header = await frame.locator('[data-testid="variant-summary"]').first().innerText();
      check(/%/.test(header) && /\d+\/\d+/.test(header) && /\$/.test(header), `a column header carries the pass rate, counts and cost: "${header}"`);
      // Every variant name and every case reference is shown whole (wrapped, never cut to "zero-s…" or "support-intent.cases.js…").
      const clipped = await frame.locator('.col-name, .case-ref, .cached').evaluateAll((els) =>
        els
          .filter((e) => {
            // cut by its own box, or running past the cell that holds it (whose overflow hides the rest)
            const cell = e.closest('.matrix-cell, .matrix-colheader')?.getBoundingClientRect();
            const r = e.getBoundingClientRect();
            return e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1 || (cell !== undefined && (r.right > cell.right + 1 || r.bottom > cell.bottom + 1));
          })
          .map((e) => e.textContent ?? ''),
      );
      check(clipped.length === 0, `variant names and case references are not clipped: ${JSON.stringify(clipped.slice(0, 5))}`);
    }))) return;

    await step('open a failing cell and read its details', async () => {
      const frame = await panel(page, 'support-intent.prompt.yml');
      const failing = frame.locator('[data-testid="matrix-cell"][data-status="fail"]').first();
      await failing.click();
      const details = frame.locator('[data-testid="details"]');
      await details.waitFor({ state: 'visible' });
      await details.locator('[data-testid="details-result"]').first().waitFor({ timeout: LONG });
      const text = await details.innerText();
      check(/valid-json|intent/.test(text), `details name the evaluators: ${text.slice(0, 200)}`);
    });

    await step('filter to failures only', async () => {
      const frame = await panel(page, 'support-intent.prompt.yml');
      const before = await frame.locator('[data-testid="matrix-row"]').count();
      await frame.locator('[data-testid="filter-failures"]').check();
      await page.waitForTimeout(300);
      const rows = frame.locator('[data-testid="matrix-row"]');
      const after = await rows.count();
      check(after > 0 && after < before, `failures filter narrows the rows (${before} → ${after})`);
      for (let i = 0; i < after; i++) {
        const bad = await rows.nth(i).locator('[data-status="fail"], [data-status="error"]').count();
        check(bad > 0, `row ${i} has a failing cell`);
      }
    });

    if (!(await step('run again from the panel for a second run', async () => {
      const frame = await panel(page, 'support-intent.prompt.yml');
      await frame.locator('[data-testid="filter-failures"]').uncheck();
      await frame.locator('[data-testid="run-button"]').click();
      await waitForRunDone(frame);
    }))) return;

    await step('open the history and compare two runs', async () => {
      await page.locator('.activitybar .action-item a[aria-label^="Prompt Ladder"]').first().click();
      const runRows = page.locator('.pane:has(.pane-header[aria-label*="Runs"]) .monaco-list-row[aria-level="2"]');
      await runRows.nth(1).waitFor({ timeout: LONG });
      const count = await runRows.count();
      check(count >= 2, `two runs in the tree, saw ${count}`);
      await runRows.nth(0).click();
      await runRows.nth(1).click({ modifiers: ['Control'] });
      await runRows.nth(1).click({ button: 'right' });
      const item = page.locator('.context-view .action-label', { hasText: 'Compare Runs' }).first();
      await item.waitFor();
      await item.hover();
      await page.keyboard.press('Enter');
      const frame = await panel(page, 'support-intent.prompt.yml');
      await frame.locator('[data-testid="compare-summary"]:visible').waitFor({ timeout: LONG });
      const text = await frame.locator('[data-testid="compare-summary"]').innerText();
      check(/unchanged|improved|regressed/i.test(text), `compare summary: ${text}`);
    });

  };

  await all();
  if (steps.every((x) => x.ok)) {
    await step('inline results on the lines of the eval-set file', async () => {
      await openFile(page, 'intent.cases.jsonl');
      const lens = page.locator('.editor-group-container.active .codelens-decoration', { hasText: /✓ 3\/3 variants|✗ zero-shot: format/ }).first();
      await lens.waitFor({ timeout: LONG });
      const texts = await page.locator('.editor-group-container.active .codelens-decoration').allInnerTexts();
      check(texts.some((t) => t.includes('✗ zero-shot: format')), `a failing case lens: ${texts.slice(0, 4).join(' | ')}`);
      check(texts.some((t) => t.includes('✓ 3/3 variants')), 'a passing case lens');
    });
    await step('the results panel survives a window reload', async () => {
      await page.reload();
      await page.locator('.monaco-workbench').waitFor({ timeout: LONG });
      // Whichever results tab is in front after the reload comes back with its data (hidden ones revive when shown).
      const frame = await panel(page, '.prompt.yml');
      await frame.locator('[data-testid="matrix-row"]').first().waitFor({ timeout: LONG });
      await checkMatrixShape(frame, CASES, VARIANTS, { restoredView: true });
    });
    await step('model output with HTML shows as text', async () => {
      cpSync(path.join(ctx.fixtures, 'xss.prompt.yml'), path.join(ctx.workspace, 'xss.prompt.yml'));
      await page.locator('.activitybar .action-item a[aria-label^="Explorer"]').first().click().catch(() => undefined);
      await openFile(page, 'xss.prompt.yml');
      await clickRunLens(page);
      const frame = await panel(page, 'xss.prompt.yml');
      await frame.locator('[data-testid="matrix"]').waitFor({ timeout: LONG });
      await waitForRunDone(frame);
      await checkMatrixShape(frame, 3, 2);
      const cell = frame.locator('[data-testid="matrix-cell"]', { hasText: '<img src=x onerror=alert(1)>' }).first();
      await cell.waitFor({ timeout: LONG });
      const imgs = await frame.locator('[data-testid="matrix"] img, [data-testid="matrix"] script').count();
      check(imgs === 0, `no <img>/<script> element was created from model output (found ${imgs})`);
      check(dialogs.length === 0, `no alert() ran (saw: ${dialogs.join(', ')})`);
      await cell.click();
      const out = await frame.locator('[data-testid="details-output"]').first().innerText();
      check(out.includes('<script>alert(2)</script>'), 'details show the raw output text');
    });
    await step('set an API key from the command palette (stored as a secret)', async () => {
      await page.locator('.monaco-editor .view-lines').first().click().catch(() => undefined);
      await runCommand(page, 'Prompt Ladder: Set API Key');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'github' }).first().click();
      const input = page.locator('.quick-input-widget input');
      await page.locator('.quick-input-widget', { hasText: 'API key for github' }).waitFor();
      await input.fill('ghp_example_not_a_real_token');
      check((await input.getAttribute('type')) === 'password', 'the key is typed into a password box');
      await page.keyboard.press('Enter');
      await page.locator('.notification-list-item', { hasText: 'saved the API key for github' }).first().waitFor({ timeout: LONG });
    });
    await step('climb the item-codes prompt and read the Climb view', () => climbLadder(ctx));
  }
  return { steps };
}
