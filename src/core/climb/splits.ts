// The seeded, stratified split of an eval set into a search part (moves are tried and ranked there), a
// validation part (a move proves itself there before it is kept) and, from TEST_MIN_CASES cases on, a test part
// that no decision looks at and that gives the final figure. Cases are grouped by the baseline's outcome
// (pass, failure category, error) and each group is shuffled with the seed and dealt to the parts in
// proportion, so every part sees the same kinds of failures.

import { seededRandom } from '../render/examples';

/** Below this many cases a climb would decide on noise: the first move is `evaluation` (grow the eval set). */
export const MIN_CLIMB_CASES = 24;
/** From this many cases on, a test part is held out. */
export const TEST_MIN_CASES = 60;

export interface Split {
  seed: number;
  search: number[];
  validation: number[];
  test: number[];
}

/** Shares of search / validation / test: 40/30/30 with a test part, else 50/50. */
export function shares(n: number): [number, number, number] {
  return n >= TEST_MIN_CASES ? [0.4, 0.3, 0.3] : [0.5, 0.5, 0];
}

/** The seeded generator of example selection (mulberry32): the same seed gives the same split on every machine. */
export { seededRandom };

function shuffle<T>(items: T[], rand: () => number): T[] {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * Splits case indexes by stratum (`strata`: case index → its baseline outcome, e.g. 'pass', 'fail:knowledge').
 * Within each stratum (in a fixed order) the shuffled cases go to the part furthest below its share so far,
 * so the parts keep their shares overall and within every stratum.
 */
export function splitCases(strata: ReadonlyMap<number, string>, seed: number): Split {
  const n = strata.size;
  const want = shares(n);
  const rand = seededRandom(seed);
  const groups = new Map<string, number[]>();
  for (const [index, key] of [...strata].sort((a, b) => a[0] - b[0])) {
    const g = groups.get(key);
    if (g) g.push(index);
    else groups.set(key, [index]);
  }
  const parts: number[][] = [[], [], []];
  let dealt = 0;
  for (const key of [...groups.keys()].sort()) {
    for (const index of shuffle(groups.get(key)!, rand)) {
      dealt++;
      // the part whose size lags its share of the cases dealt so far by the most
      let best = 0;
      let lag = -Infinity;
      for (let p = 0; p < 3; p++) {
        if (want[p] === 0) continue;
        const l = want[p] * dealt - parts[p].length;
        if (l > lag) [best, lag] = [p, l];
      }
      parts[best].push(index);
    }
  }
  const sorted = parts.map((p) => p.sort((a, b) => a - b));
  return { seed, search: sorted[0], validation: sorted[1], test: sorted[2] };
}
