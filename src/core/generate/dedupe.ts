// Duplicates of existing cases (and of each other) among generated inputs: the same text once normalised (case,
// accents, punctuation, spacing), or, when an embedding model is configured, a cosine similarity at or above
// DUPLICATE_COSINE.

import { cosine } from '../text/cosine';

export const DUPLICATE_COSINE = 0.95;

/** A case's input as one comparable text: the prompt's variables in order. */
export function inputText(vars: Record<string, unknown>, names: readonly string[]): string {
  return names.map((n) => (typeof vars[n] === 'string' ? (vars[n] as string) : vars[n] === undefined ? '' : JSON.stringify(vars[n]))).join('\n');
}

export function normalise(text: string): string {
  const lower = text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  const words = lower.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  // An input of punctuation only ("???") is compared as written, spacing aside.
  return words || lower.replace(/\s+/g, ' ').trim();
}

/**
 * Indexes of `candidates` to keep: not equal (normalised) to an existing text or to an earlier kept candidate, and
 * (with `embed`) not within DUPLICATE_COSINE of one.
 */
export async function uniqueIndexes(
  existing: readonly string[],
  candidates: readonly string[],
  embed?: (texts: string[]) => Promise<number[][]>,
): Promise<number[]> {
  const seen = new Set(existing.map(normalise));
  let keep: number[] = [];
  candidates.forEach((c, i) => {
    const n = normalise(c);
    if (seen.has(n)) return;
    seen.add(n);
    keep.push(i);
  });
  if (!embed || keep.length === 0) return keep;
  const vectors = await embed([...existing, ...keep.map((i) => candidates[i])]);
  const old = vectors.slice(0, existing.length);
  const fresh = vectors.slice(existing.length);
  const accepted: number[][] = [];
  const out: number[] = [];
  keep.forEach((i, k) => {
    const v = fresh[k];
    if (!v) return;
    if (old.some((o) => cosine(o, v) >= DUPLICATE_COSINE) || accepted.some((a) => cosine(a, v) >= DUPLICATE_COSINE)) return;
    accepted.push(v);
    out.push(i);
  });
  keep = out;
  return keep;
}
