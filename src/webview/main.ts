// The results panel's webview: wires the protocol to the views (header, advisor card, summary, filters,
// matrix, details) and keeps the UI state (filters, focus, open cell, scroll) in vscode.setState.

import { summarizeVariants } from '../core/runs/summary';
import type { RunRecord } from '../core/runs/schema';
import {
  parseHostMessage,
  PersistedStateSchema,
  type CompareData,
  type HostMessage,
  type PersistedState,
} from '../shared/protocol';
import { applyRunEvent, emptyLiveRun, type LiveRun } from '../shared/runState';
import { renderAdvice } from './adviceView';
import { DetailsView } from './detailsView';
import { el, setChildren } from './dom';
import {
  applyFilters,
  categoryCounts,
  defaultFilters,
  failingCaseIndexes,
  isFiltered,
  shownVariants,
  type ChangeFilter,
  type FilterState,
  type SortKey,
} from './filters';
import { ago, pct, pts } from './format';
import { buildRows, updateRows, variantNames, type RowView } from './grid';
import { HostClient } from './hostClient';
import { MatrixView, type FocusRef } from './matrixView';
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
let live: LiveRun = emptyLiveRun();
let compare: CompareData | null = null;
let rows: RowView[] = [];
let shown: RowView[] = [];
let initialized = false;

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
  if (announcedRunning === live.running) return;
  const first = announcedRunning === undefined;
  announcedRunning = live.running;
  if (first && !live.running) return;
  announcer.textContent = live.running ? 'Run started' : progress.textContent ?? 'Run finished';
}
const errorBanner = el('div', { class: 'error-banner', role: 'alert', 'data-testid': 'error-banner', hidden: true });
const problems = el('details', { class: 'problems', hidden: true });
const adviceCard = el('section', { class: 'advice-card', 'data-testid': 'advice-card', 'aria-label': 'Advisor', hidden: true });
const compareSummary = el('div', { class: 'compare-summary', 'data-testid': 'compare-summary', hidden: true });

const failuresBox = el('input', { type: 'checkbox', 'data-testid': 'filter-failures', id: 'f-failures' });
const differentBox = el('input', { type: 'checkbox', 'data-testid': 'filter-different', id: 'f-different' });
const categorySelect = el('select', { 'data-testid': 'filter-category', 'aria-label': 'Error category' });
const variantSelect = el('select', { 'data-testid': 'filter-variant', 'aria-label': 'Variant' });
const changeSelect = el('select', { 'data-testid': 'filter-change', 'aria-label': 'Change vs compared run', hidden: true });
const sortSelect = el(
  'select',
  { 'data-testid': 'filter-sort', 'aria-label': 'Sort' },
  el('option', { value: 'case' }, 'Sort: case order'),
  el('option', { value: 'failures' }, 'Sort: most failures'),
  el('option', { value: 'score' }, 'Sort: lowest score'),
  el('option', { value: 'latency' }, 'Sort: slowest'),
  el('option', { value: 'change' }, 'Sort: regressions first'),
);
const searchInput = el('input', { type: 'search', placeholder: 'Search vars, expected, outputs…', 'data-testid': 'filter-search', 'aria-label': 'Search' });
const caseSetChip = el('span', { class: 'case-set', 'data-testid': 'filter-cases', hidden: true });
const countText = el('span', { class: 'count-text', 'data-testid': 'row-count', 'aria-live': 'polite' });
const resetButton = el('button', { type: 'button', class: 'link-button', 'data-testid': 'filter-reset', onclick: () => setFilters(defaultFilters()) }, 'Clear filters');

const filterBar = el(
  'div',
  { class: 'filters', role: 'toolbar', 'aria-label': 'Filters' },
  el('label', { class: 'check' }, failuresBox, 'Failures only'),
  categorySelect,
  variantSelect,
  el('label', { class: 'check', title: 'Cases where some variants pass and others fail' }, differentBox, 'Different across variants'),
  changeSelect,
  sortSelect,
  searchInput,
  caseSetChip,
  resetButton,
  countText,
);

