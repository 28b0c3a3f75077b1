// Reranking of retrieved candidates before topK (retrieval.rerank). The first search casts a wide net
// (topK × 3 candidates, at least 10); the reranker orders them by how well they answer the query and topK keeps
// the best. Two rerankers:
//   lexical — offline: the share of the query's distinct terms a passage covers, then its adjacent-term
//             (bigram) matches; ties keep the search order. Unlike BM25 it does not reward repeating a term.
//   llm     — one call per query through the judge model with every candidate in it (batched; the engine's
//             response cache keeps the reply), asked for a JSON ranking; an unusable reply falls back to lexical.

import * as z from 'zod';
import type { ChatMessage, RerankMode } from '../prompt/spec';
import { parseJudgeJson } from '../analysis/prompts';
import { tokenizeForSearch } from '../text/bm25';

export const RERANK_MIN_CANDIDATES = 10;

/** How many candidates the first search keeps for a reranker that will keep `topK`. */
export function rerankPool(topK: number): number {
  return Math.max(RERANK_MIN_CANDIDATES, topK * 3);
}

export interface RerankOutcome {
  /** Candidate positions (0-based, into the given list), best first. */
  order: number[];
  /** The reranker that produced the order ('lexical' when the LLM reply was unusable). */
  used: RerankMode;
}

export async function rerank(
  query: string,
  passages: string[],
  mode: RerankMode,
  complete?: (msgs: ChatMessage[]) => Promise<string>,
): Promise<RerankOutcome> {
  if (passages.length <= 1) return { order: passages.map((_, i) => i), used: mode };
  if (mode === 'llm' && complete) {
    try {
      const reply = parseJudgeJson(await complete(rerankPrompt(query, passages)), RerankReplySchema);
      return { order: completeOrder(reply.ranking.map((n) => n - 1), passages.length), used: 'llm' };
    } catch {
      // an unusable reply: fall through to the offline reranker
    }
  }
  return { order: lexicalOrder(query, passages), used: 'lexical' };
}

/** Query-term coverage first, then bigram matches; stable for ties. */
export function lexicalOrder(query: string, passages: string[]): number[] {
  const q = tokenizeForSearch(query);
  const terms = new Set(q);
  const bigrams = new Set(q.slice(1).map((t, i) => `${q[i]} ${t}`));
  const scored = passages.map((p, i) => {
    const toks = tokenizeForSearch(p);
    const set = new Set(toks);
    let covered = 0;
    for (const t of terms) if (set.has(t)) covered++;
    let pairs = 0;
    for (let j = 1; j < toks.length; j++) if (bigrams.has(`${toks[j - 1]} ${toks[j]}`)) pairs++;
    return { i, coverage: terms.size ? covered / terms.size : 0, pairs };
  });
  scored.sort((a, b) => b.coverage - a.coverage || b.pairs - a.pairs || a.i - b.i);
  return scored.map((s) => s.i);
}

export const RerankReplySchema = z.object({ ranking: z.array(z.number().int()).min(1) });

export function rerankPrompt(query: string, passages: string[]): ChatMessage[] {
  const list = passages.map((p, i) => `[${i + 1}] ${p.replace(/\s+/g, ' ').trim()}`).join('\n');
  return [
    {
      role: 'system',
      content:
        'You rank passages by how useful each is for answering the question: the passage that holds the answer first, ' +
        'irrelevant ones last. Reply with JSON only, no prose. Shape: {"ranking": [3, 1, 2]} (passage numbers, best first).',
    },
    { role: 'user', content: `Question: ${query}\n\nPassages:\n${list}` },
  ];
}

/** The judge's ranking (possibly partial, with repeats or out-of-range numbers) made into a full order. */
function completeOrder(ranking: number[], n: number): number[] {
  const seen = new Set<number>();
  const out: number[] = [];
  for (const i of ranking) {
    if (i < 0 || i >= n || seen.has(i)) continue;
    seen.add(i);
    out.push(i);
  }
  for (let i = 0; i < n; i++) if (!seen.has(i)) out.push(i);
  return out;
}
