// The results panel's webview: wires the protocol to the views (header, advisor card, summary, filters,
// matrix, details) and keeps the UI state (filters, focus, open cell, scroll) in vscode.setState.

import type { RunRecord, VariantSummary } from '../core/runs/schema';
import {
  parseHostMessage,
  PersistedStateSchema,
  type CompareData,
  type HostMessage,
  type PersistedState,
} from '../shared/protocol';
import { renderAdvice } from './adviceView';
import { renderCompare } from './compareView';
import { DetailsView } from './detailsView';
import { el, setChildren } from './dom';
import { FilterBar } from './filterBar';
import { applyFilters, defaultFilters, failingCaseIndexes, shownVariants, type FilterState } from './filters';
import { ago } from './format';
import { HostClient } from './hostClient';
import { MatrixView, type FocusRef } from './matrixView';
import { RowStore } from './rowStore';
import { unpackBriefs } from '../shared/rowBrief';
import { columnNotes, renderProgress, summaries } from './summaryView';
import { caseRef } from '../core/runs/caseRef';

interface UiState {
  filters: FilterState;
  focus: FocusRef | null;
  details: { caseIndex: number; variant: string } | null;
  scrollTop: number;
  adviceCollapsed: boolean;
}

const client = new HostClient();

// ---- state -------------------------------------------------------------------------------------------------

let promptUri = '';
let promptLabel = '';
let runUri: string | undefined;
let pinned = false;
let stale = false;
let header: RunRecord | null = null;
let running = false;
let progressState: { done: number; total: number; passed: number; failed: number; errors: number; cached: number } | null = null;
/** The variants' summaries of a run under way (the host's tally). */
let liveSummaries: VariantSummary[] | undefined;
let compare: CompareData | null = null;
let shown: ReturnType<typeof applyFilters> = [];
/** The cases the host found for the search in `ui.filters.search` (undefined while its answer is pending). */
let searchHits: { query: string; variant: string; hits?: Set<number> } | null = null;
let initialized = false;
const store = new RowStore(
  (runId, caseIndexes) => client.request({ method: 'rows', runId, caseIndexes }),
  () => refresh(),
);

const restored = PersistedStateSchema.safeParse(client.getState());
const ui: UiState = {
  filters: defaultFilters(),
  focus: null,
  details: null,
  scrollTop: 0,
  // A one-line strip by default, so the matrix is the first thing; expanding it is remembered.
  adviceCollapsed: true,
};
if (restored.success) {
  promptUri = restored.data.promptUri;
  const saved = restored.data.ui as Partial<UiState> | undefined;
  if (saved?.filters && typeof saved.filters === 'object') ui.filters = { ...ui.filters, ...saved.filters };
  if (saved?.focus && typeof saved.focus.caseIndex === 'number') ui.focus = saved.focus;
  if (saved?.details && typeof saved.details.caseIndex === 'number') ui.details = saved.details;
  if (typeof saved?.scrollTop === 'number') ui.scrollTop = saved.scrollTop;
  if (typeof saved?.adviceCollapsed === 'boolean') ui.adviceCollapsed = saved.adviceCollapsed;
}

let persistTimer: ReturnType<typeof setTimeout> | undefined;
function persist(): void {
  if (!promptUri) return;
  clearTimeout(persistTimer);
  persistTimer = setTimeout(() => {
    const state: PersistedState = {
      promptUri,
      ...(pinned && runUri ? { runUri } : {}),
      ...(compare?.baseUri ? { compareUri: compare.baseUri } : {}),
      ui: { ...ui, scrollTop: matrix.scrollTop } as unknown as Record<string, unknown>,
    };
    client.setState(state);
  }, 100);
}

// ---- views -------------------------------------------------------------------------------------------------

