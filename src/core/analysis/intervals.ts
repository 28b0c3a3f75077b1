// 95 % intervals for pass rates and their changes, and the exact paired test the CI gate decides with.
//
// A pass rate's interval is the Wilson score interval. With --repeat a case's repeats are not independent of
// each other (same input, same model), so the unit is the case: n = cases, k = the sum of their pass shares.
// A change between two runs gets Newcombe's square-and-add interval from the two Wilson intervals; it ignores
// the pairing of the cases and is therefore a little wider than an exact paired interval would be.
// The paired test is an exact sign-flip permutation test on the per-case changes of the pass share: without
// repeats every change is -1, 0 or +1 and the test is the exact McNemar (sign) test on fixed and broken cases.

import { signTestP, wilson } from './advisor/stats';

export type Interval = [number, number];

/** 95 % Wilson interval of k passes out of n units (k may be fractional: a sum of per-case pass shares). */
export function passRateInterval(k: number, n: number): Interval {
  const [lo, hi] = wilson(k, n);
  return [round4(lo), round4(hi)];
}

/** 95 % interval of the per-case pass shares' mean (cases as the unit; see the header). */
export function sharesInterval(shares: readonly number[]): Interval {
  return passRateInterval(
    shares.reduce((s, x) => s + x, 0),
    shares.length,
  );
}

/** Newcombe's square-and-add 95 % interval of `head - base`, from each side's rate and Wilson interval. */
export function changeInterval(base: { rate: number; ci: Interval }, head: { rate: number; ci: Interval }): Interval {
  const d = head.rate - base.rate;
  const lo = d - Math.sqrt((head.rate - head.ci[0]) ** 2 + (base.ci[1] - base.rate) ** 2);
  const hi = d + Math.sqrt((head.ci[1] - head.rate) ** 2 + (base.rate - base.ci[0]) ** 2);
  return [round4(Math.max(-1, lo)), round4(Math.min(1, hi))];
}

/** Sums of |change| above this many units use the sign test on the counts instead of the full distribution. */
const MAX_PERMUTATION_UNITS = 2_000_000;

/**
 * Exact two-sided paired test of per-case pass shares (base → head on the same cases). Each change is made an
 * integer on a common grid (the least common multiple of the repeat counts' products); under "no difference"
 * each nonzero change is as likely positive as negative, so the p-value is the share of the 2^m sign flips
 * whose sum is at least as far from 0 as the one observed, computed exactly by convolution.
 */
export function pairedSharesP(pairs: readonly { base: number; head: number; baseN: number; headN: number }[]): number {
  let grid = 1;
  for (const p of pairs) grid = lcm(grid, p.baseN * p.headN);
  const steps: number[] = [];
  let units = 0;
  let improved = 0;
  let regressed = 0;
  for (const p of pairs) {
    const d = Math.round((p.head - p.base) * grid);
    if (d === 0) continue;
    if (d > 0) improved++;
    else regressed++;
    steps.push(d);
    units += Math.abs(d);
  }
  if (steps.length === 0) return 1;
  if (!Number.isSafeInteger(grid) || units > MAX_PERMUTATION_UNITS || units * steps.length > 50 * MAX_PERMUTATION_UNITS) {
    return signTestP(improved, regressed);
  }
  const observed = Math.abs(steps.reduce((s, d) => s + d, 0));
  // dist[s + units]: probability that the flipped sum is s
  let dist = new Float64Array(2 * units + 1);
  dist[units] = 1;
  let reach = 0;
  for (const d of steps) {
    const a = Math.abs(d);
    const next = new Float64Array(dist.length);
    for (let s = -reach; s <= reach; s++) {
      const q = dist[s + units];
      if (q === 0) continue;
      next[s + a + units] += q / 2;
      next[s - a + units] += q / 2;
    }
    reach += a;
    dist = next;
  }
  let p = 0;
  for (let s = -units; s <= units; s++) if (Math.abs(s) >= observed) p += dist[s + units];
  return Math.min(1, p);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}

/** "72–91 %" (whole percentage points; one decimal when the interval is narrower than two points). */
export function formatInterval(ci: Interval): string {
  const digits = ci[1] - ci[0] < 0.02 ? 1 : 0;
  return `${(ci[0] * 100).toFixed(digits)}–${(ci[1] * 100).toFixed(digits)} %`;
}

/** "+5.0 pts [-2.1, +12.3]": a change of pass rate in percentage points with its interval. */
export function formatChange(delta: number, ci?: Interval): string {
  const pts = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}`;
  return `${pts(delta)} pts${ci ? ` [${pts(ci[0])}, ${pts(ci[1])}]` : ''}`;
}

/** A variant summary's 95 % interval: the record's own, else (records written before it was kept) from the counts. */
export function variantInterval(v: { passRateInterval?: [number, number]; passed: number; failed: number; errors: number }): Interval {
  return v.passRateInterval ?? passRateInterval(v.passed, v.passed + v.failed + v.errors);
}
