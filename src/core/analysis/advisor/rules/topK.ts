// More chunks, worse answers: among retrieval variants that differ only in how many chunks they keep (topK),
// the one with more passes fewer cases. Then "retrieve more" is the wrong way; the advice is fewer chunks and
// reranking from the better variant. Used by the retrieval actions and by the rules that talk about retrieval.

import type { PromptSpec } from '../../../prompt/spec';
import type { RunSignals, VariantSignals } from '../signals';
import { pctOf } from '../rule';
import { formatP } from '../stats';

export interface TopKComparison {
  better: VariantSignals;
  worse: VariantSignals;
  betterTopK: number;
  worseTopK: number;
  p: number;
  sentence: string;
}

function topKOf(spec: PromptSpec | undefined, name: string): number | undefined {
  const v = spec?.variants.find((x) => x.name === name);
  if (!v?.retrieval) return undefined;
  const own = typeof v.retrieval === 'object' ? v.retrieval.topK : undefined;
  return own ?? spec?.retrieval?.topK;
}

/** The clearest case of a larger topK passing fewer cases than a smaller one (paired), if the run has one. */
export function topKComparison(s: RunSignals): TopKComparison | undefined {
  // every variant that retrieves, the baseline included (a run of retrieval variants only has one as baseline)
  const rags = s.variants
    .filter((v) => v.retrieval)
    .map((v) => ({ v, k: topKOf(s.spec, v.name) }))
    .filter((x): x is { v: VariantSignals; k: number } => x.k !== undefined && x.v.judged > 0);
  let found: TopKComparison | undefined;
  for (const small of rags) {
    for (const big of rags) {
      if (big.k <= small.k || big.v.passed >= small.v.passed) continue;
      const pair = s.pair(big.v, small.v);
      if (pair.fixed.length <= pair.broken.length) continue;
      if (found && small.v.passed - big.v.passed <= found.better.passed - found.worse.passed) continue;
      found = {
        better: small.v,
        worse: big.v,
        betterTopK: small.k,
        worseTopK: big.k,
        p: pair.p,
        sentence:
          `${big.v.name} (topK ${big.k}) passes ${pctOf(big.v.passRate)} against ${pctOf(small.v.passRate)} for ${small.v.name} (topK ${small.k}); ` +
          `${small.v.name} passes ${pair.fixed.length} cases ${big.v.name} fails and the reverse holds for ${pair.broken.length} (${formatP(pair.p)}): ` +
          `more chunks bury the useful passage. Keep fewer chunks and rerank from ${small.v.name}.`,
      };
    }
  }
  return found;
}
