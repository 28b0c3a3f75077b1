// Header progress line and the per-variant summaries the matrix shows in its column headers (pass rate, counts,
// cost, the delta against a compared run; tokens, latency and failure categories in the tooltip).

import type { RunRecord, VariantSummary } from '../core/runs/schema';
import type { CompareData } from '../shared/protocol';
import { el, setChildren } from './dom';
import type { ColumnNote } from './matrixView';
import { ago, count, ms, pct, pts, usd } from './format';
import { formatInterval, variantInterval } from '../core/analysis/intervals';

/** What the progress line shows: the run's header, whether it runs, its progress, and its case and result counts. */
export interface ProgressView {
  record: RunRecord | null;
  running: boolean;
  progress: { done: number; total: number; passed: number; failed: number; errors: number; cached: number } | null;
  cases: number;
  results: number;
}

export function renderProgress(root: HTMLElement, live: ProgressView, now = Date.now()): void {
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
  const results = live.results;
  const when = ago(rec.finishedAt ?? rec.startedAt, now);
  const status =
    rec.status === 'completed'
      ? `Completed ${when}`
      : rec.status === 'cancelled'
        ? `Cancelled ${when}`
        : rec.status === 'failed'
          ? `Failed ${when}${rec.statusReason ? `: ${rec.statusReason}` : ''}`
          : `Interrupted (started ${when})`;
  // Short, so it fits beside the buttons; the result count is in the tooltip (cases × variants shows in the matrix).
  setChildren(
    root,
    el(
      'span',
      { class: 'progress-text', title: `${count(results)} results` },
      `${status} · ${count(live.cases)} cases${rec.calls !== undefined ? ` · ${count(rec.calls)} model calls` : ''}`,
    ),
  );
}

/**
 * Each variant's summary for its sticky column header, so the matrix is the first thing under the advisor strip:
 * the pass rate (and its change against a compared run), one short line (passed/total, cost), and the rest
 * (model, shots, counts, tokens, latency, failure categories) in the header's tooltip.
 */
export function columnNotes(variants: VariantSummary[], compare: CompareData | null): Record<string, ColumnNote> {
  const deltas = new Map(compare?.variants.map((v) => [v.variant, v]) ?? []);
  const out: Record<string, ColumnNote> = {};
  for (const v of variants) {
    const total = v.passed + v.failed + v.errors;
    if (!total) continue;
    const d = deltas.get(v.name);
    const cats = Object.entries(v.categories).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
    const meta = [v.model, v.shots !== undefined ? `${v.shots}-shot` : '', v.retrieval ? 'RAG' : ''].filter(Boolean).join(' · ');
    out[v.name] = {
      rate: pct(v.passRate),
      line: `${v.passed}/${total} · ${usd(v.costUsd)}${v.errors ? ` · ${v.errors} err` : ''}`,
      title: [
        `${v.name}${meta ? ` (${meta})` : ''}`,
        `${v.passed} passed · ${v.failed} failed · ${v.errors} errors${v.cached ? ` · ${v.cached} cached` : ''}`,
        `Pass rate ${pct(v.passRate)}, 95 % interval ${formatInterval(variantInterval(v))}`,
        `${count(v.tokens.prompt)} + ${count(v.tokens.completion)} tokens · ${usd(v.costUsd)} · p50 ${ms(v.latencyMs.p50)} · p95 ${ms(v.latencyMs.p95)}`,
        cats.length ? `Failures: ${cats.map(([c, n]) => `${c} ${n}`).join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
      ...(d && d.passRateDelta !== null ? { delta: { text: pts(d.passRateDelta), direction: d.passRateDelta > 0 ? ('up' as const) : d.passRateDelta < 0 ? ('down' as const) : ('same' as const) } } : {}),
    };
  }
  return out;
}

/** The summary to show: the record's own when final, the host's running tally while results stream in. */
export function summaries(rec: RunRecord | null, running: boolean, live: VariantSummary[] | undefined): VariantSummary[] {
  if (!rec) return [];
  if (running && live) return live;
  return rec.variants;
}
