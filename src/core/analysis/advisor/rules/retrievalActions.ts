// The retrieval actions rules offer: each adds variants that override the prompt's `retrieval` settings (a
// chunk-size sweep, reranking, HyDE, query expansion, a larger topK) and re-runs, so they sit side by side.

import type { RunSignals } from '../signals';
import { retrievalVariantAction } from '../commands';
import type { AdviseContext } from '../rule';
import { topKComparison } from './topK';

export function retrievalActions(s: RunSignals, ctx: AdviseContext, opts: { rerankFirst?: boolean } = {}): string[] {
  const r = ctx.spec?.retrieval;
  // when more chunks did worse, the next variants start from the better (smaller topK) one, reranked first
  const fewer = topKComparison(s);
  const base = fewer?.better.name ?? (s.best?.role === 'rag' ? s.best : s.byRole('rag')[0])?.name;
  const size = r?.chunk.size ?? 800;
  const overlap = r?.chunk.overlap ?? 100;
  const topK = fewer?.betterTopK ?? r?.topK ?? 4;
  const sizes = [...new Set([Math.max(100, Math.round(size / 2)), Math.max(50, Math.round(size / 4)), size * 2])].filter((x) => x !== size);
  const sweep = retrievalVariantAction(`Try chunk sizes ${sizes.join(', ')} as variants`, {
    ...(base ? { base } : {}),
    variants: sizes.map((sz) => ({ name: `rag-chunk-${sz}`, retrieval: { chunk: { size: sz, overlap: Math.min(Math.round(overlap * (sz / size)), sz - 1) } } })),
  });
  const rerank = retrievalVariantAction('Add a reranked variant (LLM reranker through the judge model; lexical offline)', {
    ...(base ? { base } : {}),
    variants: [{ name: 'rag-rerank', retrieval: { rerank: 'llm', topK } }],
  });
  const hyde = retrievalVariantAction('Add a HyDE variant (search with a hypothetical answer)', {
    ...(base ? { base } : {}),
    variants: [{ name: 'rag-hyde', retrieval: { query: 'hyde' } }],
  });
  const expand = retrievalVariantAction('Add a query-expansion variant (several queries, merged)', {
    ...(base ? { base } : {}),
    variants: [{ name: 'rag-expand', retrieval: { query: 'expand' } }],
  });
  const more = retrievalVariantAction(`Add a variant with topK ${topK * 2}`, { ...(base ? { base } : {}), variants: [{ name: `rag-top${topK * 2}`, retrieval: { topK: topK * 2 } }] });
  const list = fewer || opts.rerankFirst ? [rerank, sweep, hyde, expand] : [sweep, rerank, hyde, expand, more];
  return [...list, 'Check that the documents actually contain the needed facts'];
}
