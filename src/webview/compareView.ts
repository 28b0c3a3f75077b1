// The line above the matrix while a run is compared with an earlier one: how many cases regressed, improved,
// stayed or are new, each a link that filters the matrix to them, and the change in pass rate.

import type { CompareData } from '../shared/protocol';
import { el, setChildren } from './dom';
import type { ChangeFilter } from './filters';
import { ago, pct, pts } from './format';

export function renderCompare(container: HTMLElement, compare: CompareData | null, filterTo: (change: ChangeFilter) => void): void {
  container.hidden = !compare;
  if (!compare) return;
  const s = compare.summary;
  const link = (label: string, change: ChangeFilter, n: number, cls: string) =>
    el('button', { type: 'button', class: `link-button change-${cls}`, onclick: () => filterTo(change) }, `${label} ${n}`);
  setChildren(
    container,
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
