// What the Climb view shows, computed from a climb record (host side, so the webview only draws): the steps
// with their evidence, the points of the chart (validation and test pass rate against cumulative dollars, or
// calls when prices are unknown) and the climbed prompt as a line diff against the file as it is now.

import type { ClimbRecord } from './record';

export interface DiffLine {
  kind: ' ' | '+' | '-';
  text: string;
}

/** A line diff (longest common subsequence); files above `limit` lines are compared as one block each. */
export function lineDiff(before: string, after: string, limit = 4000): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length > limit || b.length > limit) return [...a.map((text) => ({ kind: '-' as const, text })), ...b.map((text) => ({ kind: '+' as const, text }))];
  // suffix LCS lengths, row by row
  const lcs: Uint32Array[] = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ kind: ' ', text: a[i] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push({ kind: '-', text: a[i++] });
    else out.push({ kind: '+', text: b[j++] });
  }
  while (i < a.length) out.push({ kind: '-', text: a[i++] });
  while (j < b.length) out.push({ kind: '+', text: b[j++] });
  return out;
}

export interface ChartPoint {
  /** Cumulative dollars (or calls when prices are unknown) at this point. */
  x: number;
  validation: number | null;
  test: number | null;
  label: string;
}

export interface ClimbView {
  file: string;
  status: ClimbRecord['status'];
  stopReason: string | null;
  money: boolean;
  spent: string;
  steps: { round: number; action: string; label: string; kind: string; kept: boolean; why: string; search: number | null; validation: number | null; cost: string }[];
  chart: ChartPoint[];
  diff: DiffLine[] | null;
  /** The climbed file differs from the file as it is now. */
  canApply: boolean;
}

const money = (x: number) => (x < 0.01 ? `$${x.toPrecision(2)}` : `$${x.toFixed(4)}`);

/** Chart points: the baseline, the incumbent after each finished step, and the final test figure. */
export function chartPoints(r: ClimbRecord): ChartPoint[] {
  if (!r.baseline) return [];
  const priced = r.pricesKnown;
  const points: ChartPoint[] = [];
  const first = r.rounds[0];
  points.push({ x: priced ? (first?.spentBeforeUsd ?? r.spentUsd ?? 0) : 0, validation: r.baseline.validationPassRate, test: r.baseline.testPassRate, label: 'baseline' });
  let validation = r.baseline.validationPassRate;
  for (const round of r.rounds.filter((x) => x.done)) {
    const kept = r.steps.find((s) => s.round === round.round && s.kept);
    if (kept) validation = kept.validationPassRate;
    const x = priced ? (round.spentUsd ?? 0) : r.steps.filter((s) => s.round <= round.round).reduce((n, s) => n + s.calls, 0);
    points.push({ x, validation, test: null, label: kept ? `step ${round.round}: ${kept.move.label}` : `step ${round.round}: nothing kept` });
  }
  if (r.final) points.push({ x: priced ? (r.spentUsd ?? 0) : r.calls, validation: r.final.validationPassRate, test: r.final.testPassRate, label: 'final' });
  return points;
}

export function climbView(r: ClimbRecord, currentText: string | undefined): ClimbView {
  const diff = r.climbed && currentText !== undefined ? lineDiff(currentText, r.climbed.text) : null;
  return {
    file: r.promptFile,
    status: r.status,
    stopReason: r.stopReason,
    money: r.pricesKnown,
    spent:
      r.spentUsd !== null
        ? `${money(r.spentUsd)}${r.budgetUsd !== null ? ` of ${money(r.budgetUsd)}` : ''}${r.estimateUsd !== null ? ` (estimate ${money(r.estimateUsd)})` : ''} · ${r.calls} calls`
        : `${r.calls} calls${r.maxCalls !== null ? ` of ${r.maxCalls}` : ''} (no prices known)`,
    steps: r.steps.map((s) => ({
      round: s.round,
      action: s.move.action,
      label: s.move.label,
      kind: s.move.kind,
      kept: s.kept,
      why: s.why,
      search: s.searchPassRate,
      validation: s.validationPassRate,
      cost: s.costUsd !== null ? money(s.costUsd) : `${s.calls} calls`,
    })),
    chart: chartPoints(r),
    diff,
    canApply: !!diff && diff.some((d) => d.kind !== ' '),
  };
}
