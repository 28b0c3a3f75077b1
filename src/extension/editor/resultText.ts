// The words the editor shows for results: CodeLens titles, end-of-line decoration text, relative times.
// Pure functions over run records (no `vscode`), unit-tested under plain Node.

import type { CaseRecord, CaseResult, RunRecord, VariantSummary } from '../../core/runs/schema';

/** What these words read of a run: its header (a whole record or a listed run's summary). */
type RunHead = Pick<RunRecord, 'variants' | 'status' | 'startedAt'>;

export interface VariantVerdict {
  variant: string;
  passed: boolean;
  error: boolean;
  category?: string;
  /** Name of the first failing evaluator. */
  failedEvaluator?: string;
}

/** One verdict per variant for a case (the first result of each variant; repeats count as failed if any fails). */
export function caseVerdicts(c: CaseRecord, variantOrder: string[]): VariantVerdict[] {
  const byVariant = new Map<string, CaseResult[]>();
  for (const r of c.results) {
    const list = byVariant.get(r.variant) ?? [];
    list.push(r);
    byVariant.set(r.variant, list);
  }
  const out: VariantVerdict[] = [];
  for (const v of variantOrder) {
    const rs = byVariant.get(v);
    if (!rs?.length) continue;
    const bad = rs.find((r) => !r.passed || r.error);
    out.push({
      variant: v,
      passed: !bad,
      error: !!bad?.error,
      category: bad ? (bad.category ?? undefined) : undefined,
      failedEvaluator: bad?.evaluators.find((e) => !e.passed)?.name,
    });
  }
  return out;
}

/** "✓ 3/3 variants" or "✗ zero-shot: format, 3-shot: knowledge". */
export function caseLensTitle(verdicts: readonly VariantVerdict[]): string {
  if (verdicts.length === 0) return '… not run';
  const failing = verdicts.filter((v) => !v.passed);
  if (failing.length === 0) return `✓ ${verdicts.length}/${verdicts.length} variant${verdicts.length === 1 ? '' : 's'}`;
  const shown = failing.slice(0, 3).map((v) => `${v.variant}: ${v.category ?? (v.error ? 'error' : 'failed')}`);
  const more = failing.length > 3 ? ` +${failing.length - 3}` : '';
  return `✗ ${shown.join(', ')}${more}`;
}

/** End-of-line text: "✓ zero-shot  ✗ 3-shot (format)". */
export function decorationText(verdicts: readonly VariantVerdict[]): string {
  return verdicts
    .map((v) => (v.passed ? `✓ ${v.variant}` : `✗ ${v.variant} (${v.category ?? (v.error ? 'error' : 'failed')})`))
    .join('  ');
}

function total(v: VariantSummary): number {
  return v.passed + v.failed + v.errors;
}

/** "8/10 on 3-shot" — the best variant (ties: the first listed); "8/10" with a single variant. */
export function bestVariantText(record: RunHead): string {
  const vs = record.variants.filter((v) => total(v) > 0);
  if (vs.length === 0) return 'no results';
  let best = vs[0];
  for (const v of vs) if (v.passRate > best.passRate) best = v;
  const score = `${best.passed}/${total(best)}`;
  return record.variants.length === 1 ? score : `${score} on ${best.name}`;
}

export function relativeTime(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(h / 24);
  return `${d} day${d === 1 ? '' : 's'} ago`;
}

/** "▶ Run eval · last: 8/10 on 3-shot, 2 min ago". */
export function fileLensTitle(record: RunHead | undefined, opts: { stale?: boolean; now?: number } = {}): string {
  if (!record) return '▶ Run eval';
  const status = record.status === 'cancelled' ? ' (cancelled)' : record.status === 'failed' ? ' (failed)' : '';
  const stale = opts.stale ? ' · file changed since' : '';
  return `▶ Run eval · last: ${bestVariantText(record)}${status}, ${relativeTime(record.startedAt, opts.now)}${stale}`;
}

/** Pass rates per variant: "zero-shot 60% · 3-shot 100%". */
export function passRatesText(record: RunHead): string {
  return record.variants.map((v) => `${v.name} ${Math.round(v.passRate * 100)}%`).join(' · ');
}

/** A fence longer than any backtick run in the text, so model output stays a code block. */
export function codeFence(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((s) => s.length));
  return '`'.repeat(Math.max(3, longest + 1));
}
