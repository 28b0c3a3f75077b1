// Header progress line and the per-variant summary cards (pass-rate bar, counts, tokens, cost, latency,
// category chips, and the delta against a compared run).

import type { RunRecord, VariantSummary } from '../core/runs/schema';
import type { CompareData } from '../shared/protocol';
import type { LiveRun } from '../shared/runState';
import { el, setChildren } from './dom';
import { ago, count, ms, pct, pts, usd } from './format';

export interface SummaryCallbacks {
  filterCategory(variant: string, category: string): void;
}

export function renderProgress(root: HTMLElement, live: LiveRun, now = Date.now()): void {
  const rec = live.record;
  const bar = el('div', { class: 'progress-bar', role: 'progressbar', 'aria-label': 'Run progress' });
  const fill = el('div', { class: 'progress-fill' });
  bar.appendChild(fill);
  if (live.running) {
    const p = live.progress;
    const done = p?.done ?? 0;
    const total = p?.total ?? 0;
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-valuemax', String(total));
    bar.setAttribute('aria-valuenow', String(done));
    fill.style.width = total ? `${(100 * done) / total}%` : '0%';
    const text = p
      ? `Running… ${count(done)}/${count(total)} · ${p.passed} passed · ${p.failed} failed · ${p.errors} errors${p.cached ? ` · ${p.cached} cached` : ''}`
      : 'Starting…';
    root.dataset.state = 'running';
    setChildren(root, bar, el('span', { class: 'progress-text' }, text));
    return;
  }
  root.dataset.state = rec ? rec.status : 'empty';
  if (!rec) {
    setChildren(root, el('span', { class: 'progress-text' }, 'No runs yet. Press Run to evaluate the prompt over its test cases.'));
    return;
  }
  const results = rec.cases.reduce((n, c) => n + c.results.length, 0);
  const when = ago(rec.finishedAt ?? rec.startedAt, now);
  const status =
    rec.status === 'completed'
      ? `Completed ${when}`
      : rec.status === 'cancelled'
        ? `Cancelled ${when}`
        : rec.status === 'failed'
          ? `Failed ${when}${rec.statusReason ? `: ${rec.statusReason}` : ''}`
          : `Interrupted (started ${when})`;
  setChildren(
    root,
    el(
      'span',
      { class: 'progress-text' },
      `${status} · ${count(rec.cases.length)} cases · ${count(results)} results${rec.calls !== undefined ? ` · ${count(rec.calls)} model calls` : ''}`,
    ),
  );
}

export function renderSummary(root: HTMLElement, variants: VariantSummary[], compare: CompareData | null, cb: SummaryCallbacks): void {
  const deltas = new Map(compare?.variants.map((v) => [v.variant, v]) ?? []);
  setChildren(root, ...variants.map((v) => variantCard(v, deltas.get(v.name), cb)));
  root.hidden = variants.length === 0;
}

function variantCard(v: VariantSummary, delta: CompareData['variants'][number] | undefined, cb: SummaryCallbacks): HTMLElement {
  const total = v.passed + v.failed + v.errors;
  const bar = el('div', { class: 'rate-bar', role: 'img', 'aria-label': `${v.passed} passed, ${v.failed} failed, ${v.errors} errors` });
  for (const [cls, n] of [['pass', v.passed], ['fail', v.failed], ['error', v.errors]] as const) {
    if (!n) continue;
    const seg = el('div', { class: `rate-${cls}` });
    seg.style.width = `${(100 * n) / Math.max(1, total)}%`;
    bar.appendChild(seg);
  }
  const cats = Object.entries(v.categories).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  const meta = [v.model, v.shots !== undefined ? `${v.shots}-shot` : '', v.retrieval ? 'RAG' : ''].filter(Boolean).join(' · ');
  return el(
    'div',
    { class: 'variant-summary', 'data-testid': 'variant-summary', 'data-variant': v.name },
    el(
      'div',
      { class: 'vs-head' },
      el('span', { class: 'vs-name' }, v.name),
      el('span', { class: 'vs-rate' }, total ? pct(v.passRate) : '–'),
      delta && delta.passRateDelta !== null
        ? el('span', { class: `vs-delta ${delta.passRateDelta > 0 ? 'up' : delta.passRateDelta < 0 ? 'down' : ''}`, title: 'vs the compared run' }, pts(delta.passRateDelta))
        : null,
    ),
    el('div', { class: 'vs-meta' }, meta),
    bar,
    el('div', { class: 'vs-counts' }, `${v.passed} passed · ${v.failed} failed · ${v.errors} errors`),
    el(
      'div',
      { class: 'vs-stats' },
      `${count(v.tokens.prompt)} + ${count(v.tokens.completion)} tokens · ${usd(v.costUsd)} · p50 ${ms(v.latencyMs.p50)} · p95 ${ms(v.latencyMs.p95)}${v.cached ? ` · ${v.cached} cached` : ''}`,
    ),
    cats.length
      ? el(
          'div',
          { class: 'vs-cats' },
          ...cats.map(([c, n]) =>
            el('button', { type: 'button', class: `chip cat-${c}`, title: `Show ${c} failures of ${v.name}`, onclick: () => cb.filterCategory(v.name, c) }, `${c} ${n}`),
          ),
        )
      : null,
  );
}

/** The summary to show: the record's own when final, recomputed from the results while they stream in. */
export function summaries(rec: RunRecord | null, running: boolean, summarize: (rec: RunRecord) => VariantSummary[]): VariantSummary[] {
  if (!rec) return [];
  if (!running && rec.status !== 'running' && rec.variants.some((v) => v.passed + v.failed + v.errors > 0)) return rec.variants;
  return summarize(rec);
}
