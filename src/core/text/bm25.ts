// BM25 lexical search over chunks (Okapi BM25, k1 = 1.2, b = 0.75): the offline default of retrieval.

export interface Bm25Options {
  k1?: number;
  b?: number;
}

/** Lower-cased word tokens (letters and digits, any script); CJK text falls back to single characters. */
export function tokenizeForSearch(text: string): string[] {
  const out: string[] = [];
  for (const w of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u.test(w)) {
      for (const ch of w) out.push(ch);
    } else if (!STOP.has(w)) {
      out.push(w);
    }
  }
  return out;
}

const STOP = new Set(
  'a an the and or of to in on at for by with is are was were be been it its this that these those as from do does did what which who how when where why can i you we they he she my your our'.split(' '),
);

export class Bm25Index {
  private readonly docs: Map<string, number>[] = [];
  private readonly lengths: number[] = [];
  private readonly df = new Map<string, number>();
  private avgLength = 0;
  private readonly k1: number;
  private readonly b: number;

  constructor(texts: string[], opts: Bm25Options = {}) {
    this.k1 = opts.k1 ?? 1.2;
    this.b = opts.b ?? 0.75;
    for (const t of texts) {
      const tf = new Map<string, number>();
      const tokens = tokenizeForSearch(t);
      for (const tok of tokens) tf.set(tok, (tf.get(tok) ?? 0) + 1);
      for (const tok of tf.keys()) this.df.set(tok, (this.df.get(tok) ?? 0) + 1);
      this.docs.push(tf);
      this.lengths.push(tokens.length);
    }
    this.avgLength = this.lengths.reduce((a, b) => a + b, 0) / Math.max(1, this.lengths.length);
  }

  /** Scores of every document for the query (0 when no query term occurs). */
  scores(query: string): number[] {
    const n = this.docs.length;
    const terms = [...new Set(tokenizeForSearch(query))];
    return this.docs.map((tf, i) => {
      let s = 0;
      for (const t of terms) {
        const f = tf.get(t);
        if (!f) continue;
        const df = this.df.get(t) ?? 0;
        const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
        s += (idf * f * (this.k1 + 1)) / (f + this.k1 * (1 - this.b + (this.b * this.lengths[i]) / (this.avgLength || 1)));
      }
      return s;
    });
  }
}
