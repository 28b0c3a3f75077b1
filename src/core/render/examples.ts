// Few-shot selection for a (variant, case): `first` (pool order), `random` (seeded, reproducible per case),
// `similar` (BM25 over the rendered user texts, or embedding cosine when an embed function is given).
// A case never serves as its own example.

import type { EvalCase, Example, PromptSpec, VariantSpec } from '../prompt/spec';
import { renderCaseUser, renderExampleUser } from './messages';
import { cosine } from '../text/cosine';
import { Bm25Index } from '../text/bm25';

/** FNV-1a 32-bit hash of a string. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normalize(s: string): string {
  return s.replace(/\s+/g, ' ').trim().toLowerCase();
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || !a || !b) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}


/** BM25 scores of `query` against each document (k1 = 1.2, b = 0.75). */
export function bm25Scores(query: string, docs: string[]): number[] {
  return new Bm25Index(docs).scores(query);
}


/**
 * The examples a variant shows for a case. Order: `first` and `random` keep pool order; `similar` puts the
 * most similar example last, nearest the case's own question. A pool smaller than `shots` gives what there is.
 */
export async function selectExamples(
  spec: PromptSpec,
  variant: VariantSpec,
  evalCase: EvalCase,
  opts?: { embed?: (texts: string[]) => Promise<number[][]> },
): Promise<Example[]> {
  const shots = variant.shots ?? 0;
  if (shots <= 0 || spec.examples.length === 0) return [];
  const caseUser = renderCaseUser(spec, evalCase);
  const caseNorm = normalize(caseUser);
  const pool = spec.examples
    .map((ex, poolIndex) => ({ ex, poolIndex, user: renderExampleUser(spec, ex) }))
    .filter((p) => normalize(p.user) !== caseNorm && !deepEqual(p.ex.input, evalCase.vars));
  if (pool.length === 0) return [];
  const select = variant.select ?? 'first';

  if (select === 'first') return pool.slice(0, shots).map((p) => p.ex);

  if (select === 'random') {
    const seed = (variant.seed ?? hashString(variant.name)) ^ Math.imul(evalCase.index + 1, 0x9e3779b1);
    const rand = seededRandom(seed);
    const idx = pool.map((_, i) => i);
    const take = Math.min(shots, idx.length);
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(rand() * (idx.length - i));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    return idx
      .slice(0, take)
      .sort((a, b) => a - b)
      .map((i) => pool[i].ex);
  }

  // similar
  let scores: number[];
  if (opts?.embed) {
    const vecs = await opts.embed([caseUser, ...pool.map((p) => p.user)]);
    scores = pool.map((_, i) => cosine(vecs[0], vecs[i + 1]));
  } else {
    scores = bm25Scores(caseUser, pool.map((p) => p.user));
  }
  const ranked = pool.map((p, i) => ({ p, s: scores[i] })).sort((a, b) => b.s - a.s || a.p.poolIndex - b.p.poolIndex);
  return ranked
    .slice(0, shots)
    .reverse()
    .map((r) => r.p.ex);
}
