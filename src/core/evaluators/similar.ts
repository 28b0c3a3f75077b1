// `similar` evaluator: cosine similarity between the reply and a reference (template, default
// '{{expected}}') must reach `threshold`. Uses the judge's embeddings when it has them; otherwise — or
// when the embedding call fails — a lexical cosine over token-count vectors, and the details say which.

import type { EvaluatorSpec } from '../prompt/spec';
import type { EvaluatorFn, EvaluatorResult } from './evaluator';
import { replyOf, rowVars } from './templateVars';
import { ghTemplate } from '../render/ghTemplate';
import { cosine } from '../text/cosine';

type SimilarSpec = Extract<EvaluatorSpec, { kind: 'similar' }>;

// CJK scripts are written without spaces: each character is a token; other letters/digits form words.
const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';
const TOKEN = new RegExp(`[${CJK}]|(?:(?![${CJK}])[\\p{L}\\p{N}\\p{M}])+`, 'gu');

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}


/** Cosine of the token-frequency vectors of two texts (0 when either has no tokens). */
export function lexicalCosine(a: string, b: string): number {
  const ta = new Map<string, number>();
  const tb = new Map<string, number>();
  for (const t of tokenize(a)) ta.set(t, (ta.get(t) ?? 0) + 1);
  for (const t of tokenize(b)) tb.set(t, (tb.get(t) ?? 0) + 1);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [t, c] of ta) {
    na += c * c;
    dot += c * (tb.get(t) ?? 0);
  }
  for (const c of tb.values()) nb += c * c;
  if (na === 0 || nb === 0) return 0;
  return dot / (Math.sqrt(na) * Math.sqrt(nb));
}

const PLACEHOLDER = /\{\{\s*[\w.-]+\s*\}\}/;

export const evaluateSimilar: EvaluatorFn<SimilarSpec> = async (spec, input) => {
  const template = spec.reference ?? '{{expected}}';
  const reference = ghTemplate(template, rowVars(input)).trim();
  const output = replyOf(input);
  const fail = (details: string): EvaluatorResult => ({ name: spec.name, passed: false, score: 0, details });
  if (reference === '' || (PLACEHOLDER.test(reference) && reference === template.trim())) {
    return fail(`No reference text: '${template}' is not filled for this case (give the case an 'expected' or set 'reference'; a placeholder is {{name}}, without spaces)`);
  }

  let similarity: number | undefined;
  let how: string;
  if (input.judge.embed) {
    try {
      const [a, b] = await input.judge.embed([output, reference], { model: spec.model });
      similarity = cosine(a, b);
      how = 'embedding cosine';
    } catch (err) {
      if (input.signal.aborted) throw err;
      how = `lexical cosine (embedding call failed: ${(err as Error).message})`;
    }
  } else {
    how = 'lexical cosine (no embedding model available)';
  }
  if (similarity === undefined) similarity = lexicalCosine(output, reference);
  const score = Math.max(0, Math.min(1, similarity));
  const passed = similarity >= spec.threshold;
  return {
    name: spec.name,
    passed,
    score,
    details: `Similarity ${similarity.toFixed(3)} ${passed ? '≥' : '<'} threshold ${spec.threshold} (${how})`,
  };
};
