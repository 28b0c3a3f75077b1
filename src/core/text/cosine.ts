// Cosine similarity of two vectors (embeddings or term-frequency vectors); 0 when either is all zeros.

export function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  for (let i = n; i < a.length; i++) na += a[i] * a[i];
  for (let i = n; i < b.length; i++) nb += b[i] * b[i];
  if (na === 0 || nb === 0) return 0;
  return dot / (Math.sqrt(na) * Math.sqrt(nb));
}
