// What --repeat N shows per variant: pass^k (the share of cases whose every repeat passed, the chance that k
// independent asks all succeed) and the flaky cases (some repeats passed, some did not).

import type { RunRecord } from '../runs/schema';

export interface RepeatStats {
  variant: string;
  /** Repeats per case (the most any case has). */
  k: number;
  cases: number;
  /** Cases whose every repeat passed, and their share (pass^k). */
  allPassed: number;
  passK: number;
  /** Cases with some repeats passed and some not: index, line and the share that passed. */
  flaky: { index: number; line: number; file?: string; share: number }[];
}

export function repeatStats(record: RunRecord): RepeatStats[] {
  return record.variants.map((v) => {
    let k = 0;
    let cases = 0;
    let allPassed = 0;
    const flaky: RepeatStats['flaky'] = [];
    for (const c of record.cases) {
      const rs = c.results.filter((r) => r.variant === v.name);
      if (rs.length === 0) continue;
      cases++;
      k = Math.max(k, rs.length);
      const passed = rs.filter((r) => r.passed && !r.error).length;
      if (passed === rs.length) allPassed++;
      else if (passed > 0) flaky.push({ index: c.index, line: c.line, ...(c.file ? { file: c.file } : {}), share: passed / rs.length });
    }
    return { variant: v.name, k, cases, allPassed, passK: cases ? allPassed / cases : 0, flaky };
  });
}
