// A run against its baseline, per variant and case, for the CI gate: which shared cases improved, regressed or
// stayed the same, the pass-rate change on the shared cases with its 95 % interval, and the exact paired test.
// Shared cases are those matched with unchanged variables (compare.ts: by index or by equal vars elsewhere);
// a case whose variables were edited, added or removed exists on one side only: it is listed, never counted.
// A result that errored counts as not passed, as everywhere (FORMATS.md §3).

import type { CaseRecord, RunRecord } from '../runs/schema';
import { matchCases } from './compare';
import { changeInterval, pairedSharesP, sharesInterval, type Interval } from './intervals';

/** The tag that marks a case whose regression fails the CI gate whatever the statistics say. */
export const MUST_PASS_TAG = 'must-pass';

export interface CaseSide {
  /** Share of the variant's results in the case that passed (0..1; more than two values with --repeat). */
  share: number;
  results: number;
  errors: number;
  /** The first result's reply (or error), for reports. */
  output: string;
}

export interface CaseChange {
  /** Case index in the head run. */
  index: number;
  line: number;
  file?: string;
  vars: Record<string, unknown>;
  mustPass: boolean;
  base: CaseSide;
  head: CaseSide;
}

export interface OneSideCase {
  index: number;
  line: number;
  file?: string;
  vars: Record<string, unknown>;
  mustPass: boolean;
  side: 'head' | 'base';
  /** The head case's pass share, when the case is new. */
  share?: number;
}

export interface VariantBaseline {
  variant: string;
  /** Shared cases (both runs have results for this variant). */
  shared: number;
  improved: CaseChange[];
  regressed: CaseChange[];
  unchanged: number;
  /** Pass rates over the shared cases, with their 95 % intervals. */
  basePassRate: number;
  basePassRateInterval: Interval;
  headPassRate: number;
  headPassRateInterval: Interval;
  /** head − base on the shared cases, with its 95 % interval. */
  change: number;
  changeInterval: Interval;
  /** Exact paired test of the per-case pass shares (1 when nothing changed). */
  p: number;
  /** Cases with results on one side only (new, removed, or with edited variables). */
  onlyHead: OneSideCase[];
  onlyBase: OneSideCase[];
  /** Errored results in the head run's shared cases. */
  headErrors: number;
}

export interface BaselineComparison {
  baseId: string;
  headId: string;
  variants: VariantBaseline[];
  /** Variants that exist in one run only (listed, not compared). */
  onlyHeadVariants: string[];
  onlyBaseVariants: string[];
}

function side(c: CaseRecord, variant: string): CaseSide | undefined {
  const rs = c.results.filter((r) => r.variant === variant);
  if (rs.length === 0) return undefined;
  const passed = rs.filter((r) => r.passed && !r.error).length;
  return { share: passed / rs.length, results: rs.length, errors: rs.filter((r) => r.error).length, output: rs[0].error ?? rs[0].output };
}

const isMustPass = (c: CaseRecord | undefined): boolean => Boolean(c?.tags?.includes(MUST_PASS_TAG));

const where = (c: CaseRecord) => ({ index: c.index, line: c.line, ...(c.file ? { file: c.file } : {}), vars: c.vars });

/** Cases matched on their variables without `tags` (tagging a case must-pass does not make it another case). */
function matchIgnoringTags(base: CaseRecord[], head: CaseRecord[]): { base?: CaseRecord; head?: CaseRecord; matchedBy?: string }[] {
  const originals = new Map<CaseRecord, CaseRecord>();
  const strip = (cs: CaseRecord[]) =>
    cs.map((c) => {
      const { tags: _tags, ...vars } = c.vars;
      const copy = { ...c, vars };
      originals.set(copy, c);
      return copy;
    });
  return matchCases(strip(base), strip(head)).map((p) => ({
    ...(p.base ? { base: originals.get(p.base) } : {}),
    ...(p.head ? { head: originals.get(p.head) } : {}),
    ...(p.matchedBy ? { matchedBy: p.matchedBy } : {}),
  }));
}

export function compareToBaseline(base: RunRecord, head: RunRecord): BaselineComparison {
  const pairs = matchIgnoringTags(base.cases, head.cases);
  const baseNames = new Set(base.variants.map((v) => v.name));
  const headNames = head.variants.map((v) => v.name);
  const variants: VariantBaseline[] = [];
  for (const variant of headNames.filter((n) => baseNames.has(n))) {
    const improved: CaseChange[] = [];
    const regressed: CaseChange[] = [];
    const onlyHead: OneSideCase[] = [];
    const onlyBase: OneSideCase[] = [];
    const shares: { base: number; head: number; baseN: number; headN: number }[] = [];
    let headErrors = 0;
    for (const pair of pairs) {
      const b = pair.base && pair.matchedBy !== 'index-edited' ? side(pair.base, variant) : undefined;
      const h = pair.head && pair.matchedBy !== 'index-edited' ? side(pair.head, variant) : undefined;
      if (b && h) {
        const c = pair.head!;
        shares.push({ base: b.share, head: h.share, baseN: b.results, headN: h.results });
        headErrors += h.errors;
        const change: CaseChange = { ...where(c), mustPass: isMustPass(c) || isMustPass(pair.base), base: b, head: h };
        if (h.share > b.share + 1e-9) improved.push(change);
        else if (h.share < b.share - 1e-9) regressed.push(change);
        continue;
      }
      const hs = pair.head ? side(pair.head, variant) : undefined;
      if (pair.head && hs) onlyHead.push({ ...where(pair.head), mustPass: isMustPass(pair.head), side: 'head', share: hs.share });
      if (pair.base && side(pair.base, variant)) onlyBase.push({ ...where(pair.base), mustPass: isMustPass(pair.base), side: 'base' });
    }
    const baseCi = sharesInterval(shares.map((s) => s.base));
    const headCi = sharesInterval(shares.map((s) => s.head));
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, x) => a + x, 0) / xs.length : 0);
    const baseRate = mean(shares.map((s) => s.base));
    const headRate = mean(shares.map((s) => s.head));
    variants.push({
      variant,
      shared: shares.length,
      improved,
      regressed,
      unchanged: shares.length - improved.length - regressed.length,
      basePassRate: baseRate,
      basePassRateInterval: baseCi,
      headPassRate: headRate,
      headPassRateInterval: headCi,
      change: headRate - baseRate,
      changeInterval: shares.length ? changeInterval({ rate: baseRate, ci: baseCi }, { rate: headRate, ci: headCi }) : [-1, 1],
      p: pairedSharesP(shares),
      onlyHead,
      onlyBase,
      headErrors,
    });
  }
  return {
    baseId: base.id,
    headId: head.id,
    variants,
    onlyHeadVariants: headNames.filter((n) => !baseNames.has(n)),
    onlyBaseVariants: [...baseNames].filter((n) => !headNames.includes(n)),
  };
}
