// Plain-text rendering of a run for the terminal: the per-variant table and the footer lines.

import type { RunRecord } from '../core/runs/schema';
import { formatInterval, variantInterval } from '../core/analysis/intervals';

export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function variantTable(record: RunRecord): string {
  const rows = record.variants.map((v) => [
    v.name,
    v.model,
    String(v.passed),
    String(v.failed),
    String(v.errors),
    `${(v.passRate * 100).toFixed(1)}%`,
    formatInterval(variantInterval(v)),
    String(v.tokens.prompt + v.tokens.completion),
    v.costUsd > 0 ? `$${v.costUsd.toFixed(4)}` : '-',
    `${v.latencyMs.p50}/${v.latencyMs.p95}`,
    Object.entries(v.categories)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k}:${n}`)
      .join(' ') || '-',
  ]);
  return renderTable(['variant', 'model', 'passed', 'failed', 'errors', 'pass rate', '95% interval', 'tokens', 'cost', 'p50/p95 ms', 'categories'], rows);
}
