// The filter bar above the matrix: failures only, category, variant, "different across variants", change vs a
// compared run, sort, search, the advisor's case set, and the count of cases shown.

import type { CompareData } from '../shared/protocol';
import { el, setChildren } from './dom';
import { categoryCounts, defaultFilters, isFiltered, type ChangeFilter, type FilterState, type SortKey } from './filters';
import type { RowView } from './grid';

export interface FilterBarState {
  filters: FilterState;
  rows: RowView[];
  shown: RowView[];
  variants: string[];
  compare: CompareData | null;
}

function fillSelect(select: HTMLSelectElement, options: [string, string][], value: string): void {
  const same =
    select.options.length === options.length && options.every(([v, label], i) => select.options[i].value === v && select.options[i].text === label);
  if (!same) setChildren(select, ...options.map(([v, label]) => el('option', { value: v }, label)));
  select.value = options.some(([v]) => v === value) ? value : '';
}

export class FilterBar {
  readonly root: HTMLElement;
  private readonly failuresBox = el('input', { type: 'checkbox', 'data-testid': 'filter-failures', id: 'f-failures' });
  private readonly differentBox = el('input', { type: 'checkbox', 'data-testid': 'filter-different', id: 'f-different' });
  private readonly categorySelect = el('select', { 'data-testid': 'filter-category', 'aria-label': 'Error category' });
  private readonly variantSelect = el('select', { 'data-testid': 'filter-variant', 'aria-label': 'Variant' });
  private readonly changeSelect = el('select', { 'data-testid': 'filter-change', 'aria-label': 'Change vs compared run', hidden: true });
  private readonly sortSelect = el(
    'select',
    { 'data-testid': 'filter-sort', 'aria-label': 'Sort' },
    el('option', { value: 'case' }, 'Sort: case order'),
    el('option', { value: 'failures' }, 'Sort: most failures'),
    el('option', { value: 'score' }, 'Sort: lowest score'),
    el('option', { value: 'latency' }, 'Sort: slowest'),
    el('option', { value: 'change' }, 'Sort: regressions first'),
  );
  private readonly searchInput = el('input', { type: 'search', placeholder: 'Search vars, expected, outputs…', 'data-testid': 'filter-search', 'aria-label': 'Search' });
  private readonly caseSetChip = el('span', { class: 'case-set', 'data-testid': 'filter-cases', hidden: true });
  private readonly countText = el('span', { class: 'count-text', 'data-testid': 'row-count', 'aria-live': 'polite' });
  private readonly resetButton: HTMLButtonElement;
  private filters: FilterState = defaultFilters();
  private searchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly set: (f: FilterState) => void) {
    this.resetButton = el('button', { type: 'button', class: 'link-button', 'data-testid': 'filter-reset', onclick: () => set(defaultFilters()) }, 'Clear filters');
    this.root = el(
      'div',
      { class: 'filters', role: 'toolbar', 'aria-label': 'Filters' },
      el('label', { class: 'check' }, this.failuresBox, 'Failures only'),
      this.categorySelect,
      this.variantSelect,
      el('label', { class: 'check', title: 'Cases where some variants pass and others fail' }, this.differentBox, 'Different across variants'),
      this.changeSelect,
      this.sortSelect,
      this.searchInput,
      this.caseSetChip,
      this.resetButton,
      this.countText,
    );
    this.failuresBox.addEventListener('change', () => set({ ...this.filters, failuresOnly: this.failuresBox.checked }));
    this.differentBox.addEventListener('change', () => set({ ...this.filters, different: this.differentBox.checked }));
    this.categorySelect.addEventListener('change', () => set({ ...this.filters, category: this.categorySelect.value }));
    this.variantSelect.addEventListener('change', () => set({ ...this.filters, variant: this.variantSelect.value }));
    this.changeSelect.addEventListener('change', () => set({ ...this.filters, change: this.changeSelect.value as ChangeFilter }));
    this.sortSelect.addEventListener('change', () => set({ ...this.filters, sort: this.sortSelect.value as SortKey }));
    this.searchInput.addEventListener('input', () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => set({ ...this.filters, search: this.searchInput.value }), 120);
    });
  }

  render(s: FilterBarState): void {
    const f = (this.filters = s.filters);
    const compare = s.compare;
    this.failuresBox.checked = f.failuresOnly;
    this.differentBox.checked = f.different;
    const cats = categoryCounts(s.rows, f.variant);
    if (f.category && !cats.some(([c]) => c === f.category)) cats.push([f.category, 0]);
    fillSelect(this.categorySelect, [['', 'All categories'], ...cats.map(([c, n]): [string, string] => [c, `${c} (${n})`])], f.category);
    const variants = [...s.variants];
    if (f.variant && !variants.includes(f.variant)) variants.push(f.variant);
    fillSelect(this.variantSelect, [['', 'All variants'], ...variants.map((v): [string, string] => [v, v])], f.variant);
    this.changeSelect.hidden = !compare;
    fillSelect(
      this.changeSelect,
      [
        ['', 'Any change'],
        ['regressed', `Regressed (${compare?.summary.regressed ?? 0})`],
        ['improved', `Improved (${compare?.summary.improved ?? 0})`],
        ['unchanged', `Unchanged (${compare?.summary.unchanged ?? 0})`],
        ['added', `New cases (${compare?.summary.added ?? 0})`],
      ],
      f.change,
    );
    this.sortSelect.value = f.sort;
    if (document.activeElement !== this.searchInput && this.searchInput.value !== f.search) this.searchInput.value = f.search;
    this.caseSetChip.hidden = !f.caseSet;
    if (f.caseSet) {
      setChildren(
        this.caseSetChip,
        `${f.caseSetLabel ?? 'Cases'} (${f.caseSet.length})`,
        el('button', { type: 'button', class: 'icon-button', 'aria-label': 'Show all cases', onclick: () => this.set({ ...this.filters, caseSet: null, caseSetLabel: undefined }) }, '✕'),
      );
    }
    this.resetButton.hidden = !isFiltered(f) && f.sort === 'case';
    this.countText.textContent = s.rows.length ? `${s.shown.length} of ${s.rows.length} case${s.rows.length === 1 ? '' : 's'}` : '';
  }
}