const title = el('h1', { class: 'title' });
const subtitle = el('span', { class: 'subtitle' });
const staleBadge = el('span', { class: 'stale-badge', 'data-testid': 'stale-badge', title: 'These results are from an earlier version of the prompt file', hidden: true }, 'prompt edited since this run');
const runButton = el(
  'button',
  {
    type: 'button',
    class: 'button',
    'data-testid': 'run-button',
    title: 'Run the eval (all cases, all variants). Shift+click: bypass the response cache',
    onclick: (e: Event) => client.post({ type: 'run', ...((e as MouseEvent).shiftKey ? { noCache: true } : {}) }),
  },
  '▶ Run',
);
const runShownButton = el(
  'button',
  {
    type: 'button',
    class: 'button secondary',
    'data-testid': 'run-shown-button',
    title: 'Run only the cases (and variant) the filters show',
    onclick: () =>
      client.post({ type: 'run', caseIndexes: shown.map((r) => r.caseIndex), ...(ui.filters.variant ? { variants: [ui.filters.variant] } : {}) }),
  },
  '▶ Run shown',
);
const cancelButton = el('button', { type: 'button', class: 'button secondary', 'data-testid': 'cancel-button', onclick: () => client.post({ type: 'cancel' }) }, '■ Cancel');
const rerunButton = el(
  'button',
  {
    type: 'button',
    class: 'button secondary',
    'data-testid': 'rerun-failures-button',
    title: 'Run again only the cases that failed or errored',
    onclick: () => client.post({ type: 'rerunFailures', ...(ui.filters.variant ? { variants: [ui.filters.variant] } : {}) }),
  },
  '↻ Re-run failures',
);
const compareButton = el('button', { type: 'button', class: 'button secondary', 'data-testid': 'compare-button', title: 'Compare with another run of this prompt file', onclick: () => pickCompare() }, '⇄ Compare…');
const clearCompareButton = el('button', { type: 'button', class: 'button secondary', 'data-testid': 'clear-compare-button', onclick: () => client.post({ type: 'clearCompare' }) }, '✕ Stop comparing');
const latestButton = el('button', { type: 'button', class: 'button secondary', 'data-testid': 'latest-button', title: 'Show the newest run of this prompt file', onclick: () => client.post({ type: 'showLatest' }) }, 'Show latest run');
const progress = el('div', { class: 'progress', 'data-testid': 'progress' });
/** Screen readers hear run start and end, not every progress tick. */
const announcer = el('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
let announcedRunning: boolean | undefined;
function announce(): void {
  if (announcedRunning === running) return;
  const first = announcedRunning === undefined;
  announcedRunning = running;
  if (first && !running) return;
  announcer.textContent = running ? 'Run started' : progress.textContent ?? 'Run finished';
}
const errorBanner = el('div', { class: 'error-banner', role: 'alert', 'data-testid': 'error-banner', hidden: true });
const problems = el('details', { class: 'problems', hidden: true });
const adviceCard = el('section', { class: 'advice-card', 'data-testid': 'advice-card', 'aria-label': 'Advisor', hidden: true });
const compareSummary = el('div', { class: 'compare-summary', 'data-testid': 'compare-summary', hidden: true });

const filterBar = new FilterBar((f) => setFilters(f));

const matrix = new MatrixView({
  openCell: (caseIndex, variant) => openDetails(caseIndex, variant),
  openCase: (caseIndex) => {
    const c = store.brief(caseIndex);
    if (c) client.post({ type: 'openFile', ...(c.file ? { file: c.file } : {}), line: Math.max(1, c.line) });
  },
  focusChanged: (focus) => {
    ui.focus = focus;
    persist();
  },
  scrolled: () => persist(),
  inView: (rows) => store.want(rows),
});

const details = new DetailsView({
  close: () => closeDetails(),
  openFile: (file, line) => client.post({ type: 'openFile', ...(file ? { file } : {}), line: Math.max(1, line) }),
  copy: (text) => client.post({ type: 'copy', text }),
  addTestCase: (caseIndex, variant) => client.post({ type: 'addTestCase', caseIndex, variant }),
});

document.body.append(
  el(
    'header',
    { class: 'toolbar' },
    el('div', { class: 'title-row' }, title, subtitle, staleBadge),
    // Buttons and the progress line share a row: the less height above it, the more of the matrix shows.
    el('div', { class: 'toolbar-row' }, el('div', { class: 'buttons' }, runButton, runShownButton, cancelButton, rerunButton, compareButton, clearCompareButton, latestButton), progress),
  ),
  announcer,
  errorBanner,
  problems,
  adviceCard,
  compareSummary,
  filterBar.root,
  el('div', { class: 'workspace' }, matrix.root, details.root),
);

// ---- filters -----------------------------------------------------------------------------------------------

function setFilters(f: FilterState): void {
  ui.filters = f;
  askSearch();
  refresh();
  persist();
}

/** Asks the host for the cases the search matches (the rows' text is on the host's side). */
function askSearch(): void {
  const query = ui.filters.search.trim();
  const variant = ui.filters.variant;
  if (!query) {
    searchHits = null;
    return;
  }
  if (searchHits && searchHits.query === query && searchHits.variant === variant) return;
  const asked: { query: string; variant: string; hits?: Set<number> } = (searchHits = { query, variant });
  client.request({ method: 'search', runId: store.runId, query, ...(variant ? { variant } : {}) }).then(
    (r) => {
      if (searchHits !== asked) return;
      asked.hits = new Set(r.caseIndexes);
      refresh();
    },
    (err: Error) => showError(err.message),
  );
}

// ---- rendering ---------------------------------------------------------------------------------------------

function refresh(): void {
  const rec = header;
  const rows = store.rows;
  title.textContent = promptLabel ? `Results: ${promptLabel}` : 'Results';
  subtitle.textContent = rec ? `run ${ago(rec.startedAt)}${pinned ? ' (pinned)' : ''}` : '';
  runButton.disabled = running || !promptUri;
  cancelButton.disabled = !running;
  rerunButton.disabled = running || failingCaseIndexes(rows).length === 0;
  compareButton.disabled = running || !rec;
  clearCompareButton.hidden = !compare;
  latestButton.hidden = !pinned;
  staleBadge.hidden = !stale || !rec || running;

  renderProgress(progress, { record: rec, running, progress: progressState, cases: rows.length, results: resultCount(rows) });
  announce();
  renderAdvice(adviceCard, running ? undefined : rec?.advice, ui.adviceCollapsed, {
    toggled: (collapsed) => {
      ui.adviceCollapsed = collapsed;
      persist();
    },
    showCases: (label, cases) => setFilters({ ...ui.filters, caseSet: cases, caseSetLabel: label, failuresOnly: false, category: '', change: '' }),
    runAction: (action) => client.post({ type: 'executeAction', action }),
  });
  const variantSummaries = summaries(rec, running, liveSummaries);
  renderCompareSummary();
  problems.hidden = !rec?.problems?.length;
  if (rec?.problems?.length) {
    setChildren(problems, el('summary', {}, `${rec.problems.length} problem${rec.problems.length === 1 ? '' : 's'} while loading`), el('ul', {}, ...rec.problems.map((p) => el('li', {}, p))));
  }

  shown = applyFilters(rows, ui.filters, compare, searchHits?.hits);
  const partial = shown.length > 0 && (shown.length < rows.length || !!ui.filters.variant);
  runShownButton.hidden = !partial;
  runShownButton.disabled = running;
  runShownButton.textContent = `▶ Run shown (${shown.length})`;
  const all = store.variants;
  filterBar.render({ filters: ui.filters, rows, shown, variants: all, compare });
  const empty = !rec
    ? ''
    : rows.length === 0
      ? 'This run has no cases.'
      : shown.length === 0
        ? 'No case matches the filters.'
        : '';
  matrix.setData(shown, shownVariants(all, ui.filters), compare, empty, columnNotes(variantSummaries, compare));
}

function resultCount(rows: typeof shown): number {
  let n = 0;
  for (const r of rows) for (const c of r.cells) n += c.count;
  return n;
}

function renderCompareSummary(): void {
  renderCompare(compareSummary, compare, (change) => setFilters({ ...ui.filters, change }));
}

// ---- details -----------------------------------------------------------------------------------------------

function openDetails(caseIndex: number, variant: string): Promise<void> {
  ui.details = { caseIndex, variant };
  persist();
  const c = store.brief(caseIndex);
  const ref = c ? caseRef(c) : '';
  details.showLoading(caseIndex, variant, ref);
  // the details take room beside (or, when narrow, under) the matrix: keep the opened cell in view
  requestAnimationFrame(() => {
    if (ui.focus) matrix.focusCell(ui.focus, false);
  });
  return client.request({ method: 'details', caseIndex, variant }).then(
    (d) => {
      if (ui.details?.caseIndex === caseIndex && ui.details.variant === variant) details.show(d);
    },
    (err: Error) => details.showError(caseIndex, variant, ref, err.message),
  );
}

function closeDetails(): void {
  if (!ui.details && !details.shown) return;
  ui.details = null;
  details.hide();
  persist();
  matrix.restoreFocus();
}

document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && details.shown) {
    e.preventDefault();
    closeDetails();
  }
});

