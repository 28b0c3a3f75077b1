// Splits document text into chunks of at most `size` characters that end on paragraph or sentence
// boundaries where possible, each starting with up to `overlap` characters carried from the previous one.

export interface ChunkOptions {
  size: number;
  overlap: number;
}

export function chunkText(text: string, opts: ChunkOptions): string[] {
  const size = Math.max(50, Math.floor(opts.size));
  const overlap = Math.max(0, Math.min(Math.floor(opts.overlap), Math.floor(size / 2)));
  const units = splitUnits(text.replace(/\r\n?/g, '\n'), size);
  const chunks: string[] = [];
  let current: string[] = [];
  let length = 0;

  const flush = () => {
    if (!current.length) return;
    chunks.push(current.join(' ').trim());
    // carry whole trailing units that fit in the overlap; else a word-aligned tail of the last unit
    const carry: string[] = [];
    let carried = 0;
    for (let i = current.length - 1; i >= 0 && overlap > 0; i--) {
      if (carried + current[i].length + (carry.length ? 1 : 0) > overlap) break;
      carry.unshift(current[i]);
      carried += current[i].length + (carry.length > 1 ? 1 : 0);
    }
    if (!carry.length && overlap > 0) {
      const last = current[current.length - 1];
      const tail = last.slice(-overlap);
      const cut = tail.indexOf(' ');
      const t = (cut > 0 && cut < tail.length - 1 ? tail.slice(cut + 1) : tail).trim();
      if (t) {
        carry.push(t);
        carried = t.length;
      }
    }
    current = carry;
    length = carried;
  };

  for (const u of units) {
    const add = u.length + (current.length ? 1 : 0);
    if (length + add > size && current.length) {
      flush();
      // the carried overlap plus this unit must still fit
      if (length + u.length + 1 > size) {
        current = [];
        length = 0;
      }
    }
    current.push(u);
    length += u.length + (current.length > 1 ? 1 : 0);
  }
  if (current.length) {
    const text = current.join(' ').trim();
    // do not emit a final chunk that is only the overlap of the previous one
    const prev = chunks[chunks.length - 1];
    if (!prev || !prev.endsWith(text)) chunks.push(text);
  }
  return chunks.filter((c) => c.length > 0);
}

/** Paragraphs, then sentences for paragraphs longer than `size`, then word-aligned pieces for sentences longer than `size`. */
function splitUnits(text: string, size: number): string[] {
  const out: string[] = [];
  for (const para of text.split(/\n\s*\n/)) {
    const p = para.replace(/\s*\n\s*/g, ' ').trim();
    if (!p) continue;
    if (p.length <= size) {
      out.push(p);
      continue;
    }
    for (const sentence of p.split(/(?<=[.!?。！？;])\s+/)) {
      if (sentence.length <= size) {
        if (sentence) out.push(sentence);
        continue;
      }
      let rest = sentence;
      while (rest.length > size) {
        let cut = rest.lastIndexOf(' ', size);
        if (cut < size / 2) cut = size;
        out.push(rest.slice(0, cut).trim());
        rest = rest.slice(cut).trim();
      }
      if (rest) out.push(rest);
    }
  }
  return out;
}
