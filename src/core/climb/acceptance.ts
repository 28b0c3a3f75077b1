// Acceptance of a move on the validation part: paired exact test (McNemar on the discordant cases, i.e. a
// sign test) against the incumbent, one-sided ("the move fixes more than it breaks"), with Holm's correction
// over the candidates confirmed in the same step. A move that only ties is kept when it is cheaper per call
// and not significantly worse.

import { formatP } from '../analysis/advisor/stats';

/** Per case: passed or not (an errored call counts as not passed). */
export type Outcomes = ReadonlyMap<number, boolean>;

export interface Paired {
  /** Cases the incumbent failed and the move passes. */
  fixed: number[];
  /** Cases the incumbent passed and the move fails. */
  broken: number[];
  /** Cases both were judged on. */
  shared: number;
}

export function paired(incumbent: Outcomes, move: Outcomes): Paired {
  const fixed: number[] = [];
  const broken: number[] = [];
  let shared = 0;
  for (const [index, passed] of move) {
    const before = incumbent.get(index);
    if (before === undefined) continue;
    shared++;
    if (!before && passed) fixed.push(index);
    else if (before && !passed) broken.push(index);
  }
  return { fixed, broken, shared };
}

function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/** One-sided exact sign test: P(at least `wins` of `wins + losses` fair coin flips). 1 without discordant cases. */
export function oneSidedP(wins: number, losses: number): number {
  const n = wins + losses;
  if (n === 0 || wins === 0) return 1;
  let tail = 0;
  for (let i = wins; i <= n; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, tail);
}

/** Holm's step-down adjusted p-values (same order as given). */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

export interface Candidate {
  label: string;
  validation: Paired;
  /** Mean cost (USD, or tokens when prices are unknown) per call of the move and of the incumbent, on validation. */
  costPerCall: number;
  incumbentCostPerCall: number;
}

export interface Verdict {
  /** Index into the candidates of the move to keep, or -1. */
  kept: number;
  /** Per candidate: the adjusted p-value and the sentence that says why it was kept or dropped. */
  pValues: number[];
  why: string[];
}

/**
 * Decides which confirmed candidate (if any) becomes the new incumbent. Significant winners (Holm-adjusted
 * one-sided p ≤ alpha, more fixed than broken) first, the one with the largest net gain (then the cheaper);
 * otherwise a tie that is cheaper per call and not significantly worse.
 */
export function decide(cands: readonly Candidate[], alpha: number): Verdict {
  const better = holm(cands.map((c) => oneSidedP(c.validation.fixed.length, c.validation.broken.length)));
  const worse = holm(cands.map((c) => oneSidedP(c.validation.broken.length, c.validation.fixed.length)));
  const net = (c: Candidate) => c.validation.fixed.length - c.validation.broken.length;
  let kept = -1;
  cands.forEach((c, i) => {
    if (!(better[i] <= alpha && net(c) > 0)) return;
    if (kept < 0 || net(c) > net(cands[kept]) || (net(c) === net(cands[kept]) && c.costPerCall < cands[kept].costPerCall)) kept = i;
  });
  let tie = false;
  if (kept < 0) {
    cands.forEach((c, i) => {
      if (worse[i] > alpha && c.costPerCall < c.incumbentCostPerCall && (kept < 0 || c.costPerCall < cands[kept].costPerCall)) kept = i;
    });
    tie = kept >= 0;
  }
  const why = cands.map((c, i) => {
    const v = c.validation;
    const base = `${c.label} fixed ${v.fixed.length} and broke ${v.broken.length} of ${v.shared} validation cases`;
    if (i === kept && !tie) return `${base}, ${formatP(better[i])}${cands.length > 1 ? ` (Holm, ${cands.length} confirmed)` : ''}: kept`;
    if (i === kept) return `${base}, not significantly worse (${formatP(worse[i])}) and cheaper per call: kept`;
    if (better[i] <= alpha && net(c) > 0) return `${base}, ${formatP(better[i])}: significant, but ${cands[kept].label} gained more: dropped`;
    return `${base}, ${formatP(better[i])}${net(c) > 0 ? ` > ${alpha}` : ''}: dropped`;
  });
  return { kept, pValues: cands.map((_, i) => (i === kept && tie ? worse[i] : better[i])), why };
}