// ---- compare -----------------------------------------------------------------------------------------------

function pickCompare(): Promise<void> {
  return client.request({ method: 'pickRunToCompare' }).then(
    (c) => {
      if (c) setCompare(c);
    },
    (err: Error) => showError(err.message),
  );
}

function setCompare(c: CompareData | null): void {
  compare = c;
  if (!c) ui.filters = { ...ui.filters, change: '', sort: ui.filters.sort === 'change' ? 'case' : ui.filters.sort };
  refresh();
  persist();
}

// ---- messages ----------------------------------------------------------------------------------------------

let errorTimer: ReturnType<typeof setTimeout> | undefined;
function showError(message: string): void {
  errorBanner.textContent = message;
  errorBanner.hidden = false;
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => (errorBanner.hidden = true), 10_000);
}

function applyFocus(f: { caseIndex?: number; variant?: string; open?: boolean }): void {
  if (f.caseIndex === undefined) return;
  if (!shown.some((r) => r.caseIndex === f.caseIndex)) setFilters({ ...defaultFilters(), sort: ui.filters.sort });
  const variant = f.variant && store.variants.includes(f.variant) ? f.variant : null;
  matrix.focusCell({ caseIndex: f.caseIndex, variant }, true);
  if (f.open && variant) void openDetails(f.caseIndex, variant);
}