const matrix = new MatrixView({
  openCell: (caseIndex, variant) => openDetails(caseIndex, variant),
  openCase: (caseIndex) => {
    const c = live.record?.cases.find((x) => x.index === caseIndex);
    if (c) client.post({ type: 'openFile', ...(c.file ? { file: c.file } : {}), line: Math.max(1, c.line) });
  },
  focusChanged: (focus) => {
    ui.focus = focus;
    persist();
  },
  scrolled: () => persist(),
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
  filterBar,
  el('div', { class: 'workspace' }, matrix.root, details.root),
);

// ---- filters -----------------------------------------------------------------------------------------------

function setFilters(f: FilterState): void {
  ui.filters = f;
  refresh();
  persist();
}

failuresBox.addEventListener('change', () => setFilters({ ...ui.filters, failuresOnly: failuresBox.checked }));
differentBox.addEventListener('change', () => setFilters({ ...ui.filters, different: differentBox.checked }));
categorySelect.addEventListener('change', () => setFilters({ ...ui.filters, category: categorySelect.value }));
variantSelect.addEventListener('change', () => setFilters({ ...ui.filters, variant: variantSelect.value }));
changeSelect.addEventListener('change', () => setFilters({ ...ui.filters, change: changeSelect.value as ChangeFilter }));
sortSelect.addEventListener('change', () => setFilters({ ...ui.filters, sort: sortSelect.value as SortKey }));
let searchTimer: ReturnType<typeof setTimeout> | undefined;
searchInput.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => setFilters({ ...ui.filters, search: searchInput.value }), 120);
});

function fillSelect(select: HTMLSelectElement, options: [string, string][], value: string): void {
  const same =
    select.options.length === options.length && options.every(([v, label], i) => select.options[i].value === v && select.options[i].text === label);
  if (!same) setChildren(select, ...options.map(([v, label]) => el('option', { value: v }, label)));
  select.value = options.some(([v]) => v === value) ? value : '';
}

function renderFilterBar(): void {
  const f = ui.filters;
  failuresBox.checked = f.failuresOnly;
  differentBox.checked = f.different;
  const cats = categoryCounts(rows, f.variant);
  if (f.category && !cats.some(([c]) => c === f.category)) cats.push([f.category, 0]);
  fillSelect(categorySelect, [['', 'All categories'], ...cats.map(([c, n]): [string, string] => [c, `${c} (${n})`])], f.category);
  const variants = variantNames(live.record);
  if (f.variant && !variants.includes(f.variant)) variants.push(f.variant);
  fillSelect(variantSelect, [['', 'All variants'], ...variants.map((v): [string, string] => [v, v])], f.variant);
  changeSelect.hidden = !compare;
  fillSelect(
    changeSelect,
    [
      ['', 'Any change'],
      ['regressed', `Regressed (${compare?.summary.regressed ?? 0})`],
      ['improved', `Improved (${compare?.summary.improved ?? 0})`],
      ['unchanged', `Unchanged (${compare?.summary.unchanged ?? 0})`],
      ['added', `New cases (${compare?.summary.added ?? 0})`],
    ],
    f.change,
  );
  sortSelect.value = f.sort;
  if (document.activeElement !== searchInput && searchInput.value !== f.search) searchInput.value = f.search;
  caseSetChip.hidden = !f.caseSet;
  if (f.caseSet) {
    setChildren(
      caseSetChip,
      `${f.caseSetLabel ?? 'Cases'} (${f.caseSet.length})`,
      el('button', { type: 'button', class: 'icon-button', 'aria-label': 'Show all cases', onclick: () => setFilters({ ...ui.filters, caseSet: null, caseSetLabel: undefined }) }, '✕'),
    );
  }
  resetButton.hidden = !isFiltered(f) && f.sort === 'case';
  countText.textContent = rows.length ? `${shown.length} of ${rows.length} case${rows.length === 1 ? '' : 's'}` : '';
}

// ---- rendering ---------------------------------------------------------------------------------------------

function summarize(rec: RunRecord) {
  return summarizeVariants(
    rec.variants.map((v) => ({ name: v.name, model: v.model, shots: v.shots, retrieval: v.retrieval })),
    rec.cases,
  );
}

function rebuild(): void {
  rows = buildRows(live.record, live.inFlight, live.running, live.updated);
}

