// How a set of variants moved a failure group against the baseline, on the same cases, in numbers and words.
// The one place that decides whether a difference is evidence or noise: a paired sign test per variant, the
// best variant's p corrected for having been picked out of several (Bonferroni), unless the failures fall
// steadily across three or more shot counts (a trend is evidence; one best variant out of several is not).

import type { Group, PairSignals, RunSignals, TrendPoint, VariantSignals } from './signals';
import { plural, verb } from '../../text/plural';
import { formatP } from './stats';
import { EVIDENCE_P, TREND_P, failuresText, groupLabel } from './rule';

export type MovementKind = 'none' | 'cleared' | 'reduced' | 'noise' | 'not-moved' | 'no-variant';

export interface Movement {
  kind: MovementKind;
  variant?: VariantSignals;
  pair?: PairSignals;
  /** The p the decision used (corrected for multiplicity, or the trend's). */
  p?: number;
  trendBacked: boolean;
  trend: TrendPoint[];
  /** Failures of the group in the baseline and in the chosen variant, on their shared cases. */
  before: number;
  after: number;
  sentence: string;
}

/**
 * `claim` completes "not evidence that …" (e.g. "examples teach the format"). `useTrend`: the candidates are
 * few-shot variants of one model, so a steady fall across shot counts counts.
 */
export function movement(s: RunSignals, group: Group, candidates: VariantSignals[], claim: string, useTrend = false): Movement {
  const base = s.baseline;
  const label = groupLabel(s, group);
  const trend = useTrend ? s.trend(group) : [];
  if (!base) return { kind: 'no-variant', trendBacked: false, trend, before: 0, after: 0, sentence: '' };
  const baseCount = s.count(base, group);
  const usable = candidates.filter((v) => v !== base && v.judged > 0);
  if (!usable.length) return { kind: 'no-variant', trendBacked: false, trend, before: baseCount, after: baseCount, sentence: '' };
  if (baseCount === 0) return { kind: 'none', trendBacked: false, trend, before: 0, after: 0, sentence: '' };

  const scored = usable.map((v) => ({ v, pair: s.pair(base, v, group) }));
  scored.sort((x, y) => y.pair.fixed.length - y.pair.broken.length - (x.pair.fixed.length - x.pair.broken.length) || x.pair.p - y.pair.p);
  const { v, pair } = scored[0];
  const net = pair.fixed.length - pair.broken.length;
  const k = usable.length;
  const trendBacked = useTrend && isSteadyFall(trend);
  const p = trendBacked ? Math.min(pair.p, trendP(s, base, trend, group)) : Math.min(1, pair.p * k);
  const real = net > 0 && (p <= EVIDENCE_P || (trendBacked && p <= TREND_P));
  const arrow = `${pair.before} → ${pair.after} of ${pair.shared}`;
  const corrected = !trendBacked && k > 1 ? `; best of ${k} variants, so p is corrected ×${k}` : '';
  const trendWords = trend.length >= 3 ? ` Across shot counts the ${label} failures go ${trend.map((t) => t.failures).join(', ')} (${trend.map((t) => t.shots).join(', ')} shots)${trendBacked ? ': a steady fall, which is evidence' : ''}.` : '';

  if (real && pair.after === 0) {
    return {
      kind: 'cleared', variant: v, pair, p, trendBacked, trend, before: pair.before, after: 0,
      sentence: `${v.name} clears all ${failuresText(pair.before, label)} of ${base.name} (${arrow}, ${formatP(p)}${corrected}).${trendWords}`,
    };
  }
  if (real) {
    return {
      kind: 'reduced', variant: v, pair, p, trendBacked, trend, before: pair.before, after: pair.after,
      sentence:
        `${v.name} fixes ${pair.fixed.length} of ${base.name}'s ${failuresText(pair.before, label)} and breaks ${pair.broken.length} ` +
        `on the same cases (${arrow}, ${formatP(p)}${corrected}), but ${pair.after} ${verb(pair.after, 'remains', 'remain')}.${trendWords}`,
    };
  }
  if (net > 0) {
    return {
      kind: 'noise', variant: v, pair, p, trendBacked, trend, before: pair.before, after: pair.after,
      sentence: `${arrow} in ${v.name} is within noise (${formatP(p)}${corrected}): not evidence that ${claim}.${trendWords}`,
    };
  }
  return {
    kind: 'not-moved', variant: v, pair, p, trendBacked, trend, before: pair.before, after: pair.after,
    sentence:
      `${v.name} has ${failuresText(pair.after, label)} against ${pair.before} in ${base.name} on the same ${plural(pair.shared, 'case')} ` +
      `(fixes ${pair.fixed.length}, breaks ${pair.broken.length}): no sign that ${claim}.${trendWords}`,
  };
}

/** Three or more points, never rising, and lower at the end by at least two cases' worth. */
function isSteadyFall(trend: TrendPoint[]): boolean {
  if (trend.length < 3) return false;
  for (let i = 1; i < trend.length; i++) if (trend[i].rate > trend[i - 1].rate + 1e-9) return false;
  const first = trend[0];
  const last = trend[trend.length - 1];
  return first.failures - last.failures >= 2;
}

/** The sign test of the baseline against the variant with the most shots (the end of the trend). */
function trendP(s: RunSignals, base: VariantSignals, trend: TrendPoint[], group: Group): number {
  const last = s.variant(trend[trend.length - 1].variant);
  return last ? s.pair(base, last, group).p : 1;
}
