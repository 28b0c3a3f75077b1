// The retriever behind a prompt file's `retrieval` key: loads the documents (by glob, relative to the prompt
// file), chunks them, and searches them per query — BM25 offline by default, embedding cosine when an embed
// function is given (chunk vectors cached on disk). Query modes:
//   input  — search with the query as it is;
//   hyde   — ask the model for a hypothetical answer and search with it (lexical search uses question +
//            hypothetical answer, since BM25 rewards the question's own terms too);
//   expand — ask the model for several rephrasings, search with each and the original, merge the rankings
//            with reciprocal rank fusion (RRF, k = 60).
// Without a `complete` function, hyde and expand fall back to `input` (the `queries` of a result say so).
// A glob that yields no readable text is a user error: buildRetriever rejects with a message naming the
// `retrieval.documents` line, so every RAG cell shows it instead of silently running without context.

import { createHash } from 'node:crypto';
import type { ChatMessage, RerankMode, RetrievalOverride, RetrievalSpec } from '../prompt/spec';
import { rerank, rerankPool } from './rerank';
import { ResponseCache } from '../providers/cache';
import { ExpandReplySchema, expandPrompt, hydePrompt, parseJudgeJson } from '../analysis/prompts';
import { Bm25Index } from '../text/bm25';
import { chunkText } from './chunk';
import { loadDocuments } from './documents';
import { cosine } from '../text/cosine';

export interface RetrievedChunk {
  text: string;
  /** Document path relative to the prompt file's folder. */
  source: string;
  score: number;
}

export interface SearchResult {
  chunks: RetrievedChunk[];
  /** The queries actually searched (the input, the hypothetical answer, or the expansions). */
  queries: string[];
  /** The reranker that ordered the chunks, when retrieval.rerank is set ('lexical' also when the LLM reply was unusable). */
  reranked?: RerankMode;
}

export interface Retriever {
  search(query: string): Promise<SearchResult>;
  /** Number of chunks indexed. */
  readonly size: number;
  /** Documents indexed (relative paths). */
  readonly sources: string[];
  /** Files that matched but could not be read, with the reason. */
  readonly skipped: { source: string; reason: string }[];
  /** 'embeddings' when an embed function was given, else 'bm25'. */
  readonly method: 'bm25' | 'embeddings';
}

export interface RetrieverOptions {
  embed?: (texts: string[]) => Promise<number[][]>;
  complete?: (msgs: ChatMessage[]) => Promise<string>;
  /** Folder of the response cache; chunk embeddings are cached there. */
  cacheDir?: string;
  signal?: AbortSignal;
  /** Identity of the embedding model for cache keys (default: spec.embeddingModel or 'default'). */
  embedModelKey?: string;
  /** Number of expansions for query mode `expand` (default 3). */
  expansions?: number;
}

interface Chunk {
  text: string;
  source: string;
}

export const RRF_K = 60;
const EMBED_BATCH = 64;

export async function buildRetriever(spec: RetrievalSpec, baseDir: string, opts: RetrieverOptions = {}): Promise<Retriever> {
  const { documents, skipped } = await loadDocuments(spec.documents, baseDir);
  const chunks: Chunk[] = [];
  for (const d of documents) for (const text of chunkText(d.text, spec.chunk)) chunks.push({ text, source: d.source });
  if (!chunks.length) {
    const why = skipped.length ? `; skipped ${skipped.map((x) => `${x.source} (${x.reason})`).join(', ')}` : '';
    throw new Error(`retrieval.documents (line ${spec.line}) matched no readable documents: ${spec.documents.join(', ')} relative to the prompt file's folder${why}`);
  }
  const index = new ChunkSearch(spec, chunks, opts);
  // one search per distinct query; a failed one is forgotten so the next asks again
  const memo = new Map<string, Promise<SearchResult>>();
  return {
    search(query: string) {
      let p = memo.get(query);
      if (!p) {
        p = index.search(query);
        memo.set(query, p);
        p.catch(() => memo.delete(query));
      }
      return p;
    },
    size: chunks.length,
    sources: documents.map((d) => d.source),
    skipped,
    method: opts.embed ? 'embeddings' : 'bm25',
  };
}

type Ranked = { index: number; score: number }[];

/** The chunks of one retrieval spec and how to search them: rank (BM25 or embeddings), the query mode, the reranker. */
class ChunkSearch {
  private readonly topK: number;
  private readonly bm25: Bm25Index;
  private readonly cache: ResponseCache | undefined;
  private readonly modelKey: string;
  private chunkVectors: Promise<number[][]> | undefined;

  constructor(
    private readonly spec: RetrievalSpec,
    private readonly chunks: Chunk[],
    private readonly opts: RetrieverOptions,
  ) {
    this.topK = Math.max(1, spec.topK);
    this.bm25 = new Bm25Index(chunks.map((c) => c.text));
    this.cache = opts.cacheDir ? new ResponseCache(opts.cacheDir) : undefined;
    this.modelKey = opts.embedModelKey ?? spec.embeddingModel ?? 'default';
  }