function refresh(): void {
  const rec = live.record;
  title.textContent = promptLabel ? `Results: ${promptLabel}` : 'Results';
  subtitle.textContent = rec ? `run ${ago(rec.startedAt)}${pinned ? ' (pinned)' : ''}` : '';
  runButton.disabled = live.running || !promptUri;
  cancelButton.disabled = !live.running;
  rerunButton.disabled = live.running || failingCaseIndexes(rows).length === 0;
  compareButton.disabled = live.running || !rec;
  clearCompareButton.hidden = !compare;
  latestButton.hidden = !pinned;
  staleBadge.hidden = !stale || !rec || live.running;

  renderProgress(progress, live);
  announce();
  renderAdvice(adviceCard, live.running ? undefined : rec?.advice, ui.adviceCollapsed, {
    toggled: (collapsed) => {
      ui.adviceCollapsed = collapsed;
      persist();
    },
    showCases: (label, cases) => setFilters({ ...ui.filters, caseSet: cases, caseSetLabel: label, failuresOnly: false, category: '', change: '' }),
    runAction: (action) => client.post({ type: 'executeAction', action }),
  });
  const variantSummaries = summaries(rec, live.running, summarize);
  renderCompareSummary();
  problems.hidden = !rec?.problems?.length;
  if (rec?.problems?.length) {
    setChildren(problems, el('summary', {}, `${rec.problems.length} problem${rec.problems.length === 1 ? '' : 's'} while loading`), el('ul', {}, ...rec.problems.map((p) => el('li', {}, p))));
  }

  shown = applyFilters(rows, ui.filters, compare);
  const partial = shown.length > 0 && (shown.length < rows.length || !!ui.filters.variant);
  runShownButton.hidden = !partial;
  runShownButton.disabled = live.running;
  runShownButton.textContent = `▶ Run shown (${shown.length})`;
  const all = variantNames(rec);
  renderFilterBar();
  const empty = !rec
    ? ''
    : rows.length === 0
      ? 'This run has no cases.'
      : shown.length === 0
        ? 'No case matches the filters.'
        : '';
  matrix.setData(shown, shownVariants(all, ui.filters), compare, empty, columnNotes(variantSummaries, compare));
}

function renderCompareSummary(): void {
  compareSummary.hidden = !compare;
  if (!compare) return;
  const s = compare.summary;
  const link = (label: string, change: ChangeFilter, n: number, cls: string) =>
    el('button', { type: 'button', class: `link-button change-${cls}`, onclick: () => setFilters({ ...ui.filters, change }) }, `${label} ${n}`);
  setChildren(
    compareSummary,
    `Compared with the run of ${ago(compare.baseStartedAt)}: `,
    link('▼ regressed', 'regressed', s.regressed, 'regressed'),
    ' · ',
    link('▲ improved', 'improved', s.improved, 'improved'),
    ' · ',
    link('= unchanged', 'unchanged', s.unchanged, 'unchanged'),
    s.added ? ' · ' : '',
    s.added ? link('+ new', 'added', s.added, 'added') : null,
    s.removed ? ` · − ${s.removed} not in this run` : '',
    s.basePassRate !== null && s.headPassRate !== null
      ? ` · pass rate ${pct(s.basePassRate)} → ${pct(s.headPassRate)} (${pts(s.headPassRate - s.basePassRate)})`
      : '',
  );
}

// ---- details -----------------------------------------------------------------------------------------------

function openDetails(caseIndex: number, variant: string): Promise<void> {
  ui.details = { caseIndex, variant };
  persist();
  const c = live.record?.cases.find((x) => x.index === caseIndex);
  const ref = c ? caseRef(c) : '';
  details.showLoading(caseIndex, variant, ref);
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
  const variant = f.variant && variantNames(live.record).includes(f.variant) ? f.variant : null;
  matrix.focusCell({ caseIndex: f.caseIndex, variant }, true);
  if (f.open && variant) void openDetails(f.caseIndex, variant);
}

function handle(msg: HostMessage): void {
  switch (msg.type) {
    case 'init': {
      const first = !initialized;
      initialized = true;
      promptUri = msg.promptUri;
      promptLabel = msg.promptLabel;
      runUri = msg.runUri;
      pinned = msg.pinned;
      live = emptyLiveRun(msg.record, msg.runUri, msg.updated);
      live.running = msg.running;
      live.progress = msg.progress ?? null;
      compare = msg.compare;
      stale = msg.stale ?? false;
      rebuild();
      refresh();
      if (first) {
        matrix.scrollTop = ui.scrollTop;
        if (ui.focus) matrix.focusCell(ui.focus, false);
        if (ui.details && !msg.focus) void openDetails(ui.details.caseIndex, ui.details.variant);
      }
      if (msg.focus) applyFocus(msg.focus);
      persist();
      return;
    }
    case 'runEvents': {
      let finished = false;
      let replaced = false;
      const changed = new Set<number>();
      for (const e of msg.events) {
        if (applyRunEvent(live, e)) replaced = true;
        if (e.type === 'case-started' || e.type === 'case-finished') changed.add(e.caseIndex);
        if (e.type === 'run-started') {
          stale = false;
          pinned = false;
          runUri = undefined;
        }
        if (e.type === 'run-finished') {
          finished = true;
          runUri = e.path;
        }
      }
      if (replaced || !live.record) rebuild();
      else rows = updateRows(rows, live.record, changed, live.inFlight, live.running, live.updated);
      refresh();
      if (finished) persist();
      return;
    }
    case 'running':
      live.running = msg.running;
      rebuild();
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
