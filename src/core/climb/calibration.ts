// The advisor's calibration, with climbs as ground truth: in each step the advisor's top recommendation has a
// stated confidence, and the climb records whether a move that follows it was kept on held-out evidence. Over
// many steps, a recommendation stated at 80 % should be kept about 80 % of the time.

import type { ClimbRecord } from './record';

export interface CalibrationRow {
  /** Stated confidence band, e.g. '70–79 %'. */
  band: string;
  /** Mean stated confidence of the recommendations in the band. */
  stated: number;
  /** Top recommendations followed (a move that follows it was tried) and of them kept. */
  followed: number;
  kept: number;
}

function bandOf(confidence: number): { lo: number; label: string } {
  const lo = Math.min(90, Math.floor(confidence * 10) * 10);
  return { lo, label: lo === 90 ? '90–100 %' : `${lo}–${lo + 9} %` };
}

/** Stated confidence against share kept, by band of ten points, over the finished steps of the records. */
export function calibration(records: readonly Pick<ClimbRecord, 'rounds'>[]): CalibrationRow[] {
  const bands = new Map<number, CalibrationRow & { sum: number }>();
  for (const r of records) {
    for (const round of r.rounds) {
      if (!round.done || !round.top || round.topKept === null) continue;
      const { lo, label } = bandOf(round.top.confidence);
      const row = bands.get(lo) ?? { band: label, stated: 0, followed: 0, kept: 0, sum: 0 };
      row.followed++;
      row.sum += round.top.confidence;
      if (round.topKept) row.kept++;
      bands.set(lo, row);
    }
  }
  return [...bands.entries()].sort(([a], [b]) => a - b).map(([, { sum, ...row }]) => ({ ...row, stated: sum / row.followed }));
}

/** The table as Markdown: band, mean stated confidence, followed, kept, share kept. */
export function calibrationMarkdown(rows: readonly CalibrationRow[]): string {
  const lines = ['| stated confidence | mean stated | followed | kept | share kept |', '| --- | --- | --- | --- | --- |'];
  for (const r of rows) lines.push(`| ${r.band} | ${Math.round(r.stated * 100)} % | ${r.followed} | ${r.kept} | ${Math.round((r.kept / r.followed) * 100)} % |`);
  return lines.join('\n');
}