function init(msg: Extract<HostMessage, { type: 'init' }>): void {
  const first = !initialized;
  initialized = true;
  promptUri = msg.promptUri;
  promptLabel = msg.promptLabel;
  runUri = msg.runUri;
  pinned = msg.pinned;
  header = msg.record;
  running = msg.running;
  progressState = msg.progress ?? null;
  liveSummaries = msg.summaries;
  compare = msg.compare;
  stale = msg.stale ?? false;
  const newRun = (msg.record?.id ?? '') !== store.runId;
  store.reset(msg.record?.id ?? '', msg.variants, unpackBriefs(msg.rows));
  if (newRun) searchHits = null;
  askSearch();
  refresh();
  if (first) {
    matrix.scrollTop = ui.scrollTop;
    if (ui.focus) matrix.focusCell(ui.focus, false);
    if (ui.details && !msg.focus) void openDetails(ui.details.caseIndex, ui.details.variant);
  }
  if (msg.focus) applyFocus(msg.focus);
  persist();
}

/** The run this panel followed finished: its header replaces the running state; a run not shown asks for all. */
function finished(msg: Extract<HostMessage, { type: 'finished' }>): void {
  if (msg.runId !== store.runId) {
    client.post({ type: 'ready' });
    return;
  }
  header = msg.record;
  running = false;
  progressState = null;
  liveSummaries = undefined;
  runUri = msg.runUri;
  store.update(unpackBriefs(msg.rows));
  refresh();
  persist();
}

function update(msg: Extract<HostMessage, { type: 'update' }>): void {
  if (msg.runId !== store.runId) return;
  progressState = msg.progress;
  if (msg.summaries) liveSummaries = msg.summaries;
  store.update(unpackBriefs(msg.rows));
  refresh();
}

function handle(msg: HostMessage): void {
  switch (msg.type) {
    case 'init':
      return init(msg);
    case 'update':
      return update(msg);
    case 'finished':
      return finished(msg);
    case 'running':
      running = msg.running;
      refresh();
      return;
    case 'compare':
      setCompare(msg.compare);
      return;
    case 'stale':
      stale = msg.stale;
      refresh();
      return;
    case 'focus':
      applyFocus(msg.focus);
      return;
    case 'error':
      showError(msg.message);
      return;
    case 'response':
      client.settle(msg.id, msg.ok, msg.result, msg.error);
      return;
  }
}

window.addEventListener('message', (e: MessageEvent) => {
  const parsed = parseHostMessage(e.data);
  if (!parsed.ok) {
    client.log('warn', `webview dropped a message: ${parsed.error}`);
    return;
  }
  try {
    handle(parsed.message);
  } catch (err) {
    client.log('error', `webview failed on '${parsed.message.type}': ${(err as Error).stack ?? String(err)}`);
  }
});

// ---- start -------------------------------------------------------------------------------------------------

refresh();
client.post({ type: 'ready' });