  async search(query: string): Promise<SearchResult> {
    const found = await this.searchByMode(query);
    if (!this.spec.rerank) return found;
    const { order, used } = await rerank(query, found.chunks.map((c) => c.text), this.spec.rerank, this.opts.complete);
    return { ...found, chunks: order.slice(0, this.topK).map((i) => found.chunks[i]), reranked: used };
  }

  /** The query mode: input as is, a hypothetical answer (hyde), or rephrasings merged by RRF (expand). */
  private async searchByMode(query: string): Promise<SearchResult> {
    throwIfAborted(this.opts.signal);
    const complete = this.opts.complete;
    const mode = complete ? this.spec.query : 'input';
    if (mode === 'hyde' && complete) {
      const hypo = (await complete(hydePrompt(query))).trim() || query;
      const ranked = await this.rank(hypo, `${query}\n${hypo}`);
      return { chunks: this.top(ranked), queries: [hypo] };
    }
    if (mode === 'expand' && complete) {
      let extra: string[] = [];
      try {
        extra = parseJudgeJson(await complete(expandPrompt(query, this.opts.expansions ?? 3)), ExpandReplySchema).queries;
      } catch {
        // an unusable expansion reply leaves the original query alone
      }
      const queries = [query, ...extra.map((q) => q.trim()).filter((q) => q && q !== query)];
      const rankings = await Promise.all(queries.map((q) => this.rank(q, q)));
      return { chunks: this.top(reciprocalRankFusion(rankings.map((r) => r.map((x) => x.index)))), queries };
    }
    return { chunks: this.top(await this.rank(query, query)), queries: [query] };
  }

  /** Every chunk by score, best first: cosine to the query's embedding, else BM25 of `lexicalText` (zero scores left out). */
  private async rank(query: string, lexicalText: string): Promise<Ranked> {
    let scores: number[];
    if (this.opts.embed && this.chunks.length) {
      this.chunkVectors ??= this.embedTexts(this.chunks.map((c) => c.text));
      const [vectors, [qv]] = await Promise.all([this.chunkVectors, this.embedTexts([query])]);
      scores = vectors.map((v) => cosine(v, qv));
    } else {
      scores = this.bm25.scores(lexicalText);
    }
    return scores
      .map((score, index) => ({ index, score }))
      .filter((x) => (this.opts.embed ? true : x.score > 0))
      .sort((a, b) => b.score - a.score || a.index - b.index);
  }

  /** topK applies after reranking: with a reranker the first search keeps a wider pool. */
  private top(ranked: Ranked): RetrievedChunk[] {
    const n = this.spec.rerank ? rerankPool(this.topK) : this.topK;
    return ranked.slice(0, n).map(({ index, score }) => ({ text: this.chunks[index].text, source: this.chunks[index].source, score }));
  }

  /** Embeddings of `texts`, from the cache where there, the rest EMBED_BATCH at a time (and cached). */
  private async embedTexts(texts: string[]): Promise<number[][]> {
    const embed = this.opts.embed;
    const cache = this.cache;
    if (!embed) throw new Error('no embed function');
    const out: (number[] | undefined)[] = new Array(texts.length);
    const keys = texts.map((t) => embeddingKey(this.modelKey, t));
    if (cache) await Promise.all(keys.map(async (k, i) => (out[i] = await cache.get<number[]>(k))));
    const missing = texts.map((_, i) => i).filter((i) => !out[i]);
    for (let s = 0; s < missing.length; s += EMBED_BATCH) {
      throwIfAborted(this.opts.signal);
      const batch = missing.slice(s, s + EMBED_BATCH);
      const vectors = await embed(batch.map((i) => texts[i]));
      batch.forEach((i, j) => (out[i] = vectors[j]));
      if (cache) await Promise.all(batch.map((i, j) => cache.set(keys[i], vectors[j]).catch(() => undefined)));
    }
    return out as number[][];
  }
}

/** Reciprocal rank fusion of several rankings (lists of item ids, best first): score = Σ 1 / (k + rank). */
export function reciprocalRankFusion(rankings: number[][], k = RRF_K): { index: number; score: number }[] {
  const scores = new Map<number, number>();
  for (const ranking of rankings) ranking.forEach((id, r) => scores.set(id, (scores.get(id) ?? 0) + 1 / (k + r + 1)));
  return [...scores.entries()].map(([index, score]) => ({ index, score })).sort((a, b) => b.score - a.score || a.index - b.index);
}


function embeddingKey(model: string, text: string): string {
  return createHash('sha256').update(JSON.stringify({ v: 1, kind: 'retrieval-embedding', model, text })).digest('hex');
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

/** The prompt's retrieval settings with a variant's overrides applied (`retrieval: true` → the prompt's own). */
export function effectiveRetrieval(spec: RetrievalSpec, override: boolean | RetrievalOverride | undefined): RetrievalSpec {
  if (!override || override === true) return spec;
  return {
    ...spec,
    ...(override.chunk ? { chunk: override.chunk } : {}),
    ...(override.topK !== undefined ? { topK: override.topK } : {}),
    ...(override.query ? { query: override.query } : {}),
    ...(override.rerank ? { rerank: override.rerank } : {}),
  };
}
