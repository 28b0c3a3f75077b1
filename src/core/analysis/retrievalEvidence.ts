// Retrieval confirms a guessed `knowledge` category: when a variant with retrieval passes most of the cases the
// baseline failed on guessed knowledge (and the paired difference is not noise), the missing facts were the
// cause, so those failures keep their category with basis `variant` and a reason naming the retrieval variant.
// Only the results of cases the retrieval variant passes are confirmed; the rest stay guesses.

import type { CaseRecord, RunRecord } from '../runs/schema';
import { plural } from '../text/plural';
import type { RunSignals, VariantSignals } from './advisor/signals';
import { signTestP } from './advisor/stats';

/** Significance a retrieval variant's fix needs before it confirms the guessed category. */
const CONFIRM_P = 0.1;

/** The retrieval variant that fixes the most of `guessed` (at least half, paired p ≤ 0.1), if any. */
function backingRetrieval(base: VariantSignals, rag: VariantSignals[], guessed: number[]): { v: VariantSignals; fixed: number } | undefined {
  let best: { v: VariantSignals; fixed: number } | undefined;
  for (const v of rag) {
    const fixed = guessed.filter((i) => v.outcomes.get(i)?.kind === 'pass').length;
    const broken = [...base.outcomes].filter(([i, o]) => o.kind === 'pass' && v.outcomes.get(i)?.kind === 'fail').length;
    if (fixed * 2 >= guessed.length && signTestP(fixed, broken) <= CONFIRM_P && (!best || fixed > best.fixed)) best = { v, fixed };
  }
  return best;
}

/**
 * Marks guessed knowledge failures that a retrieval variant fixes as confirmed (basis `variant`). Returns the
 * number of results changed and their cases, so a streamed run can write those cases again.
 */
export function confirmKnowledgeByRetrieval(record: RunRecord, s: RunSignals): { results: number; cases: Set<CaseRecord> } {
  const changed = { results: 0, cases: new Set<CaseRecord>() };
  const base = s.baseline;
  if (!base || base.retrieval) return changed;
  const guessed = [...base.outcomes].filter(([, o]) => o.kind === 'fail' && o.category === 'knowledge' && o.basis === 'guess').map(([i]) => i);
  if (guessed.length < 2) return changed;
  const backing = backingRetrieval(base, s.byRole('rag'), guessed);
  if (!backing) return changed;
  const reason = `confirmed by ${backing.v.name}: with retrieved context it passes ${backing.fixed} of the ${plural(guessed.length, 'case')} ${base.name} failed, so the facts were missing (knowledge)`;
  const ragName = backing.v.name;
  for (const c of record.cases) {
    if (backing.v.outcomes.get(c.index)?.kind !== 'pass') continue;
    for (const r of c.results) {
      if (r.variant === ragName || r.error || r.passed || r.category !== 'knowledge' || r.categoryBasis !== 'guess') continue;
      r.categoryBasis = 'variant';
      r.categoryReason = reason;
      changed.results++;
      changed.cases.add(c);
    }
  }
  return changed;
}
