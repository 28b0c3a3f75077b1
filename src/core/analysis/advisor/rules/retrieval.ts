// Retrieval failures: the context was there but lacked what the answer needs (context recall), or buried it
// among irrelevant passages (context precision) → rag with retrieval actions, each one a variant to try.

import type { AdviseContext, Finding, Rule } from '../rule';
import type { RunSignals } from '../signals';
import { groupFinding } from '../rule';
import { retrievalActions } from './retrievalActions';
import { topKComparison } from './topK';

export const meta = {
  id: 'retrieval',
  description: 'Context present but incomplete or noisy: the retrieval, not the model, is the bottleneck.',
  kinds: ['rag'],
} satisfies Rule['meta'];

export function check(s: RunSignals, ctx: AdviseContext): Finding[] {
  const all = s.variants.reduce((n, v) => n + s.count(v, 'retrieval'), 0);
  if (all === 0) return [];
  const worst = s.variants.reduce((a, b) => (s.count(b, 'retrieval') > s.count(a, 'retrieval') ? b : a));
  const { recall, precision } = ragasFailures(s, ctx);
  const noisy = precision > 0 && recall === 0;
  const rag = s.best?.role === 'rag' ? s.best : worst;
  const fewer = topKComparison(s);
  return [
    groupFinding(s, {
      rule: meta.id,
      group: 'retrieval',
      kind: 'rag',
      prior: 0.8,
      title: noisy ? 'The useful passages are buried among irrelevant ones: rerank and keep fewer chunks' : 'The context lacks what the answers need: improve retrieval',
      why:
        (noisy
          ? `${all} failures had context where the useful passages are missing or ranked low (context precision). More retrieved text is not better: rerank the candidates and keep fewer of them.`
          : `${s.count(rag, 'retrieval')} answers in ${rag.name} had context that did not contain the needed information. ` +
            'The model is not the bottleneck here; the retrieval is. Try chunk sizes, reranking, HyDE and query expansion as variants and keep what fixes them.') +
        (fewer ? ` ${fewer.sentence}` : ''),
      actions: retrievalActions(s, ctx, { rerankFirst: noisy }),
      extra: { ragVariant: rag.name, worstVariant: worst.name, contextRecallFailures: recall, contextPrecisionFailures: precision },
    }),
  ];
}

/** Failing results whose context-recall / context-precision evaluator failed. */
function ragasFailures(s: RunSignals, ctx: AdviseContext): { recall: number; precision: number } {
  const kinds = new Map<string, string>();
  for (const e of ctx.spec?.evaluators ?? []) kinds.set(e.name, e.kind);
  const kindOf = (name: string) => kinds.get(name) ?? (/recall/i.test(name) ? 'context-recall' : /precision/i.test(name) ? 'context-precision' : '');
  let recall = 0;
  let precision = 0;
  for (const c of s.record.cases) {
    for (const r of c.results) {
      if (r.error || r.passed) continue;
      const failed = r.evaluators.filter((e) => !e.passed).map((e) => kindOf(e.name));
      if (failed.includes('context-recall')) recall++;
      if (failed.includes('context-precision')) precision++;
    }
  }
  return { recall, precision };
}

export const rule: Rule = { meta, check };
